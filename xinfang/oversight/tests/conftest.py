"""Risk reports and inspections made with the real actions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from xinfang.oversight import actions

TODAY = timezone.localdate()


@pytest.fixture
def file_report():
    def factory(
        agent,
        *,
        kind="escalation",
        urgency="urgent",
        happened_on=None,
        description="信访人扬言要去省里上访，已做思想疏导。",
        case=None,
        petitioner_name="",
    ):
        return actions.file_report(
            by=agent,
            kind=kind,
            urgency=urgency,
            happened_on=happened_on or TODAY,
            description=description,
            case=case,
            petitioner_name=petitioner_name,
        )

    return factory


@pytest.fixture
def inspect():
    def factory(
        by,
        unit,
        *,
        inspected_on=None,
        inspectors="卢艺、涂元明",
        findings=("fees",),
        findings_note="",
        no_problems=False,
        rectification="退还所收费用，全体代理员学习纪律要求。",
        rectify_by=None,
    ):
        inspected_on = inspected_on or TODAY - datetime.timedelta(days=10)
        if rectify_by is None and not no_problems:
            rectify_by = inspected_on + datetime.timedelta(days=30)
        return actions.record_inspection(
            by=by,
            unit=unit,
            inspected_on=inspected_on,
            inspectors=inspectors,
            findings=list(findings),
            findings_note=findings_note,
            no_problems=no_problems,
            rectification="" if no_problems else rectification,
            rectify_by=rectify_by,
        )

    return factory
