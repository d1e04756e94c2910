"""Identity documents a petitioner may show, each with its own format check.

Most petitioners show the 居民身份证 (GB 11643-1999, ``validators.validate_id_number``). Residents
of Hong Kong, Macao and Taiwan, and foreigners, show other documents:

- 港澳台居民居住证: 18 characters like an ID number, with the GB 11643 check character; its
  first six digits are 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan).
- 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) and 8 digits; cards before 2013 carry
  2 more digits (the number of times issued).
- 台湾居民来往大陆通行证: 8 digits; cards before 2015 carry 10 digits, sometimes a letter.
- 外国人永久居留身份证: the 2017 card, 3 letters (the country) and 12 digits; the 2023 card,
  18 characters beginning with 9, with the GB 11643 check character.
- 护照: 5 to 17 letters and digits, at least one digit (countries differ).

The number is kept encrypted and found again by its keyed hash, whatever the document, so that
a petitioner's earlier cases are found by the number typed now.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models

from xinfang.core.validators import id_check_digit, validate_id_number


class IdKind(models.TextChoices):
    RESIDENT = "resident", "居民身份证"
    HMT_RESIDENCE = "hmt_residence", "港澳台居民居住证"
    HK_MACAO_PERMIT = "hk_macao_permit", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证"
    FOREIGNER_PR = "foreigner_pr", "外国人永久居留身份证"
    PASSPORT = "passport", "护照"


HMT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

# What each document's field says under it.
HELP = {
    IdKind.RESIDENT: "18位居民身份证号码，系统自动核验校验位。",
    IdKind.HMT_RESIDENCE: "18位，以810000（香港）、820000（澳门）或830000（台湾）开头，系统核验校验位。",
    IdKind.HK_MACAO_PERMIT: "H（香港）或M（澳门）加8位数字，如 H12345678。",
    IdKind.TAIWAN_PERMIT: "8位数字，如 12345678；2015年以前的旧证为10位。",
    IdKind.FOREIGNER_PR: "2017年版为3位字母加12位数字；2023年版为以9开头的18位。",
    IdKind.PASSPORT: "护照号码，5至17位字母和数字。",
}


def normalize_document(value: str) -> str:
    """Full-width characters as typed on a phone become ASCII; spaces, dashes and brackets go;
    letters are upper case."""
    text = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-()（）]+", "", text).upper()


def _gb11643(number: str, what: str) -> None:
    expected = id_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            "%(w)s校验位不正确：按前17位计算，最后一位应为 %(e)s，请逐位核对。",
            code="id_check",
            params={"w": what, "e": expected},
        )


def _hmt_residence(number: str) -> str:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError("港澳台居民居住证号码应为18位，前17位为数字。", code="id_format")
    if number[:6] not in HMT_REGIONS:
        raise ValidationError(
            "港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头，请核对。",
            code="id_region",
        )
    _gb11643(number, "居住证号码")
    return number


def _hk_macao_permit(number: str) -> str:
    if not re.fullmatch(r"[HM]\d{8}(\d{2})?", number):
        raise ValidationError(
            "港澳居民来往内地通行证号码应为H或M加8位数字（旧证10位数字），如 H12345678。", code="id_format"
        )
    return number


def _taiwan_permit(number: str) -> str:
    if not re.fullmatch(r"\d{8}(\d{2}[A-Z]?)?", number):
        raise ValidationError(
            "台湾居民来往大陆通行证号码应为8位数字（2015年以前的旧证为10位），请核对。", code="id_format"
        )
    return number


def _foreigner_pr(number: str) -> str:
    if re.fullmatch(r"[A-Z]{3}\d{12}", number):
        return number
    if re.fullmatch(r"9\d{16}[\dX]", number):
        _gb11643(number, "永久居留身份证号码")
        return number
    raise ValidationError(
        "外国人永久居留身份证号码应为3位字母加12位数字（2017年版），或以9开头的18位（2023年版）。",
        code="id_format",
    )


def _passport(number: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{5,17}", number) or not re.search(r"\d", number):
        raise ValidationError("护照号码应为5至17位字母和数字，请按护照资料页填写。", code="id_format")
    return number


_CHECKS = {
    IdKind.HMT_RESIDENCE: _hmt_residence,
    IdKind.HK_MACAO_PERMIT: _hk_macao_permit,
    IdKind.TAIWAN_PERMIT: _taiwan_permit,
    IdKind.FOREIGNER_PR: _foreigner_pr,
    IdKind.PASSPORT: _passport,
}


def validate_document(kind: str, value: str) -> str:
    """The normalized number of a document of ``kind``, or raise with a message the agent can act on."""
    if kind == IdKind.RESIDENT or not kind:
        return validate_id_number(value)
    check = _CHECKS.get(IdKind(kind)) if kind in IdKind.values else None
    if check is None:
        raise ValidationError("请选择证件类型。", code="id_kind")
    number = normalize_document(value)
    if not number:
        raise ValidationError("请填写证件号码。", code="required")
    return check(number)


def kind_label(kind: str) -> str:
    return IdKind(kind).label if kind in IdKind.values else IdKind.RESIDENT.label
