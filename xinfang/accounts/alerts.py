"""Telling people about their accounts: a second factor reset, logins that look like guessing.

The notices and messages themselves are the notify app's, which sits above accounts (it also
reads cases and clocks): when it starts it hands its ``notify`` to ``register``
(``NotifyConfig.ready``), so that accounts never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

_tell: Callable[..., object] | None = None


def register(tell: Callable[..., object]) -> None:
    """``tell(recipients=…, case=None, level=…, text=…)``: one notice per recipient, and a
    message each once the transaction commits."""
    global _tell
    _tell = tell


def tell(recipients: Iterable, *, level: str, text: str) -> None:
    """Tell these users, within the caller's transaction. ``text`` carries no personal data."""
    if _tell is None:
        raise ImproperlyConfigured("xinfang.notify is not installed: account notices have nowhere to go.")
    _tell(recipients=list(recipients), case=None, level=level, text=text)
