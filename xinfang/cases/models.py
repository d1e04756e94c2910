"""The proxied case (代理事项) and the people and papers around it.

Glossary (law term → code):
    信访人 petitioner · 代理员 agent · 代理范围 scope · 引导 refer ·
    授权委托书 authorization · 网上提交 submit · 查询码 query_code · 台账 ledger ·
    有权处理机关 handling body (later issues: 转送 forward, 交办 assign, 受理 accept,
    办结 conclude, 复查 review, 复核 re_review).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from xinfang.core.fields import EncryptedTextField, KeyedHashField, normalize_name, with_keyed_hashes
from xinfang.core.identity import IdKind, kind_label
from xinfang.core.validators import fold_query_code


def normalize_query_code(code: str) -> str:
    """Spaces, full-width characters and letter case do not matter in a 查询码 (phones
    capitalise what citizens type)."""
    return fold_query_code(code).upper()


def query_code_key(code: str) -> str:
    """The keyed hash of a 查询码 under the newest data key (see ``query_code_keys``)."""
    return Case._meta.get_field("query_code_hash").hash_of(code)


def query_code_keys(code: str) -> list[str]:
    """The hashes a 查询码 is found by, one per key of the ring: ``query_code_hash__in=…``."""
    return Case._meta.get_field("query_code_hash").lookups(code)


def name_keys(name: str) -> list[str]:
    """The hashes a petitioner's whole name is found by: ``name_hash__in=…``."""
    return Petitioner._meta.get_field("name_hash").lookups(name)


class Petitioner(models.Model):
    """A unit's record of one person as registered at one time, found again by the keyed hash of
    the document number.

    The record is versioned: each case points at the particulars as they were when it was
    registered (its signed 授权委托书 shows them), and a later registration with a different name,
    address or phone adds a version instead of changing the earlier cases' (``intake``). The
    person's cases are those of every version: ``petitioner__id_number_hash__in=…``.
    """

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="petitioners")
    version = models.PositiveIntegerField("版本", default=1)
    name = EncryptedTextField("姓名")
    name_hash = KeyedHashField(source="name", normalize=normalize_name, db_index=True)
    id_kind = models.CharField("证件类型", max_length=20, choices=IdKind.choices, default=IdKind.RESIDENT)
    id_number = EncryptedTextField("证件号码")
    id_number_hash = KeyedHashField(source="id_number", db_index=True)
    # A petitioner with a landline only has no mobile; the public look-up then asks for the
    # landline's last four digits (``phone_on_record``).
    mobile = EncryptedTextField("手机号码", blank=True)
    mobile_hash = KeyedHashField(source="mobile", db_index=True)
    landline = EncryptedTextField("固定电话", blank=True)
    address = EncryptedTextField("家庭住址")
    work_unit = models.CharField("工作单位", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Two agents registering the same new person (or the same new version) at once: the
            # second insert fails and finds the first (``intake.save_petitioner``).
            models.UniqueConstraint(
                fields=["unit", "id_number_hash", "version"], name="petitioner_version_unique_per_unit"
            )
        ]
        verbose_name = "信访人"
        verbose_name_plural = "信访人"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = with_keyed_hashes(Petitioner, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def id_kind_label(self) -> str:
        return kind_label(self.id_kind)

    @property
    def phone_on_record(self) -> str:
        """The number the petitioner is reached at: the mobile, else the landline."""
        return self.mobile or self.landline


class CaseStatus(models.TextChoices):
    INTAKE = "intake", "登记中"
    IN_SCOPE = "in_scope", "待委托"
    REFERRED = "referred", "已引导"
    AUTHORIZED = "authorized", "已委托待提交"
    SUBMITTED = "submitted", "已网上提交"
    FORWARDED = "forwarded", "已转送交办"
    RECEIVED = "received", "有权处理机关已收到"
    ACCEPTED = "accepted", "已受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    NOT_ACCEPTED_AGAIN = "not_accepted_again", "不再受理"
    CONCLUDED = "concluded", "已办结"
    DELIVERED = "delivered", "已送达答复"
    REVIEW_REQUESTED = "review_requested", "已申请复查"
    REVIEWED = "reviewed", "已出具复查意见"
    RE_REVIEW_REQUESTED = "re_review_requested", "已申请复核"
    RE_REVIEWED = "re_reviewed", "已复核（终结）"
    WITHDRAWN = "withdrawn", "已撤回委托"


# Statuses after submission, while the handling body works on the case (《信访工作条例》第22-36条).
HANDLING_STATUSES = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.FORWARDED,
        CaseStatus.RECEIVED,
        CaseStatus.ACCEPTED,
        CaseStatus.CONCLUDED,
        CaseStatus.DELIVERED,
        CaseStatus.REVIEW_REQUESTED,
        CaseStatus.REVIEWED,
        CaseStatus.RE_REVIEW_REQUESTED,
    }
)
# Statuses that end the case: no step follows, every clock stops.
FINAL_STATUSES = frozenset(
    {
        CaseStatus.REFERRED,
        CaseStatus.WITHDRAWN,
        CaseStatus.RE_REVIEWED,
        CaseStatus.NOT_ACCEPTED,
        CaseStatus.NOT_ACCEPTED_AGAIN,
    }
)


# 延期: approved by the body's head, at most this many days beyond the conclusion's due date
# (《信访工作条例》第34条). The one place this limit is written.
EXTENSION_LIMIT_DAYS = 30


class ForwardMode(models.TextChoices):
    FORWARD = "forward", "转送"
    ASSIGN = "assign", "交办"


class HandlingOpinion(models.TextChoices):
    SUPPORT = "support", "支持"
    EXPLAIN = "explain", "解释说明"
    REJECT = "reject", "不予支持"


class ReviewOutcome(models.TextChoices):
    UPHOLD = "uphold", "维持原处理意见"
    CHANGE = "change", "变更原处理意见"
    REVOKE = "revoke", "撤销原处理意见，重新处理"


class NotAcceptGround(models.TextChoices):
    """Why a body does not accept a matter (不予受理). Short paraphrases of the 条例, each with its
    article, not its text; anything else is written out under 其他."""

    NOT_COMPETENT = "not_competent", "不属于本机关、单位或者本系统职权范围（据第二十三条）"
    LEGAL_CHANNEL = (
        "legal_channel",
        "应当通过诉讼、仲裁、行政复议等法定途径解决，导入相应程序（据第三十一条）",
    )
    OTHER = "other", "其他理由（请写明）"


class NotAcceptAgainGround(models.TextChoices):
    """Why a body does not accept a matter again (不再受理)."""

    SAME_AFTER_RE_REVIEW = (
        "same_after_re_review",
        "信访人对复核意见不服，仍然以同一事实和理由提出投诉请求（第三十六条）",
    )
    OTHER = "other", "其他理由（请写明）"


class RespondentKind(models.TextChoices):
    """The five kinds of body a proxied complaint may concern, in the seed's words (附件 三(一) 1–5)."""

    ADMINISTRATIVE = "administrative", "行政机关及其工作人员"
    AUTHORIZED_ORG = "authorized_org", "法律、法规授权的具有管理公共事务职能的组织及其工作人员"
    PUBLIC_SERVICE = "public_service", "提供公共服务的企业、事业单位及其工作人员"
    APPOINTED = "appointed", "社会团体或者其他企业、事业单位中由国家行政机关任命、派出的人员"
    VILLAGE_COMMITTEE = "village_committee", "村（社区）委员会及其成员"
    NONE = "none", "以上都不是（如个人之间、企业之间的纠纷）"


class PetitionType(models.TextChoices):
    SUGGESTION = "suggestion", "建议意见类"
    ACCUSATION = "accusation", "检举控告类"
    CLAIM = "claim", "申诉求决类"


class ReferralChannel(models.TextChoices):
    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    RECONSIDERATION = "reconsideration", "行政复议"
    REVIEW = "review", "信访复查、复核"
    OTHER = "other", "其他途径"


class AuthorizationMode(models.TextChoices):
    SIGNED = "signed", "信访人本人填写并签字"
    CONFIRMED = "confirmed", "代理员代为填写，信访人确认签字（捺印）"


class CaseSource(models.TextChoices):
    """How a case came to the platform: registered here, or brought in from a unit's Excel 台账
    kept before the platform (``actions_past``), with its original dates and status."""

    REGISTERED = "registered", "平台登记"
    IMPORTED = "imported", "导入"


class Case(models.Model):
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="cases")
    # Unique per unit and year through (unit, year, seq); the text keeps the unit's name at the
    # time, so a renamed unit's old numbers may repeat another unit's new ones.
    number = models.CharField("编号", max_length=40, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    # One form shown → at most one case: the form's token is unique (double clicks).
    intake_token = models.UUIDField(unique=True, editable=False)
    status = models.CharField("状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.INTAKE)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases", verbose_name="代理员"
    )
    received_on = models.DateField("接待日期")
    # The first (or only) petitioner, as registered; 联名信访 adds the others (``CoPetitioner``).
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT, related_name="cases")
    # How many people bring the matter: five or more is a 集体访 (《信访工作条例》第二十条), whose
    # listed petitioners are its representatives (at most ``MAX_REPRESENTATIVES``).
    people_count = models.PositiveIntegerField("信访人数", default=1)
    related_cases = models.ManyToManyField("self", blank=True, verbose_name="关联事项")

    respondent_kind = models.CharField("投诉对象类别", max_length=30, choices=RespondentKind.choices)
    respondent_name = models.CharField("投诉对象名称", max_length=100)
    petition_type = models.CharField("信访类型", max_length=20, choices=PetitionType.choices)
    category = models.ForeignKey(
        "reference.ContentCategory", on_delete=models.PROTECT, verbose_name="内容分类"
    )
    incident_town = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事发地（镇）",
    )
    incident_place = models.CharField("事发地（村、社区或地点）", max_length=100, blank=True)
    allow_public = models.BooleanField("是否允许公开", default=False)
    court_accepted = models.BooleanField("法院是否已受理", default=False)
    reconsideration_done = models.BooleanField("是否已经行政复议", default=False)
    arbitration_accepted = models.BooleanField("仲裁机构是否已受理", default=False)
    has_review_opinion = models.BooleanField("是否已有复查复核意见书", default=False)
    title = models.CharField("诉求标题", max_length=100)
    content = EncryptedTextField("诉求内容")

    referral_channel = models.CharField(
        "引导途径", max_length=20, choices=ReferralChannel.choices, blank=True
    )
    scope_note = models.TextField("范围判断说明", blank=True)
    scope_decided_at = models.DateTimeField("范围判断时间", null=True, blank=True)

    authorization_mode = models.CharField(
        "委托书填写方式", max_length=20, choices=AuthorizationMode.choices, blank=True
    )
    authorized_on = models.DateField("委托日期", null=True, blank=True)

    platform = models.ForeignKey(
        "reference.SubmissionPlatform",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="投诉平台",
    )
    platform_username = EncryptedTextField("平台用户名", blank=True)
    platform_password = EncryptedTextField("平台密码", blank=True)
    query_code = EncryptedTextField("查询码", blank=True)
    query_code_hash = KeyedHashField(
        source="query_code", normalize=normalize_query_code, db_index=True, blank=True
    )
    submitted_at = models.DateTimeField("网上提交时间", null=True, blank=True)  # indexed below

    # Handling after submission (《信访工作条例》第22-36条). Each date is the day the step
    # happened, entered by the agent, possibly after the fact; figures count from these.
    handling_body = models.CharField("有权处理机关", max_length=100, blank=True)
    forward_mode = models.CharField("转送或交办", max_length=10, choices=ForwardMode.choices, blank=True)
    forwarded_on = models.DateField("转送交办日期", null=True, blank=True)
    body_received_on = models.DateField("有权处理机关收到日期", null=True, blank=True)
    accepted_on = models.DateField("受理告知日期", null=True, blank=True, db_index=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    handling_opinion = models.CharField(
        "处理意见", max_length=10, choices=HandlingOpinion.choices, blank=True
    )
    # The day the written reply reached the petitioner; for 不予受理 / 不再受理, the day the written
    # notice did (the petitioner rates either, 附件2 question 2).
    delivered_on = models.DateField("答复送达日期", null=True, blank=True)  # indexed below
    # The day the petitioner received the written 复查意见: the 复核 window runs from it (第三十六条).
    review_delivered_on = models.DateField("复查意见送达日期", null=True, blank=True)
    # Requests recorded after their window closed (第三十五条、第三十六条): [{"step", "window_end",
    # "reason"}], as the events keep them; the ledger marks these cases.
    late_steps = models.JSONField("逾期提出的申请", default=list, blank=True)
    closed_on = models.DateField("终结日期", null=True, blank=True, db_index=True)
    source = models.CharField(
        "来源", max_length=12, choices=CaseSource.choices, default=CaseSource.REGISTERED
    )

    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "seq"], name="case_number_unique_per_unit_year")
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["unit", "received_on"]),
            # The ledger's order: without it the county-wide ledger sorts every case per page.
            models.Index(fields=["-received_on", "-id"], name="case_ledger_order"),
            # The figures (xinfang.figures.selectors) count by these dates within units; the
            # columns they read are in the index, so a count never visits the cases themselves.
            models.Index(
                fields=["submitted_at", "unit", "category", "incident_town"], name="case_submitted_figures"
            ),
            models.Index(fields=["delivered_on", "unit", "id"], name="case_delivered_figures"),
        ]
        verbose_name = "代理事项"
        verbose_name_plural = "代理事项"

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = with_keyed_hashes(Case, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def is_imported(self) -> bool:
        return self.source == CaseSource.IMPORTED

    @property
    def is_collective(self) -> bool:
        """A 集体访: five or more people bring the matter (第二十条)."""
        return self.people_count >= COLLECTIVE_FROM

    def petitioners(self) -> list[Petitioner]:
        """Every petitioner of the case as registered, the first first."""
        return [self.petitioner, *(c.petitioner for c in self.co_petitioners.select_related("petitioner"))]

    @property
    def incident_display(self) -> str:
        return "".join(part for part in (str(self.incident_town or ""), self.incident_place) if part)


# 《信访工作条例》第二十条: 多人采用走访形式提出同一信访事项的，应当推选代表，代表人数不超过5人.
COLLECTIVE_FROM = 5
MAX_REPRESENTATIVES = 5


class CoPetitioner(models.Model):
    """Another petitioner of a 联名 case (or a representative of a 集体访), as registered: the
    case's ``petitioner`` comes first, these after it in ``position`` order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="co_petitioners")
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT, related_name="co_cases")
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "petitioner"], name="co_petitioner_once_per_case"),
        ]
        verbose_name = "联名信访人"
        verbose_name_plural = "联名信访人"

    def __str__(self) -> str:
        return f"{self.case_id}/{self.position}"


class CaseNumberCounter(models.Model):
    """The last number given per unit and year; bumped inside the transaction that creates a case."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="counter_unique_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit_id}-{self.year}: {self.last}"


class FileKind(models.TextChoices):
    ATTACHMENT = "attachment", "诉求附件"
    AUTHORIZATION = "authorization", "授权委托书扫描件"
    REGISTRATION = "registration", "平台注册成功页"
    REPLY = "reply", "答复意见书"
    REVIEW = "review", "复查意见书"
    RE_REVIEW = "re_review", "复核意见书"
    REFUSAL = "refusal", "不予受理（不再受理）告知书"
    WITHDRAWAL = "withdrawal", "撤回委托材料"


class CaseFile(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("类别", max_length=20, choices=FileKind.choices)
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "事项文件"
        verbose_name_plural = "事项文件"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_id}"


class CaseEvent(models.Model):
    """One step in a case's history. Append-only; figures are computed from these facts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The day the step happened (entered by the user); ``at`` is when it was recorded.
    on = models.DateField(null=True, blank=True)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are never changed")
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        from xinfang.cases.history import event_label

        return event_label(self.action)

    @property
    def notes(self) -> list[str]:
        from xinfang.cases.history import event_notes

        return event_notes(self)


class FollowUpMeans(models.TextChoices):
    PHONE = "phone", "电话"
    PLATFORM = "platform", "平台"
    VISIT = "visit", "现场"
    LETTER = "letter", "函件"


class FollowUp(models.Model):
    """跟踪督办: the agent urges the handling body and writes down what was said."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField("跟踪日期")
    means = models.CharField("方式", max_length=10, choices=FollowUpMeans.choices)
    contact = models.CharField("联系对象", max_length=60)
    content = models.TextField("情况")
    next_on = models.DateField("下次跟踪日期", null=True, blank=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = "跟踪督办"
        verbose_name_plural = "跟踪督办"

    def __str__(self) -> str:
        return f"{self.case_id} {self.on}"


class ExportStatus(models.TextChoices):
    RUNNING = "running", "正在生成"
    DONE = "done", "已生成"
    FAILED = "failed", "生成失败"


class LedgerExport(models.Model):
    """A ledger export made in the background (``export_jobs``): the page that asked shows its
    progress and, when it is written, the link to the file; nothing waits on one request, so a
    province's ledger does not depend on a proxy's read timeout.

    Only the user who asked sees or downloads it. The filters are kept as the ledger's address
    keeps them (the search words sealed for that user); the file lies under the data folder,
    readable by the platform's account alone, and is removed with the row after ``KEEP``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The asking user's unit, for the access module's scoping (none for county-wide staff).
    unit = models.ForeignKey("accounts.Unit", null=True, on_delete=models.CASCADE, related_name="+")
    full = models.BooleanField(default=False)
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.RUNNING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "台账导出"
        verbose_name_plural = "台账导出"

    def __str__(self) -> str:
        return f"台账导出 {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return 100 if not self.rows_total else min(100, self.rows_done * 100 // self.rows_total)
