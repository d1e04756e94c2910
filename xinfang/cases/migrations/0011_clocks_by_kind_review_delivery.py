"""The steps the 条例 has and the platform lacked (issue 11, clocks as the 条例 writes them).

- ``Case.review_delivered_on``: the day the petitioner received the written 复查意见 (the step
  复查意见送达): the 复核 window runs from it (第三十六条).
- ``Case.late_steps``: requests recorded after their window, with the window's end and reason.
- ``FileKind.REFUSAL``: the written notice of 不予受理 / 不再受理.
- Existing 不予受理 / 不再受理 cases: the notice reached the petitioner on the day the step was
  recorded for (that is how the step reads: 书面告知), so ``delivered_on`` takes that day, kept
  as ``closed_on``; they may now be rated and have their 反馈表 like any answered case.
"""

from django.db import migrations, models
from django.db.models import F

REFUSED = ("not_accepted", "not_accepted_again")


def refusals_delivered(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(status__in=REFUSED, delivered_on__isnull=True, closed_on__isnull=False).update(
        delivered_on=F("closed_on")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_petitioner_versions_documents_several"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="late_steps",
            field=models.JSONField(blank=True, default=list, verbose_name="逾期提出的申请"),
        ),
        migrations.AddField(
            model_name="case",
            name="review_delivered_on",
            field=models.DateField(blank=True, null=True, verbose_name="复查意见送达日期"),
        ),
        migrations.AlterField(
            model_name="casefile",
            name="kind",
            field=models.CharField(
                choices=[
                    ("attachment", "诉求附件"),
                    ("authorization", "授权委托书扫描件"),
                    ("registration", "平台注册成功页"),
                    ("reply", "答复意见书"),
                    ("review", "复查意见书"),
                    ("re_review", "复核意见书"),
                    ("refusal", "不予受理（不再受理）告知书"),
                    ("withdrawal", "撤回委托材料"),
                ],
                max_length=20,
                verbose_name="类别",
            ),
        ),
        migrations.RunPython(refusals_delivered, migrations.RunPython.noop),
    ]
