"""Encryption of personal data at rest (个人信息保护法 第51条).

One master key (``settings.DATA_KEY``, 32 bytes) yields, through HKDF-SHA256, a key per
purpose: one for AES-256-GCM, one for SM4-GCM, one for the keyed hashes that allow exact
look-ups (ID number, mobile, query code) without storing the value.

A token is ``x1.`` + base64url(cipher id, key id, nonce, ciphertext and tag). The cipher
is named in every token, so switching ``XINFANG_CIPHER`` leaves old rows readable. The
associated data binds a value to its column: a ciphertext copied into another column
does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "x1."
AES_256_GCM = 1
SM4_GCM = 2
CIPHERS = {"aes-256-gcm": AES_256_GCM, "sm4-gcm": SM4_GCM}
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """A stored value does not decrypt with the configured key."""


def _derive(master: bytes, purpose: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(master)


@cache
def _keys(master: bytes) -> dict[str, bytes]:
    return {
        "id": hashlib.sha256(b"xinfang key id" + master).digest()[:4],
        "aes": _derive(master, b"xinfang aes-256-gcm", 32),
        "sm4": _derive(master, b"xinfang sm4-gcm", 16),
        "hmac": _derive(master, b"xinfang lookup hmac", 32),
    }


def _current() -> dict[str, bytes]:
    return _keys(bytes(settings.DATA_KEY))


def encrypt_bytes(plain: bytes, context: str, cipher: str | None = None) -> bytes:
    """Encrypt ``plain`` bound to ``context``; returns cipher id, key id, nonce and ciphertext."""
    keys = _current()
    cipher_id = CIPHERS[cipher or settings.DATA_CIPHER]
    nonce = os.urandom(NONCE_BYTES)
    aad = context.encode()
    if cipher_id == AES_256_GCM:
        body = AESGCM(keys["aes"]).encrypt(nonce, plain, aad)
    else:
        encryptor = Cipher(algorithms.SM4(keys["sm4"]), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        body = encryptor.update(plain) + encryptor.finalize() + encryptor.tag
    return bytes([cipher_id]) + keys["id"] + nonce + body


def decrypt_bytes(blob: bytes, context: str) -> bytes:
    keys = _current()
    if len(blob) < 1 + 4 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("token too short")
    cipher_id, key_id = blob[0], blob[1:5]
    nonce, body = blob[5 : 5 + NONCE_BYTES], blob[5 + NONCE_BYTES :]
    if key_id != keys["id"]:
        raise DecryptionError("value was encrypted with another data key")
    aad = context.encode()
    try:
        if cipher_id == AES_256_GCM:
            return AESGCM(keys["aes"]).decrypt(nonce, body, aad)
        if cipher_id == SM4_GCM:
            decryptor = Cipher(algorithms.SM4(keys["sm4"]), modes.GCM(nonce, body[-TAG_BYTES:])).decryptor()
            decryptor.authenticate_additional_data(aad)
            return decryptor.update(body[:-TAG_BYTES]) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("value does not authenticate (wrong key or column)") from exc
    raise DecryptionError(f"unknown cipher id {cipher_id}")


def encrypt_text(plain: str, context: str, cipher: str | None = None) -> str:
    return PREFIX + base64.urlsafe_b64encode(encrypt_bytes(plain.encode(), context, cipher)).decode()


def decrypt_text(token: str, context: str) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("not an encrypted token")
    try:
        blob = base64.urlsafe_b64decode(token[len(PREFIX) :])
    except ValueError as exc:  # binascii.Error: a damaged (e.g. truncated) token
        raise DecryptionError("token is not valid base64") from exc
    return decrypt_bytes(blob, context).decode()


def lookup_hash(purpose: str, value: str) -> str:
    """Keyed hash for exact look-ups: equal values give equal hashes, the value stays unknown."""
    if not value:
        return ""
    return hmac.new(_current()["hmac"], f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
