from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from xinfang.access import rules
from xinfang.accounts.models import Unit
from xinfang.cases.forms import DateInput, not_in_future
from xinfang.cases.models import Case
from xinfang.core.forms import Form, PersonNameField
from xinfang.oversight.models import Finding, ReportKind, ReportStatus, Urgency

DATE_ERRORS = {"invalid": "请输入有效日期，如 2026-11-29。", "required": "请填写日期。"}


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        collective = f"（集体访{obj.people_count}人）" if obj.is_collective else ""
        return f"{obj.number} {obj.title}{collective}"


class ReportForm(Form):
    kind = forms.ChoiceField(
        label="类别",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择报告类别。"},
    )
    urgency = forms.ChoiceField(
        label="紧急程度",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择紧急程度。"},
        help_text="执意越级上访、扬言采取过激行为、可能集体上访的，请选“紧急”：县信访局每个页面都会立即提示。",
    )
    happened_on = forms.DateField(
        label="发生日期", widget=DateInput(), validators=[not_in_future], error_messages=DATE_ERRORS
    )
    description = forms.CharField(
        label="情况",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="发生了什么、涉及多少人、何时何地、已做的思想疏导工作。加密保存，仅本单位和县信访局可见。",
    )
    petitioner_name = PersonNameField(
        label="信访人（选填）",
        required=False,
        help_text="关联了代理事项且此处不填的，取该事项的信访人姓名。",
    )
    case = CaseChoiceField(
        label="相关代理事项（选填）",
        required=False,
        queryset=Case.objects.none(),
        empty_label="不关联事项",
        error_messages={"invalid_choice": "只能关联本单位的代理事项。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the columns the choice shows: no personal data is decrypted for the list.
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = (
            rules.scoped(Case.objects.all(), user, "file_report")
            .only("id", "number", "title", "people_count")
            .order_by("-created_at", "-id")
        )
        if not self.is_bound:
            self.initial.setdefault("happened_on", timezone.localdate())


class ReportFilterForm(Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位"
    )
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *ReportKind.choices])
    urgency = forms.ChoiceField(label="紧急程度", required=False, choices=[("", "全部"), *Urgency.choices])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *ReportStatus.choices]
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )


class DisposalForm(Form):
    disposal = forms.CharField(
        label="处置情况",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="采取了什么措施、由谁负责、结果如何。加密保存。",
    )


class InspectionForm(Form):
    unit = forms.ModelChoiceField(label="被督察单位", queryset=Unit.objects.none(), empty_label="请选择单位")
    inspected_on = forms.DateField(
        label="督察日期", widget=DateInput(), validators=[not_in_future], error_messages=DATE_ERRORS
    )
    inspectors = forms.CharField(label="督察人员", max_length=200, help_text="多人用“、”分开，至少一人。")
    no_problems = forms.BooleanField(label="未发现问题", required=False)
    findings = forms.MultipleChoiceField(
        label="发现问题",
        required=False,
        choices=Finding.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="县政府办通知 四：不得强行代理、不得收取代理费用、不得歪曲信访人意愿、不得散布非法言论，并按规定代理。",
    )
    findings_note = forms.CharField(
        label="问题说明", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    rectification = forms.CharField(
        label="整改要求", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    rectify_by = forms.DateField(
        label="整改期限", required=False, widget=DateInput(), error_messages=DATE_ERRORS
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )
        if not self.is_bound:
            self.initial.setdefault("inspected_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("no_problems") and data.get("findings"):
            self.add_error("no_problems", "已勾选“未发现问题”，就不能再选择发现的问题。")
        elif not data.get("no_problems") and "findings" in data and not data["findings"]:
            self.add_error("findings", "请选择发现的问题；没有发现问题的，请勾选“未发现问题”。")
        inspected_on, rectify_by = data.get("inspected_on"), data.get("rectify_by")
        if inspected_on and rectify_by and rectify_by <= inspected_on:
            self.add_error("rectify_by", "整改期限应晚于督察日期。")
        return data


class InspectionFilterForm(Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位"
    )
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    overdue = forms.BooleanField(label="只看逾期未整改", required=False)

    def __init__(self, *args, units=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )
        cast(forms.ChoiceField, self.fields["year"]).choices = [("", "全部年度")] + [
            (str(y), f"{y}年") for y in years
        ]


class RectificationForm(Form):
    rectified_on = forms.DateField(
        label="整改完成日期", widget=DateInput(), validators=[not_in_future], error_messages=DATE_ERRORS
    )
    note = forms.CharField(
        label="整改情况（选填）", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("rectified_on", timezone.localdate())
