from __future__ import annotations

from django import forms

from xinfang.bulletins.actions import MAX_SUMMARY
from xinfang.figures.forms import MonthField


class MonthForm(forms.Form):
    month = MonthField(label="月份")


class PublishForm(forms.Form):
    month = MonthField(label="月份")
    issue_number = forms.CharField(
        label="文号", max_length=40, required=False,
        help_text="留空则按本年度顺序自动编号，如“镇网代〔2026〕10号”。",
    )
    summary = forms.CharField(
        label="总体情况说明", required=False, max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="写在“一、总体情况”开头，可留空。不要写信访人姓名、身份证号、电话等个人信息。",
    )
    confirm = forms.BooleanField(
        label="确认发布：发布后该月统计数字即被固定，不能重复发布。",
        error_messages={"required": "请勾选确认。"},
    )
