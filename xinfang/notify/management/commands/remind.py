"""``xinfang remind``: make the reminders due today and wipe expired platform passwords.

Safe to run from cron every few minutes: each reminder is made once (see ``notify.remind``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from xinfang.notify.remind import run_reminders


class Command(BaseCommand):
    # Run from cron every few minutes: Django's checks would import every view each time.
    requires_system_checks = []
    help = "Create reminders for statutory clocks due soon or passed and for planned follow-ups; wipe expired platform passwords."

    def handle(self, *args, **options):
        summary = run_reminders()
        self.stdout.write(str(summary))
