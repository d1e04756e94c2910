"""Checks of what people type: ID numbers (GB 11643-1999), mobiles and landlines."""

from __future__ import annotations

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The check character of GB 11643-1999 (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper().replace("x", "X")


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
    number = phonenumbers.parse(digits, "CN")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "%(v)s 不是有效的固定电话号码，请核对。", code="landline_invalid", params={"v": raw}
        )
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    area, _, rest = national.partition(" ")
    return f"{area}-{rest.replace(' ', '')}" if rest else national.replace(" ", "")
