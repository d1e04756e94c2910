"""Checking the data key against the data already stored.

Minimal version: decrypts the newest stored ID number, if there is one. The keyring and key
rotation replace this module; ``verify_data_key()`` and ``DataKeyError`` keep their names.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from xinfang.core.crypto import DecryptionError


class DataKeyError(Exception):
    """The configured data key does not open the data already stored."""


def verify_data_key() -> None:
    """Raise DataKeyError when the configured key cannot decrypt a stored value."""
    model = apps.get_model("cases", "Petitioner")
    if model._meta.db_table not in connection.introspection.table_names():
        return
    try:
        model.objects.order_by("-pk").values_list("id_number", flat=True).first()
    except DecryptionError as exc:
        raise DataKeyError(
            "数据密钥（XINFANG_DATA_KEY 或 XINFANG_DATA_KEY_FILE）无法解开已存储的个人信息："
            "请配置存储这些数据时使用的密钥。"
        ) from exc
