"""Addresses of pages, each name reversed once per process.

Django's ``reverse`` takes about 70 µs here (it checks every candidate pattern); a page that
names two dozen pages in its menu and a dozen of a case's pages spent more on addresses than on
some of its queries. An address without arguments is kept as it is; one with a single integer
(a case's, a file's) is kept as the text around a marker number and filled in. Kept per script
prefix and URL configuration, so a deployment under a path prefix gets its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.urls import get_script_prefix, get_urlconf, reverse

# A number no row reaches, reversed once and replaced by each row's own.
_MARK = "2147483647"


def page(name: str) -> str:
    """``reverse(name)``."""
    return _reversed(name, get_script_prefix(), get_urlconf())


def with_id(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[id])`` as a function of the id (an ``int`` path converter)."""
    head, tail = _around_mark(name, get_script_prefix(), get_urlconf())
    return lambda pk: f"{head}{int(pk)}{tail}"


@functools.lru_cache(maxsize=256)
def _reversed(name: str, prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


@functools.lru_cache(maxsize=256)
def _around_mark(name: str, prefix: str, urlconf) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[int(_MARK)], urlconf=urlconf).rpartition(_MARK)
    return head, tail
