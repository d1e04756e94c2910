"""Where messages go: a pluggable sender, chosen by ``settings.XINFANG_SENDER``.

The default writes each message to the outbox table, which bureau staff read in the
application, so nothing depends on an SMS gateway. A gateway is added by writing a class
with the same ``send`` and naming it in the setting; messages never carry personal data
(names, ID numbers, phones), only case numbers, clock names and dates.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from xinfang.notify.models import OutboxMessage

DEFAULT_SENDER = "xinfang.notify.senders.OutboxSender"


class Sender(Protocol):
    def send(self, *, recipient, subject: str, body: str) -> None: ...


class OutboxSender:
    """Keeps the message in the outbox: the outbox is the channel, so it is sent when written."""

    channel = "outbox"

    def send(self, *, recipient, subject: str, body: str) -> None:
        subject_field = OutboxMessage._meta.get_field("subject")
        OutboxMessage.objects.create(
            recipient=recipient,
            channel=self.channel,
            subject=subject[: subject_field.max_length],
            body=body,
            sent_at=timezone.now(),
        )


def get_sender() -> Sender:
    """An instance of the class named by ``XINFANG_SENDER`` (a dotted path)."""
    return import_string(getattr(settings, "XINFANG_SENDER", DEFAULT_SENDER))()
