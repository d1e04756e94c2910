from __future__ import annotations

from django import forms
from django.utils import timezone

from xinfang.cases.forms import DateInput
from xinfang.core.forms import Form
from xinfang.core.identity import IdKind, validate_document
from xinfang.privacy.actions import MAX_REASON
from xinfang.privacy.models import MAX_YEARS, MIN_YEARS, DataKind


class RuleForm(Form):
    kind = forms.ChoiceField(label="信息类别", choices=DataKind.choices)
    years = forms.IntegerField(
        label="保存年限（年）",
        min_value=MIN_YEARS,
        max_value=MAX_YEARS,
        help_text=f"事项终结之日起保存的年数，{MIN_YEARS}至{MAX_YEARS}年。",
    )
    basis = forms.CharField(
        label="依据",
        max_length=200,
        required=False,
        help_text="如本局会议纪要、档案管理规定的名称和文号。",
    )


class RunForm(Form):
    """The confirmation of a run: the digest of the list the page showed, and a tick."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label="我已核对以上到期清单，确认删除（匿名化）。删除后不能恢复。",
        error_messages={"required": "请勾选确认后再执行。"},
    )


class PersonForm(Form):
    """Who asks (the document, checked by its own rule) and why: the look-up's form. The export
    and the deletion carry the same fields (the document hidden), each with its own reason."""

    id_kind = forms.ChoiceField(label="证件类型", choices=IdKind.choices, initial=IdKind.RESIDENT)
    id_number = forms.CharField(label="证件号码", max_length=30)
    received_on = forms.DateField(label="申请日期", widget=DateInput())
    reason = forms.CharField(
        label="申请事由及身份核验情况",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如“信访人本人到局申请查阅，已核验居民身份证原件”。记入审计日志；请勿填写姓名、证件号码。",
    )

    def __init__(self, *args, hide_document: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["received_on"].initial = timezone.localdate()
        if hide_document:
            for name in ("id_kind", "id_number", "received_on"):
                self.fields[name].widget = forms.HiddenInput()

    def clean_id_number(self):
        return validate_document(
            self.data.get(self.add_prefix("id_kind"), IdKind.RESIDENT), self.cleaned_data["id_number"]
        )


class EraseForm(PersonForm):
    confirm = forms.BooleanField(
        label="已向信访人说明删除的范围和后果，确认删除。删除后不能恢复。",
        error_messages={"required": "请勾选确认后再删除。"},
    )
