"""Checks of what people type: ID numbers (GB 11643-1999), mobiles and landlines, free text,
names of people and codes from the provincial platform."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The check character of GB 11643-1999 (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def normalize_id_number(value: str) -> str:
    """Spaces go, a full-width digit or ｘ typed on a phone becomes ASCII, x becomes X."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def validate_id_number(value: str) -> str:
    """Return the normalized 18-character ID number, or raise with a message an agent can act on."""
    number = normalize_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        if len(number) != 18:
            raise ValidationError(
                "身份证号应为18位，现为%(n)d位，请核对。", code="id_length", params={"n": len(number)}
            )
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或X。", code="id_chars")
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            "身份证号第7-14位的出生日期 %(d)s 不是有效日期，请核对。",
            code="id_birth",
            params={"d": number[6:14]},
        ) from None
    if born.year < 1900 or born > datetime.date.today():
        raise ValidationError("身份证号中的出生日期不在合理范围内，请核对。", code="id_birth")
    expected = id_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            "身份证号校验位不正确：按前17位计算，最后一位应为 %(e)s，请逐位核对。",
            code="id_check",
            params={"e": expected},
        )
    return number


def validate_mobile(value: str) -> str:
    """Return an 11-digit mainland mobile number, or raise."""
    digits = re.sub(r"[\s\-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not re.fullmatch(r"1\d{10}", digits):
        raise ValidationError("手机号码应为以1开头的11位数字。", code="mobile_format")
    import phonenumbers  # a tenth of a second to load: only where a number is checked

    number = phonenumbers.parse(digits, "CN")
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(
            "%(v)s 不是有效的手机号码，请核对号段。", code="mobile_invalid", params={"v": digits}
        )
    return digits


def validate_landline(value: str) -> str:
    """Return a landline as ``0915-8822560``, or raise. The area code is required."""
    raw = re.sub(r"[\s()（）]", "", value or "")
    digits = raw.replace("-", "")
    if re.fullmatch(r"\d{7,8}", digits):
        raise ValidationError("固定电话请带区号，例如 0915-8822560。", code="landline_area")
    if not re.fullmatch(r"0\d{9,11}", digits):
        raise ValidationError("固定电话应为区号加号码，例如 0915-8822560。", code="landline_format")
    import phonenumbers

    number = phonenumbers.parse(digits, "CN")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "%(v)s 不是有效的固定电话号码，请核对。", code="landline_invalid", params={"v": raw}
        )
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    area, _, rest = national.partition(" ")
    return f"{area}-{rest.replace(' ', '')}" if rest else national.replace(" ", "")


# --- Free text -----------------------------------------------------------------------------------
#
# What people type is printed into .docx and .xlsx files and stored in PostgreSQL, which refuse
# some characters outright (XML 1.0 allows no C0 control but tab, line feed and carriage return;
# PostgreSQL allows no NUL in text). Other characters are invisible and deceive the reader: a
# right-to-left override shows 「abc」 as 「cba」, and a zero-width space makes two equal names
# look alike but differ. They are refused where they are typed, with the position, so the user
# can find and delete them; nothing else of what was typed is changed.

LINE_BREAKS = frozenset("\n\r\u2028\u2029")
MULTILINE_ALLOWED = frozenset("\t") | LINE_BREAKS
# Bidirectional formatting: embeddings, overrides, isolates and the marks (Unicode UAX #9).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REPLACEMENT = "\ufffd"  # what an invalid UTF-8 byte sequence becomes when a request is decoded
# Shown as nothing although they are letters or symbols (used to fake an empty name).
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def _is_noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE or 0xD800 <= code <= 0xDFFF


def is_invisible(ch: str) -> bool:
    """Whitespace, format characters (zero-width space, joiners, BOM, soft hyphen, tags) and the
    letters that are drawn blank."""
    return ch.isspace() or unicodedata.category(ch) == "Cf" or ch in BLANK_LOOKING


def show_char(ch: str) -> str:
    """A character as a message can show it: itself, or its code when it cannot be seen."""
    if is_invisible(ch) or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
        return f"U+{ord(ch):04X}"
    return f"“{ch}”"


def text_problem(value: str, *, multiline: bool) -> ValidationError | None:
    """The first character of ``value`` that must not be stored, as an error naming its position."""
    for position, ch in enumerate(value, start=1):
        if ch in MULTILINE_ALLOWED:
            if multiline or ch == "\t":
                continue
            return ValidationError(
                "此处只能填写一行，第%(p)d个字符是换行，请删除。", code="line_break", params={"p": position}
            )
        category = unicodedata.category(ch)
        if category == "Cc":
            return ValidationError(
                "内容中含有不可见的控制字符（第%(p)d个字符），请删除后再提交。",
                code="control_char",
                params={"p": position},
            )
        if ch in BIDI_CONTROLS:
            return ValidationError(
                "内容中含有改变文字方向的隐藏字符（第%(p)d个字符），请删除后再提交。",
                code="bidi_char",
                params={"p": position},
            )
        if ch == REPLACEMENT:
            return ValidationError(
                "内容中有无法识别的字符“\ufffd”（第%(p)d个字符），可能是复制或传输时编码出错，请删除后重新输入。",
                code="replacement_char",
                params={"p": position},
            )
        if _is_noncharacter(ch) or category == "Cs":
            return ValidationError(
                "内容中含有无效字符（第%(p)d个字符），请删除后再提交。",
                code="invalid_char",
                params={"p": position},
            )
    if value and all(is_invisible(ch) for ch in value):
        return ValidationError("这里只有空格或不可见字符，请填写实际内容或清空。", code="invisible_only")
    return None


def validate_text(value: str) -> None:
    """One line of text (a name, a title, a place)."""
    problem = text_problem(value, multiline=False)
    if problem is not None:
        raise problem


def validate_multiline_text(value: str) -> None:
    """Text of several lines (a complaint, a comment): tabs and line breaks are allowed."""
    problem = text_problem(value, multiline=True)
    if problem is not None:
        raise problem


def printable(value):
    """``value`` with every character that XML or a reader cannot take removed: controls (tab and
    line breaks kept), bidi controls, surrogates and noncharacters. For writing what is already
    stored into .docx and .xlsx files; what is typed now is refused instead (``text_problem``)."""
    if not isinstance(value, str):
        return value
    if value.isprintable():
        # No control, format (bidi), surrogate, unassigned (noncharacter) or separator other than
        # the space: nothing to remove. The common case, checked in C; exports call this per cell.
        return value
    return "".join(
        ch
        for ch in value
        if ch in MULTILINE_ALLOWED
        or not (unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS or _is_noncharacter(ch))
    )


# --- Names of people -----------------------------------------------------------------------------
#
# A petitioner's or agent's name as on the 居民身份证: Chinese characters, with the middle dot 「·」
# between the parts of a name transcribed from a minority language (阿卜杜拉·买买提); or, for a
# foreigner, Latin letters with spaces, hyphens, apostrophes and full stops (Mary-Jane O'Neil).
# It must contain at least one Chinese character or Latin letter. Digits, emoji and other
# symbols are refused; the dots people type for 「·」 (・ ･ • ‧) are stored as 「·」, so that the
# same name is always the same text (names are looked up exactly).

NAME_DOT = "\u00b7"
NAME_DOTS = frozenset("\u00b7\u30fb\uff65\u2022\u2027")
LATIN_JOINERS = frozenset(" -'.")
HAN_RANGES = (
    (0x3007, 0x3007),  # 〇
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x323AF),  # extensions B-H
    (0x2F800, 0x2FA1F),  # compatibility supplement
)


def is_han(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in HAN_RANGES)


def is_latin_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and unicodedata.name(ch, "").startswith("LATIN ")


def validate_person_name(value: str) -> str:
    """Return the name as stored (dots unified, spaces single), or raise with what to change."""
    name = unicodedata.normalize("NFKC", value or "").strip()
    name = "".join(NAME_DOT if ch in NAME_DOTS else ch for ch in name)
    name = " ".join(name.split())
    if name and all(is_invisible(ch) for ch in name):
        raise ValidationError("姓名只有空格或不可见字符，请填写姓名。", code="name_blank")
    for position, ch in enumerate(name, start=1):
        if ch == " " or ch in LATIN_JOINERS or ch == NAME_DOT or is_han(ch) or is_latin_letter(ch):
            continue
        if is_invisible(ch) or unicodedata.category(ch).startswith("C"):
            raise ValidationError(
                "姓名中含有不可见字符（第%(p)d个字符），请删除后重新输入。",
                code="name_invisible",
                params={"p": position},
            )
        raise ValidationError(
            "姓名中不能有%(c)s（第%(p)d个字符）：姓名只能由汉字或英文字母组成，少数民族姓名各部分之间用间隔号“·”。",
            code="name_char",
            params={"c": show_char(ch), "p": position},
        )
    if name and not any(is_han(ch) or is_latin_letter(ch) for ch in name):
        raise ValidationError("姓名中至少要有一个汉字或英文字母。", code="name_letters")
    if name.startswith(NAME_DOT) or name.endswith(NAME_DOT) or NAME_DOT * 2 in name:
        raise ValidationError("间隔号“·”只能写在姓名的两部分之间，如“阿卜杜拉·买买提”。", code="name_dot")
    if any(is_han(ch) for ch in name) and any(ch in LATIN_JOINERS for ch in name):
        raise ValidationError(
            "中文姓名中不能有空格或“-”“'”“.”，少数民族姓名各部分之间请用间隔号“·”。", code="name_joiner"
        )
    return name


# --- Codes typed from the provincial platform ------------------------------------------------------

QUERY_CODE_MAX = 60


def fold_query_code(value: str) -> str:
    """A 查询码 as typed, with full-width characters folded (NFKC) and spaces dropped: the one
    normalisation of the code, for storing (``validate_query_code``) and for finding it again
    (``xinfang.cases.models.normalize_query_code`` adds the letter case)."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def validate_query_code(value: str) -> str:
    """The 查询码 as the platform prints it: letters and digits (and 「-」), spaces and full-width
    characters folded away. Returns the code to store."""
    code = fold_query_code(value)
    for position, ch in enumerate(code, start=1):
        if not (ch.isascii() and (ch.isalnum() or ch in "-_")):
            raise ValidationError(
                "查询码只能由英文字母和数字组成，第%(p)d个字符%(c)s不是，请对照平台上的查询码重新输入。",
                code="query_code_char",
                params={"p": position, "c": show_char(ch)},
            )
    return code


def validate_platform_password(value: str) -> None:
    """A platform password is typed on the platform's keyboard: printable ASCII only. A Chinese
    or full-width character here is nearly always the input method left on. The message names
    the position only: a password's characters are never shown."""
    for position, ch in enumerate(value or "", start=1):
        if not (" " <= ch <= "~"):
            raise ValidationError(
                "平台密码只能包含英文字母、数字和英文符号，第%(p)d个字符不是（请检查输入法是否处于中文或全角状态）。",
                code="password_char",
                params={"p": position},
            )


# --- Numbers from a URL or a hidden field ------------------------------------------------------------

DB_ID_MAX = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """A row id as sent in a query string or hidden field, or None when it is not one: ASCII
    digits only, and no more than a database integer holds (``int()`` of thousands of digits
    raises, and a database refuses a number past 64 bits)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= DB_ID_MAX else None
