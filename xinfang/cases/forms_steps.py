"""The forms of the steps of a case, each shown on the step's page (``views_steps``).

Every form takes the case (``case=``) and has an ``intro`` that says what the step means in law;
its fields are the keyword arguments of the step's action (``on`` the day of the step), so the
page passes what was typed straight to ``actions.take_step``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from xinfang.cases import hooks
from xinfang.cases.forms import DateInput, DateTimeInput, not_in_future
from xinfang.cases.models import (
    EXTENSION_LIMIT_DAYS,
    AuthorizationMode,
    Case,
    FollowUpMeans,
    ForwardMode,
    HandlingOpinion,
    NotAcceptAgainGround,
    NotAcceptGround,
    ReviewOutcome,
)
from xinfang.core import files
from xinfang.core.forms import Form, PlatformPasswordField, QueryCodeField
from xinfang.reference.models import SubmissionPlatform


def _check_scan(upload):
    try:
        return files.check_upload(upload)
    except ValidationError:
        raise
    except Exception as exc:  # unreadable upload
        raise ValidationError("文件无法读取，请重新选择。") from exc


class CaseForm(Form):
    """A form about one case, shown on a step's page: ``intro`` says what the step means.

    ``intro`` may quote a clock by its code in braces, e.g. ``{conclude}``: the text then shows the
    length of that clock as bureau staff keep it (``hooks.clock_terms``), never a number written
    here. ``{extension_limit}`` is the longest extension (第34条).
    """

    intro = ""

    def __init__(self, *args, case: Case, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.step = step  # its row of the registry, where the page passes it

    @property
    def intro_text(self) -> str:
        return self.intro.format_map(_Terms(hooks.clock_terms()))


class _Terms(dict):
    """Clock codes to lengths; a code without a clock reads as the law's words."""

    def __missing__(self, code: str) -> str:
        return f"{EXTENSION_LIMIT_DAYS}日" if code == "extension_limit" else "法定期限"


class AuthorizationForm(CaseForm):
    intro = "信访人在《网上投诉代理授权委托书》上签字（盖章、指印）后，登记填写方式并上传扫描件。"
    mode = forms.ChoiceField(
        label="委托书填写方式", choices=AuthorizationMode.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(label="签字日期", widget=DateInput(), validators=[not_in_future])
    scan = forms.FileField(
        label="已签字的委托书扫描件",
        help_text="PDF、JPEG 或 PNG，不大于10M。",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def clean_on(self):
        value = self.cleaned_data["on"]
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


class AttachmentForm(CaseForm):
    intro = "信访人有纸质佐证材料的，扫描后作为附件上传，与网上投诉一并提交。"
    uploads = MultipleFileField(
        label="诉求附件",
        error_messages={"required": "请选择要上传的文件。"},
        help_text="可一次选择多个文件；PDF、JPEG 或 PNG，每个不大于10M。",
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png", "multiple": True}),
    )

    def clean_uploads(self):
        uploads = self.cleaned_data["uploads"]
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(_check_scan(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class SubmissionForm(CaseForm):
    intro = "在平台上提交成功后，登记平台账户、查询码和提交时间。账户密码加密保存。"
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
    # The moment of submission, as the platform stamps it: the step's ``on`` is a time here.
    on = forms.DateTimeField(
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["platform"]).queryset = SubmissionPlatform.objects.active()
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localtime().replace(second=0, microsecond=0))

    def clean_on(self):
        value = self.cleaned_data["on"]
        if self.case.authorized_on and timezone.localtime(value).date() < self.case.authorized_on:
            raise ValidationError(
                "提交时间不能早于委托日期（%(d)s）。", params={"d": self.case.authorized_on}
            )
        return value

    def clean_registration_scan(self):
        upload = self.cleaned_data.get("registration_scan")
        return _check_scan(upload) if upload else None


# --- Handling steps after submission: 《信访工作条例》第22-36条 ------------------------------------


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


class StepForm(CaseForm):
    """A dated handling step: its dates start as today, its documents are checked like scans."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
    intro = (
        "信访部门应在登记之日起{forward}内将信访事项转送或交办有权处理机关（《信访工作条例》第二十二条）。"
    )
    on = _date_field("转送交办日期")
    mode = forms.ChoiceField(label="方式", choices=ForwardMode.choices, widget=forms.RadioSelect)
    handling_body = forms.CharField(
        label="有权处理机关",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：镇坪县住房和城乡建设局"}),
    )


class ReceiveForm(StepForm):
    intro = (
        "有权处理机关收到之日起{accept_notice}内应告知是否受理；认为不属于其职权范围的，"
        "应在{competence_objection}内提出异议（第二十三条）。"
    )
    on = _date_field("有权处理机关收到日期")


class AcceptForm(StepForm):
    intro = "有权处理机关决定受理并告知信访人。受理之日起{conclude}内应当办结（第三十四条）。"
    on = _date_field("受理告知日期")


class RefuseForm(StepForm):
    """不予受理 / 不再受理: the ground (a choice of the 条例's, or 其他 written out) and the notice."""

    intro = (
        "有权处理机关决定不予受理或不再受理，并书面告知信访人。办理程序至此终结；"
        "告知书送达后，与其他答复一样填写反馈表、请信访人评价。"
    )
    GROUNDS: type = NotAcceptGround
    on = _date_field("书面告知信访人日期")
    grounds = forms.ChoiceField(
        label="依据",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择依据。", "invalid_choice": "请从列出的依据中选择。"},
        help_text="条文的简要概括，以告知书为准。",
    )
    reason = forms.CharField(
        label="理由说明",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="选择“其他理由”的，必须写明；其他依据也可补充说明（不要填写身份证号、电话等个人信息）。",
    )
    document = _document_field("告知书扫描件（选填）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grounds: Any = self.GROUNDS  # a TextChoices class, set by each subclass
        cast(forms.ChoiceField, self.fields["grounds"]).choices = grounds.choices

    def clean(self):
        data = super().clean()
        if data.get("grounds") == "other" and not (data.get("reason") or "").strip():
            self.add_error("reason", "选择“其他理由”的，请写明理由。")
        return data


class NotAcceptForm(RefuseForm):
    GROUNDS = NotAcceptGround


class NotAcceptAgainForm(RefuseForm):
    GROUNDS = NotAcceptAgainGround


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class LateRequestForm(StepForm):
    """A request within a window (the step's ``window``): the form shows when the window ends,
    and a request dated after it needs the reason it comes late (第三十五条、第三十六条). The
    action checks the same (``actions``), so no caller can record a late request silently."""

    window_words = "申请期限"
    late_reason = forms.CharField(
        label="逾期理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = getattr(self.step, "window", "")
        self.window_end = hooks.window_end(self.case, code) if code else None
        field = self.fields["late_reason"]
        field.help_text = f"超过{self.window_words}提出的，写明逾期的原因；在期限内的不填。"
        if self.window_end is not None:
            field.help_text = f"{self.window_words}于{_cn(self.window_end)}届满。" + field.help_text
        self.order_fields([name for name in self.fields if name != "late_reason"] + ["late_reason"])

    def clean(self):
        data = super().clean()
        on, end = data.get("on"), self.window_end
        if end is not None and on is not None and on > end and not (data.get("late_reason") or "").strip():
            self.add_error(
                "late_reason",
                f"{self.fields['on'].label}晚于{self.window_words}（{_cn(end)}届满），请写明逾期理由。",
            )
        return data


class ObjectionForm(LateRequestForm):
    intro = (
        "有权处理机关认为不属于其职权范围的，应当自收到之日起{competence_objection}内提出异议，"
        "并详细说明理由（第二十三条）；经转送、交办的信访部门核实同意后，改送有权处理的机关。"
        "新机关收到后，受理告知和管辖异议的期限重新起算；原机关和新机关都记入办理记录。"
    )
    window_words = "异议期限"
    on = _date_field("提出异议日期")
    reason = forms.CharField(label="异议理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    handling_body = forms.CharField(
        label="改送的有权处理机关",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：镇坪县水利局"}),
    )
    mode = forms.ChoiceField(label="方式", choices=ForwardMode.choices, widget=forms.RadioSelect)
    forwarded_on = _date_field("改送日期")

    def clean(self):
        data = super().clean()
        if data.get("on") and data.get("forwarded_on") and data["forwarded_on"] < data["on"]:
            self.add_error("forwarded_on", "改送日期不能早于提出异议的日期。")
        body = (data.get("handling_body") or "").strip()
        if body and body == self.case.handling_body.strip():
            self.add_error("handling_body", "改送的机关与原有权处理机关相同，请填写新的有权处理机关。")
        return data


class ExtendForm(StepForm):
    intro = "情况复杂的，经本机关负责人批准，可以适当延长办理期限，但延长期限不得超过{extension_limit}，并告知信访人延期理由（第三十四条）。"
    on = _date_field("批准延期日期")
    days = forms.IntegerField(
        label="延长天数",
        min_value=1,
        max_value=EXTENSION_LIMIT_DAYS,
        error_messages={
            "max_value": f"延长期限不得超过{EXTENSION_LIMIT_DAYS}日。",
            "min_value": "至少延长1日。",
        },
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
    intro = "书面答复送达信访人。信访人不服的，可以自收到之日起{review_request}内请求复查（第三十五条）。"
    on = _date_field("送达日期")


class RequestReviewForm(LateRequestForm):
    intro = (
        "信访人对处理意见不服，请求原办理机关的上一级机关复查；"
        "复查机关应自收到请求之日起{review_opinion}内提出复查意见（第三十五条）。"
    )
    on = _date_field("复查机关收到请求日期")
    reviewing_body = forms.CharField(label="复查机关", max_length=100)


class ReviewForm(StepForm):
    intro = (
        "复查机关提出复查意见，并予以书面答复。信访人不服的，可以自收到书面答复之日起{re_review_request}内"
        "请求复核（第三十六条）：复查意见送达信访人后，请登记送达日期，复核申请期限从送达之日起算。"
    )
    on = _date_field("复查意见日期")
    outcome = forms.ChoiceField(label="复查意见", choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    document = _document_field("复查意见书", required=False)


class DeliverReviewForm(StepForm):
    intro = (
        "书面复查意见送达信访人。信访人对复查意见不服的，可以自收到书面答复之日起{re_review_request}内"
        "向复查机关的上一级机关请求复核（第三十六条）：期限从这一天起算。"
    )
    on = _date_field("复查意见送达日期")


class HearingForm(StepForm):
    intro = (
        "复核机关可以举行听证；听证所需时间不计算在复核期限内（第三十六条）。"
        "登记听证的起止日期，复核意见的届满日相应顺延，事项页注明顺延的原因。"
    )
    on = _date_field("听证开始日期")
    ended_on = _date_field("听证结束日期", "只举行一天的，与开始日期相同。")

    def clean(self):
        data = super().clean()
        if data.get("on") and data.get("ended_on") and data["ended_on"] < data["on"]:
            self.add_error("ended_on", "听证结束日期不能早于开始日期。")
        return data


class RequestReReviewForm(LateRequestForm):
    intro = (
        "信访人对复查意见不服，请求复查机关的上一级机关复核；"
        "复核机关应自收到请求之日起{re_review_opinion}内提出复核意见（第三十六条）。"
    )
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


class FollowUpForm(CaseForm):
    intro = "及时进入网上信访信息系统跟踪办理进展，提醒、督促有权处理机关及时受理、规范办理和送达告知。"
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


def dated_form(date_label: str) -> type[StepForm]:
    """The form of a step declared without one: its date, nothing else."""
    return type("DatedStepForm", (StepForm,), {"on": _date_field(date_label)})
