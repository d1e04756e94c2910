"""What the cells of an old 台账 hold, read as the platform keeps it.

Each reader takes a cell's value (a string, a number, a date or None, as openpyxl gives it) and
returns the value to keep, or raises ``ValueError`` with a message in Chinese that says what to
change. Strings are folded first (NFKC: full-width digits and letters become ASCII) and trimmed.

Dates: Excel dates, Excel's day numbers (a cell not formatted as a date), 2025-03-04, 2025.3.4,
2025/3/4, 2025年3月4日, 20250304, and 3/4/2025 (month first, as Excel writes it).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

from xinfang.core.identity import IdKind, validate_document
from xinfang.core.validators import (
    text_problem,
    validate_landline,
    validate_mobile,
    validate_person_name,
    validate_query_code,
)

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # day 0 of Excel's count (with its 1900 leap-year bug)
FIRST_DAY, LAST_YEAR = datetime.date(2000, 1, 1), 2100

_YMD = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_MDY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(?:\s+|T)(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
_PHONE_NOISE = re.compile(r"[\s\-－—()（）.]")


def text(value: object) -> str:
    """A cell as text: folded, trimmed; a whole number without its ``.0``; None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def checked_text(value: object, *, limit: int, multiline: bool = False) -> str:
    """Free text: no characters a document or the database cannot hold, at most ``limit``."""
    result = text(value)
    if not multiline:
        result = " ".join(result.split())
    problem = text_problem(result, multiline=multiline)
    if problem is not None:
        raise ValueError(problem.messages[0])
    if len(result) > limit:
        raise ValueError(f"不超过{limit}个字（现为{len(result)}个字）。")
    return result


def _valid_day(day: datetime.date, today: datetime.date) -> datetime.date:
    if not FIRST_DAY <= day <= datetime.date(LAST_YEAR, 12, 31):
        raise ValueError(f"日期 {day:%Y-%m-%d} 不在2000年至2100年之间，请核对。")
    if day > today:
        raise ValueError(f"日期 {day:%Y-%m-%d} 晚于今天，请核对。")
    return day


def moment(value: object, today: datetime.date) -> tuple[datetime.date, datetime.time | None]:
    """A day, with its time of day where the cell gives one."""
    if isinstance(value, datetime.datetime):
        time = value.time() if value.time() != datetime.time() else None
        return _valid_day(value.date(), today), time
    if isinstance(value, datetime.date):
        return _valid_day(value, today), None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError(f"“{text(value)}”不是日期。")
        day = EXCEL_EPOCH + datetime.timedelta(days=int(value))
        seconds = round((value - int(value)) * 86400)
        time = (datetime.datetime.min + datetime.timedelta(seconds=seconds)).time() if seconds else None
        return _valid_day(day, today), time
    raw = text(value)
    time = None
    found = _TIME.search(raw)
    if found:
        time = datetime.time(int(found[1]) % 24, int(found[2]), int(found[3] or 0))
        raw = raw[: found.start()].strip()
    try:
        if (m := _YMD.fullmatch(raw)) or (m := _COMPACT.fullmatch(raw)):
            day = datetime.date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _MDY.fullmatch(raw):
            day = datetime.date(int(m[3]), int(m[1]), int(m[2]))
        elif raw.isdigit() and 1 <= int(raw) < 2958466:
            return moment(int(raw), today)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"“{raw}”不是有效日期，请写成 2025-03-04 这样的格式。") from None
    return _valid_day(day, today), time


def day(value: object, today: datetime.date) -> datetime.date:
    return moment(value, today)[0]


def instant(value: object, today: datetime.date) -> datetime.datetime:
    """A moment of the platform's time zone (the day's beginning where no time is given)."""
    on, time = moment(value, today)
    return timezone.make_aware(datetime.datetime.combine(on, time or datetime.time()))


def person_name(value: object) -> str:
    try:
        name = validate_person_name(text(value))
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    if len(name) > 30:
        raise ValueError("姓名不超过30个字。")
    return name


def id_kind(value: object) -> str:
    raw = text(value)
    if not raw:
        return IdKind.RESIDENT
    for kind, label in IdKind.choices:
        if raw in (kind, label) or (raw == "身份证" and kind == IdKind.RESIDENT):
            return kind
    raise ValueError(f"证件类型“{raw}”不认识，应为：{'、'.join(IdKind.labels)}。")


def document_number(value: object, kind: str) -> str:
    """An ID number: spaces, full-width digits and a lower-case x are fine; a number that Excel
    stored as a number has lost its last digits and cannot be read back."""
    if isinstance(value, float) or (isinstance(value, int) and len(str(value)) > 15):
        raise ValueError(
            "身份证号被 Excel 存成了数字（显示为科学计数法，后几位已变成0），无法还原。"
            "请把此列设为“文本”格式后重新录入这些号码。"
        )
    try:
        return validate_document(kind, text(value))
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def phones(value: object) -> tuple[str, str]:
    """(mobile, landline) from one phone cell: dashes, spaces, brackets and +86 or 0086 are fine;
    a number with an area code is a landline."""
    raw = text(value)
    if not raw:
        return "", ""
    digits = _PHONE_NOISE.sub("", raw)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    try:
        if digits.startswith("1"):
            return validate_mobile(digits), ""
        return "", validate_landline(raw.replace("+86", "").strip())
    except ValidationError as exc:
        raise ValueError(f"“{raw}”：{exc.messages[0]}") from None


def landline(value: object) -> str:
    raw = text(value)
    if not raw:
        return ""
    try:
        return validate_landline(raw)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def query_code(value: object) -> str:
    try:
        code = validate_query_code(text(value))
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    if len(code) > 60:
        raise ValueError("查询码不超过60个字符。")
    return code


def whole_number(value: object, *, low: int = 1, high: int = 100000) -> int:
    raw = text(value)
    if not raw:
        return low
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"“{raw}”应为{low}到{high}之间的整数。")
    return int(raw)


def yes_no(value: object) -> bool:
    raw = text(value)
    if raw in ("", "否", "不", "不允许", "不公开", "N", "n", "No", "no", "0", "×"):
        return False
    if raw in ("是", "允许", "公开", "Y", "y", "Yes", "yes", "1", "√"):
        return True
    raise ValueError(f"“{raw}”应为“是”或“否”。")


def choice(
    value: object, options: list[tuple[str, str]], *, what: str, synonyms: dict[str, str] | None = None
) -> str:
    """A value of a list: its label as written, a synonym, or the code; "" when the cell is empty."""
    raw = text(value)
    if not raw:
        return ""
    compact = "".join(raw.split())
    for code, label in options:
        if compact in (code, label, "".join(label.split())):
            return code
    if synonyms and compact in synonyms:
        return synonyms[compact]
    allowed = "、".join(label for _, label in options)
    raise ValueError(f"{what}“{raw}”不认识，应为：{allowed}。")
