"""``xinfang reset_second_factor USERNAME``: reset an account's second factor from the server's shell.

For the day the only system administrator has lost both the phone and the recovery codes;
otherwise another system administrator does it on the “动态口令管理” page. Audit-logged; the
user is told by a notice and sets up a new authenticator at the next login.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts import actions
from xinfang.accounts.models import User


class Command(BaseCommand):
    help = "重置一个账户的动态口令（手机和恢复码都丢失时）；下次登录时重新绑定。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账户。")
        try:
            actions.reset_second_factor(user, by=None)
        except actions.AccountError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"已重置 {username} 的动态口令；本人下次登录时按页面提示重新绑定。")
        )
