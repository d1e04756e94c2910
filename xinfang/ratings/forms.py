from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from xinfang.cases.forms import DateInput, DateTimeInput, YesNoField, not_in_future
from xinfang.cases.models import Case, FileKind
from xinfang.core import files
from xinfang.core.forms import Form
from xinfang.ratings import actions
from xinfang.ratings.models import (
    AgentRating,
    BodyReason,
    FeedbackForm,
    InstructionMeans,
    OfficeReason,
    RatingChannel,
    Satisfaction,
)

DATE_ERRORS = {"invalid": "请输入有效日期，如 2026-11-29。", "required": "请填写日期。"}


class RatingForm(Form):
    """What staff record: the public page's channel is the petitioner's own, not offered here."""

    channel = forms.ChoiceField(
        label="评价方式",
        widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in (RatingChannel.PLATFORM, RatingChannel.AGENT)],
        help_text="信访人不会电脑操作的，由代理员按信访人真实评价意见代为评价（附件 三(五)）。",
    )
    office_satisfaction = forms.ChoiceField(
        label="对信访机构的满意度", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    body_satisfaction = forms.ChoiceField(
        label="对有权处理机关的满意度", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    rated_on = forms.DateField(
        label="评价日期",
        widget=DateInput(),
        validators=[not_in_future],
        error_messages=DATE_ERRORS,
        help_text="信访人（或代理员代为）在网上信访平台评价的日期。",
    )
    instruction_means = forms.ChoiceField(
        label="信访人表达评价意见的方式（代为评价时填写）",
        required=False,
        widget=forms.RadioSelect,
        choices=InstructionMeans.choices,
    )
    instructed_at = forms.DateTimeField(
        label="信访人表达评价意见的时间（代为评价时填写）",
        required=False,
        widget=DateTimeInput(),
        validators=[not_in_future],
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"invalid": "请输入有效的日期和时间。"},
    )
    comment = forms.CharField(
        label="具体意见（选填）",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="信访人的原话，不要填写身份证号、电话等个人信息。",
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if not self.is_bound:
            self.initial.setdefault("rated_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("channel") != RatingChannel.AGENT:
            data["instruction_means"], data["instructed_at"] = "", None
        for field, message in actions.rating_problems(self.case, data).items():
            if field not in self.errors:  # a field's own error says it first
                self.add_error(field, message)
        return data


def YesNotField(**kwargs) -> YesNoField:  # noqa: N802 - reads as a field class
    """附件2's 是（）/不是（） questions: answered, never defaulted."""
    return YesNoField(no="不是", **kwargs)


class FeedbackEntryForm(Form):
    """The 反馈表 (seed 附件2), field by field in the order of the paper form."""

    documents = forms.CharField(
        label="现将答复意见书",
        max_length=200,
        help_text="填写答复意见书的名称或文号，即“现将答复意见书____等__件转送于您”的空白处。",
    )
    document_count = forms.IntegerField(
        label="件数", min_value=1, max_value=99, error_messages={"min_value": "件数至少为1。"}
    )
    truthful = YesNotField(label="1.是否如实通过网络反映您的诉求？")
    notified_in_time = YesNotField(label="2.是否按时告知受理意见（受理、不予受理或不再受理）？")
    forwarded_in_time = YesNotField(label="3.是否及时转送有权处理机关？")
    agent_rating = forms.ChoiceField(
        label="4.您对代理工作作出评价？", choices=AgentRating.choices, widget=forms.RadioSelect
    )
    office_satisfaction = forms.ChoiceField(
        label="对信访机构满意度评价", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    office_reasons = forms.MultipleChoiceField(
        label="不满意原因（可多选）",
        required=False,
        choices=OfficeReason.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="仅在选择“不满意”时勾选。",
    )
    office_comment = forms.CharField(
        label="具体意见内容", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    body_satisfaction = forms.ChoiceField(
        label="对责任机关处理意见评价", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    body_reasons = forms.MultipleChoiceField(
        label="不满意原因（可多选）",
        required=False,
        choices=BodyReason.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="仅在选择“不满意”时勾选。",
    )
    body_comment = forms.CharField(
        label="具体意见内容", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    delivered_by = forms.CharField(
        label="送达人",
        max_length=100,
        help_text="至少2名工作人员，姓名之间用顿号、逗号或空格分隔。",
        widget=forms.TextInput(attrs={"placeholder": "如：张某某、刘某某"}),
    )
    delivered_at = forms.DateField(
        label="送达时间", widget=DateInput(), validators=[not_in_future], error_messages=DATE_ERRORS
    )
    petitioner_signed = forms.BooleanField(label="委托人（信访人）已在反馈表上签字", required=False)
    signed_on = forms.DateField(
        label="签字日期",
        required=False,
        widget=DateInput(),
        validators=[not_in_future],
        error_messages=DATE_ERRORS,
    )
    signed_scan = forms.FileField(
        label="签字后的反馈表扫描件",
        required=False,
        help_text="PDF、JPEG 或 PNG，不大于10M。已上传的，不选则保留原件。",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    SECTIONS = (
        ("转送答复意见书", ("documents", "document_count")),
        ("一、对代理员工作评价", ("truthful", "notified_in_time", "forwarded_in_time", "agent_rating")),
        ("二、对信访机构满意度评价", ("office_satisfaction", "office_reasons", "office_comment")),
        ("三、对责任机关处理意见评价", ("body_satisfaction", "body_reasons", "body_comment")),
        ("送达与签字", ("delivered_by", "delivered_at", "petitioner_signed", "signed_on", "signed_scan")),
    )

    def __init__(self, *args, case: Case, instance: FeedbackForm | None = None, **kwargs):
        given = "initial" in kwargs  # the batch grid gives each row its own
        if instance is not None:
            kwargs.setdefault(
                "initial", {field: getattr(instance, field) for field in actions.FEEDBACK_FIELDS}
            )
        super().__init__(*args, **kwargs)
        self.case, self.instance = case, instance
        if instance is None and not self.is_bound and not given:
            replies = case.files.filter(kind__in=(FileKind.REPLY, FileKind.REFUSAL)).count()
            self.initial.update(
                documents="",
                document_count=replies or 1,
                delivered_at=case.delivered_on or timezone.localdate(),
            )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_signed_scan(self):
        upload = self.cleaned_data.get("signed_scan")
        if not upload:
            return None
        try:
            return files.check_upload(upload)
        except ValidationError:
            raise
        except Exception as exc:  # an unreadable upload
            raise ValidationError("文件无法读取，请重新选择。") from exc

    def clean(self):
        data = super().clean()
        for field, message in actions.feedback_problems(self.case, data).items():
            if field not in self.errors:  # a field's own error says it first
                self.add_error(field if field in self.fields else None, message)
        return data
