from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from xinfang.accounts.models import Unit, UnitKind
from xinfang.cases import scope
from xinfang.cases.models import (
    AuthorizationMode,
    Case,
    CaseStatus,
    FollowUpMeans,
    ForwardMode,
    HandlingOpinion,
    PetitionType,
    ReferralChannel,
    RespondentKind,
    ReviewOutcome,
)
from xinfang.core import files
from xinfang.core.forms import Form, ModelForm, PersonNameField, PlatformPasswordField, QueryCodeField
from xinfang.core.validators import validate_id_number, validate_landline, validate_mobile
from xinfang.reference.models import ContentCategory, SubmissionPlatform


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
    id_number = forms.CharField(
        label="身份证号",
        max_length=30,
        help_text="18位居民身份证号码，系统自动核验校验位。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "class": "mono"}),
    )
    mobile = forms.CharField(
        label="手机号码", max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
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

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data["mobile"])

    def clean_landline(self):
        value = self.cleaned_data["landline"].strip()
        return validate_landline(value) if value else ""


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
        fields = [
            "respondent_kind",
            "respondent_name",
            "petition_type",
            "category",
            "incident_town",
            "incident_place",
            "allow_public",
            "court_accepted",
            "reconsideration_done",
            "arbitration_accepted",
            "has_review_opinion",
            "title",
            "content",
        ]
        widgets = {
            "respondent_name": forms.TextInput(attrs={"placeholder": "如：某镇人民政府、某村民委员会"}),
        }
        help_texts = {
            "title": "一句话概括诉求，100字以内。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ContentCategory.objects.active()
        self.fields["category"].empty_label = "请选择内容分类"
        self.fields["incident_town"].queryset = Unit.objects.filter(kind=UnitKind.TOWN, active=True)
        self.fields["incident_town"].empty_label = "（县外或不属于各镇）"
        self.fields["incident_place"].widget.attrs["placeholder"] = "村（社区）或具体地点"
        # The browser would cut a long paste short without a word: the server says it instead.
        self.fields["content"].widget.attrs.pop("maxlength", None)


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
            self.fields["decision"].choices = [(self.REFER, "不属于代理范围，引导信访人走法定途径")]
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


def _check_scan(upload):
    try:
        return files.check_upload(upload)
    except ValidationError:
        raise
    except Exception as exc:  # unreadable upload
        raise ValidationError("文件无法读取，请重新选择。") from exc


class AuthorizationForm(Form):
    mode = forms.ChoiceField(
        label="委托书填写方式", choices=AuthorizationMode.choices, widget=forms.RadioSelect
    )
    signed_on = forms.DateField(label="签字日期", widget=DateInput(), validators=[not_in_future])
    scan = forms.FileField(
        label="已签字的委托书扫描件",
        help_text="PDF、JPEG 或 PNG，不大于10M。",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if not self.is_bound:
            self.initial.setdefault("signed_on", timezone.localdate())

    def clean_signed_on(self):
        value = self.cleaned_data["signed_on"]
        if value < self.case.received_on:
            raise ValidationError("签字日期不能早于接待日期（%(d)s）。", params={"d": self.case.received_on})
        return value

    def clean_scan(self):
        return _check_scan(self.cleaned_data["scan"])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [
            super(MultipleFileField, self).clean(item, initial) for item in items if item
        ] or super().clean(None)


class AttachmentForm(Form):
    files = MultipleFileField(
        label="诉求附件",
        error_messages={"required": "请选择要上传的文件。"},
        help_text="可一次选择多个文件；PDF、JPEG 或 PNG，每个不大于10M。",
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png", "multiple": True}),
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(_check_scan(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class SubmissionForm(Form):
    platform = forms.ModelChoiceField(
        label="投诉平台", queryset=SubmissionPlatform.objects.none(), empty_label=None
    )
    username = forms.CharField(
        label="平台用户名", max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    password = PlatformPasswordField(
        label="平台密码",
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text="加密保存，列表和导出中从不显示。",
    )
    query_code = QueryCodeField(
        label="查询码", widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"})
    )
    submitted_at = forms.DateTimeField(
        label="提交时间",
        widget=DateTimeInput(),
        validators=[not_in_future],
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"invalid": "请输入有效的日期和时间。"},
    )
    registration_scan = forms.FileField(
        label="注册成功页面扫描件",
        required=False,
        help_text="信访人首次在平台注册时，打印注册成功页面并扫描上传（PDF、JPEG 或 PNG）。",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["platform"].queryset = SubmissionPlatform.objects.active()
        if not self.is_bound:
            self.initial.setdefault("submitted_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_submitted_at(self):
        value = self.cleaned_data["submitted_at"]
        if self.case.authorized_on and timezone.localtime(value).date() < self.case.authorized_on:
            raise ValidationError(
                "提交时间不能早于委托日期（%(d)s）。", params={"d": self.case.authorized_on}
            )
        return value

    def clean_registration_scan(self):
        upload = self.cleaned_data.get("registration_scan")
        return _check_scan(upload) if upload else None


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
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "信访人姓名（全名）、标题或编号", "type": "search"}),
    )

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if value:
            try:
                year, month = (int(p) for p in value.split("-"))
                if not (2000 <= year <= 2100 and 1 <= month <= 12):
                    raise ValueError
            except ValueError:
                raise ValidationError("月份格式应为 2026-11。") from None
            return f"{year:04d}-{month:02d}"
        return ""


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


# --- Handling steps after submission ----------------------------------------------------------


def _date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        validators=[not_in_future],
        help_text=help_text,
        error_messages={"invalid": "请输入有效日期，如 2026-11-29。", "required": "请填写日期。"},
    )


def _document_field(label: str, required: bool) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text="PDF、JPEG 或 PNG，不大于10M。",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class StepForm(Form):
    """A dated handling step. ``intro`` tells the agent what the step means in law."""

    intro = ""

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and not self.is_bound:
                self.initial.setdefault(name, timezone.localdate())

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, forms.FileField) and data.get(name):
                try:
                    data[name] = _check_scan(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


class ForwardForm(StepForm):
    intro = "信访部门应在登记之日起15日内将信访事项转送或交办有权处理机关（《信访工作条例》第二十二条）。"
    on = _date_field("转送交办日期")
    mode = forms.ChoiceField(label="方式", choices=ForwardMode.choices, widget=forms.RadioSelect)
    handling_body = forms.CharField(
        label="有权处理机关",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：镇坪县住房和城乡建设局"}),
    )


class ReceiveForm(StepForm):
    intro = "有权处理机关收到之日起15日内应告知是否受理；认为不属于其职权范围的，应在5个工作日内提出异议（第二十三条）。"
    on = _date_field("有权处理机关收到日期")


class AcceptForm(StepForm):
    intro = "有权处理机关决定受理并告知信访人。受理之日起60日内应当办结（第三十四条）。"
    on = _date_field("受理告知日期")


class RefuseForm(StepForm):
    intro = "有权处理机关决定不予受理或不再受理，并书面告知信访人。办理程序至此终结。"
    on = _date_field("告知日期")
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(StepForm):
    intro = "情况复杂的，经本机关负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由（第三十四条）。"
    on = _date_field("批准延期日期")
    days = forms.IntegerField(
        label="延长天数",
        min_value=1,
        max_value=30,
        error_messages={"max_value": "延长期限不得超过30日。", "min_value": "至少延长1日。"},
    )
    approver = forms.CharField(label="批准人（机关负责人）", max_length=60)
    reason = forms.CharField(label="延期理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    told_on = _date_field("告知信访人日期")

    def clean(self):
        data = super().clean()
        if data.get("on") and data.get("told_on") and data["told_on"] < data["on"]:
            self.add_error("told_on", "告知信访人的日期不能早于批准延期的日期。")
        return data


class ConcludeForm(StepForm):
    intro = "有权处理机关作出处理意见并出具书面答复意见书。"
    on = _date_field("办结日期")
    opinion = forms.ChoiceField(label="处理意见", choices=HandlingOpinion.choices, widget=forms.RadioSelect)
    document = _document_field("答复意见书", required=True)


class DeliverForm(StepForm):
    intro = "书面答复送达信访人。信访人不服的，可以自收到之日起30日内请求复查（第三十五条）。"
    on = _date_field("送达日期")


class RequestReviewForm(StepForm):
    intro = "信访人对处理意见不服，请求原办理机关的上一级机关复查；复查机关应自收到请求之日起30日内提出复查意见（第三十五条）。"
    on = _date_field("复查机关收到请求日期")
    reviewing_body = forms.CharField(label="复查机关", max_length=100)


class ReviewForm(StepForm):
    intro = "复查机关提出复查意见。信访人不服的，可以自收到之日起30日内请求复核（第三十六条）。"
    on = _date_field("复查意见日期")
    outcome = forms.ChoiceField(label="复查意见", choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    document = _document_field("复查意见书", required=False)


class RequestReReviewForm(StepForm):
    intro = "信访人对复查意见不服，请求复查机关的上一级机关复核；复核机关应自收到请求之日起30日内提出复核意见（第三十六条）。"
    on = _date_field("复核机关收到请求日期")
    reviewing_body = forms.CharField(label="复核机关", max_length=100)


class ReReviewForm(StepForm):
    intro = "复核机关提出复核意见。信访人对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理（第三十六条）。"
    on = _date_field("复核意见日期")
    outcome = forms.ChoiceField(label="复核意见", choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    document = _document_field("复核意见书", required=False)


class WithdrawForm(StepForm):
    intro = "信访人撤回网上投诉代理委托。撤回后代理员不再办理该事项；应尊重信访人意愿，不得强行代理。"
    on = _date_field("撤回日期")
    reason = forms.CharField(label="撤回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    document = _document_field("撤回委托的书面材料（如有）", required=False)


STEP_FORMS: dict[str, type[StepForm]] = {
    "forward": ForwardForm,
    "receive": ReceiveForm,
    "accept": AcceptForm,
    "not_accept": RefuseForm,
    "not_accept_again": RefuseForm,
    "extend": ExtendForm,
    "conclude": ConcludeForm,
    "deliver": DeliverForm,
    "request_review": RequestReviewForm,
    "review": ReviewForm,
    "request_re_review": RequestReReviewForm,
    "re_review": ReReviewForm,
    "withdraw": WithdrawForm,
}


class FollowUpForm(Form):
    on = _date_field("跟踪日期")
    means = forms.ChoiceField(label="方式", choices=FollowUpMeans.choices, widget=forms.RadioSelect)
    contact = forms.CharField(label="联系对象", max_length=60, help_text="有权处理机关的经办人或科室。")
    content = forms.CharField(label="情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    next_on = forms.DateField(label="下次跟踪日期（选填）", required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("on") and data.get("next_on") and data["next_on"] <= data["on"]:
            self.add_error("next_on", "下次跟踪日期应晚于本次跟踪日期。")
        return data
