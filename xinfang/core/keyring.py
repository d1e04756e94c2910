"""The data keyring as configured: which keys, newest first, and where they came from.

Read by ``settings.py`` before Django is set up, so nothing here touches the database or an
app. Whether the keys really open the data already stored is ``xinfang.core.keys``' business.

Configuration (newest key first; the newest encrypts, every key decrypts):
    XINFANG_DATA_KEY        the newest key: 32 random bytes, base64
    XINFANG_DATA_KEY_OLD    older keys still needed to read, separated by commas or spaces
    XINFANG_DATA_KEY_FILE   instead of XINFANG_DATA_KEY: a file with one key per line, newest
                            first (blank lines and lines starting with # are ignored)
In development, without either, the keys are read from ``<data dir>/secrets/xinfang_data_key``
(same format); when that file is missing a key may be generated, but only for an empty database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
ENV_KEY = "XINFANG_DATA_KEY"
ENV_OLD = "XINFANG_DATA_KEY_OLD"
ENV_FILE = "XINFANG_DATA_KEY_FILE"
DEFAULT_FILE = Path("secrets") / "xinfang_data_key"


class DataKeyError(ImproperlyConfigured):
    """The data key is missing or malformed, or does not open the data already stored.

    The message is Chinese, names the setting, and never contains a key."""


@dataclass(frozen=True)
class KeyringConfig:
    keys: tuple[bytes, ...]  # newest first; empty only while a development key may be generated
    source: str  # where the keys come from, for messages
    generate_path: Path | None = None  # development, no key yet: where one may be generated


def key_id(master: bytes) -> bytes:
    """The 4-byte id every token carries: names the key, reveals nothing of it."""
    return hashlib.sha256(b"xinfang key id" + master).digest()[:4]


def parse_key(text: str, where: str) -> bytes:
    value = text.strip()
    # Standard base64 as printed by `xinfang keys generate`; the URL-safe alphabet is accepted too.
    try:
        raw = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise DataKeyError(
            f"数据密钥格式不对：{where} 中的密钥不是有效的 base64 文本。"
            f"数据密钥应是 {KEY_BYTES} 个随机字节的 base64 编码（44 个字符），"
            "可用 `xinfang keys generate` 生成。"
        ) from None
    if len(raw) != KEY_BYTES:
        raise DataKeyError(
            f"数据密钥长度不对：{where} 中的密钥解码后是 {len(raw)} 个字节，应为 {KEY_BYTES} 个字节"
            "（base64 编码后 44 个字符）。可用 `xinfang keys generate` 生成。"
        )
    return raw


def parse_key_file(text: str, where: str) -> list[bytes]:
    keys = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            keys.append(parse_key(line, f"{where}第 {number} 行"))
    if not keys:
        raise DataKeyError(f"{where}中没有数据密钥（每行一个密钥，最新的在第一行）。")
    return keys


def _read(path: Path, setting: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise DataKeyError(f"无法读取数据密钥文件 {path}（{setting}）：文件不存在或没有读取权限。") from None


def _checked(keys: list[bytes], source: str) -> tuple[bytes, ...]:
    ids = [key_id(k) for k in keys]
    if len(set(ids)) != len(ids):
        raise DataKeyError(f"数据密钥配置（{source}）中有重复的密钥，每个密钥只应出现一次。")
    return tuple(keys)


def load(env: dict[str, str], data_dir: Path, *, production: bool) -> KeyringConfig:
    """The keyring from the environment (see the module's docstring); raises DataKeyError."""
    value = env.get(ENV_KEY, "").strip()
    path = env.get(ENV_FILE, "").strip()
    old = [part for part in re.split(r"[\s,]+", env.get(ENV_OLD, "").strip()) if part]
    if value and path:
        raise DataKeyError(f"{ENV_KEY} 和 {ENV_FILE} 只能设置一个。")
    if value:
        source = ENV_KEY + (f" 和 {ENV_OLD}" if old else "")
        keys = [parse_key(value, ENV_KEY)]
    elif path:
        source = f"{ENV_FILE}（{path}）"
        keys = parse_key_file(_read(Path(path), ENV_FILE), f"{ENV_FILE}（{path}）")
    elif production:
        raise DataKeyError(
            f"生产环境必须设置 {ENV_KEY} 或 {ENV_FILE}（数据密钥，用于加密个人信息）。"
            "新部署可用 `xinfang keys generate` 生成；已有数据时必须使用原来的密钥。"
        )
    else:
        local = data_dir / DEFAULT_FILE
        source = f"{local}（开发环境默认位置；也可用 {ENV_KEY} 或 {ENV_FILE} 指定）"
        if not local.exists():
            if old:
                raise DataKeyError(f"设置了 {ENV_OLD}，但没有设置最新的密钥 {ENV_KEY}。")
            return KeyringConfig(keys=(), source=source, generate_path=local)
        keys = parse_key_file(_read(local, ENV_FILE), str(local))
    keys += [parse_key(part, ENV_OLD) for part in old]
    return KeyringConfig(keys=_checked(keys, source), source=source)
