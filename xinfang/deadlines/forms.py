"""Forms for the calculator, a year's schedule (typed or uploaded) and a clock's rule."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError

from xinfang.cases.models import PetitionType
from xinfang.core.forms import Form
from xinfang.deadlines import actions
from xinfang.deadlines.calculator import parse_date
from xinfang.deadlines.compute import CALENDAR, WORKDAYS
from xinfang.deadlines.models import ClockKind, DayCount

REQUIRED = {"required": "请填写此项。"}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]
MAX_RANGE_DAYS = 15  # the longest break the State Council has given is 9 days
MAX_UPLOAD_BYTES = 200 * 1024
MAX_ROWS = 200

_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{8}"
_LINE = re.compile(
    rf"^(?P<first>{_DATE})(?:\s*(?:至|到|~|～|—|--)\s*(?P<last>{_DATE}))?(?:\s*[,，、;；:：\t]\s*|\s*)(?P<name>.*)$"
)
HOLIDAY_WORDS = {"放假", "休息", "假日", "节假日", "法定节假日", "休", "holiday"}
WORKDAY_WORDS = {"上班", "调休上班", "补班", "调休", "班", "workday"}


def _expand(first: datetime.date, last: datetime.date | None) -> list[datetime.date]:
    if last is None:
        return [first]
    if last < first:
        raise ValueError("结束日期早于开始日期")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError(f"一段假期不超过{MAX_RANGE_DAYS}天，请检查日期")
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


def parse_lines(text: str, what: str) -> list[tuple[datetime.date, str]]:
    """One date (or a range ``2027-02-05至2027-02-11``) and a name per line.

    Raises ValidationError naming every bad line, so nothing typed has to be guessed at.
    """
    rows: list[tuple[datetime.date, str]] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("\u3000", " ")
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            errors.append(f"{what}第{number}行“{line}”：应以日期开头，如“2027-01-01 元旦”。")
            continue
        try:
            first = parse_date(match["first"])
            last = parse_date(match["last"]) if match["last"] else None
            days = _expand(first, last)
        except ValueError as exc:
            errors.append(f"{what}第{number}行“{line}”：{exc}。")
            continue
        name = match["name"].strip()
        if len(name) > 30:
            errors.append(f"{what}第{number}行“{line}”：名称最多30个字。")
            continue
        rows.extend((day, name) for day in days)
    if errors:
        raise ValidationError(errors)
    return rows


def format_lines(days) -> str:
    """CalendarDay rows back as lines, for editing a year already entered."""
    return "\n".join(f"{d.date:%Y-%m-%d} {d.name}".rstrip() for d in days)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _file_rows(content: bytes) -> list[list[str]]:
    if content.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in row[:3]])
                if len(rows) > MAX_ROWS + 1:
                    break
            return rows
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ValidationError("无法读取这个 Excel 文件，请另存为 .xlsx 或 .csv 后再上传。") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError("无法识别文件的文字编码，请用 Excel 或 WPS 另存为 CSV（UTF-8）或 .xlsx。")
    if "\x00" in text:
        raise ValidationError("文件不是 CSV 或 .xlsx 表格。")
    return [[cell.strip() for cell in row[:3]] for row in csv.reader(io.StringIO(text))]


def parse_table(content: bytes) -> tuple[list[tuple[datetime.date, str]], list[tuple[datetime.date, str]]]:
    """A small table with columns 日期, 类别 (放假/上班), 名称: one row per day."""
    holidays: list[tuple[datetime.date, str]] = []
    workdays: list[tuple[datetime.date, str]] = []
    errors: list[str] = []
    rows = _file_rows(content)
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(f"文件行数太多（最多{MAX_ROWS}行），一次只录入一个年度的安排。")
    for number, row in enumerate(rows, start=1):
        row = (row + ["", "", ""])[:3]
        if not any(row):
            continue
        date_text, kind_text, name = row
        if number == 1 and "日期" in date_text:
            continue  # the header
        try:
            day = parse_date(date_text)
        except ValueError as exc:
            errors.append(f"第{number}行“{'，'.join(c for c in row if c)}”：{exc}。")
            continue
        kind = kind_text.replace(" ", "")
        if kind in HOLIDAY_WORDS:
            holidays.append((day, name))
        elif kind in WORKDAY_WORDS:
            workdays.append((day, name))
        else:
            errors.append(f"第{number}行“{'，'.join(c for c in row if c)}”：类别应填“放假”或“上班”。")
    if errors:
        raise ValidationError(errors)
    if not holidays and not workdays:
        raise ValidationError("文件里没有日期。请按模板填写：日期、类别（放假/上班）、名称。")
    return holidays, workdays


class CalculatorForm(Form):
    start = forms.DateField(
        label="起算日",
        input_formats=DATE_FORMATS,
        error_messages={**REQUIRED, "invalid": "请按 2026-09-30 的格式填写日期。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="引起期限的事件发生之日（如收到之日），当日不计入。",
    )
    length = forms.IntegerField(
        label="期限长度",
        min_value=0,
        max_value=3650,
        error_messages={
            **REQUIRED,
            "invalid": "请填写整数天数。",
            "min_value": "天数不能为负数。",
            "max_value": "天数不超过3650。",
        },
    )
    day_count = forms.ChoiceField(
        label="计算方式",
        choices=[(CALENDAR, "日（自然日，届满日遇休息日顺延）"), (WORKDAYS, "工作日")],
        initial=CALENDAR,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择计算方式。"},
    )

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not 2000 <= start.year <= 2100:
            raise ValidationError("起算日应在2000年至2100年之间。")
        return start


class ScheduleForm(Form):
    """A year's schedule typed from the State Council's notice, one date per line."""

    year = forms.IntegerField(
        label="年份",
        min_value=2000,
        max_value=2100,
        error_messages={
            **REQUIRED,
            "invalid": "请填写四位年份。",
            "min_value": "年份不对。",
            "max_value": "年份不对。",
        },
    )
    source = forms.CharField(
        label="依据",
        max_length=100,
        required=False,
        help_text="如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）。",
    )
    holidays = forms.CharField(
        label="放假日期",
        widget=forms.Textarea(
            attrs={"rows": 12, "placeholder": "2027-01-01 元旦\n2027-02-05至2027-02-11 春节"}
        ),
        error_messages={"required": "请填写放假日期。"},
        help_text="每行一个日期和节日名称，如“2027-01-01 元旦”；连续几天可写成“2027-02-05至2027-02-11 春节”。放假期间的周六、周日也要列出。",
    )
    workdays = forms.CharField(
        label="调休上班日期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "2027-02-07 春节调休"}),
        help_text="需要上班的星期六、星期日，每行一个，如“2027-02-07 春节调休”。没有就空着。",
    )

    def clean_holidays(self):
        return parse_lines(self.cleaned_data["holidays"], "放假日期")

    def clean_workdays(self):
        return parse_lines(self.cleaned_data["workdays"], "调休上班日期")


class UploadForm(Form):
    """Shown on the calendar page beside ScheduleForm, with the same field names: its own ids
    (id_upload_year …), so that each label focuses its own field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_upload_%s")
        super().__init__(*args, **kwargs)

    year = forms.IntegerField(
        label="年份",
        min_value=2000,
        max_value=2100,
        required=False,
        error_messages={"invalid": "请填写四位年份。", "min_value": "年份不对。", "max_value": "年份不对。"},
        help_text="空着则按文件里的日期确定。",
    )
    source = forms.CharField(label="依据", max_length=100, required=False)
    file = forms.FileField(
        label="安排表文件（.csv 或 .xlsx）",
        error_messages={"required": "请选择要上传的文件。"},
        help_text="三列：日期、类别（放假/上班）、名称；第一行可以是表头。可先下载模板填写。",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("文件太大：一年的安排表不会超过200KB，请检查是否选错了文件。")
        return parse_table(upload.read())

    def clean(self):
        data = super().clean()
        parsed = data.get("file")
        if parsed and not data.get("year"):
            years = {d.year for d, _ in parsed[0] + parsed[1]}
            if len(years) != 1:
                raise ValidationError(
                    "文件里有多个年份（%(y)s），请在“年份”中填写要录入的年份。",
                    params={"y": "、".join(str(y) for y in sorted(years))},
                )
            data["year"] = years.pop()
        return data


class ClockForm(Form):
    name = forms.CharField(label="名称", max_length=40, error_messages=REQUIRED)
    start_action = forms.ChoiceField(label="起算环节", error_messages={"required": "请选择起算环节。"})
    stop_actions = forms.MultipleChoiceField(
        label="终止环节",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "至少选择一个终止环节。"},
        help_text="登记这些环节之一时，期限结束。撤回委托和事项终结时，所有期限都结束。",
    )
    length = forms.IntegerField(
        label="期限长度",
        min_value=1,
        max_value=actions.MAX_CLOCK_LENGTH,
        error_messages={
            **REQUIRED,
            "invalid": "请填写整数。",
            "min_value": "至少1天。",
            "max_value": f"不超过{actions.MAX_CLOCK_LENGTH}天。",
        },
    )
    day_count = forms.ChoiceField(label="计算方式", choices=DayCount.choices, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="类别", choices=ClockKind.choices, widget=forms.RadioSelect)
    legal_basis = forms.CharField(label="法律依据", max_length=120, error_messages=REQUIRED)
    petition_types = forms.MultipleChoiceField(
        label="适用的信访类型",
        choices=PetitionType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "至少选择一种信访类型；不再使用的期限请停用。"},
        help_text=(
            "只为这些类型的事项计算该期限。《信访工作条例》第三十四条的60日办结期限适用于第三十一条第六项"
            "（申诉求决类，出具信访处理意见书）的事项；建议意见类、检举控告类事项没有法定办结期限，"
            "按跟踪督办日期跟进。修改后，在办事项的该期限随即增加或撤销，并记入各事项的办理记录。"
        ),
    )
    active = forms.BooleanField(
        label="启用", required=False, help_text="停用后不再为新环节起算；已在计算的期限不变。"
    )
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=32767, error_messages=REQUIRED)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = actions.step_choices()
        cast(forms.ChoiceField, self.fields["start_action"]).choices = [("", "请选择")] + choices
        cast(forms.ChoiceField, self.fields["stop_actions"]).choices = choices

    @staticmethod
    def initial_for(clock) -> dict:
        return {
            "name": clock.name,
            "start_action": clock.start_action,
            "stop_actions": clock.stop_action_list,
            "length": clock.length,
            "day_count": clock.day_count,
            "kind": clock.kind,
            "legal_basis": clock.legal_basis,
            "petition_types": clock.petition_type_list,
            "active": clock.active,
            "sort_order": clock.sort_order,
        }

    def clean(self):
        data = super().clean()
        if data.get("start_action") and data.get("start_action") in (data.get("stop_actions") or []):
            self.add_error("stop_actions", "终止环节不能与起算环节相同。")
        return data
