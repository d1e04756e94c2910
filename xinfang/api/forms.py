"""The forms of the token pages: a personal token, a machine account, another machine token."""

from __future__ import annotations

import datetime
from typing import cast

from django import forms
from django.conf import settings
from django.utils import timezone

from xinfang.accounts.models import Unit
from xinfang.cases.forms import DateInput
from xinfang.core.forms import Form

DEFAULT_DAYS = 90


def _expiry_field() -> forms.DateField:
    return forms.DateField(
        label="有效期至",
        widget=DateInput(),
        help_text="到期当天结束时失效；最长一年。",
        error_messages={"invalid": "请输入有效日期，如 2026-11-29。", "required": "请填写有效期。"},
    )


class TokenForm(Form):
    name = forms.CharField(
        label="令牌名称",
        max_length=60,
        help_text="写明用在哪里，如“手机端”“统计报表工具”，以便日后辨认和撤销。",
    )
    expires_on = _expiry_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["expires_on"] = timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS)
        self.fields["expires_on"].widget.attrs["max"] = (
            timezone.localdate() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
        ).isoformat()


class MachineForm(TokenForm):
    COUNTY = ""
    unit = forms.ModelChoiceField(
        label="可读取的范围",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="全县（所有单位）",
        help_text="对接系统只能读取所选单位的数据；选“全县”可读取所有单位。只读：不能登记、办理或查看完整的个人信息。",
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = "对接系统名称"
        self.fields["name"].help_text = "如“市12345热线”“县信访信息系统”。"
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )
        self.order_fields(["name", "unit", "expires_on"])
