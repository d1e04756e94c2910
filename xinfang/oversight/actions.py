"""What changes risk reports and inspections: each change is one function here.

Each action first asks the capability table whether ``by`` may do it to that unit's data
(``access.rules.check``: a refusal changes nothing and is logged), then runs in one transaction:
lock the report row, check the step against ``STEPS``, save with ``update_fields``, and write a
``ReportEvent`` (no personal values in it). Messages to bureau staff go through ``notify`` and
leave only after the commit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from xinfang.access import rules
from xinfang.core.errors import DomainError
from xinfang.notify.actions import notify
from xinfang.oversight.models import (
    Finding,
    Inspection,
    ReportEvent,
    ReportKind,
    ReportStatus,
    RiskReport,
    Urgency,
)


class OversightError(DomainError):
    """A refused report or inspection change; ``message`` is for the user, ``field`` the form field."""


class ReportError(OversightError):
    pass


class InspectionError(OversightError):
    pass


# Which step may follow which: the report page builds its buttons from this too.
STEPS: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({ReportStatus.NEW}),
    "dispose": frozenset({ReportStatus.NEW, ReportStatus.ACKNOWLEDGED}),
}
REFUSALS = {
    "acknowledge": "该报告已经签收。",
    "dispose": "该报告已登记处置情况。",
}
NOTICE_LEVELS: dict[str, str] = {Urgency.URGENT: "danger", Urgency.NORMAL: "info"}


def allows(report: RiskReport, step: str) -> bool:
    return report.status in STEPS[step]


def _check(report: RiskReport, step: str) -> None:
    if not allows(report, step):
        raise ReportError(REFUSALS[step])


def _event(report: RiskReport, *, by, action: str, **data) -> ReportEvent:
    return ReportEvent.objects.create(report=report, by=by, action=action, data=data)


def _locked(report: RiskReport) -> RiskReport:
    return RiskReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)


def notice_text(report: RiskReport) -> str:
    """What bureau staff are told: unit, kind, urgency and the report's number; nothing personal."""
    return (
        f"{report.unit.name}报送风险报告（第{report.pk}号）：{report.get_kind_display()}，"
        f"{report.get_urgency_display()}。请及时签收处置。"
    )


def file_report(
    *,
    by,
    kind: str,
    urgency: str,
    happened_on: datetime.date,
    description: str,
    case=None,
    petitioner_name: str = "",
) -> RiskReport:
    """An agent reports to the bureau (seed 二 3 二: 及时向县信访局报告; 三: 报送信访动态信息).

    1. Those the table lets file reports (``file_report``: an agent) file for their own unit; a
       case named must be of that unit, so no other unit's case can be attached.
    2. The report is saved with its first event.
    3. Everyone who handles reports for the unit (``handle_reports``: bureau staff) gets a
       notice and a message through the configured sender: level ``danger`` for an urgent
       report, ``info`` otherwise.
    """
    unit_id = case.unit_id if case is not None else getattr(by, "unit_id", None)
    rules.check(by, "file_report", unit=unit_id)
    if case is not None and case.unit_id != by.unit_id:
        raise ReportError("只能关联本单位的代理事项。", "case")
    if kind not in ReportKind.values:
        raise ReportError("请选择报告类别。", "kind")
    if urgency not in Urgency.values:
        raise ReportError("请选择紧急程度。", "urgency")
    if happened_on is None or happened_on > timezone.localdate():
        raise ReportError("发生日期不能晚于今天。", "happened_on")
    description = (description or "").strip()
    if not description:
        raise ReportError("请填写情况。", "description")
    petitioner_name = (petitioner_name or "").strip()
    if not petitioner_name and case is not None:
        petitioner_name = case.petitioner.name
    with transaction.atomic():
        report = RiskReport.objects.create(
            unit=by.unit,
            reported_by=by,
            kind=kind,
            urgency=urgency,
            happened_on=happened_on,
            description=description,
            case=case,
            petitioner_name=petitioner_name,
        )
        _event(report, by=by, action="file", kind=kind, urgency=urgency, case=case.pk if case else None)
        notify(
            recipients=rules.users_who_may("handle_reports", unit=report.unit_id),
            case=None,
            level=NOTICE_LEVELS[urgency],
            text=notice_text(report),
        )
    return report


def acknowledge_report(report: RiskReport, *, by) -> RiskReport:
    """Bureau staff acknowledge (签收) a report: it leaves the banner."""
    rules.check(by, "handle_reports", target=report)
    with transaction.atomic():
        report = _locked(report)
        _check(report, "acknowledge")
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = by
        report.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _event(report, by=by, action="acknowledge")
    return report


def record_disposal(report: RiskReport, *, by, disposal: str) -> RiskReport:
    """Bureau staff record how the report was dealt with (处置). A report not yet acknowledged
    is acknowledged by the same step: whoever records the disposal has read it."""
    rules.check(by, "handle_reports", target=report)
    disposal = (disposal or "").strip()
    if not disposal:
        raise ReportError("请填写处置情况。", "disposal")
    with transaction.atomic():
        report = _locked(report)
        _check(report, "dispose")
        now = timezone.now()
        fields = ["disposal", "disposed_at", "disposed_by"]
        if report.acknowledged_at is None:
            report.acknowledged_at, report.acknowledged_by = now, by
            fields += ["acknowledged_at", "acknowledged_by"]
            _event(report, by=by, action="acknowledge")
        report.disposal, report.disposed_at, report.disposed_by = disposal, now, by
        report.save(update_fields=fields)
        _event(report, by=by, action="dispose")
    return report


# --- Inspections -------------------------------------------------------------------------------------

NAME_SEPARATORS = re.compile(r"[\s,，、;；/]+")


def split_inspectors(text: str) -> list[str]:
    return [name for name in NAME_SEPARATORS.split(text or "") if name]


def record_inspection(
    *,
    by,
    unit,
    inspected_on: datetime.date,
    inspectors: str,
    findings: Sequence[str],
    findings_note: str = "",
    no_problems: bool = False,
    rectification: str = "",
    rectify_by: datetime.date | None = None,
) -> Inspection:
    """Record an inspection (督察) of a unit's proxy work (seed 四).

    Either nothing was found (``no_problems``) or at least one finding was; findings need what
    must be put right and a deadline after the inspection; 其他 needs a note saying what.
    """
    rules.check(by, "record_inspections", unit=unit)
    if inspected_on is None or inspected_on > timezone.localdate():
        raise InspectionError("督察日期不能晚于今天。", "inspected_on")
    names = split_inspectors(inspectors)
    if not names:
        raise InspectionError("请填写至少一名督察人员。", "inspectors")
    findings = list(dict.fromkeys(findings or []))
    unknown = [code for code in findings if code not in Finding.values]
    if unknown:
        raise InspectionError("发现问题的选项不正确。", "findings")
    findings = [code for code in Finding.values if code in findings]  # the list's own order
    findings_note, rectification = (findings_note or "").strip(), (rectification or "").strip()
    if no_problems and findings:
        raise InspectionError("已勾选“未发现问题”，就不能再选择发现的问题。", "no_problems")
    if no_problems and (rectification or rectify_by):
        raise InspectionError("未发现问题的，不需要整改要求和整改期限。", "rectification")
    if not no_problems:
        if not findings:
            raise InspectionError("请选择发现的问题；没有发现问题的，请勾选“未发现问题”。", "findings")
        if Finding.OTHER in findings and not findings_note:
            raise InspectionError("选择了“其他”，请在问题说明中写明是什么问题。", "findings_note")
        if not rectification:
            raise InspectionError("请填写整改要求。", "rectification")
        if rectify_by is None:
            raise InspectionError("请填写整改期限。", "rectify_by")
        if rectify_by <= inspected_on:
            raise InspectionError("整改期限应晚于督察日期。", "rectify_by")
    with transaction.atomic():
        return Inspection.objects.create(
            unit=unit,
            inspected_on=inspected_on,
            inspectors="、".join(names),
            findings=findings,
            findings_note=findings_note,
            no_problems=no_problems,
            rectification=rectification,
            rectify_by=rectify_by,
            recorded_by=by,
        )


def record_rectification(
    inspection: Inspection, *, by, rectified_on: datetime.date, note: str = ""
) -> Inspection:
    """The unit has put right what the inspection found: record the day and what was done."""
    rules.check(by, "record_inspections", target=inspection)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
        if inspection.no_problems:
            raise InspectionError("该次督察未发现问题，不需要整改。")
        if inspection.rectified_on is not None:
            raise InspectionError("该次督察的整改情况已经登记。")
        if rectified_on is None or rectified_on > timezone.localdate():
            raise InspectionError("整改完成日期不能晚于今天。", "rectified_on")
        if rectified_on < inspection.inspected_on:
            raise InspectionError("整改完成日期不能早于督察日期。", "rectified_on")
        inspection.rectified_on, inspection.rectified_note, inspection.rectified_by = (
            rectified_on,
            (note or "").strip(),
            by,
        )
        inspection.save(update_fields=["rectified_on", "rectified_note", "rectified_by"])
    return inspection
