"""The people of a case: particulars kept as registered (versions), several petitioners, 集体访,
related cases, handover, and documents other than the mainland ID card."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import complaint_data, make_user, petitioner_data
from xinfang.access.models import Role
from xinfang.access.rules import Refused
from xinfang.audit.models import AuditEntry
from xinfang.cases import actions, intake, selectors
from xinfang.cases.actions_people import hand_over_all
from xinfang.cases.models import Case, CaseEvent, CoPetitioner, Petitioner
from xinfang.cases.steps import TransitionError
from xinfang.core.identity import IdKind, validate_document
from xinfang.core.validators import id_check_digit

ID = "11010519491231002X"


def register(agent, *, name="测试甲", confirm=None, **more):
    data = petitioner_data(1, id_number=ID, name=name, **more)
    if confirm is not None:
        data["confirmed_version"] = confirm
    case, _ = actions.open_case(by=agent, token=uuid.uuid4(), petitioner=data, complaint=complaint_data())
    return case


# --- Particulars as registered ----------------------------------------------------------------------


def test_a_later_registration_never_changes_an_earlier_case(agent_cg, categories):
    first = register(agent_cg, name="测试甲")
    with pytest.raises(intake.PetitionerChanged) as asked:
        register(agent_cg, name="测试乙")
    assert asked.value.rows == [("姓名", "测试甲", "测试乙")]
    assert Case.objects.count() == 1  # nothing saved until the agent confirms
    second = register(agent_cg, name="测试乙", confirm=asked.value.version)
    with pytest.raises(intake.PetitionerChanged) as again:
        register(agent_cg, name="测试丙", confirm=asked.value.version)  # confirmed an older record
    third = register(agent_cg, name="测试丙", confirm=again.value.version)
    first.refresh_from_db()
    assert [c.petitioner.name for c in (first, second, third)] == ["测试甲", "测试乙", "测试丙"]
    assert sorted(Petitioner.objects.values_list("version", flat=True)) == [1, 2, 3]
    event = CaseEvent.objects.get(case=third, action="petitioner_changed")
    assert event.data == {"fields": ["name"], "from_version": 2, "to_version": 3}
    assert "测试" not in str(event.data)  # names of fields, never values
    # The person's history finds every version.
    assert {p.case.pk for p in selectors.petitioner_history(agent_cg, ID) if p.case} == {
        first.pk,
        second.pk,
        third.pk,
    }


def test_showing_the_record_to_confirm_is_a_logged_reveal(agent_cg, categories):
    register(agent_cg)
    with pytest.raises(intake.PetitionerChanged):
        register(agent_cg, address="镇坪县曾家镇")
    entry = AuditEntry.objects.filter(action="reveal", target_type="cases.Petitioner").get()
    assert entry.detail["fields"] == ["address"]


def test_the_same_particulars_again_need_no_confirmation(agent_cg, categories):
    first, again = register(agent_cg), register(agent_cg)
    assert first.petitioner_id == again.petitioner_id


def test_the_form_shows_old_and_new_side_by_side_and_keeps_what_was_typed(client, agent_cg, categories):
    first = register(agent_cg, name="测试甲")
    client.force_login(agent_cg)
    page = client.get(reverse("cases:new"))
    data = _new_case_post(page, name="测试乙")
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "与本次填写的不一致" in html and "测试甲" in html and 'value="测试乙"' in html
    assert Case.objects.count() == 1
    data["p-confirm_version"] = "1"
    response = client.post(reverse("cases:new"), data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.petitioner.name == "测试甲"
    assert Case.objects.latest("pk").petitioner.name == "测试乙"


def _new_case_post(page, **petitioner) -> dict:
    token = page.context["intake_form"].initial["token"]
    complaint = complaint_data()
    data = {
        "token": str(token),
        "received_on": page.context["intake_form"].initial["received_on"].isoformat(),
        "p-name": petitioner.get("name", "测试甲"),
        "p-id_kind": petitioner.get("id_kind", "resident"),
        "p-id_number": petitioner.get("id_number", ID),
        "p-mobile": petitioner.get("mobile", "13912345678"),
        "p-landline": petitioner.get("landline", ""),
        "p-address": "镇坪县城关镇文彩村三组12号",
        "p-work_unit": "无",
        "c-people_count": "1",
    }
    for key, value in complaint.items():
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, bool):
            value = "1" if value else "0"
        data[f"c-{key}"] = value
    return data


def test_editing_before_signing_keeps_other_cases_as_they_were(agent_cg, categories):
    first = register(agent_cg)
    second = register(agent_cg)  # the same version
    complaint = {f: getattr(second, f) for f in actions.COMPLAINT_FIELDS}
    actions.update_case(
        second,
        by=agent_cg,
        petitioner=petitioner_data(1, id_number=ID, name="测试甲", address="新地址"),
        complaint=complaint,
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.petitioner.address == "镇坪县城关镇文彩村三组12号"
    assert second.petitioner.address == "新地址"
    assert second.petitioner.version == 2
    # Only one case on a version: corrected in place.
    actions.update_case(
        second,
        by=agent_cg,
        petitioner=petitioner_data(1, id_number=ID, name="测试甲", address="再改"),
        complaint=complaint,
    )
    second.refresh_from_db()
    assert second.petitioner.version == 2 and second.petitioner.address == "再改"


# --- Several petitioners, 集体访, related cases ---------------------------------------------------------


def test_several_petitioners_each_with_their_own_particulars(agent_cg, make_case):
    case = make_case(agent_cg, serial=1)
    actions.take_step(case, "add_petitioner", by=agent_cg, **petitioner_data(2, name="张某"))
    actions.take_step(
        case,
        "add_petitioner",
        by=agent_cg,
        **petitioner_data(3, name="赵某", mobile="", landline="0915-8822560"),
    )
    case.refresh_from_db()
    assert [p.name for p in case.petitioners()] == ["李某某", "张某", "赵某"]
    assert case.people_count == 3 and not case.is_collective
    assert selectors.petitioner_names(case) == "李某某、张某、赵某"
    assert "代李某某、张某、赵某反映" in selectors.agent_line(case)
    assert selectors.revealable(case, "landline-2") == "0915-8822560"
    assert selectors.revealable(case, "name-2") is None
    with pytest.raises(TransitionError):
        actions.take_step(case, "add_petitioner", by=agent_cg, **petitioner_data(2, name="张某"))
    actions.take_step(case, "remove_petitioner", by=agent_cg, position=1)
    assert [p.name for p in case.petitioners()] == ["李某某", "赵某"]
    assert list(case.events.values_list("action", flat=True)).count("add_petitioner") == 2


def test_a_collective_visit_lists_at_most_five_representatives(agent_cg, make_case):
    case = make_case(agent_cg, serial=1, people_count=30)
    assert case.is_collective
    for serial in range(2, 6):
        actions.take_step(
            case, "add_petitioner", by=agent_cg, **petitioner_data(serial, name=f"代表{serial}")
        )
    with pytest.raises(TransitionError, match="不超过5人"):
        actions.take_step(case, "add_petitioner", by=agent_cg, **petitioner_data(6))
    case.refresh_from_db()
    assert case.people_count == 30
    assert selectors.petitioner_names(case).endswith("等30人")


def test_another_units_agent_may_not_add_a_petitioner(agent_cg, agent_zj, make_case):
    case = make_case(agent_cg)
    with pytest.raises(Refused):
        actions.take_step(case, "add_petitioner", by=agent_zj, **petitioner_data(2))
    assert not CoPetitioner.objects.exists()


def test_related_cases_show_on_both(agent_cg, make_case):
    one, two = make_case(agent_cg, serial=1), make_case(agent_cg, serial=2)
    actions.take_step(one, "link", by=agent_cg, other=two, note="同一排水沟")
    assert selectors.related(agent_cg, two) == [one]
    assert two.events.filter(action="link").exists()
    with pytest.raises(TransitionError):
        actions.take_step(one, "link", by=agent_cg, other=two)


# --- Handover -------------------------------------------------------------------------------------------


@pytest.fixture
def second_agent(units):
    return make_user("li", Role.AGENT, units["chengguan"], "李代理", "13800000009")


def test_the_unit_head_hands_a_case_over(agent_cg, second_agent, head_cg, make_case):
    case = make_case(agent_cg)
    with pytest.raises(Refused):
        actions.take_step(case, "hand_over", by=agent_cg, agent=second_agent, reason="调岗")
    actions.take_step(case, "hand_over", by=head_cg, agent=second_agent, reason="原代理员调岗")
    case.refresh_from_db()
    assert case.agent == second_agent
    event = case.events.get(action="hand_over")
    assert event.data["from_agent"] == "王某某" and event.data["to_agent"] == "李代理"
    assert "李代理" in selectors.agent_line(case)


def test_a_case_goes_only_to_an_active_agent_of_its_unit(
    agent_cg, agent_zj, second_agent, head_cg, make_case
):
    case = make_case(agent_cg)
    with pytest.raises(TransitionError):
        actions.take_step(case, "hand_over", by=head_cg, agent=agent_zj, reason="调岗")
    second_agent.is_active = False
    second_agent.save()
    with pytest.raises(TransitionError):
        actions.take_step(case, "hand_over", by=head_cg, agent=second_agent, reason="调岗")
    with pytest.raises(TransitionError):
        actions.take_step(case, "hand_over", by=head_cg, agent=agent_cg, reason="调岗")


def test_an_agents_open_cases_are_spread(agent_cg, second_agent, head_cg, units, make_case):
    third = make_user("sun", Role.AGENT, units["chengguan"], "孙代理", "13800000008")
    for serial in range(1, 5):
        make_case(agent_cg, serial=serial)
    moved = hand_over_all(agent_cg, by=head_cg, to=[second_agent, third], reason="停用账户")
    assert moved == 4
    assert Case.objects.filter(agent=second_agent).count() == 2
    assert Case.objects.filter(agent=third).count() == 2


# --- Documents other than the mainland ID card ---------------------------------------------------------


def _with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


@pytest.mark.parametrize(
    "kind,value,normalized",
    [
        (IdKind.HMT_RESIDENCE, _with_check("81000019800101001"), _with_check("81000019800101001")),
        (IdKind.HK_MACAO_PERMIT, "h1234 5678", "H12345678"),
        (IdKind.TAIWAN_PERMIT, "１２３４５６７８", "12345678"),
        (IdKind.FOREIGNER_PR, "usa123456789012", "USA123456789012"),
        (IdKind.FOREIGNER_PR, _with_check("93384019800101001"), _with_check("93384019800101001")),
        (IdKind.PASSPORT, "e12345678", "E12345678"),
        (IdKind.RESIDENT, "11010519491231002x", ID),
    ],
)
def test_each_document_is_checked_and_normalized(kind, value, normalized):
    assert validate_document(kind, value) == normalized


@pytest.mark.parametrize(
    "kind,value,message",
    [
        (IdKind.HMT_RESIDENCE, _with_check("11010519491231002")[:-1] + "0", "810000"),
        (IdKind.HMT_RESIDENCE, "810000198001010010", "校验位"),
        (IdKind.HK_MACAO_PERMIT, "A12345678", "H或M"),
        (IdKind.TAIWAN_PERMIT, "1234", "8位数字"),
        (IdKind.FOREIGNER_PR, "12345", "3位字母"),
        (IdKind.PASSPORT, "ABCDEFG", "护照号码"),
    ],
)
def test_a_wrong_document_number_says_why(kind, value, message):
    with pytest.raises(ValidationError) as error:
        validate_document(kind, value)
    assert message in error.value.messages[0]


def test_a_hong_kong_petitioner_is_found_again(agent_cg, categories):
    permit = {"id_kind": IdKind.HK_MACAO_PERMIT, "id_number": "H12345678"}
    first, _ = actions.open_case(
        by=agent_cg, token=uuid.uuid4(), petitioner=petitioner_data(1, **permit), complaint=complaint_data()
    )
    assert first.petitioner.id_kind_label == "港澳居民来往内地通行证"
    assert [p.case.pk for p in selectors.petitioner_history(agent_cg, "H12345678")] == [first.pk]


def test_a_petitioner_with_a_landline_only_is_accepted(client, agent_cg, categories):
    client.force_login(agent_cg)
    page = client.get(reverse("cases:new"))
    data = _new_case_post(page, mobile="", landline="")
    response = client.post(reverse("cases:new"), data)
    assert "没有手机的，请填写固定电话" in response.content.decode()
    data["p-landline"] = "0915-8822560"
    assert client.post(reverse("cases:new"), data).status_code == 302
    assert Case.objects.get().petitioner.phone_on_record == "0915-8822560"


def test_deactivating_an_agent_with_open_cases_asks_where_they_go(
    agent_cg, second_agent, bureau_user, make_case
):
    from xinfang.accounts import actions as accounts
    from xinfang.accounts import successors

    cases = [make_case(agent_cg, serial=n) for n in (1, 2)]
    values = dict(
        username=agent_cg.username, full_name=agent_cg.full_name, role=agent_cg.role, unit=agent_cg.unit
    )
    with pytest.raises(accounts.AccountError, match="2件未办结"):
        accounts.update_user(agent_cg, by=bureau_user, is_active=False, **values)
    agent_cg.refresh_from_db()
    assert agent_cg.is_active  # nothing changed
    accounts.update_user(agent_cg, by=bureau_user, is_active=False, successor=successors.SPREAD, **values)
    assert {Case.objects.get(pk=c.pk).agent_id for c in cases} == {second_agent.pk}
    assert not successors.open_work(agent_cg)


def test_reminders_follow_the_current_agent(agent_cg, second_agent, head_cg, make_case):
    from xinfang.notify.remind import agents_to_tell

    case = make_case(agent_cg)
    actions.take_step(case, "hand_over", by=head_cg, agent=second_agent, reason="原代理员调岗")
    case.refresh_from_db()
    assert agents_to_tell(case, {}) == [second_agent]


def test_the_ledger_lists_collective_and_joint_cases_apart(client, bureau_user, agent_cg, make_case):
    collective = make_case(agent_cg, serial=1, people_count=12, title="集体访事项")
    joint = make_case(agent_cg, serial=2, people_count=3, title="联名事项")
    make_case(agent_cg, serial=3, title="一人事项")
    client.force_login(bureau_user)
    for kind, expected in (("collective", collective), ("joint", joint)):
        page = client.get(reverse("cases:list"), {"kind": kind})
        assert [c["pk"] for c in page.context["page"]] == [expected.pk]
    assert "集体访12人" in client.get(reverse("cases:list")).content.decode()
