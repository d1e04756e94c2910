"""Encryption of personal data at rest (个人信息保护法 第51条).

A keyring of master keys (``settings.DATA_KEY``, the newest, and ``settings.DATA_OLD_KEYS``;
see ``xinfang.core.keyring``) each yields, through HKDF-SHA256, a key per purpose: one for
AES-256-GCM, one for SM4-GCM, one for the keyed hashes that allow exact look-ups (ID number,
mobile, name, query code) without storing the value. The newest key encrypts and hashes; every
key in the ring decrypts, so ``xinfang keys rotate`` can re-encrypt while the platform serves.

A token is ``x1.`` + base64url(cipher id, key id, nonce, ciphertext and tag). The cipher
is named in every token, so switching ``XINFANG_CIPHER`` leaves old rows readable; the key
id picks the key of the ring. The associated data binds a value to its column: a ciphertext
copied into another column does not decrypt.

These functions do not check that the key opens the data already stored: the model fields
and the file store call ``xinfang.core.keys.ensure_verified`` before they read or write.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from xinfang.core.keyring import DataKeyError, key_id

PREFIX = "x1."
AES_256_GCM = 1
SM4_GCM = 2
CIPHERS = {"aes-256-gcm": AES_256_GCM, "sm4-gcm": SM4_GCM}
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = 1 + 4  # cipher id, key id


class DecryptionError(Exception):
    """A stored value does not decrypt with the configured keys."""


@dataclass(frozen=True)
class DataKey:
    id: bytes
    aes: bytes
    sm4: bytes
    hmac: bytes

    @property
    def hex_id(self) -> str:
        return self.id.hex()


def _derive(master: bytes, purpose: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(master)


@cache
def derive(master: bytes) -> DataKey:
    return DataKey(
        id=key_id(master),
        aes=_derive(master, b"xinfang aes-256-gcm", 32),
        sm4=_derive(master, b"xinfang sm4-gcm", 16),
        hmac=_derive(master, b"xinfang lookup hmac", 32),
    )


@cache
def _ring(newest: bytes, old: tuple[bytes, ...]) -> tuple[DataKey, ...]:
    return tuple(derive(master) for master in (newest, *old))


def ring() -> tuple[DataKey, ...]:
    """The configured keys, newest first."""
    newest = getattr(settings, "DATA_KEY", None)
    if not newest:
        raise DataKeyError(
            "尚未配置数据密钥：请设置 XINFANG_DATA_KEY 或 XINFANG_DATA_KEY_FILE"
            "（开发环境在空数据库上首次运行时自动生成）。"
        )
    return _ring(bytes(newest), tuple(bytes(k) for k in getattr(settings, "DATA_OLD_KEYS", ())))


def current() -> DataKey:
    """The newest key: every new value is encrypted and hashed with it."""
    return ring()[0]


@functools.lru_cache(maxsize=16)
def _aes(secret: bytes) -> AESGCM:
    """One AESGCM per key (it holds no state between calls): an export decrypts a few values a
    row, and building the key schedule each time was a third of each decryption."""
    return AESGCM(secret)


def key_for(key_id_bytes: bytes) -> DataKey | None:
    for key in ring():
        if key.id == key_id_bytes:
            return key
    return None


def encrypt_bytes(
    plain: bytes, context: str, cipher: str | None = None, *, key: DataKey | None = None
) -> bytes:
    """Encrypt ``plain`` bound to ``context``; returns cipher id, key id, nonce and ciphertext."""
    key = key or current()
    cipher_id = CIPHERS[cipher or settings.DATA_CIPHER]
    nonce = os.urandom(NONCE_BYTES)
    aad = context.encode()
    if cipher_id == AES_256_GCM:
        body = _aes(key.aes).encrypt(nonce, plain, aad)
    else:
        encryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plain) + encryptor.finalize() + encryptor.tag
    return bytes([cipher_id]) + key.id + nonce + body


def decrypt_bytes(blob: bytes, context: str, *, key: DataKey | None = None) -> bytes:
    """Decrypt with the key of the ring the blob names (or with ``key``, which must match)."""
    if len(blob) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("token too short")
    cipher_id, blob_key_id = blob[0], blob[1:HEADER_BYTES]
    nonce, body = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES], blob[HEADER_BYTES + NONCE_BYTES :]
    if key is None:
        key = key_for(blob_key_id)
    elif key.id != blob_key_id:
        key = None
    if key is None:
        raise DecryptionError(
            f"value was encrypted with data key {blob_key_id.hex()}, which is not in the keyring"
        )
    aad = context.encode()
    try:
        if cipher_id == AES_256_GCM:
            return _aes(key.aes).decrypt(nonce, body, aad)
        if cipher_id == SM4_GCM:
            decryptor = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce, body[-TAG_BYTES:])).decryptor()
            decryptor.authenticate_additional_data(aad)
            return decryptor.update(body[:-TAG_BYTES]) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("value does not authenticate (wrong key or column)") from exc
    raise DecryptionError(f"unknown cipher id {cipher_id}")


def encrypt_text(plain: str, context: str, cipher: str | None = None, *, key: DataKey | None = None) -> str:
    return PREFIX + base64.urlsafe_b64encode(encrypt_bytes(plain.encode(), context, cipher, key=key)).decode()


def _blob(token: str) -> bytes:
    if not token.startswith(PREFIX):
        raise DecryptionError("not an encrypted token")
    try:
        return base64.urlsafe_b64decode(token[len(PREFIX) :])
    except ValueError as exc:  # binascii.Error: a damaged (e.g. truncated) token
        raise DecryptionError("token is not valid base64") from exc


def decrypt_text(token: str, context: str, *, key: DataKey | None = None) -> str:
    return decrypt_bytes(_blob(token), context, key=key).decode()


def token_key_id(token: str) -> bytes | None:
    """The id of the key a token was encrypted with (None for a value that is not a token)."""
    try:
        blob = _blob(token)
    except DecryptionError:
        return None
    return blob[1:HEADER_BYTES] if len(blob) >= HEADER_BYTES else None


def token_prefixes(key: DataKey) -> list[str]:
    """Every possible start (10 characters) of a token under ``key``, for finding them in SQL.

    Seven base64 characters hold 42 bits: the cipher id, the key id and 2 bits of the nonce,
    so each cipher gives four prefixes."""
    return [
        PREFIX + base64.urlsafe_b64encode(bytes([cipher_id]) + key.id + bytes([top << 6])).decode()[:7]
        for cipher_id in sorted(CIPHERS.values())
        for top in range(4)
    ]


def prefix_key_id(prefix: str) -> bytes | None:
    """The key id in the 7 characters after ``x1.`` of a token (see ``token_prefixes``)."""
    try:
        return base64.urlsafe_b64decode(prefix[:7] + "A")[1:HEADER_BYTES] if len(prefix) >= 7 else None
    except ValueError:
        return None


def lookup_hash(purpose: str, value: str, *, key: DataKey | None = None) -> str:
    """Keyed hash for exact look-ups: equal values give equal hashes, the value stays unknown.

    Stored hashes are made with the newest key; look rows up with ``lookup_hashes``."""
    if not value:
        return ""
    key = key or current()
    return hmac.new(key.hmac, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def lookup_hashes(purpose: str, value: str) -> list[str]:
    """The hash of ``value`` under every key of the ring, for ``__in`` look-ups: during a key
    rotation a row may still hold its hash under an older key."""
    if not value:
        return []
    return [lookup_hash(purpose, value, key=key) for key in ring()]


SEAL_BLOCK = 64


def seal(text: str, context: str) -> str:
    """A short text encrypted for a URL (e.g. the ledger's search words, which may be a name): it
    never appears in an address or an access log. Padded to a multiple of 64 bytes, so the
    token's length does not tell a name's."""
    data = text.encode()
    data += b"\0" * (-len(data) % SEAL_BLOCK)
    return base64.urlsafe_b64encode(encrypt_bytes(data, context)).decode().rstrip("=")


def unseal(token: str, context: str) -> str:
    """The text ``seal`` encrypted; DecryptionError if the token is damaged, of another context
    (user) or under a key no longer in the ring."""
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return decrypt_bytes(blob, context).rstrip(b"\0").decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise DecryptionError("not a sealed text") from exc


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
