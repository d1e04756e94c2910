from __future__ import annotations

from typing import cast

from django import forms

from xinfang.accounts.models import Unit
from xinfang.cases.forms import DateInput, not_in_future
from xinfang.core.forms import Form, QueryCodeField
from xinfang.public.actions import normalize_digits
from xinfang.public.models import PublicityKind
from xinfang.ratings.models import Satisfaction


class TrackForm(Form):
    """查询码 and the last four digits of the petitioner's mobile. Posted, never in the URL."""

    code = QueryCodeField(
        label="查询码",
        error_messages={"required": "请输入查询码。"},
        help_text="在网上投诉提交成功后取得，可向为您代理的代理员询问。",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "mono",
            }
        ),
    )
    last4 = forms.CharField(
        label="手机号后四位",
        max_length=8,
        error_messages={"required": "请输入手机号码的最后四位数字。"},
        help_text="投诉时登记的信访人手机号码的最后四位数字；没有登记手机的，填登记的固定电话号码的最后四位。",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "inputmode": "numeric",
                "pattern": "[0-9]{4}",
                "class": "mono",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]  # letters and digits, folded as the lookup folds them
        if not code:
            raise forms.ValidationError("请输入查询码。")
        return code

    def clean_last4(self):
        digits = normalize_digits(self.cleaned_data["last4"])
        if len(digits) != 4:
            raise forms.ValidationError("请输入手机号码的最后四位数字。")
        return digits


class RatingForm(Form):
    """结果网上评: the two questions of the 反馈表 (seed 附件2 二、三), with an optional comment."""

    token = forms.CharField(widget=forms.HiddenInput)
    office_satisfaction = forms.ChoiceField(
        label="对信访机构的评价",
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择对信访机构的评价。"},
    )
    body_satisfaction = forms.ChoiceField(
        label="对有权处理机关处理意见的评价",
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择对有权处理机关处理意见的评价。"},
    )
    comment = forms.CharField(
        label="具体意见（选填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="请不要填写姓名、身份证号、电话等个人信息。",
    )


class PublicityForm(Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), empty_label=None)
    on = forms.DateField(label="日期", widget=DateInput(), validators=[not_in_future])
    place = forms.CharField(
        label="地点", max_length=100, help_text="如：城关镇便民服务中心、文彩村村委会、赶集日集市。"
    )
    kind = forms.ChoiceField(label="形式", choices=PublicityKind.choices, widget=forms.RadioSelect)
    people_reached = forms.IntegerField(
        label="覆盖人数", min_value=1, max_value=100000, help_text="发放份数或到场听取讲解的人数。"
    )
    note = forms.CharField(
        label="说明（选填）", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )
        if units is not None and len(units) == 1:
            # An agent records for the own unit only: nothing to choose.
            self.fields["unit"].initial = units[0]
            self.fields["unit"].widget = forms.HiddenInput()


class PublicityFilterForm(Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位"
    )
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, units=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )
        cast(forms.ChoiceField, self.fields["year"]).choices = [("", "全部年度")] + [
            (str(y), f"{y}年") for y in years
        ]
