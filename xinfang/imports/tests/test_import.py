"""Bringing in a messy old 台账: the dry run reads it as a clerk would, names every problem by
sheet, row and column, writes nothing; the import keeps the original dates and statuses,
computes the clocks as of those days, reminds nobody of the past, encrypts as intake does,
brings in all rows or none, and a second import of the same file brings in nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from conftest import make_id_number, petitioner_data
from xinfang.access.rules import Refused
from xinfang.cases import actions_past
from xinfang.cases.models import Case, CaseEvent, CaseSource, CaseStatus, Petitioner
from xinfang.cases.selectors import petitioner_history
from xinfang.core import crypto
from xinfang.deadlines.models import CaseDeadline
from xinfang.figures.periods import Period
from xinfang.figures.selectors import unit_figures
from xinfang.imports import actions, selectors
from xinfang.imports.models import BatchStatus, ImportBatch
from xinfang.imports.tests.messy import PEOPLE, X_PERSON, messy_workbook
from xinfang.notify.models import Notice
from xinfang.notify.remind import run_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def upload(content: bytes, name: str = "城关镇台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def imported(agent, unit, content: bytes | None = None) -> ImportBatch:
    batch = actions.start_import(by=agent, unit=unit, upload=upload(content or messy_workbook()))
    actions.import_batch(batch, by=agent)
    batch.refresh_from_db()
    return batch


def by_title(title: str) -> Case:
    return Case.objects.select_related("petitioner").get(title=title)


def test_the_dry_run_reads_the_messy_workbook_and_writes_nothing(agent_cg, units):
    report = selectors.dry_run(messy_workbook(), unit=units["chengguan"], by=agent_cg)

    assert report.ok, [str(p) for p in report.problems]
    assert [(s.sheet.name, s.sheet.header_row) for s in report.sheets] == [("2024年", 4), ("2025年", 1)]
    assert any("“填表说明”没有找到表头" in note for note in report.notes)
    assert any("第8行是合计行" in note for note in report.notes)
    rows = {(row.sheet, row.number): row for row in report.rows}
    assert sorted(rows) == [("2024年", 5), ("2024年", 7), ("2025年", 2), ("2025年", 3)]  # blank rows left

    li = rows["2024年", 5].entry  # two-row merged header, Excel day number, 2024.3.4, 2024年4月20日
    assert li.petitioner["id_number"] == X_PERSON  # spaces and a lower-case x
    assert li.petitioner["mobile"] == "13912345678"  # dashes
    assert li.received_on == datetime.date(2024, 3, 1)
    assert li.dates == {"accept": datetime.date(2024, 3, 4), "conclude": datetime.date(2024, 4, 20)}
    assert li.status == CaseStatus.CONCLUDED and li.fields["query_code"] == "SX20240001"  # full-width
    wang = rows["2024年", 7].entry  # full-width digits, 3/6/2024, +86
    assert wang.received_on == datetime.date(2024, 3, 5) and wang.dates == {
        "accept": datetime.date(2024, 3, 6)
    }
    assert wang.petitioner["mobile"] == "13800138000"
    zhao = rows["2025年", 2].entry  # other header words, real dates with times, a landline
    assert zhao.petitioner["landline"] == "0915-8822560" and zhao.petitioner["mobile"] == ""
    assert timezone.localtime(zhao.fields["submitted_at"]).strftime("%Y-%m-%d %H:%M") == "2025-01-07 10:15"
    assert zhao.status == CaseStatus.DELIVERED and zhao.complaint["category"].name == "房产物业"
    again = rows["2025年", 3]
    assert any("手机号码与工作表“2024年”第5行不同" in note for note in again.notes)
    assert Case.objects.count() == 0 and Petitioner.objects.count() == 0


def test_every_problem_names_its_sheet_row_and_column_and_nothing_is_imported(agent_cg, units):
    content = messy_workbook(bad_id=True)
    report = selectors.dry_run(content, unit=units["chengguan"], by=agent_cg)

    assert [str(p) for p in report.problems] == [
        "工作表“2024年”第7行“身份证号”列（C列）：身份证号校验位不正确：按前17位计算，最后一位应为 "
        f"{PEOPLE['王某华'][-1]}，请逐位核对。"
    ]
    batch = actions.start_import(by=agent_cg, unit=units["chengguan"], upload=upload(content))
    with pytest.raises(actions.ImportFailed, match="发现1个问题，没有导入任何一行"):
        actions.import_batch(batch, by=agent_cg)
    assert Case.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT


def test_more_problems_in_chinese(agent_cg, units):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["接待日期", "信访人", "身份证号", "诉求标题", "状态", "受理日期", "办结日期", "电话"])
    sheet.append(["2025-13-01", "李某某", make_id_number(1), "标题一", "已办结", None, None, None])
    sheet.append(
        ["2025-01-02", "李某1", make_id_number(2), "标题二", "已受理", "2025-01-05", "2025-02-01", None]
    )
    sheet.append(["2025-01-03", "王某", 610927196805170011, "标题三", "办理中", None, None, "12345"])
    sheet.append(
        ["2025-01-04", "赵某", make_id_number(4), "标题四", "已办结", "2025-02-01", "2025-01-20", None]
    )
    sheet.append(["2025-01-05", "钱某", make_id_number(5), None, "不知道", None, None, None])
    from io import BytesIO

    out = BytesIO()
    book.save(out)
    problems = [
        str(p) for p in selectors.dry_run(out.getvalue(), unit=units["chengguan"], by=agent_cg).problems
    ]

    assert (
        "工作表“Sheet”第2行“接待日期”列（A列）：“2025-13-01”不是有效日期，请写成 2025-03-04 这样的格式。"
        in problems
    )
    assert any(p.startswith("工作表“Sheet”第3行“信访人”列（B列）：姓名中不能有“1”") for p in problems)
    assert any("第3行“办结日期”列（G列）：状态为“已受理”，不应填写“办结日期”" in p for p in problems)
    assert any("第4行“身份证号”列（C列）：身份证号被 Excel 存成了数字" in p for p in problems)
    assert any("第4行“电话”列（H列）：“12345”" in p for p in problems)
    assert any(
        "第5行“办结日期”列（G列）：办结的日期（2025-01-20）早于受理的日期（2025-02-01）" in p
        for p in problems
    )
    assert "工作表“Sheet”第6行“诉求标题”列（D列）：“诉求标题”不能为空。" in problems
    assert any(p.startswith("工作表“Sheet”第6行“状态”列（E列）：状态“不知道”不认识") for p in problems)


def test_imported_cases_keep_their_days_status_and_clocks_and_are_marked(agent_cg, units):
    batch = imported(agent_cg, units["chengguan"])

    assert (batch.status, batch.rows, batch.created, batch.skipped, batch.file) == (
        BatchStatus.DONE,
        4,
        4,
        0,
        None,
    )
    li = by_title("道路硬化后排水沟堵塞")
    assert (li.status, li.source, li.is_imported) == (CaseStatus.CONCLUDED, CaseSource.IMPORTED, True)
    assert (li.received_on, li.accepted_on, li.concluded_on) == (
        datetime.date(2024, 3, 1),
        datetime.date(2024, 3, 4),
        datetime.date(2024, 4, 20),
    )
    assert li.number == "城关镇-2024-0001" and li.agent == agent_cg
    events = list(li.events.values_list("action", "on"))
    assert events[0] == ("open", datetime.date(2024, 3, 1))
    assert ("accept", datetime.date(2024, 3, 4)) in events and (
        "conclude",
        datetime.date(2024, 4, 20),
    ) in events
    assert ("submit", None) in events  # the ledger gives no day for it
    last = li.events.last()
    assert last.action == "imported" and "工作表“2024年”第5行" in last.notes[0]
    # The 办结 clock ran from the acceptance's day and stopped at the conclusion's.
    conclude = CaseDeadline.objects.get(case=li, clock__code="conclude")
    assert (conclude.started_on, conclude.stopped_on, conclude.stopped_by) == (
        datetime.date(2024, 3, 4),
        datetime.date(2024, 4, 20),
        "conclude",
    )
    wang = by_title("低保资格认定有误")  # accepted in 2024, never concluded: long overdue
    running = CaseDeadline.objects.get(case=wang, clock__code="conclude", stopped_on__isnull=True)
    assert running.started_on == datetime.date(2024, 3, 6) and running.due_on < timezone.localdate()
    # No clock whose end the ledger does not date (受理告知: the receipt and its day are unknown).
    assert not CaseDeadline.objects.filter(case=li, clock__code="accept_notice").exists()


def test_no_reminders_for_the_past(agent_cg, units, bureau_user):
    imported(agent_cg, units["chengguan"])
    summary = run_reminders()
    assert summary.overdue == 0 and Notice.objects.count() == 0


def test_personal_data_is_encrypted_as_at_intake_and_history_finds_it(agent_cg, agent_zj, units):
    imported(agent_cg, units["chengguan"])
    person = Petitioner.objects.filter(id_number_hash=crypto.lookup_hash("id_number", X_PERSON)).first()
    assert person is not None and person.name == "李某某"
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, mobile FROM cases_petitioner")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert X_PERSON not in stored and "李某某" not in stored and "13912345678" not in stored
    # Another unit's agent registering the same person sees the imported cases (unit, day, status).
    history = petitioner_history(agent_zj, X_PERSON)
    assert [(h.unit_name, h.received_on) for h in history] == [
        ("城关镇", datetime.date(2025, 2, 3)),
        ("城关镇", datetime.date(2024, 3, 1)),
    ]
    assert all(h.case is None for h in history)  # another unit's: no contents


def test_a_known_person_with_other_particulars_gets_a_new_version(agent_cg, units, make_case):
    known = petitioner_data(1, id_number=X_PERSON, name="李某某", mobile="13700002222")
    earlier = make_case(agent_cg, petitioner=known)
    report = selectors.dry_run(messy_workbook(), unit=units["chengguan"], by=agent_cg)
    note = next(n for row in report.rows for n in row.notes if "平台上已有的登记" in n)
    assert "本行的手机号码与平台上已有的登记不同" in note  # what the ledger does not keep is not a change
    imported(agent_cg, units["chengguan"])
    li = by_title("道路硬化后排水沟堵塞")
    assert li.petitioner.version == 2 and li.petitioner.mobile == "13912345678"
    assert li.petitioner.address == "镇坪县城关镇文彩村三组12号"  # kept from the record
    earlier.refresh_from_db()
    assert earlier.petitioner.version == 1 and earlier.petitioner.mobile == "13700002222"
    assert li.events.filter(action="petitioner_changed").exists()


def test_the_same_file_twice_creates_nothing_new(agent_cg, units):
    imported(agent_cg, units["chengguan"])
    counts = (Case.objects.count(), CaseEvent.objects.count(), Petitioner.objects.count())
    second = imported(agent_cg, units["chengguan"])
    assert (second.created, second.skipped) == (0, 4)
    assert (Case.objects.count(), CaseEvent.objects.count(), Petitioner.objects.count()) == counts
    report = selectors.dry_run(messy_workbook(), unit=units["chengguan"], by=agent_cg)
    assert all("不再导入" in row.skip for row in report.rows)


def test_all_rows_or_none(agent_cg, units, monkeypatch):
    real = actions_past.record_past_cases
    calls = []

    def fail_on_the_second_chunk(entries, **kwargs):
        calls.append(len(entries))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(entries, **kwargs)

    monkeypatch.setattr(actions, "CHUNK", 2)
    monkeypatch.setattr(actions.cases, "record_past_cases", fail_on_the_second_chunk)
    batch = actions.start_import(by=agent_cg, unit=units["chengguan"], upload=upload(messy_workbook()))
    with pytest.raises(RuntimeError):
        actions.import_batch(batch, by=agent_cg)
    assert calls == [2, 2] and Case.objects.count() == 0 and Petitioner.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT and batch.file is not None


def test_imported_cases_count_in_the_figures_of_their_months(agent_cg, units):
    imported(agent_cg, units["chengguan"])
    january = unit_figures(Period.month(2025, 1), [units["chengguan"]])[0]
    february = unit_figures(Period.month(2025, 2), [units["chengguan"]])[0]
    march_2024 = unit_figures(Period.month(2024, 3), [units["chengguan"]])[0]
    assert (january.proxied, february.proxied, march_2024.proxied) == (1, 1, 2)


def test_a_unit_imports_its_own_rows_only(agent_cg, agent_zj, units, bureau_user):
    batch = actions.start_import(by=agent_cg, unit=units["chengguan"], upload=upload(messy_workbook()))
    with pytest.raises(Refused):
        actions.import_batch(batch, by=agent_zj)
    with pytest.raises(Refused):
        actions.start_import(by=agent_zj, unit=units["chengguan"], upload=upload(messy_workbook()))
    # Bureau staff bring it in for the unit; the cases are its agent's.
    actions.import_batch(batch, by=bureau_user)
    assert set(Case.objects.values_list("unit__name", "agent__username")) == {("城关镇", "wang")}
    assert CaseEvent.objects.filter(by=bureau_user, action="imported").count() == 4


def test_rows_of_another_unit_in_a_county_file_are_passed_over(agent_cg, units):
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["单位", "接待日期", "信访人", "身份证号", "诉求标题", "状态", "网上提交时间"])
    book.active.append(
        ["城关镇", "2025-01-02", "李某某", make_id_number(1), "标题一", "已网上提交", "2025-01-03"]
    )
    book.active.append(
        ["曾家镇", "2025-01-02", "王某某", make_id_number(2), "标题二", "已网上提交", "2025-01-03"]
    )
    out = BytesIO()
    book.save(out)
    report = selectors.dry_run(out.getvalue(), unit=units["chengguan"], by=agent_cg)
    assert len(report.to_create) == 1 and "不是本次导入的城关镇" in report.skipped[0].skip


def test_the_mapping_is_corrected_and_saved_per_unit(agent_cg, agent_zj, units):
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["收件日", "当事人姓名", "身份证号", "诉求标题", "状态", "提交日期"])
    book.active.append(["2025-01-02", "李某某", make_id_number(1), "标题一", "已网上提交", "2025-01-03"])
    out = BytesIO()
    book.save(out)
    content = out.getvalue()
    report = selectors.dry_run(content, unit=units["chengguan"], by=agent_cg)
    assert [str(p) for p in report.problems] == [
        "工作表“Sheet”：没有找到“接待日期”列，请在下方“表头对应关系”中指定哪一列是接待日期。",
        "工作表“Sheet”：没有找到“信访人”列，请在下方“表头对应关系”中指定哪一列是信访人。",
    ]
    actions.save_mapping(
        units["chengguan"], by=agent_cg, mapping={"收件日": "received_on", "当事人姓名": "name"}
    )
    assert selectors.dry_run(content, unit=units["chengguan"], by=agent_cg).ok
    assert not selectors.dry_run(content, unit=units["zengjia"], by=agent_zj).ok  # 曾家镇's own mapping


def test_the_template_imports_as_it_is(agent_cg, units):
    from xinfang.imports.template import template_xlsx

    report = selectors.dry_run(template_xlsx(), unit=units["chengguan"], by=agent_cg)
    assert report.ok, [str(p) for p in report.problems]
    assert len(report.to_create) == 1 and report.to_create[0].entry.status == CaseStatus.DELIVERED


def test_an_old_excel_file_or_something_else_is_refused_with_a_message(agent_cg, units):
    with pytest.raises(actions.ImportFailed, match="另存为” .xlsx"):
        actions.start_import(
            by=agent_cg, unit=units["chengguan"], upload=upload(b"\xd0\xcf\x11\xe0" + b"0" * 100)
        )
    with pytest.raises(actions.ImportFailed, match="不是 .xlsx"):
        actions.start_import(by=agent_cg, unit=units["chengguan"], upload=upload(b"%PDF-1.4"))
    assert ImportBatch.objects.count() == 0
