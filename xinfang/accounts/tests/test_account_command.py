from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry


def test_creates_an_auditor_from_a_password_file(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("Kx9-long-enough-pass\n")
    out = io.StringIO()
    call_command("account", "shenji", role=Role.AUDITOR, name="审计员", password_file=secret, stdout=out)
    assert "首次登录时" in out.getvalue() and "动态口令" in out.getvalue()
    user = User.objects.get(username="shenji")
    assert user.role == Role.AUDITOR and user.check_password("Kx9-long-enough-pass")
    assert AuditEntry.objects.filter(action="account", target_id=str(user.pk)).exists()


def test_refuses_weak_passwords_and_missing_units(units, tmp_path):
    weak = tmp_path / "pw"
    weak.write_text("123")
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command("account", "a1", role=Role.SYSADMIN, name="管理员", password_file=weak)
    weak.write_text("Kx9-long-enough-pass")
    with pytest.raises(CommandError, match="必须用 --unit"):
        call_command("account", "a2", role=Role.AGENT, name="代理员", password_file=weak)
    call_command("account", "a3", role=Role.BUREAU, name="工作人员", password_file=weak)
    assert User.objects.get(username="a3").unit == units["bureau"]


def test_the_first_bureau_account_of_an_empty_database_brings_its_unit(db, tmp_path):
    from xinfang.accounts.models import Unit, UnitKind

    secret = tmp_path / "pw"
    secret.write_text("Kx9-long-enough-pass")
    assert not Unit.objects.exists()
    out = io.StringIO()
    call_command("account", "luyi", role=Role.BUREAU, name="卢艺", password_file=secret, stdout=out)
    [bureau] = Unit.objects.all()
    assert (bureau.name, bureau.kind) == ("县信访局", UnitKind.BUREAU)
    assert User.objects.get(username="luyi").unit == bureau
    assert "已创建单位“县信访局”" in out.getvalue()
    # The next bureau account joins it; an agent still needs a unit that exists.
    call_command(
        "account", "lu2", role=Role.BUREAU, name="涂元明", password_file=secret, stdout=io.StringIO()
    )
    assert Unit.objects.count() == 1 and User.objects.get(username="lu2").unit == bureau
    with pytest.raises(CommandError, match="没有名为“城关镇”的单位"):
        call_command("account", "a9", role=Role.AGENT, name="王某", unit="城关镇", password_file=secret)
