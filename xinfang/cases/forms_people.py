"""The forms of the steps about a case's people: 联名信访人, related cases, handover.

Like ``forms_steps``, each takes the case (``case=``), has an ``intro``, and its fields are the
keyword arguments of its action.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import get_user_model

from xinfang.access import rules
from xinfang.access.models import Reach
from xinfang.accounts.successors import HOLDS_CASES
from xinfang.cases.forms import PetitionerForm
from xinfang.cases.forms_steps import CaseForm
from xinfang.cases.models import MAX_REPRESENTATIVES, Case


class CoPetitionerForm(CaseForm, PetitionerForm):
    intro = (
        "联名信访的其他信访人，逐人填写本人信息，与第一信访人一样加密保存；授权委托书列明全部信访人，"
        f"可打印一份列明全部信访人的，也可每人一份。五人以上的集体访只登记推选的代表，不超过{MAX_REPRESENTATIVES}人"
        "（《信访工作条例》第二十条）。"
    )


class RemoveCoPetitionerForm(CaseForm):
    intro = "从本事项中移除一名联名信访人（如误登记、本人不再参加）。第一信访人不能在这里移除，请在“修改登记信息”中更正。"
    position = forms.TypedChoiceField(label="联名信访人", coerce=int, choices=())

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        rows = case.co_petitioners.select_related("petitioner")
        cast(forms.ChoiceField, self.fields["position"]).choices = [("", "请选择")] + [
            (row.position, f"第{index}名 {row.petitioner.name}") for index, row in enumerate(rows, start=2)
        ]


class LinkForm(CaseForm):
    intro = "把反映同一事项的几件事项关联起来（如集体访与参加者各自登记的事项），双方页面互相显示，县信访局可在集体访清单中看到。"
    other = forms.CharField(
        label="关联事项编号",
        max_length=40,
        widget=forms.TextInput(attrs={"class": "mono", "placeholder": "如 城关镇-2026-0012"}),
    )
    note = forms.CharField(label="说明（选填）", max_length=200, required=False)

    def clean_other(self):
        number = " ".join(self.cleaned_data["other"].split())
        other = Case.objects.filter(number=number).exclude(pk=self.case.pk).first()
        if other is None:
            raise forms.ValidationError(f"没有找到编号为 {number} 的事项，请核对编号。")
        return other


class HandOverForm(CaseForm):
    intro = (
        "把本事项移交给本单位另一名代理员，由其继续办理：此后的提醒发给新的代理员，"
        "平台填报内容首行写新的代理员，可为新的代理员重新打印授权委托书。办理记录保留前后两名代理员。"
    )
    agent = forms.ModelChoiceField(
        label="接手的代理员", queryset=get_user_model().objects.none(), empty_label="请选择"
    )
    reason = forms.CharField(
        label="移交原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：原代理员调岗"}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.intro = f"现由代理员{case.agent.full_name}办理。" + self.intro
        cast(forms.ModelChoiceField, self.fields["agent"]).queryset = (
            get_user_model()
            .objects.filter(
                rules.holders(HOLDS_CASES, unit=case.unit_id, reach=Reach.UNIT), unit_id=case.unit_id
            )
            .exclude(pk=case.agent_id)
            .order_by("full_name")
        )
