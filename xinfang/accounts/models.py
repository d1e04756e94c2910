"""Units (镇, 县级部门, 县信访局), the people who log in, and agents' public profiles."""

from __future__ import annotations

from typing import ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from xinfang.access import rules
from xinfang.access.models import Role  # roles and their facts live with the capability table
from xinfang.core.fields import EncryptedTextField


class UnitKind(models.TextChoices):
    BUREAU = "bureau", "县信访局"
    TOWN = "town", "镇"
    DEPARTMENT = "department", "县级部门"


class Unit(models.Model):
    """A town or county body that runs a 网上投诉代理办公室."""

    name = models.CharField("单位名称", max_length=60, unique=True)
    kind = models.CharField("类别", max_length=20, choices=UnitKind.choices)
    code = models.CharField("区划或机构代码", max_length=20, blank=True)
    office_address = models.CharField("代理办公室地址", max_length=120, blank=True)
    office_phone = models.CharField("办公电话", max_length=20, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)
    second_factor_required = models.BooleanField("代理员和单位负责人须使用动态口令", default=False)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    first_name = None  # type: ignore[assignment]  # how Django drops an inherited field
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField("姓名", max_length=30)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    objects: ClassVar[UserManager[Self]] = UserManager()
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["unit__sort_order", "username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    def must_use_second_factor(self) -> bool:
        """Whether this account has to log in with a dynamic code (动态口令): ``access.rules``."""
        return rules.must_use_second_factor(self)

    @property
    def has_public_profile(self) -> bool:
        """Whether the account carries an agent's public profile (``access.policy.PROFILE_ROLES``)."""
        return rules.has_public_profile(self)


class AgentProfile(models.Model):
    """What the seed asks to publish of each agent (二 2): 姓名、职务、照片、联系方式."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    title = models.CharField("职务", max_length=40, blank=True)
    mobile = EncryptedTextField("手机号码", blank=True)
    office_phone = models.CharField("办公电话", max_length=20, blank=True)
    photo_file = models.ForeignKey(
        "core.StoredFile", verbose_name="照片", on_delete=models.PROTECT, null=True, blank=True
    )
    published = models.BooleanField("对外公开", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "代理员信息"
        verbose_name_plural = "代理员信息"

    def __str__(self) -> str:
        return f"{self.user} ({self.title})"

    @property
    def contact_phone(self) -> str:
        """The number an agent signs with: mobile where given, else the office phone."""
        return self.mobile or self.office_phone


# seed 通知 二、2: 代理员信息 「在本方案下发5个工作日内」 报县信访局; the platform asks the same of
# every agent appointed or changed since (``agent_reports``).
AGENT_REPORT_WORKDAYS = 5


class AgentReportReason(models.TextChoices):
    """Why a unit has a new agent to report."""

    APPOINTED = "appointed", "新任代理员"
    ROLE = "role", "改任代理员"
    REACTIVATED = "reactivated", "重新启用"
    MOVED = "moved", "调整所在单位"


class AgentReportOutcome(models.TextChoices):
    REPORTED = "reported", "已报送并公开"
    ENDED = "ended", "不再担任该单位代理员"


class AgentReport(models.Model):
    """A unit's duty to report a newly appointed agent to the bureau within 5 workdays (seed
    通知 二、2), met when the agent's public profile (姓名、职务、照片、联系方式) is published.

    One row per appointment, written by ``agent_reports`` when an account becomes a unit's agent;
    stopped once (reported, or the account no longer the unit's agent). The due date is stored
    when the clock starts and recomputed when the official calendar changes. Overdue is derived
    from ``due_on`` and today, never stored.
    """

    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="agent_reports"
    )
    agent = models.ForeignKey(
        User, verbose_name="代理员", on_delete=models.PROTECT, related_name="agent_reports"
    )
    reason = models.CharField("原因", max_length=20, choices=AgentReportReason.choices)
    appointed_on = models.DateField("确定日期")
    workdays = models.PositiveSmallIntegerField("期限（工作日）", default=AGENT_REPORT_WORKDAYS)
    due_on = models.DateField("报送期限")
    provisional = models.BooleanField("暂定", default=False)
    provisional_reason = models.CharField("暂定原因", max_length=200, blank=True)
    stopped_on = models.DateField("完成日期", null=True, blank=True)
    outcome = models.CharField("结果", max_length=20, choices=AgentReportOutcome.choices, blank=True)
    started_by = models.ForeignKey(
        User, verbose_name="登记人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["stopped_on", "due_on"], name="agent_report_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"], condition=models.Q(stopped_on__isnull=True), name="agent_report_one_open"
            ),
            models.CheckConstraint(
                condition=models.Q(stopped_on__isnull=True, outcome="")
                | models.Q(stopped_on__isnull=False) & ~models.Q(outcome=""),
                name="agent_report_stopped_with_outcome",
            ),
        ]
        verbose_name = "代理员信息报送"
        verbose_name_plural = "代理员信息报送"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.agent_id} {self.due_on}"


class SecondFactor(models.Model):
    """A user's authenticator app: a TOTP secret (RFC 6238, 30-second steps, six digits).

    The secret is encrypted like personal data. Until the user types a first code it is
    unconfirmed and does not count. ``last_step`` is the step of the last code accepted:
    a code is good once, and never an older one after it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor")
    secret = EncryptedTextField("密钥")
    confirmed_at = models.DateTimeField("绑定时间", null=True, blank=True)
    last_step = models.BigIntegerField("最近使用的时间步", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "动态口令"
        verbose_name_plural = "动态口令"

    def __str__(self) -> str:
        return f"{self.user} ({'已绑定' if self.confirmed_at else '绑定中'})"


class RecoveryCode(models.Model):
    """A one-time code for logging in without the phone. Only its SHA-256 is kept: the code
    carries 80 random bits, beyond any guessing, so a slow password hash is not needed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")]
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self) -> str:
        return f"{self.user} ({'已使用' if self.used_at else '未使用'})"


class CounterScope(models.TextChoices):
    PAIR = "pair", "账户与地址"
    ADDRESS = "address", "地址"
    ACCOUNT = "account", "账户"
    PLATFORM = "platform", "全系统"


class LoginCounter(models.Model):
    """Failed logins, counted in the database so that every server process sees the same counts.

    One row per scope and key: (user name as typed, lower-cased; client address) for a pair,
    the address alone, the user name alone (for the alert when many addresses try one
    account), and one row for the whole platform. ``xinfang.accounts.throttle`` keeps them.
    """

    scope = models.CharField(max_length=10, choices=CounterScope.choices)
    username = models.CharField(max_length=150, blank=True)
    address = models.CharField(max_length=45, blank=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "username", "address"], name="login_counter_unique")
        ]
        indexes = [models.Index(fields=["username", "scope"], name="login_counter_user")]
        verbose_name = "登录失败计数"
        verbose_name_plural = "登录失败计数"

    def __str__(self) -> str:
        return f"{self.scope} {self.username} {self.address}: {self.failures}"
