"""The auditor's filters on the log: what happened, who, and between which days."""

from __future__ import annotations

from django import forms

from xinfang.audit.models import AuditAction
from xinfang.core.forms import Form

DATE_ERRORS = {"invalid": "请输入有效日期，如 2026-11-29。"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AuditFilterForm(Form):
    action = forms.ChoiceField(label="动作", required=False, choices=[("", "全部"), *AuditAction.choices])
    actor = forms.CharField(label="账号", required=False, max_length=150)
    start = forms.DateField(label="起始日期", required=False, widget=DateInput(), error_messages=DATE_ERRORS)
    end = forms.DateField(label="截止日期", required=False, widget=DateInput(), error_messages=DATE_ERRORS)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "截止日期不能早于起始日期。")
        return data

    def filters(self) -> dict:
        """The valid filters (a wrong one is left out and shown at its field)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            key: data[key]
            for key in ("action", "actor", "start", "end")
            if key in data and data[key] and key not in self.errors
        }
