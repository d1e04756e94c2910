from __future__ import annotations

import datetime

from django import template
from django.urls import reverse
from django.utils import timezone

from xinfang.core import links, masking

register = template.Library()


@register.simple_tag
def link(name: str, pk=None) -> str:
    """``{% url name %}`` or ``{% url name pk %}``, reversed once per process (``core.links``)
    where the argument is a whole number; any other argument (a job's UUID) is reversed as is."""
    if pk is None:
        return links.page(name)
    if type(pk) is int:
        return links.with_id(name)(pk)
    return reverse(name, args=[pk])


@register.filter
def cn_date(value) -> str:
    """2026年11月29日"""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value) -> str:
    if not value:
        return ""
    value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


register.filter("mask_id", masking.mask_id_number)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_address", masking.mask_address)


@register.filter
def yes_no(value) -> str:
    return "是" if value else "否"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def days_before(earlier, later) -> int:
    """How many days ``earlier`` lies before ``later``."""
    return (later - earlier).days if earlier and later else 0
