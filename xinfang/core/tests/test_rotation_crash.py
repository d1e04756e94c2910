"""A rotation killed with SIGKILL mid-way, while the platform keeps registering and editing,
resumes to completion with every value and file readable (on SQLite and on PostgreSQL: the
rotation runs as its own process against the test database)."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys

import pytest
from django.db import connection

from conftest import petitioner_data
from xinfang.cases.models import Petitioner, name_keys
from xinfang.core import crypto, keys
from xinfang.core.tests.test_key_start import PROJECT_DIR, environment
from xinfang.core.tests.test_rotation import snapshot, token_keys

NEW = os.urandom(32)


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def rotate_command(*args: str) -> list[str]:
    return [sys.executable, "-u", "-m", "xinfang", "keys", "rotate", *args]


@pytest.mark.django_db(transaction=True)
def test_a_rotation_killed_mid_way_resumes_to_completion(settings, tmp_path, make_case, agent_cg):
    from xinfang.cases.tests.test_views import submitted_case

    settings.PRIVATE_FILES_DIR = tmp_path / "files"  # the rotation process's data directory is tmp_path
    old = settings.DATA_KEY
    people = [
        make_case(agent_cg, serial=n, petitioner=petitioner_data(n, name=f"祁某{n}")) for n in range(1, 11)
    ]
    for n in (21, 22):
        submitted_case(
            agent_cg, make_case, serial=n, title="漏水", password=f"Pw-{n}", query_code=f"ZPK00{n}"
        )

    env = environment(
        tmp_path, DATABASE_URL=database_url(), XINFANG_DATA_KEY=b64(NEW), XINFANG_DATA_KEY_OLD=b64(old)
    )
    rotating = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        rotate_command("--batch-size", "2", "--pause", "0.4"),
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        progress = []
        for line in rotating.stdout:
            if " / " in line:
                progress.append(line)
            if any("cases.Petitioner" in p for p in progress):
                break
        if not any("cases.Petitioner" in p for p in progress):
            pytest.fail(f"the rotation stopped before the petitioners: {rotating.stderr.read()}")
        # The platform keeps serving, restarted with the new key first: a new case, an edit.
        settings.DATA_KEY, settings.DATA_OLD_KEYS = NEW, (old,)
        keys.forget_verification()
        make_case(agent_cg, serial=40, petitioner=petitioner_data(40, name="祁某新"))
        edited = Petitioner.objects.get(pk=people[-1].petitioner_id)
        edited.name = "祁某改"
        edited.save(update_fields=["name"])
        os.kill(rotating.pid, signal.SIGKILL)
    finally:
        rotating.kill()
        rotating.wait(timeout=30)
    assert rotating.returncode == -signal.SIGKILL

    # Killed mid-way: values under both keys, and every one of them reads.
    assert token_keys() == {crypto.derive(NEW).id, crypto.derive(old).id}
    expected = snapshot()
    assert Petitioner.objects.get(name_hash__in=name_keys("祁某改")).pk == edited.pk

    # Run again: it continues and finishes.
    resumed = subprocess.run(  # noqa: S603 - our own interpreter and module
        rotate_command(),
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"旧密钥 {crypto.derive(old).hex_id} 已没有数据使用，可以从配置中删除" in resumed.stdout

    # The old key can go: nothing uses it, everything reads as before, the edit stands.
    settings.DATA_OLD_KEYS = ()
    keys.forget_verification()
    keys.verify_data_key()
    assert token_keys() == {crypto.derive(NEW).id}
    assert snapshot() == expected
    assert Petitioner.objects.get(pk=edited.pk).name == "祁某改"
    assert Petitioner.objects.filter(name_hash__in=name_keys("祁某1")).count() == 1
    keys.forget_verification()
