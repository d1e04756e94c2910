"""A petitioner's request to see, copy or delete their data (《个人信息保护法》第四十五条、第四十七条)."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from openpyxl import load_workbook

from conftest import make_id_number, petitioner_data
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.cases import actions as case_actions
from xinfang.cases.models import Case, Petitioner
from xinfang.core import keys
from xinfang.oversight.actions import file_report
from xinfang.privacy import actions, selectors
from xinfang.privacy.models import DataRequest, RequestKind
from xinfang.privacy.tests.factories import full_case, referred

REASON = "信访人本人到局申请，已核验居民身份证原件"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def no_number_in_the_logs(number: str) -> None:
    assert not [e for e in AuditEntry.objects.all() if number in str(e.detail)]
    assert not [r for r in DataRequest.objects.all() if number in f"{r.reason}{r.counts}{r.cases}"]


def test_everything_under_one_number_is_found_in_every_unit(agent_cg, agent_zj, make_case, bureau_user):
    li = petitioner_data(70, name="李某乙")
    first = make_case(agent_cg, petitioner=li)
    moved = make_case(agent_cg, petitioner={**li, "address": "镇坪县城关镇新华街8号", "confirmed_version": 1})
    elsewhere = make_case(agent_zj, petitioner=li)
    joint = make_case(agent_cg, serial=71)
    case_actions.take_step(joint, "add_petitioner", by=agent_cg, **{**li, "address": "镇坪县城关镇新华街8号"})
    file_report(
        by=agent_zj,
        kind="repeated",
        urgency="normal",
        happened_on=first.received_on,
        description="重复来访",
        petitioner_name="李某乙",
    )

    found = actions.look_up_person(by=bureau_user, id_number=li["id_number"], reason=REASON)

    assert sorted((v.unit.name, v.version) for v in found.versions) == [
        ("城关镇", 1),
        ("城关镇", 2),
        ("曾家镇", 1),
    ]
    assert {(c.case.pk, c.main) for c in found.cases} == {
        (first.pk, True),
        (moved.pk, True),
        (elsewhere.pk, True),
        (joint.pk, False),
    }
    assert [r.petitioner_name for r in found.named_reports] == ["李某乙"]
    handled = DataRequest.objects.get()
    assert (handled.kind, handled.reason, handled.handled_by) == (RequestKind.VIEW, REASON, bureau_user)
    assert sorted(handled.cases) == sorted(c.number for c in (first, moved, elsewhere, joint))
    entry = AuditEntry.objects.filter(action=AuditAction.REVEAL, actor=bureau_user).latest("seq")
    assert entry.detail["reason"] == REASON and entry.detail["cases"] == 4
    no_number_in_the_logs(li["id_number"])


def test_every_kind_of_document_and_a_half_done_key_rotation(agent_cg, make_case, bureau_user, settings):
    passport = petitioner_data(72, name="Anna Schmidt", id_kind="passport", id_number="C01X00T47")
    case = make_case(agent_cg, petitioner=passport)
    assert actions.look_up_person(by=bureau_user, id_number="C01X00T47", reason=REASON).cases[0].case == case
    # A new key: the stored hash is still under the old one until the rotation reaches it.
    keys.forget_verification()
    settings.DATA_KEY, settings.DATA_OLD_KEYS = os.urandom(32), (settings.DATA_KEY,)
    keys.forget_verification()
    try:
        found = actions.look_up_person(by=bureau_user, id_number="C01X00T47", reason=REASON)
        assert [v.name for v in found.versions] == ["Anna Schmidt"]
    finally:
        keys.forget_verification()


def test_a_deletion_takes_the_final_cases_and_leaves_those_being_handled(agent_cg, make_case, bureau_user):
    number = make_id_number(73)
    done = referred(agent_cg, make_case, serial=73)  # final today: no need to wait for the period
    handling = make_case(
        agent_cg, petitioner={**petitioner_data(73), "mobile": "13700001111", "confirmed_version": 1}
    )
    assert handling.petitioner_id != done.petitioner_id

    result = actions.erase_person(by=bureau_user, id_number=number, reason=REASON)

    assert (result.tally.cases, result.tally.petitioners, result.refused) == (1, 1, 1)
    assert Petitioner.objects.get(pk=done.petitioner_id).id_number == ""
    assert Case.objects.get(pk=done.pk).content == ""
    kept = Case.objects.get(pk=handling.pk)
    assert kept.content and Petitioner.objects.get(pk=handling.petitioner_id).id_number == number
    handled = DataRequest.objects.get(kind=RequestKind.DELETE)
    assert handled.counts["refused_open"] == 1 and handled.counts["petitioners"] == 1
    entry = AuditEntry.objects.filter(action=AuditAction.WIPE, actor=bureau_user).latest("seq")
    assert entry.detail["reason"] == REASON
    # What is left is still found, and only that.
    left = selectors.holdings(number)
    assert [c.case.pk for c in left.cases] == [handling.pk]
    no_number_in_the_logs(number)


def test_a_version_still_used_by_a_case_being_handled_stays(agent_cg, make_case, bureau_user):
    done = referred(agent_cg, make_case, serial=74)
    handling = make_case(agent_cg, serial=74)  # same particulars: the same version
    result = actions.erase_person(by=bureau_user, id_number=make_id_number(74), reason=REASON)
    assert (result.tally.content, result.tally.petitioners, result.refused) == (1, 0, 1)
    assert Petitioner.objects.get(pk=handling.petitioner_id).id_number == make_id_number(74)
    assert Case.objects.get(pk=done.pk).content == ""


def test_a_joint_petitioner_takes_only_their_own_data(agent_cg, make_case, bureau_user):
    """王 is a 联名 petitioner of 赵's case, now final: 王's particulars go, the case's content,
    account and 赵's particulars stay (they are also 赵's)."""
    wang = petitioner_data(75, name="王某丙")
    joint = make_case(agent_cg, serial=76)
    case_actions.take_step(joint, "add_petitioner", by=agent_cg, **wang)
    case_actions.refer_case(joint, by=agent_cg, channel="litigation")
    wang_version = joint.co_petitioners.get().petitioner_id

    result = actions.erase_person(by=bureau_user, id_number=wang["id_number"], reason=REASON)

    assert (result.tally.petitioners, result.tally.content) == (1, 0)
    assert Petitioner.objects.get(pk=wang_version).id_number == ""
    joint = Case.objects.get(pk=joint.pk)
    assert joint.content and Petitioner.objects.get(pk=joint.petitioner_id).id_number == make_id_number(76)


def test_the_copy_holds_every_value_and_every_file(agent_cg, make_case, bureau_user):
    held = full_case(agent_cg, make_case, serial=77)
    namesake = file_report(
        by=agent_cg,
        kind="extreme",
        urgency="urgent",
        happened_on=held.case.received_on,
        description="同名者扬言，记号鹳",
        petitioner_name=held.values["name"],
    )
    content = actions.export_person(by=bureau_user, id_number=held.values["id_number"], reason=REASON)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert names[0] == "个人信息.xlsx" and len(names) == 4  # the workbook and three files
    scans = b"".join(archive.read(n) for n in names[1:])
    for marker in ("scan", "reply", "feedback_scan"):
        assert held.values[marker].encode() in scans
    book = load_workbook(io.BytesIO(archive.read(names[0])), read_only=True)
    text = "".join(
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    )
    for key in (
        "name",
        "id_number",
        "mobile",
        "address",
        "content",
        "follow_up",
        "rating_comment",
        "feedback_comment",
        "report",
        "query_code",
    ):
        assert held.values[key] in text, key
    assert held.values["password"] not in text  # never in an export
    assert namesake.description not in text  # only the same name: perhaps someone else
    handled = DataRequest.objects.get(kind=RequestKind.COPY)
    assert handled.cases == [held.case.number]
    assert (
        AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=bureau_user).latest("seq").detail["reason"]
        == REASON
    )


def test_nothing_to_copy_or_delete_for_an_unknown_number(bureau_user, units):
    with pytest.raises(actions.PrivacyError):
        actions.export_person(by=bureau_user, id_number=make_id_number(99), reason=REASON)
    with pytest.raises(actions.PrivacyError):
        actions.erase_person(by=bureau_user, id_number=make_id_number(99), reason=REASON)
    with pytest.raises(actions.PrivacyError):
        actions.look_up_person(by=bureau_user, id_number=make_id_number(99), reason=" ")


def test_a_request_after_a_run_names_only_what_was_still_there(agent_cg, make_case, bureau_user):
    """The run erased the old case's content; its version waited for the case being handled. The
    request then finds nothing more of the old case to erase: no event claims otherwise."""
    old = referred(agent_cg, make_case, serial=78, closed_years_ago=6)
    make_case(agent_cg, serial=78)  # being handled, same version
    actions.run_retention(compact=False)
    before = old.events.filter(action="erased").count()
    result = actions.erase_person(by=bureau_user, id_number=make_id_number(78), reason=REASON)
    assert (result.tally.cases, result.refused) == (0, 1)
    assert old.events.filter(action="erased").count() == before == 1
