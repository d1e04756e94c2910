"""How personal data looks in lists: enough to recognise, not enough to misuse."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """``610927199001011234`` becomes ``610***********1234``."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` becomes ``138****5678``; ``0915-8822560`` becomes ``0915-***2560``."""
    if not value:
        return ""
    if "-" in value:
        area, _, local = value.partition("-")
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    """Keep the first six characters (county and town), hide the rest."""
    if not value:
        return ""
    return value[:6] + "****" if len(value) > 6 else value[:2] + "****"


def mask_secret(value: str) -> str:
    return "••••••" if value else ""
