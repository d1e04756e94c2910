"""The petitioner's rating of a concluded case, and the 《网上投诉代理情况反馈表》 (seed 附件2).

Glossary (law term → code):
    满意度评价 rating · 满意 satisfied · 基本满意 basically · 不满意 unsatisfied ·
    信访机构 office (the petition office) · 有权处理机关/责任机关 body (the handling body) ·
    查询码 query code · 反馈表 feedback form · 送达人 delivering staff · 复查 review.

Two records, because the seed asks for two things (附件 三(五)):
- ``FeedbackForm`` is the paper: the reply documents forwarded, the petitioner's view of the
  agent's work and of both bodies, signed by the petitioner; the signed scan is kept.
- ``Rating`` is the 满意度评价 on the online platform, once per case, with who entered it: the
  petitioner with the query code, the petitioner on this platform's public page, or the agent
  on the petitioner's spoken instruction. Figures (参评率, 满意率) count these.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RatingChannel(models.TextChoices):
    PLATFORM = "platform", "信访人凭查询码在网上信访平台评价，代理员登记结果"
    PUBLIC = "public", "信访人在本平台查询页评价"
    AGENT = "agent", "代理员按信访人口头意见代为评价"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class InstructionMeans(models.TextChoices):
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "当面"


class AgentRating(models.TextChoices):
    GOOD = "good", "好"
    FAIR = "fair", "较好"
    POOR = "poor", "差"


class OfficeReason(models.TextChoices):
    """不满意原因 for the petition office, in the order of 附件2."""

    TRANSFER_EFFICIENCY = "transfer_efficiency", "信访事项转交效率"
    COORDINATION = "coordination", "信访部门协调督办工作"
    ANSWERING = "answering", "信访部门答疑解惑工作"
    OTHER = "other", "其他"


class BodyReason(models.TextChoices):
    """不满意原因 for the responsible body, in the order of 附件2."""

    ATTITUDE = "attitude", "工作人员态度"
    EXPLANATION = "explanation", "法规政策宣传解释不到位"
    LAWFULNESS = "lawfulness", "不依法依规处理问题"
    TRANSPARENCY = "transparency", "办理过程不公开透明"
    UNRESOLVED = "unresolved", "合理诉求未解决"
    NOT_IMPLEMENTED = "not_implemented", "处理意见未落实到位"
    OTHER = "other", "其他"


class Rating(models.Model):
    """The 满意度评价 of one case: one per case, never changed once recorded."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="rating")
    channel = models.CharField("评价方式", max_length=10, choices=RatingChannel.choices)
    office_satisfaction = models.CharField("对信访机构", max_length=12, choices=Satisfaction.choices)
    body_satisfaction = models.CharField("对有权处理机关", max_length=12, choices=Satisfaction.choices)
    comment = models.TextField("具体意见", blank=True)
    # Only when the agent rates for the petitioner: how and when the petitioner said so.
    instruction_means = models.CharField(
        "信访人表达意见的方式", max_length=10, choices=InstructionMeans.choices, blank=True
    )
    instructed_at = models.DateTimeField("信访人表达意见的时间", null=True, blank=True)
    # Null for the public page: nobody of the staff entered it.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    rated_on = models.DateField("评价日期", db_index=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        constraints = [
            # The instruction is recorded exactly when the agent rated for the petitioner.
            models.CheckConstraint(
                condition=(
                    Q(channel=RatingChannel.AGENT, instructed_at__isnull=False) & ~Q(instruction_means="")
                )
                | (~Q(channel=RatingChannel.AGENT) & Q(instructed_at__isnull=True, instruction_means="")),
                name="rating_instruction_only_for_agent",
            ),
            # Staff enter every rating but the public page's.
            models.CheckConstraint(
                condition=Q(channel=RatingChannel.PUBLIC, entered_by__isnull=True)
                | (~Q(channel=RatingChannel.PUBLIC) & Q(entered_by__isnull=False)),
                name="rating_entered_by_staff_unless_public",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.office_satisfaction}/{self.body_satisfaction}"

    @property
    def is_unsatisfied(self) -> bool:
        return Satisfaction.UNSATISFIED in (self.office_satisfaction, self.body_satisfaction)


class FeedbackForm(models.Model):
    """反馈表 (seed 附件2), filled with the petitioner when the reply is delivered."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="feedback_form")
    # 「现将答复意见书 ____ 等 __ 件转送于您」
    documents = models.CharField("转送的答复意见书", max_length=200)
    document_count = models.PositiveSmallIntegerField("件数")
    # 一、对代理员工作评价
    truthful = models.BooleanField("是否如实通过网络反映您的诉求")
    notified_in_time = models.BooleanField("是否按时告知受理意见（受理、不予受理或不再受理）")
    forwarded_in_time = models.BooleanField("是否及时转送有权处理机关")
    agent_rating = models.CharField("您对代理工作作出评价", max_length=10, choices=AgentRating.choices)
    # 二、对信访机构满意度评价
    office_satisfaction = models.CharField(
        "对信访机构满意度评价", max_length=12, choices=Satisfaction.choices
    )
    office_reasons = models.JSONField("不满意原因（信访机构）", default=list, blank=True)
    office_comment = models.TextField("具体意见内容（信访机构）", blank=True)
    # 三、对责任机关处理意见评价
    body_satisfaction = models.CharField(
        "对责任机关处理意见评价", max_length=12, choices=Satisfaction.choices
    )
    body_reasons = models.JSONField("不满意原因（责任机关）", default=list, blank=True)
    body_comment = models.TextField("具体意见内容（责任机关）", blank=True)
    # 送达人（至少2名工作人员）、送达时间、委托人（信访人）签字
    delivered_by = models.CharField("送达人", max_length=100)
    delivered_at = models.DateField("送达时间")
    petitioner_signed = models.BooleanField("委托人（信访人）已签字", default=False)
    signed_on = models.DateField("签字日期", null=True, blank=True)
    signed_scan = models.ForeignKey(
        "core.StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签字后的扫描件",
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填写人"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "网上投诉代理情况反馈表"
        verbose_name_plural = "网上投诉代理情况反馈表"

    def __str__(self) -> str:
        return f"{self.case_id} 反馈表"

    @property
    def delivered_by_names(self) -> list[str]:
        return [name for name in self.delivered_by.split("、") if name]

    def office_reason_labels(self) -> list[str]:
        return [OfficeReason(code).label for code in self.office_reasons if code in OfficeReason.values]

    def body_reason_labels(self) -> list[str]:
        return [BodyReason(code).label for code in self.body_reasons if code in BodyReason.values]
