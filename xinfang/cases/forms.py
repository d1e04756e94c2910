from __future__ import annotations

import uuid
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from xinfang.accounts.models import Unit, UnitKind
from xinfang.cases import scope
from xinfang.cases.intake import COMPLAINT_FIELDS
from xinfang.cases.models import (
    Case,
    CaseStatus,
    PetitionType,
    ReferralChannel,
    RespondentKind,
)
from xinfang.core.errors import add_to_form
from xinfang.core.forms import Form, ModelForm, PersonNameField
from xinfang.core.identity import IdKind, validate_document
from xinfang.core.validators import parse_id, validate_landline, validate_mobile
from xinfang.reference.models import ContentCategory


class YesNoField(forms.TypedChoiceField):
    """A yes/no question that must be answered: no default hides a wrong 否."""

    def __init__(self, *, no: str = "否", **kwargs):
        super().__init__(
            choices=[("1", "是"), ("0", no)],
            coerce=lambda v: v == "1",
            widget=forms.RadioSelect,
            error_messages={"required": f"请选择“是”或“{no}”。"},
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "1"
        if value is False:
            return "0"
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def not_in_future(value):
    now = timezone.localtime()
    limit = now if hasattr(value, "hour") else now.date()
    if value > limit:
        raise ValidationError("日期不能晚于今天。")
    return value


# The longest 诉求内容 taken, in characters as typed here (the agent's first line, about 40
# characters, is added on submission). A complaint longer than that is better summarised, with
# the papers attached as scans; README "Limits of what is typed".
MAX_CONTENT = 5000
NAME_HELP = "与身份证上的姓名一致。少数民族姓名各部分之间用间隔号“·”，如“阿卜杜拉·买买提”。"


class PetitionerForm(Form):
    prefix = "p"
    name = PersonNameField(label="信访人姓名", help_text=NAME_HELP)
    id_kind = forms.ChoiceField(
        label="证件类型", choices=IdKind.choices, initial=IdKind.RESIDENT, required=False
    )
    id_number = forms.CharField(
        label="证件号码",
        max_length=30,
        help_text="居民身份证18位，系统自动核验校验位；港澳台居民、外国人按所选证件核验格式。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "class": "mono"}),
    )
    mobile = forms.CharField(
        label="手机号码",
        max_length=20,
        required=False,
        help_text="没有手机的，可只填固定电话。",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    landline = forms.CharField(
        label="固定电话（选填）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "placeholder": "0915-8822560"}),
    )
    address = forms.CharField(label="家庭住址", max_length=200)
    work_unit = forms.CharField(
        label="工作单位", max_length=100, required=False, help_text="无工作单位的可填“无”或留空。"
    )

    # Set by ``show_changes``: the record on file and what was typed, for the agent to confirm.
    changes = None

    def clean_id_number(self):
        return validate_document(
            self.data.get(self.add_prefix("id_kind"), IdKind.RESIDENT), self.cleaned_data["id_number"]
        )

    def clean_id_kind(self):
        return self.cleaned_data.get("id_kind") or IdKind.RESIDENT

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        return validate_mobile(value) if value else ""

    def clean_landline(self):
        value = self.cleaned_data["landline"].strip()
        return validate_landline(value) if value else ""

    def clean(self):
        data = super().clean()
        if not data.get("mobile") and not data.get("landline") and "mobile" not in self.errors:
            self.add_error("mobile", "请填写手机号码；没有手机的，请填写固定电话。")
        # Ticked on the table of differences (``show_changes``): the version the agent confirmed.
        data["confirmed_version"] = parse_id(self.data.get(self.add_prefix("confirm_version")))
        return data

    def show_changes(self, error) -> None:
        """The person's record differs from what was typed (``intake.PetitionerChanged``): show
        both side by side, with a box to tick, and keep everything typed."""
        self.changes = error
        self.add_error(
            None, "请核对下表，勾选“已与信访人核对，按本次填写登记”后再保存；您填写的内容都保留着。"
        )

    def show_error(self, error) -> None:
        """How ``core.errors.add_to_form`` shows a refusal on this form."""
        if getattr(error, "rows", None) is not None:
            self.show_changes(error)
        else:
            add_to_form(self, error, own=False)


class ComplaintForm(ModelForm):
    prefix = "c"
    respondent_kind = forms.ChoiceField(
        label="投诉对象类别",
        choices=RespondentKind.choices,
        widget=forms.RadioSelect,
        help_text="网上投诉代理只受理对以下组织、人员职务行为的投诉（前五项）。",
    )
    petition_type = forms.ChoiceField(
        label="信访类型", choices=PetitionType.choices, widget=forms.RadioSelect
    )
    content = forms.CharField(
        label="诉求内容",
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"写清主要诉求、事实和理由，不超过{MAX_CONTENT}字。提交平台时系统会在首行自动加上代理员身份。",
        error_messages={
            "max_length": f"诉求内容不超过{MAX_CONTENT}字（现为%(show_value)d字），请精简，或把材料作为附件上传。"
        },
    )
    allow_public = YesNoField(label="是否允许公开")
    court_accepted = YesNoField(label="法院是否已受理")
    reconsideration_done = YesNoField(label="是否已经行政复议")
    arbitration_accepted = YesNoField(label="仲裁机构是否已受理")
    has_review_opinion = YesNoField(label="是否已有复查复核意见书")

    class Meta:
        model = Case
        fields = [*COMPLAINT_FIELDS, "people_count"]  # what a case's complaint is (``intake``)
        widgets = {
            "respondent_name": forms.TextInput(attrs={"placeholder": "如：某镇人民政府、某村民委员会"}),
        }
        help_texts = {
            "title": "一句话概括诉求，100字以内。",
            "people_count": "一人信访填1。联名信访填人数，逐人登记；五人以上为集体访，只登记推选的代表（不超过5人）。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = ContentCategory.objects.active()
        category.empty_label = "请选择内容分类"
        town = cast(forms.ModelChoiceField, self.fields["incident_town"])
        town.queryset = Unit.objects.filter(kind=UnitKind.TOWN, active=True)
        town.empty_label = "（县外或不属于各镇）"
        self.fields["incident_place"].widget.attrs["placeholder"] = "村（社区）或具体地点"
        # The browser would cut a long paste short without a word: the server says it instead.
        self.fields["content"].widget.attrs.pop("maxlength", None)
        people = cast(forms.IntegerField, self.fields["people_count"])
        people.required = False  # 1 when left empty
        people.min_value = 1
        people.widget.attrs.update(min=1, max=100000, inputmode="numeric")
        people.error_messages["min_value"] = "信访人数至少为1。"

    def clean_people_count(self):
        return self.cleaned_data.get("people_count") or 1


class IntakeForm(Form):
    """What a new case needs besides the petitioner and the complaint."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    received_on = forms.DateField(
        label="接待日期",
        widget=DateInput(),
        validators=[not_in_future],
        error_messages={"invalid": "请输入有效日期，如 2026-11-29。"},
    )

    @classmethod
    def blank(cls):
        return cls(initial={"token": uuid.uuid4(), "received_on": timezone.localdate()})

    @classmethod
    def renewed(cls, data, message: str):
        """The posted form with a new token and ``message`` above it: posting it again is a new
        registration, and everything typed stays."""
        data = data.copy()
        data["token"] = str(uuid.uuid4())
        form = cls(data)
        form.is_valid()
        form.add_error(None, message)
        return form


class ScopeForm(Form):
    IN_SCOPE, REFER = "in_scope", "refer"
    decision = forms.ChoiceField(
        label="判断结果",
        widget=forms.RadioSelect,
        choices=[(IN_SCOPE, "属于代理范围，继续办理委托"), (REFER, "不属于代理范围，引导信访人走法定途径")],
    )
    channel = forms.ChoiceField(
        label="引导途径", choices=[("", "请选择")] + list(ReferralChannel.choices), required=False
    )
    note = forms.CharField(
        label="说明（选填）", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.assessment = scope.assess_case(case)
        if case.status != CaseStatus.INTAKE:
            # Already found in scope: what is left is to refer it after all.
            cast(forms.ChoiceField, self.fields["decision"]).choices = [
                (self.REFER, "不属于代理范围，引导信访人走法定途径")
            ]
        if not self.is_bound and not self.assessment.in_scope:
            self.initial.update(decision=self.REFER, channel=self.assessment.required_channel)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.IN_SCOPE and not self.assessment.in_scope:
            raise ValidationError(
                "该事项"
                + "、".join(self.assessment.reasons)
                + "，不属于网上投诉代理范围，只能引导信访人走法定途径。"
            )
        if data.get("decision") == self.REFER and not data.get("channel"):
            self.add_error("channel", "请选择引导信访人的法定途径。")
        return data


class LedgerFilterForm(Form):
    month = forms.CharField(label="接待月份", required=False, widget=forms.TextInput(attrs={"type": "month"}))
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态")] + list(CaseStatus.choices)
    )
    category = forms.ModelChoiceField(
        label="内容分类", required=False, queryset=ContentCategory.objects.all(), empty_label="全部分类"
    )
    unit = forms.ModelChoiceField(
        label="单位", required=False, queryset=Unit.objects.all(), empty_label="全部单位"
    )
    kind = forms.ChoiceField(
        label="信访形式",
        required=False,
        choices=[("", "全部"), ("joint", "联名信访"), ("collective", "集体访（五人以上）")],
    )
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "信访人姓名（全名）、标题或编号", "type": "search"}),
    )

    def clean_month(self):
        return clean_month(self.cleaned_data["month"])


def clean_month(value: str) -> str:
    """``2026-11`` (or ``2026-3``) as ``2026-03``; "" stays ""."""
    value = value.strip()
    if value:
        try:
            year, month = (int(p) for p in value.split("-"))
            if not (2000 <= year <= 2100 and 1 <= month <= 12):
                raise ValueError
        except ValueError:
            raise ValidationError("月份格式应为 2026-11。") from None
        return f"{year:04d}-{month:02d}"
    return ""


class LedgerPrintForm(Form):
    """The month and, for those who see every unit, the unit of the printed 台账."""

    month = forms.CharField(label="接待月份", required=False, widget=forms.TextInput(attrs={"type": "month"}))
    unit = forms.ModelChoiceField(
        label="单位", required=False, queryset=Unit.objects.all(), empty_label="请选择单位"
    )

    def clean_month(self):
        return clean_month(self.cleaned_data["month"]) or f"{timezone.localdate():%Y-%m}"


class FullExportForm(Form):
    """Why the unmasked ledger is needed: written to the audit log with the export."""

    MIN_REASON = 4

    reason = forms.CharField(
        label="导出用途",
        max_length=200,
        min_length=MIN_REASON,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：按县纪委监委函件要求核对信访人身份信息"}),
        help_text="完整台账含身份证号、手机号码、平台用户名和查询码，用途记入审计日志。",
        error_messages={
            "required": "请说明导出完整台账的用途。",
            "min_length": f"用途至少写{MIN_REASON}个字。",
            "max_length": "用途不超过200个字。",
        },
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < self.MIN_REASON:
            raise ValidationError(f"用途至少写{self.MIN_REASON}个字。")
        return reason


class CaseFileReasonForm(FullExportForm):
    """Why the unmasked case file is needed: written to the audit log with the export."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.help_text = "完整案卷含身份证号、电话、住址、平台用户名、查询码和诉求内容，用途记入审计日志。"
        reason.error_messages["required"] = "请说明导出完整案卷的用途。"
