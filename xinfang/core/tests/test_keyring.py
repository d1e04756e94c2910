"""Reading the data keyring from the environment: newest first, clear Chinese messages."""

from __future__ import annotations

import base64
import os

import pytest

from xinfang.core import keyring
from xinfang.core.keyring import DataKeyError


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


A, B, C = os.urandom(32), os.urandom(32), os.urandom(32)


def test_one_key_from_the_environment(tmp_path):
    config = keyring.load({"XINFANG_DATA_KEY": b64(A)}, tmp_path, production=True)
    assert config.keys == (A,) and config.source == "XINFANG_DATA_KEY" and config.generate_path is None


def test_old_keys_follow_the_newest(tmp_path):
    env = {"XINFANG_DATA_KEY": b64(A), "XINFANG_DATA_KEY_OLD": f"{b64(B)}, {b64(C)}"}
    assert keyring.load(env, tmp_path, production=True).keys == (A, B, C)


def test_a_key_file_holds_one_key_per_line_newest_first(tmp_path):
    path = tmp_path / "data_key"
    path.write_text(f"# rotated 2026-11\n{b64(A)}\n\n{base64.urlsafe_b64encode(B).decode()}\n")
    config = keyring.load({"XINFANG_DATA_KEY_FILE": str(path)}, tmp_path, production=True)
    assert config.keys == (A, B)
    assert str(path) in config.source


def test_development_reads_the_default_file_or_offers_to_generate_one(tmp_path):
    config = keyring.load({}, tmp_path, production=False)
    assert config.keys == () and config.generate_path == tmp_path / "secrets" / "xinfang_data_key"
    config.generate_path.parent.mkdir()
    config.generate_path.write_text(b64(A) + "\n")
    assert keyring.load({}, tmp_path, production=False).keys == (A,)


def test_production_without_a_key_refuses(tmp_path):
    with pytest.raises(DataKeyError, match="生产环境必须设置 XINFANG_DATA_KEY 或 XINFANG_DATA_KEY_FILE"):
        keyring.load({}, tmp_path, production=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not base64!!", "XINFANG_DATA_KEY 中的密钥不是有效的 base64 文本"),
        (b64(bytes(range(16))), "解码后是 16 个字节，应为 32 个字节"),
        ("", None),
    ],
)
def test_a_malformed_key_is_named_in_chinese_and_never_shown(tmp_path, value, message):
    env = {"XINFANG_DATA_KEY": value}
    if message is None:  # empty: as if not set
        with pytest.raises(DataKeyError, match="生产环境必须设置"):
            keyring.load(env, tmp_path, production=True)
        return
    with pytest.raises(DataKeyError, match=message) as raised:
        keyring.load(env, tmp_path, production=True)
    assert value not in str(raised.value)


def test_a_bad_line_in_the_key_file_is_named_by_its_number(tmp_path):
    path = tmp_path / "data_key"
    path.write_text(f"{b64(A)}\n{b64(A)[:-4]}\n")
    with pytest.raises(DataKeyError, match="第 2 行"):
        keyring.load({"XINFANG_DATA_KEY_FILE": str(path)}, tmp_path, production=True)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"XINFANG_DATA_KEY_FILE": "/nonexistent/data_key"}, "无法读取数据密钥文件 /nonexistent/data_key"),
        ({"XINFANG_DATA_KEY": b64(A), "XINFANG_DATA_KEY_FILE": "/x"}, "只能设置一个"),
        ({"XINFANG_DATA_KEY": b64(A), "XINFANG_DATA_KEY_OLD": b64(A)}, "重复的密钥"),
        ({"XINFANG_DATA_KEY_OLD": b64(A)}, "没有设置最新的密钥 XINFANG_DATA_KEY"),
    ],
)
def test_contradictory_or_missing_configuration(tmp_path, env, message):
    with pytest.raises(DataKeyError, match=message):
        keyring.load(env, tmp_path, production=False)


def test_an_empty_key_file_refuses(tmp_path):
    path = tmp_path / "data_key"
    path.write_text("# nothing yet\n")
    with pytest.raises(DataKeyError, match="没有数据密钥"):
        keyring.load({"XINFANG_DATA_KEY_FILE": str(path)}, tmp_path, production=True)
