"""Clocks by kind of matter, pauses, and the steps that start and stop the clocks as the 条例
writes them (issue 11).

Schema: ``Clock.petition_types`` (the kinds of matter a clock runs for), ``CaseDeadline.pauses``
(days not counted: 听证, 第三十六条) and ``CaseDeadline.started_by`` (the step that started it).

Data, in this order:
1. ``started_by`` of every existing deadline: its clock's start step as it stands before step 3.
2. The 办结 clock applies to 申诉求决类 only (第三十四条: "第三十一条第六项规定的信访事项").
   Running 办结 deadlines of open 建议意见类 / 检举控告类 cases are *not* touched here: a
   migration has no user to write their events under. The clocks page shows how many there are
   and bureau staff withdraw them with one click (``actions.apply_clock_kinds``), each an event.
3. The 复核 window (申请复核) starts at 复查意见送达, the petitioner's receipt (第三十六条), where
   it still started at the 复查意见 (a rule staff changed is left as they set it). A window
   already running from the opinion's date keeps running, so the case still shows a window (it
   can only end earlier than the true one); when the agent records the delivery, the window
   starts again from it and the old one shows as 已重新起算 (``actions.on_case_step``).
4. The acceptance clocks (受理告知, 管辖异议) stop at 管辖异议 too: the old body's duty ends.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    Clock = apps.get_model("deadlines", "Clock")
    CaseDeadline = apps.get_model("deadlines", "CaseDeadline")
    CaseDeadline.objects.filter(started_by="").update(
        started_by=Subquery(Clock.objects.filter(pk=OuterRef("clock_id")).values("start_action")[:1])
    )
    Clock.objects.filter(code="conclude").update(petition_types="claim")
    Clock.objects.filter(code="re_review_request", start_action="review").update(start_action="deliver_review")
    for clock in Clock.objects.filter(code__in=("accept_notice", "competence_objection")):
        stops = [a.strip() for a in clock.stop_actions.split(",") if a.strip()]
        if "object" not in stops:
            clock.stop_actions = ",".join([*stops, "object"])
            clock.save(update_fields=["stop_actions"])


class Migration(migrations.Migration):

    dependencies = [
        ("deadlines", "0003_deadline_unit"),
    ]

    operations = [
        migrations.AddField(
            model_name="casedeadline",
            name="pauses",
            field=models.JSONField(blank=True, default=list, verbose_name="不计入期限的期间"),
        ),
        migrations.AddField(
            model_name="casedeadline",
            name="started_by",
            field=models.CharField(blank=True, max_length=30, verbose_name="起算环节"),
        ),
        migrations.AddField(
            model_name="clock",
            name="petition_types",
            field=models.CharField(
                default="suggestion,accusation,claim",
                help_text="以逗号分隔",
                max_length=60,
                verbose_name="适用的信访类型",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
