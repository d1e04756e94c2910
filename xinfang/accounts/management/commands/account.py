"""``xinfang account USERNAME --role … --name …``: create an account from the server's shell.

For the first bureau account of a new installation, and for the system administrator's
and the auditor's accounts, which bureau staff cannot create (三权分立). The password is
asked twice at the prompt, or read from ``--password-file``; it never goes on the command line.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xinfang.access.policy import BUREAU_UNIT_ROLES, MACHINE_ROLES, UNIT_ROLES
from xinfang.accounts import actions
from xinfang.accounts.models import Role, Unit, UnitKind, User

DEFAULT_BUREAU = "县信访局"


class Command(BaseCommand):
    help = "Create an account (the first bureau account, the system administrator, the auditor)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        # Machine accounts have no password: bureau staff make them on the 接口账户 page.
        people = [role for role in Role.values if role not in MACHINE_ROLES]
        parser.add_argument("--role", required=True, choices=people)
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--unit", default="", help="unit name, for agents, unit heads and bureau staff")
        parser.add_argument("--password-file", type=Path, help="read the password from this file")

    def handle(self, *args, username, role, name, unit, password_file, **options):
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"用户名 {username} 已存在。")
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(name=unit).first()
            if unit_obj is None and role not in BUREAU_UNIT_ROLES:
                raise CommandError(f"没有名为“{unit}”的单位。")
        if role in UNIT_ROLES and unit_obj is None:
            raise CommandError("代理员和单位负责人必须用 --unit 指定所在单位。")
        new_bureau = ""
        if role in BUREAU_UNIT_ROLES and unit_obj is None:
            unit_obj = Unit.objects.filter(kind=UnitKind.BUREAU).first() if not unit else None
            # A new installation has no units at all: its first account brings the bureau.
            new_bureau = "" if unit_obj is not None else (unit or DEFAULT_BUREAU)
        password = self.read_password(password_file)
        user = User(username=username, role=role, full_name=name, unit=unit_obj)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from None
        if new_bureau:
            unit_obj = actions.create_unit(by=None, name=new_bureau, kind=UnitKind.BUREAU, sort_order=1)
            self.stdout.write(f"已创建单位“{new_bureau}”（县信访局）。")
        try:
            user = actions.create_user(
                by=None, username=username, full_name=name, role=role, unit=unit_obj, password=password
            )
        except actions.AccountError as exc:
            raise CommandError(exc.message) from None
        then = (
            "首次登录时，输入密码后按页面提示绑定手机上的动态口令。" if user.must_use_second_factor() else ""
        )
        self.stdout.write(self.style.SUCCESS(f"已创建账户 {username}（{user.get_role_display()}）。{then}"))

    def read_password(self, password_file: Path | None) -> str:
        if password_file is not None:
            return password_file.read_text().strip()
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        return first
