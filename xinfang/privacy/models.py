"""The retention rules (保存期限), the runs that applied them, and the petitioners' requests.

None of these rows holds a personal value: a request is kept with its kind, day, reason and the
numbers of the cases it concerned, never the document number it was found by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DataKind(models.TextChoices):
    PARTICULARS = "particulars", "信访人信息"
    CONTENT = "content", "诉求内容和办理中的文字记录"
    FILES = "files", "扫描件和附件"


# What each kind covers, as the page and the command say it.
COVERS = {
    DataKind.PARTICULARS: "信访人（含联名信访人）的姓名、证件号码、手机号码、固定电话、家庭住址、工作单位；"
    "平台用户名、平台密码和查询码；相关风险报告中的信访人姓名。",
    DataKind.CONTENT: "诉求标题和内容、投诉对象名称、事发村（社区）、范围判断说明、逾期理由、跟踪督办情况、"
    "评价和反馈表中的具体意见、办理记录中的理由说明；相关风险报告的情况和处置情况。",
    DataKind.FILES: "授权委托书扫描件、平台注册成功页、诉求附件、答复意见书等事项文件，反馈表签字扫描件。",
}

# What erased values read as. A petitioner's version is erased exactly when its document number's
# keyed hash is replaced by ``ERASED_HASH_PREFIX`` and its id (unique per version, as the table's
# constraint on unit, hash and version requires; no HMAC in hex has a "-").
ERASED_NAME = "（已匿名化）"
ERASED_TEXT = "（已删除）"
ERASED_HASH_PREFIX = "erased-"

# Until bureau staff set a kind's period, it is kept this many years after the case is final.
DEFAULT_YEARS = 5
MIN_YEARS, MAX_YEARS = 1, 30


class RetentionRule(models.Model):
    """How long one kind of personal data is kept after the case is final. One row per kind,
    changed by ``actions.set_retention`` (each change is in the audit log with the old value);
    a kind without a row is kept ``DEFAULT_YEARS``."""

    kind = models.CharField("信息类别", max_length=20, choices=DataKind.choices, unique=True)
    years = models.PositiveSmallIntegerField("保存年限")
    basis = models.CharField("依据", max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设定人"
    )
    set_at = models.DateTimeField("设定时间", auto_now=True)

    class Meta:
        verbose_name = "个人信息保存期限"
        verbose_name_plural = "个人信息保存期限"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.years}年"


class RetentionRun(models.Model):
    """One real run of the retention rules (the dry run writes nothing): what it erased."""

    at = models.DateTimeField("执行时间", auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="执行人",
    )  # None: the command line
    years = models.JSONField("适用的保存年限", default=dict)
    counts = models.JSONField("处理数量", default=dict)
    compaction = models.CharField("数据库整理", max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "到期匿名化记录"
        verbose_name_plural = "到期匿名化记录"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class RequestKind(models.TextChoices):
    VIEW = "view", "查阅"
    COPY = "copy", "复制（导出）"
    DELETE = "delete", "删除"


class DataRequest(models.Model):
    """A petitioner's request under 《个人信息保护法》第四十五条（查阅、复制）or 第四十七条（删除）,
    as bureau staff handled it."""

    kind = models.CharField("申请类型", max_length=10, choices=RequestKind.choices)
    received_on = models.DateField("申请日期")
    reason = models.TextField("申请事由及身份核验情况")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="办理人"
    )
    handled_at = models.DateTimeField("办理时间", auto_now_add=True, db_index=True)
    counts = models.JSONField("处理数量", default=dict)
    # The numbers of the cases the request concerned (a number names no one).
    cases = models.JSONField("涉及事项", default=list)

    class Meta:
        ordering = ["-handled_at", "-id"]
        verbose_name = "个人信息查阅、复制、删除申请"
        verbose_name_plural = "个人信息查阅、复制、删除申请"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"
