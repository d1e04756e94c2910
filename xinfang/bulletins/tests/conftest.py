"""The hand-made month of xinfang.figures (March 2025 in 城关镇 and 曾家镇), with risk reports and an
inspection in that month."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from xinfang.figures.tests.conftest import _private_files, d, month  # noqa: F401  (fixtures)
from xinfang.oversight import actions as oversight
from xinfang.oversight.models import RiskReport


@pytest.fixture
def march(month, units, agent_cg, agent_zj, bureau_user):  # noqa: F811  (the imported fixture)
    """The month, plus: 城关镇 reports 越级上访倾向 (naming the petitioner), 曾家镇 reports 其他信访动态,
    and 城关镇 is inspected on 03-20 (强行代理, to put right by 04-20; the note names the agent)."""
    escalation = oversight.file_report(
        by=agent_cg,
        kind="escalation",
        urgency="urgent",
        happened_on=d(3, 14),
        description="李某某扬言去省里上访。",
        petitioner_name="李某某",
    )
    trend = oversight.file_report(
        by=agent_zj, kind="trend", urgency="normal", happened_on=d(3, 15), description="道路施工投诉增多。"
    )
    for report, day in ((escalation, 15), (trend, 16)):
        filed = timezone.make_aware(datetime.datetime.combine(d(3, day), datetime.time(9)))
        RiskReport.objects.filter(pk=report.pk).update(created_at=filed)
    oversight.record_inspection(
        by=bureau_user,
        unit=units["chengguan"],
        inspected_on=d(3, 20),
        inspectors="卢艺、涂元明",
        findings=["forced"],
        findings_note="代理员王某某未经同意代为投诉。",
        rectification="组织学习纪律要求。",
        rectify_by=d(4, 20),
    )
    return month
