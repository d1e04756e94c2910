from __future__ import annotations

from django import forms

from xinfang.bulletins.actions import MAX_REASON, MAX_SUMMARY
from xinfang.core.forms import Form
from xinfang.figures.forms import MonthField


class MonthForm(Form):
    month = MonthField(label="月份")


class PublishForm(Form):
    month = MonthField(label="月份")
    issue_number = forms.CharField(
        label="文号",
        max_length=40,
        required=False,
        help_text="留空则按本年度顺序自动编号，如“镇网代〔2026〕10号”。",
    )
    summary = forms.CharField(
        label="总体情况说明",
        required=False,
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="写在“一、总体情况”开头，可留空。不要写信访人姓名、身份证号、电话等个人信息。",
    )
    confirm = forms.BooleanField(
        label="确认发布：发布后该月统计数字即被固定；如有错误，只能更正或撤回，不能再次发布。",
        error_messages={"required": "请勾选确认。"},
    )


def _reason(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明原因。"},
        help_text="记入通报记录和审计日志，例如“城关镇3月代理件数漏录2件”。",
    )


class WithdrawForm(Form):
    reason = _reason("撤回原因")
    confirm = forms.BooleanField(
        label="确认撤回：撤回后该月不再固定，统计页恢复显示实时数字，可重新发布。",
        error_messages={"required": "请勾选确认。"},
    )


class CorrectForm(Form):
    reason = _reason("更正原因")
    issue_number = PublishForm.base_fields["issue_number"]
    summary = PublishForm.base_fields["summary"]
    confirm = forms.BooleanField(
        label="确认更正：原通报撤回，按当前数字重新生成并发布更正通报，该月数字按更正通报固定。",
        error_messages={"required": "请勾选确认。"},
    )
