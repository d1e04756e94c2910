from __future__ import annotations

import datetime
import re
from typing import cast

from django import forms
from django.utils import timezone

from xinfang.accounts.models import Unit
from xinfang.cases.forms import DateInput
from xinfang.core.forms import MAX_YEAR, MIN_YEAR, Form
from xinfang.figures.actions import MAX_MONTHLY_TARGET, MAX_TALLY
from xinfang.figures.models import Channel, CountyFigure
from xinfang.figures.periods import KINDS, MONTH, QUARTER, RANGE, YEAR, Period

MONTH_VALUE = re.compile(r"^([0-9]{4})-([0-9]{1,2})$", re.ASCII)
MAX_RANGE_DAYS = 3 * 366


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A month as 2026-03 (the browser's month picker), cleaned to its first day."""

    widget = MonthInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_VALUE.match(value.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError("请按“2026-03”的格式填写月份。")
        year = int(match.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise forms.ValidationError(f"月份应在{MIN_YEAR}年至{MAX_YEAR}年之间。")
        return datetime.date(year, int(match.group(2)), 1)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, datetime.date) else value


def _years(today: datetime.date) -> list[tuple[int, str]]:
    return [(y, f"{y}年") for y in range(today.year, 2016, -1)]


class PeriodForm(Form):
    """The dashboard's period chooser (GET). Unbound or invalid: the current month."""

    kind = forms.ChoiceField(label="统计周期", choices=KINDS, initial=MONTH)
    month = MonthField(label="月份", required=False)
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    quarter = forms.TypedChoiceField(
        label="季度",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(q, f"第{q}季度") for q in (1, 2, 3, 4)],
    )
    start = forms.DateField(label="起始日期", required=False, widget=DateInput())
    end = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        cast(forms.ChoiceField, self.fields["year"]).choices = [("", "—"), *_years(self.today)]
        self.fields["month"].initial = self.today.replace(day=1)
        self.fields["year"].initial = self.today.year

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == MONTH and not data.get("month"):
            self.add_error("month", "请选择月份。")
        elif kind in (QUARTER, YEAR) and not data.get("year"):
            self.add_error("year", "请选择年度。")
        elif kind == QUARTER and not data.get("quarter"):
            self.add_error("quarter", "请选择季度。")
        elif kind == RANGE:
            start, end = data.get("start"), data.get("end")
            for name, day in (("start", start), ("end", end)):
                if day and not 2000 <= day.year <= 2100:
                    self.add_error(name, "日期应在2000年至2100年之间。")
                    return data
            if not start or not end:
                self.add_error("start" if not start else "end", "请填写起止日期。")
            elif end < start:
                self.add_error("end", "截止日期不能早于起始日期。")
            elif (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("end", "区间最长三年。")
        return data

    def period(self) -> Period:
        if not self.is_bound or not self.is_valid():
            return Period.current_month(self.today)
        data = self.cleaned_data
        if data["kind"] == MONTH:
            return Period.month(data["month"].year, data["month"].month)
        if data["kind"] == QUARTER:
            return Period.quarter(data["year"], data["quarter"])
        if data["kind"] == YEAR:
            return Period.year(data["year"])
        return Period.range(data["start"], data["end"])


class TargetForm(Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), empty_label=None)
    monthly_target = forms.IntegerField(
        label="每月代理目标（件）", min_value=1, max_value=MAX_MONTHLY_TARGET, initial=1
    )
    effective_from = MonthField(label="自哪个月起", help_text="该月及以后各月适用，之前各月保持原目标。")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )
        self.fields["effective_from"].initial = timezone.localdate().replace(day=1)


class CountyTargetForm(Form):
    """A county-wide target (per cent) from a month on, e.g. 网上投诉占比 50%."""

    prefix = "county"
    figure = forms.ChoiceField(label="指标", choices=CountyFigure.choices, initial=CountyFigure.ONLINE_SHARE)
    percent = forms.IntegerField(label="目标（%）", min_value=1, max_value=100, initial=50)
    effective_from = MonthField(
        label="自哪个月起", help_text="该月及以后各月按此目标判断，之前各月保持原目标。"
    )
    basis = forms.CharField(
        label="依据（选填）",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：县政府办通知、领导小组会议纪要"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate().replace(day=1)


class MonthChoiceForm(Form):
    month = MonthField(label="月份")


class TallyGridForm(Form):
    """One number field per unit and channel: ``t_<unit id>_<channel>``; blank = 未登记."""

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for unit in self.units:
            for channel, label in Channel.choices:
                self.fields[self.key(unit.pk, channel)] = forms.IntegerField(
                    label=f"{unit.name}{label}",
                    required=False,
                    min_value=0,
                    max_value=MAX_TALLY,
                    widget=forms.NumberInput(attrs={"class": "tally-cell", "min": 0}),
                    error_messages={"min_value": "不能为负数。", "invalid": "请填写整数。"},
                )

    @staticmethod
    def key(unit_id: int, channel: str) -> str:
        return f"t_{unit_id}_{channel}"

    def rows(self):
        """For the template: each unit with its bound fields in channel order."""
        return [(unit, [self[self.key(unit.pk, ch)] for ch in Channel.values]) for unit in self.units]

    def counts(self) -> dict[tuple[int, str], int | None]:
        return {
            (unit.pk, ch): self.cleaned_data.get(self.key(unit.pk, ch))
            for unit in self.units
            for ch in Channel.values
        }


class TallyUploadForm(Form):
    file = forms.FileField(label="填好的模板（.xlsx）", error_messages={"required": "请选择文件。"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 文件（用本页的模板填写）。")
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("文件不能大于2MB。")
        return upload
