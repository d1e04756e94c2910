"""Forms with which bureau staff keep units, accounts and agents' profiles."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from xinfang.access.policy import BUREAU_MANAGED_ROLES
from xinfang.accounts import actions, successors
from xinfang.accounts.models import AgentProfile, Unit, User
from xinfang.core import files
from xinfang.core import forms as checked
from xinfang.core.errors import add_to_form
from xinfang.core.validators import validate_landline, validate_mobile

# Browsers never put a chosen file back into a form shown again; say so instead of losing it silently.
FILE_NOT_KEPT = "浏览器不会保留已选择的文件，请重新选择照片。"
REQUIRED = {"required": "请填写此项。"}
STRENGTH_HELP = "至少8位，不能全是数字，不能是常见密码，也不要与用户名相近。请当面或电话告知本人。"


def _phone(value: str) -> str:
    """An office number: a landline with its area code, or a mobile."""
    value = value.strip()
    if not value:
        return ""
    digits = re.sub(r"[\s\-]", "", value)
    if digits.removeprefix("+86").startswith("1"):
        return validate_mobile(value)
    return validate_landline(value)


class UnitForm(checked.ModelForm):
    class Meta:
        model = Unit
        fields = list(actions.UNIT_FIELDS)
        help_texts = {
            "code": "镇填行政区划代码（如 610927100），部门可填统一社会信用代码；选填。",
            "office_address": "网上投诉代理办公室所在地，对外公开。",
            "office_phone": "带区号的固定电话，如 0915-8822560；也可填手机号码。",
            "sort_order": "数字小的排在前面。",
            "active": "停用的单位不能再添加账户，已有的案件和账户保留。单位只停用，不删除。",
            "second_factor_required": "勾选后，本单位的代理员和单位负责人登录时除密码外还要输入手机上的动态口令"
            "（下次登录时起；还没有绑定的，登录后先绑定）。县信访局工作人员、系统管理员和安全审计员一律使用动态口令。",
        }
        error_messages = {"name": REQUIRED, "kind": {"required": "请选择单位类别。"}}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Unit.objects.filter(name=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError("已有名为“%(n)s”的单位，单位名称不能重复。", params={"n": name})
        return name

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if code and not re.fullmatch(r"[0-9A-Z]+", code):
            raise ValidationError("代码只能由数字和大写字母组成，不要带空格或横线。")
        return code

    def clean_office_phone(self):
        return _phone(self.cleaned_data["office_phone"])


class UserForm(checked.Form):
    """The account itself. The unit is checked against the role by the same rule the action applies."""

    username = forms.CharField(
        label="用户名",
        max_length=150,
        error_messages=REQUIRED,
        validators=[UnicodeUsernameValidator(message="用户名只能包含字母、数字和 @ . + - _，不能有空格。")],
        help_text="登录时使用，建议用姓名拼音，如 wangmoumou。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = checked.PersonNameField(label="姓名", error_messages=REQUIRED)
    role = forms.ChoiceField(
        label="角色",
        choices=[("", "请选择角色")] + [(r.value, r.label) for r in BUREAU_MANAGED_ROLES],
        error_messages={"required": "请选择角色。"},
    )
    unit = forms.ModelChoiceField(
        label="所在单位",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="（不属于某个单位）",
        help_text="代理员、单位负责人必须选择所在单位；县信访局工作人员属于县信访局；"
        "领导不属于某个单位，选了也不保存。",
    )
    is_active = forms.BooleanField(
        label="启用", required=False, initial=True, help_text="停用后不能登录；账户和历史记录都保留。"
    )
    successor = forms.ChoiceField(
        label="未办结事项交给",
        required=False,
        choices=(),
        help_text="停用该代理员、改变其角色或单位时，其未办结的事项移交给所选代理员；办理记录保留前后两名代理员。",
    )

    def __init__(self, *args, account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.open_work = successors.open_work(account)
        if self.open_work:
            others = successors.colleagues(account)
            cast(forms.ChoiceField, self.fields["successor"]).choices = [
                ("", "请选择"),
                (successors.SPREAD, "平均分给本单位其他代理员"),
                *((str(u.pk), u.full_name) for u in others),
            ]
            self.fields["successor"].label = f"未办结事项（{self.open_work}件）交给"
        else:
            del self.fields["successor"]
        units = Unit.objects.filter(active=True)
        if account is not None and account.unit_id:
            # A deactivated unit stays selectable for the accounts already in it.
            units = Unit.objects.filter(pk=account.unit_id) | units
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units.order_by("sort_order", "id")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        taken = User.objects.filter(username__iexact=username)
        if self.account is not None:
            taken = taken.exclude(pk=self.account.pk)
        if taken.exists():
            raise ValidationError("用户名“%(u)s”已被使用，请换一个。", params={"u": username})
        return username

    def clean_full_name(self):
        return self.cleaned_data["full_name"].strip()

    def clean_successor(self):
        value = self.cleaned_data.get("successor") or None
        if value is None or value == successors.SPREAD:
            return value
        return successors.colleagues(self.account).filter(pk=value).first()

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role and "unit" in data:
            try:
                data["unit"] = actions.unit_for_role(role, data["unit"])
            except actions.AccountError as exc:
                add_to_form(self, exc)
        return data


def _password_fields(first_label: str):
    widget = forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"})
    return (
        forms.CharField(
            label=first_label,
            strip=False,
            widget=widget,
            error_messages={"required": "请输入密码。"},
            help_text=STRENGTH_HELP,
        ),
        forms.CharField(
            label="再次输入密码",
            strip=False,
            widget=widget,
            error_messages={"required": "请再输入一次密码。"},
        ),
    )


def _check_new_password(form: forms.Form, user: User) -> None:
    first, second = form.cleaned_data.get("password1"), form.cleaned_data.get("password2")
    if not first or not second:
        return
    if first != second:
        form.add_error("password2", "两次输入的密码不一致，请重新输入。")
        return
    try:
        password_validation.validate_password(first, user=user)
    except ValidationError as exc:
        form.add_error("password1", exc)


class UserCreateForm(UserForm):
    password1, password2 = _password_fields("初始密码")

    def clean(self):
        data = super().clean()
        candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
        _check_new_password(self, candidate)
        return data


class PasswordForm(checked.Form):
    password1, password2 = _password_fields("新密码")

    def __init__(self, *args, account: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean(self):
        data = super().clean()
        _check_new_password(self, self.account)
        return data


class AgentProfileForm(checked.Form):
    """What the seed asks to publish of each agent (二 2): 姓名 (the account's)、职务、照片、联系方式."""

    prefix = "p"
    title = forms.CharField(
        label="职务",
        max_length=40,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"placeholder": "如：城关镇综治办干事"}),
    )
    mobile = forms.CharField(
        label="手机号码",
        max_length=20,
        error_messages=REQUIRED,
        help_text="对外公开的联系方式。加密保存，列表中只显示部分号码。",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    office_phone = forms.CharField(
        label="办公电话（选填）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "placeholder": "0915-8822560"}),
    )
    photo = forms.FileField(
        label="照片",
        required=False,
        help_text="JPEG 或 PNG 格式，不大于10M。",
        widget=forms.FileInput(attrs={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"}),
    )
    remove_photo = forms.BooleanField(label="删除现有照片", required=False)
    published = forms.BooleanField(
        label="对外公开",
        required=False,
        help_text="公开后，姓名、职务、照片和联系电话可在对外的代理员名录中查看（县政府办通知 二、2）。",
    )

    def __init__(self, *args, profile: AgentProfile | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile
        if profile is None or profile.photo_file_id is None:
            del self.fields["remove_photo"]

    @classmethod
    def initial_for(cls, profile: AgentProfile | None) -> dict:
        if profile is None:
            return {}
        return {
            "title": profile.title,
            "mobile": profile.mobile,
            "office_phone": profile.office_phone,
            "published": profile.published,
        }

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data["mobile"])

    def clean_office_phone(self):
        value = self.cleaned_data["office_phone"].strip()
        return validate_landline(value) if value else ""

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return files.check_upload(upload, allowed=files.IMAGES)
        except ValidationError as exc:
            raise ValidationError([*exc.messages, FILE_NOT_KEPT]) from None
        except Exception as exc:  # an upload that cannot be read
            raise ValidationError(["照片文件无法读取。", FILE_NOT_KEPT]) from exc

    def action_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "mobile": data["mobile"],
            "office_phone": data["office_phone"],
            "published": data["published"],
            "photo": data["photo"],
            "remove_photo": data.get("remove_photo", False),
        }


class UserFilterForm(checked.Form):
    STATUS_CHOICES = [("", "全部状态"), ("active", "启用"), ("inactive", "停用"), ("locked", "已锁定")]
    unit = forms.ModelChoiceField(
        label="单位", required=False, queryset=Unit.objects.all(), empty_label="全部单位"
    )
    role = forms.ChoiceField(
        label="角色",
        required=False,
        choices=[("", "全部角色")] + [(r.value, r.label) for r in BUREAU_MANAGED_ROLES],
    )
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "用户名或姓名", "type": "search", "class": "search"}),
    )
