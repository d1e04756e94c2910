"""The batch grid: the 反馈表 results and ratings of a round of deliveries, entered at once; each
row checked in place, the whole saved or nothing, each case's events as on its own pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases.models import CaseEvent, CaseStatus
from xinfang.cases.tests.factories import new_case, walk
from xinfang.notify.models import Notice
from xinfang.ratings import actions
from xinfang.ratings.forms_batch import PREFIX
from xinfang.ratings.models import FeedbackForm, Rating
from xinfang.ratings.tests.factories import advance, ago, feedback_data

URL = reverse("ratings:batch")


@pytest.fixture
def round_of_deliveries(agent_cg, agent_zj, make_case):
    """Three cases of 城关镇 whose answer reached the petitioner (one a refusal), one already
    rated, one only concluded; and one of 曾家镇."""
    first = advance(make_case(agent_cg, serial=1, received_on=ago(20)), agent_cg, delivered_ago=3)
    second = advance(make_case(agent_cg, serial=2, received_on=ago(20)), agent_cg, delivered_ago=2)
    refused = walk(
        new_case(agent_cg, serial=3, received_on=ago(20)), CaseStatus.NOT_ACCEPTED, by=agent_cg, start=ago(20)
    )
    rated = advance(make_case(agent_cg, serial=4, received_on=ago(20)), agent_cg)
    actions.record_rating(
        rated, by=agent_cg, channel="platform", office_satisfaction="satisfied", body_satisfaction="satisfied"
    )
    concluded = advance(make_case(agent_cg, serial=5, received_on=ago(20)), agent_cg, to="concluded")
    other = advance(make_case(agent_zj, serial=6, received_on=ago(20)), agent_zj)
    return {
        "first": first,
        "second": second,
        "refused": refused,
        "rated": rated,
        "concluded": concluded,
        "other": other,
    }


def grid(client) -> tuple[str, dict]:
    """The page, and the data its form would post as shown (every row untouched)."""
    response = client.get(URL)
    assert response.status_code == 200
    formset = response.context["formset"]
    data: dict[str, str | list[str]] = {
        f"{PREFIX}-TOTAL_FORMS": str(len(formset.forms)),
        f"{PREFIX}-INITIAL_FORMS": str(len(formset.forms)),
    }
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value in (None, False):
                continue
            if isinstance(value, bool):
                value = "1" if name in ("truthful", "notified_in_time", "forwarded_in_time") else "on"
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return response.content.decode(), data


def fill(data: dict, index: int, **values) -> None:
    """Type into row ``index`` what a returned 反馈表 says (the factories' answers) and the rating."""
    answers = feedback_data(
        delivered_at=ago(1), signed_on=ago(1), documents="城住建复〔2026〕7号", truthful="1", notified_in_time="1",
        forwarded_in_time="0", petitioner_signed="on", channel="platform", rated_on=ago(1).isoformat(),
    )  # fmt: skip
    answers.update(values)
    for name, value in answers.items():
        if isinstance(value, datetime.date):
            value = value.isoformat()
        data[f"{PREFIX}-{index}-{name}"] = value


def row_of(formset_page: str, case) -> str:
    start = formset_page.index(f'id="row-{case.pk}"')
    return formset_page[start : formset_page.index("</tbody>", start)]


def test_the_grid_lists_the_unit_s_delivered_unrated_cases(client, agent_cg, round_of_deliveries):
    client.force_login(agent_cg)
    page, _ = grid(client)
    cases = round_of_deliveries
    for key in ("first", "second", "refused"):
        assert f'id="row-{cases[key].pk}"' in page
    for key in ("rated", "concluded", "other"):
        assert f'id="row-{cases[key].pk}"' not in page
    assert "不予受理" in row_of(page, cases["refused"])  # refusals are rated like any answer
    assert "李某某" in page  # the petitioner, to match the paper forms
    assert client.get(reverse("cases:work")).content.decode().count(URL) == 1


def test_rows_filled_are_saved_each_with_its_events_and_rows_left_alone_are_not(
    client, agent_cg, bureau_user, round_of_deliveries
):
    cases = round_of_deliveries
    client.force_login(agent_cg)
    _, data = grid(client)
    order = [int(data[f"{PREFIX}-{i}-case_pk"]) for i in range(3)]
    first, refused = order.index(cases["first"].pk), order.index(cases["refused"].pk)
    fill(data, first)  # 不满意 with the body: two reasons, as the factories' form says
    fill(data, refused, body_satisfaction="basically", body_reasons=[], channel="agent", instruction_means="phone",
         instructed_at=f"{ago(1).isoformat()}T10:00", delivered_at=timezone.localdate().isoformat(),
         signed_on=timezone.localdate().isoformat())  # fmt: skip

    response = client.post(URL, data, follow=True)

    page = response.content.decode()
    assert "已保存2件事项的反馈表和满意度评价。" in page and "其中1件信访人不满意" in page
    rating = Rating.objects.get(case=cases["first"])
    assert (rating.channel, rating.office_satisfaction, rating.body_satisfaction) == (
        "platform",
        "satisfied",
        "unsatisfied",
    )
    assert rating.entered_by == agent_cg and rating.rated_on == ago(1)
    by_agent = Rating.objects.get(case=cases["refused"])
    assert (by_agent.channel, by_agent.instruction_means) == ("agent", "phone")
    form = FeedbackForm.objects.get(case=cases["first"])
    assert form.body_reasons == ["attitude", "unresolved"] and form.delivered_by == "张某某、刘某某"
    for key in ("first", "refused"):
        assert list(CaseEvent.objects.filter(case=cases[key], action__in=("feedback", "rate")).values_list("action", flat=True).order_by("id")) == ["feedback", "rate"]  # fmt: skip
    assert not Rating.objects.filter(case=cases["second"]).exists()
    assert not FeedbackForm.objects.filter(case=cases["second"]).exists()
    assert Notice.objects.filter(
        recipient=bureau_user, case=cases["first"]
    ).exists()  # 不满意 alerts, as one by one
    # The rated cases leave the grid; the untouched one stays.
    page, _ = grid(client)
    assert f'id="row-{cases["second"].pk}"' in page and f'id="row-{cases["first"].pk}"' not in page


def test_errors_are_shown_in_their_row_and_nothing_is_saved_or_lost(client, agent_cg, round_of_deliveries):
    cases = round_of_deliveries
    client.force_login(agent_cg)
    _, data = grid(client)
    order = [int(data[f"{PREFIX}-{i}-case_pk"]) for i in range(3)]
    good, bad = order.index(cases["first"].pk), order.index(cases["second"].pk)
    fill(data, good)
    fill(
        data, bad, delivered_by="张某某", channel="agent", body_reasons=[], office_comment="窗口人员说明不清"
    )

    response = client.post(URL, data)

    assert response.status_code == 200
    page = response.content.decode()
    row = row_of(page, cases["second"])
    assert "送达人至少为2名工作人员" in row
    assert "代为评价的，请选择信访人是通过电话还是当面表达的意见。" in row
    assert "选择“不满意”的，请至少勾选一项不满意原因。" in row
    assert "窗口人员说明不清" in row and 'value="张某某"' in row  # typed, kept
    assert "送达人至少为2名工作人员" not in row_of(page, cases["first"])
    assert "城住建复〔2026〕7号" in row_of(page, cases["first"])  # the good row is kept as typed too
    assert "有 1 行需要修改" in page
    assert Rating.objects.count() == 1  # only the fixture's own rating
    assert not FeedbackForm.objects.exists()
    assert not CaseEvent.objects.filter(
        action__in=("feedback", "rate"), case__in=[cases["first"], cases["second"]]
    ).exists()


def test_a_row_the_action_refuses_undoes_the_whole_batch(client, agent_cg, round_of_deliveries):
    """Rated meanwhile by a colleague on the case's own page: the batch saves nothing, and the
    row says why."""
    cases = round_of_deliveries
    client.force_login(agent_cg)
    _, data = grid(client)
    order = [int(data[f"{PREFIX}-{i}-case_pk"]) for i in range(3)]
    fill(data, order.index(cases["first"].pk))
    fill(data, order.index(cases["second"].pk))
    actions.record_rating(
        cases["second"],
        by=agent_cg,
        channel="platform",
        office_satisfaction="satisfied",
        body_satisfaction="satisfied",
    )

    response = client.post(URL, data)

    page = response.content.decode()
    assert "该事项已评价，不能重复评价。" in row_of(page, cases["second"])
    assert not Rating.objects.filter(case=cases["first"]).exists()
    assert not FeedbackForm.objects.exists()  # the first row's form was undone with the batch


def test_a_grid_with_another_unit_s_case_is_refused(client, agent_cg, round_of_deliveries):
    cases = round_of_deliveries
    client.force_login(agent_cg)
    _, data = grid(client)
    data[f"{PREFIX}-0-case_pk"] = str(cases["other"].pk)
    fill(data, 0)

    response = client.post(URL, data)

    assert response.status_code == 404
    assert not FeedbackForm.objects.exists() and Rating.objects.count() == 1
    assert AuditEntry.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor=agent_cg, target_id=str(cases["other"].pk)
    ).exists()


def test_an_untouched_grid_saves_nothing(client, agent_cg, round_of_deliveries):
    client.force_login(agent_cg)
    _, data = grid(client)
    response = client.post(URL, data)
    assert "没有填写任何事项" in response.content.decode()
    assert not FeedbackForm.objects.exists() and Rating.objects.count() == 1


@pytest.mark.parametrize("persona", ["head_cg", "bureau_user", "agent_zj"])
def test_only_the_unit_s_agents_enter_ratings(request, client, persona, round_of_deliveries):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    if persona == "agent_zj":  # an agent sees only the own unit's cases
        assert response.status_code == 200
        assert round_of_deliveries["first"].number not in response.content.decode()
    else:
        assert response.status_code == 404


def test_the_action_checks_every_row_before_writing(agent_cg, agent_zj, round_of_deliveries):
    cases = round_of_deliveries
    rows = [
        actions.BatchRow(cases["first"], feedback_data(), {"channel": "platform", "office_satisfaction": "satisfied", "body_satisfaction": "satisfied"}),
        actions.BatchRow(cases["other"], feedback_data(), {"channel": "platform", "office_satisfaction": "satisfied", "body_satisfaction": "satisfied"}),
    ]  # fmt: skip
    from xinfang.access.rules import Refused

    with pytest.raises(Refused):
        actions.record_batch(rows, by=agent_cg)
    assert not FeedbackForm.objects.exists()


def test_the_grid_reads_in_a_fixed_number_of_queries(client, agent_cg, make_case, round_of_deliveries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent_cg)
    client.get(URL)  # the session and the user, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    three = queries()
    for serial in (7, 8, 9):
        advance(make_case(agent_cg, serial=serial, received_on=ago(20)), agent_cg)
    assert queries() == three
