"""The migrations that encrypt petitioners' names (cases 0007, oversight 0002) keep every name,
fill the keyed hashes, and go back to plain text when reversed; run with the migration executor
on the engine under test."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinfang.accounts.models import Role, Unit, UnitKind, User
from xinfang.cases.models import Petitioner, name_keys
from xinfang.core import crypto
from xinfang.oversight.models import RiskReport

BEFORE = [("cases", "0006_figures_indexes"), ("oversight", "0001_initial")]
NAMES = ["陈某芳", "阿依古丽·买买提", "ＬＩ　Ｍｉｎｇ", "欧阳某某"]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_names_written_before_the_migration_are_encrypted_without_loss():
    unit = Unit.objects.create(name="城关镇", kind=UnitKind.TOWN, sort_order=10)
    agent = User.objects.create_user(
        username="wang", password="x", role=Role.AGENT, unit=unit, full_name="王某某"
    )
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    OldPetitioner = old.get_model("cases", "Petitioner")
    OldReport = old.get_model("oversight", "RiskReport")
    for n, name in enumerate(NAMES):
        OldPetitioner.objects.create(
            unit_id=unit.pk,
            name=name,
            id_number=f"61092719680517{n:03d}X",
            id_number_hash=f"h{n}",
            mobile="13912345678",
            address="文彩村",
        )
    for name in (NAMES[0], ""):
        OldReport.objects.create(
            unit_id=unit.pk,
            reported_by_id=agent.pk,
            kind="escalation",
            urgency="normal",
            happened_on=datetime.date(2026, 11, 2),
            description="扬言越级",
            petitioner_name=name,
        )
    assert sorted(r[0] for r in raw("SELECT name FROM cases_petitioner")) == sorted(NAMES)

    migrate(leaves)
    stored = raw("SELECT name, name_hash FROM cases_petitioner")
    assert all(token.startswith(crypto.PREFIX) for token, _ in stored)
    assert not any(name in token for token, _ in stored for name in NAMES)
    assert sorted(Petitioner.objects.values_list("name", flat=True)) == sorted(NAMES)
    for name in NAMES:
        assert Petitioner.objects.get(name_hash__in=name_keys(name)).name == name
    # Full-width letters and the ideographic space are normalized in the hash, not in the name.
    assert Petitioner.objects.get(name_hash__in=name_keys("li ming")).name == "ＬＩ　Ｍｉｎｇ"
    reports = dict(RiskReport.objects.values_list("petitioner_name", "petitioner_name_hash"))
    assert set(reports) == {NAMES[0], ""} and reports[""] == ""
    assert raw("SELECT COUNT(*) FROM oversight_riskreport WHERE petitioner_name LIKE 'x1.%'") == [(1,)]
    if connection.vendor == "sqlite":
        # Not even in free pages or the write-ahead log: the migration rewrote the file.
        path = Path(connection.settings_dict["NAME"])
        content = path.read_bytes() + (
            Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b""
        )
        assert [name for name in NAMES if name.encode() in content] == []

    # Reversed, the names are plain again; forward again, encrypted again.
    migrate(BEFORE)
    assert sorted(r[0] for r in raw("SELECT name FROM cases_petitioner")) == sorted(NAMES)
    assert sorted(r[0] for r in raw("SELECT petitioner_name FROM oversight_riskreport")) == sorted(
        [NAMES[0], ""]
    )
    migrate(leaves)
    assert sorted(Petitioner.objects.values_list("name", flat=True)) == sorted(NAMES)
