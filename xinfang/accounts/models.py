"""Units (镇, 县级部门, 县信访局), the people who log in, and agents' public profiles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

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

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", "代理员"
    UNIT_HEAD = "unit_head", "单位负责人"
    BUREAU = "bureau", "县信访局工作人员"
    LEADER = "leader", "领导"
    SYSADMIN = "sysadmin", "系统管理员"
    AUDITOR = "auditor", "安全审计员"


# Roles tied to one unit; the others work county-wide or on the system itself.
UNIT_ROLES = {Role.AGENT, Role.UNIT_HEAD}
# Accounts that bureau staff manage. The system administrator's and the auditor's accounts
# are kept apart (等保 三权分立): bureau staff can neither create nor reset them.
BUREAU_MANAGED_ROLES = (Role.AGENT, Role.UNIT_HEAD, Role.BUREAU, Role.LEADER)


class User(AbstractUser):
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField("姓名", max_length=30)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = UserManager()
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["unit__sort_order", "username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    @property
    def is_bureau(self) -> bool:
        return self.role == Role.BUREAU

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR


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
