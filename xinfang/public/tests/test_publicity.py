"""The publicity log (宣传记录): agents record their unit's work; bureau staff see every unit."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinfang.access.rules import Refused
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.public import actions, selectors
from xinfang.public.models import PublicityEvent, PublicityKind

TODAY = timezone.localdate()


def add(by, unit, *, kind=PublicityKind.CARD, people=30, on=None, place="集市"):
    return actions.record_publicity(by=by, unit=unit, on=on or TODAY, place=place, kind=kind, people=people)


# --- The action ---------------------------------------------------------------------------------------


def test_record_publicity_keeps_the_facts(agent_cg, units):
    event = add(agent_cg, units["chengguan"], kind=PublicityKind.DEMO, people=12, place=" 文彩村村委会 ")
    assert (event.unit, event.kind, event.people_reached, event.place, event.recorded_by) == (
        units["chengguan"],
        "demo",
        12,
        "文彩村村委会",
        agent_cg,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"on": TODAY + datetime.timedelta(days=1)}, "on"),
        ({"people": 0}, "people_reached"),
        ({"kind": "poster"}, "kind"),
        ({"place": "  "}, "place"),
    ],
)
def test_record_publicity_refuses_bad_entries(agent_cg, units, changes, field):
    data = {"on": TODAY, "place": "集市", "kind": "card", "people": 5, **changes}
    with pytest.raises(actions.PublicityError) as refused:
        actions.record_publicity(by=agent_cg, unit=units["chengguan"], **data)
    assert refused.value.field == field
    assert not PublicityEvent.objects.exists()


def test_an_agent_records_only_for_the_own_unit(agent_cg, bureau_user, units):
    with pytest.raises(Refused):
        add(agent_cg, units["zengjia"])
    refusal = AuditEntry.objects.get(action=AuditAction.ACCESS_DENIED, actor=agent_cg)
    assert refusal.detail["capability"] == "publicity" and not PublicityEvent.objects.exists()
    assert add(bureau_user, units["zengjia"]).unit == units["zengjia"]


def test_totals_by_kind_and_by_unit(agent_cg, agent_zj, units):
    add(agent_cg, units["chengguan"], kind=PublicityKind.CARD, people=40)
    add(agent_cg, units["chengguan"], kind=PublicityKind.CARD, people=10)
    add(agent_cg, units["chengguan"], kind=PublicityKind.DEMO, people=8)
    add(
        agent_zj,
        units["zengjia"],
        kind=PublicityKind.FLYER,
        people=100,
        on=TODAY - datetime.timedelta(days=400),
    )

    totals, overall = selectors.totals_by_kind(PublicityEvent.objects.all())
    assert [(t.kind, t.events, t.people) for t in totals] == [
        ("card", 2, 50),
        ("flyer", 1, 100),
        ("demo", 1, 8),
        ("other", 0, 0),
    ]
    assert (overall.events, overall.people) == (4, 158)

    figures = selectors.publicity_by_unit(TODAY - datetime.timedelta(days=30), TODAY)
    assert figures == {
        units["chengguan"].pk: {"card": {"events": 2, "people": 50}, "demo": {"events": 1, "people": 8}}
    }


# --- Over HTTP -----------------------------------------------------------------------------------------


def test_agent_adds_an_entry_and_sees_it_with_the_totals(client, agent_cg, units):
    client.force_login(agent_cg)
    form = client.get(reverse("public:publicity_new")).content.decode()
    assert 'type="hidden" name="unit"' in form  # nothing to choose

    response = client.post(
        reverse("public:publicity_new"),
        {
            "unit": units["chengguan"].pk,
            "on": TODAY.isoformat(),
            "place": "城关镇赶集日集市",
            "kind": "flyer",
            "people_reached": "85",
            "note": "发放宣传页85份",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("public:publicity")).content.decode()
    assert "城关镇赶集日集市" in body and "发放宣传页85份" in body and "覆盖 85 人" in body


def test_the_form_refuses_a_future_date_zero_people_and_another_unit(client, agent_cg, units):
    client.force_login(agent_cg)
    response = client.post(
        reverse("public:publicity_new"),
        {
            "unit": units["zengjia"].pk,
            "on": (TODAY + datetime.timedelta(days=2)).isoformat(),
            "place": "",
            "kind": "card",
            "people_reached": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"unit", "on", "place", "people_reached"} <= set(errors)
    assert not PublicityEvent.objects.exists()


def test_agents_see_their_unit_and_bureau_all_with_a_filter(client, agent_cg, agent_zj, bureau_user, units):
    add(agent_cg, units["chengguan"], place="城关镇集市")
    add(agent_zj, units["zengjia"], place="曾家镇集市")

    client.force_login(agent_cg)
    body = client.get(reverse("public:publicity")).content.decode()
    assert "城关镇集市" in body and "曾家镇集市" not in body
    body = client.get(reverse("public:publicity"), {"unit": units["zengjia"].pk}).content.decode()
    assert "曾家镇集市" not in body  # a unit outside one's own is not a valid filter

    client.force_login(bureau_user)
    body = client.get(reverse("public:publicity")).content.decode()
    assert "城关镇集市" in body and "曾家镇集市" in body
    body = client.get(reverse("public:publicity"), {"unit": units["zengjia"].pk}).content.decode()
    assert "曾家镇集市" in body and "城关镇集市" not in body

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("public:publicity"))
    for n in range(10):
        add(bureau_user, units["zengjia"], place=f"村{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("public:publicity"))
    assert len(many) == len(few)  # one query per table, not one per entry
