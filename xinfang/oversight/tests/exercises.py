"""How the permission test (tests/test_permissions.py) exercises this app's capabilities: on a
report and an inspection of 城关镇."""

from __future__ import annotations

import datetime
import uuid

from django.urls import reverse

from conftest import complaint_data, petitioner_data
from tests.permissions import exercise
from xinfang.oversight import actions


def _report(world):
    return actions.file_report(
        by=world.agent,
        kind="escalation",
        urgency="urgent",
        happened_on=world.today,
        description="信访人扬言要去省里上访，已做思想疏导。",
    )


def _inspection(world):
    return actions.record_inspection(
        by=world.people["bureau"],
        unit=world.unit,
        inspected_on=world.today - datetime.timedelta(days=3),
        inspectors="卢艺",
        findings=["fees"],
        rectification="退还所收费用。",
        rectify_by=world.today + datetime.timedelta(days=10),
    )


@exercise("file_report")
def report_on_a_case_of_the_unit(world):
    from xinfang.cases.actions import open_case

    case, _ = open_case(
        by=world.agent, token=uuid.uuid4(), petitioner=petitioner_data(7), complaint=complaint_data()
    )
    return lambda by: actions.file_report(
        by=by,
        kind="trend",
        urgency="normal",
        happened_on=world.today,
        description="近期反映集中。",
        case=case,
    )


@exercise("view_reports")
def open_a_report(world):
    report = _report(world)
    return lambda by: world.page(by, reverse("oversight:report", args=[report.pk]))


@exercise("handle_reports")
def acknowledge_a_report(world):
    report = _report(world)
    return lambda by: actions.acknowledge_report(report, by=by)


@exercise("handle_reports")
def record_a_disposal(world):
    report = _report(world)
    return lambda by: actions.record_disposal(report, by=by, disposal="已约谈信访人，情绪稳定。")


@exercise("view_inspections")
def open_an_inspection(world):
    inspection = _inspection(world)
    return lambda by: world.page(by, reverse("oversight:inspection", args=[inspection.pk]))


@exercise("record_inspections")
def record_an_inspection(world):
    return lambda by: actions.record_inspection(
        by=by,
        unit=world.unit,
        inspected_on=world.today,
        inspectors="卢艺、涂元明",
        findings=[],
        no_problems=True,
    )


@exercise("record_inspections")
def record_a_rectification(world):
    inspection = _inspection(world)
    return lambda by: actions.record_rectification(inspection, by=by, rectified_on=world.today)
