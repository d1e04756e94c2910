"""The platform refuses to start on a data key that does not open the stored data, with a Chinese
message naming the setting and without a traceback; it generates a key only for an empty
database; the data folder and the SQLite file are the platform user's alone. Each case runs the
real ``xinfang`` command (or imports the WSGI application) in a fresh data directory."""

from __future__ import annotations

import base64
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from xinfang.core import crypto, keyring

PROJECT_DIR = Path(__file__).resolve().parents[3]
CREATE_DATA = (
    "import django; django.setup()\n"
    "from xinfang.core.models import StoredFile\n"
    "StoredFile.objects.create(storage_name='a' * 40, sha256='0' * 64, size=1,"
    " content_type='application/pdf', original_name='李某某身份证.pdf')\n"
)
WSGI = ("-c", "import xinfang.wsgi")


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DATABASE_URL", "DJANGO_"))}
    env.update(XINFANG_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="xinfang.settings", **extra)
    return env


def python(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, *argv],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def xinfang(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return python(env, "-m", "xinfang", *args)


def dump(data_dir: Path) -> list[str]:
    """Every row of every table, as SQL: what "nothing was written" compares."""
    db = sqlite3.connect(data_dir / "xinfang.sqlite3")
    try:
        return list(db.iterdump())
    finally:
        db.close()


def key_in(data_dir: Path) -> bytes:
    return keyring.parse_key((data_dir / "secrets" / "xinfang_data_key").read_text(), "test")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def with_data(tmp_path_factory) -> Path:
    """A data directory whose database holds an encrypted value under its development key."""
    data_dir = tmp_path_factory.mktemp("template") / "var"
    env = environment(data_dir)
    result = xinfang(env, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    result = python(env, "-c", CREATE_DATA)
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture
def data_dir(with_data, tmp_path) -> Path:
    copy = tmp_path / "var"
    shutil.copytree(with_data, copy)
    return copy


def test_first_start_on_an_empty_database_generates_the_key_and_keeps_everything_private(tmp_path):
    data_dir = tmp_path / "var"
    result = xinfang(environment(data_dir), "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    key_file = data_dir / "secrets" / "xinfang_data_key"
    assert mode(key_file) == 0o600
    for folder in (data_dir, data_dir / "secrets", data_dir / "files"):
        assert mode(folder) == 0o700, folder
    database = data_dir / "xinfang.sqlite3"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            assert mode(path) == 0o600, path
    db = sqlite3.connect(database)
    ((key_id, canary),) = db.execute("SELECT key_id, canary FROM core_datakeycheck").fetchall()
    db.close()
    assert key_id == keyring.key_id(key_in(data_dir)).hex()
    assert canary.startswith(crypto.PREFIX)


def test_the_right_key_starts(data_dir):
    env = environment(data_dir)
    assert xinfang(env, "check").returncode == 0
    assert python(env, *WSGI).returncode == 0


def test_a_missing_key_file_with_data_is_refused_and_no_key_is_generated(data_dir):
    key_file = data_dir / "secrets" / "xinfang_data_key"
    key_file.unlink()
    before = dump(data_dir)
    env = environment(data_dir)
    for args in (("check",), ("migrate", "--noinput"), ("runserver", "--noreload", "127.0.0.1:0")):
        result = xinfang(env, *args)
        assert result.returncode != 0, args
        assert str(key_file) in result.stderr and "XINFANG_DATA_KEY" in result.stderr
        assert "不会生成新的密钥" in result.stderr and "Traceback" not in result.stderr
    wsgi = python(env, *WSGI)
    assert wsgi.returncode == 4 and "找不到数据密钥" in wsgi.stderr and "Traceback" not in wsgi.stderr
    assert not key_file.exists()
    assert dump(data_dir) == before


def test_a_wrong_key_is_refused_at_start_and_nothing_is_written(data_dir):
    before = dump(data_dir)
    old_id = keyring.key_id(key_in(data_dir)).hex()
    env = environment(data_dir, XINFANG_DATA_KEY=base64.b64encode(os.urandom(32)).decode())
    for args in (("check",), ("migrate", "--noinput"), ("demo",), ("keys", "rotate")):
        result = xinfang(env, *args)
        assert result.returncode != 0, args
        assert f"1 项数据（含文件）使用编号为 {old_id} 的密钥加密" in result.stderr, result.stderr
        assert "XINFANG_DATA_KEY" in result.stderr and "Traceback" not in result.stderr
    wsgi = python(env, *WSGI)
    assert wsgi.returncode == 4 and old_id in wsgi.stderr and "Traceback" not in wsgi.stderr
    # Writing through the models is refused too, before anything reaches the database.
    refused = python(env, "-c", CREATE_DATA.replace("'a' * 40", "'b' * 40"))
    assert refused.returncode != 0 and "DataKeyError" in refused.stderr
    assert dump(data_dir) == before


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("XINFANG_DATA_KEY", "not base64!!", "XINFANG_DATA_KEY 中的密钥不是有效的 base64 文本"),
        ("XINFANG_DATA_KEY", base64.b64encode(b"short").decode(), "解码后是 5 个字节，应为 32 个字节"),
        ("XINFANG_DATA_KEY_OLD", "???", "XINFANG_DATA_KEY_OLD 中的密钥不是有效的 base64 文本"),
    ],
)
def test_a_malformed_key_gives_a_message_not_a_traceback(data_dir, variable, value, message):
    env = environment(data_dir, **{variable: value})
    if variable == "XINFANG_DATA_KEY_OLD":
        env["XINFANG_DATA_KEY"] = base64.b64encode(key_in(data_dir)).decode()
    result = xinfang(env, "check")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr and value not in result.stderr
    wsgi = python(env, *WSGI)
    assert wsgi.returncode == 4 and message in wsgi.stderr and "Traceback" not in wsgi.stderr
