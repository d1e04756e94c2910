"""Model fields that keep personal data encrypted in the database, and the keyed hashes that
find it again."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.functions import Cast

from xinfang.core import crypto, keys
from xinfang.core.validators import NAME_DOT, NAME_DOTS


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (AES-256-GCM or SM4-GCM), bound to its column.

    The database holds only ``x1.…`` tokens; Python code sees plain text. Nothing but
    ``isnull`` can be looked up: search by a keyed hash column beside it instead.

    The token is bound to ``app_label.Model.field``: renaming a model or field that holds
    encrypted data needs a migration that re-encrypts the column. Nothing is read or written
    before the configured data key has been checked against the database
    (``xinfang.core.keys.ensure_verified``).
    """

    description = "Encrypted text"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.app_label}.{cls.__name__}.{name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        keys.ensure_verified(connection.alias, connection)
        return crypto.decrypt_text(value, self.crypto_context)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        keys.ensure_verified()
        return crypto.encrypt_text(value, self.crypto_context)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: look it up by its keyed hash instead")
        return super().get_lookup(lookup_name)


def _same(value: str) -> str:
    return value


def normalize_name(name: str) -> str:
    """A person's name is looked up whole: full-width forms, spaces, letter case and the kind of
    middle dot between the parts of a minority name (「·」「・」「•」, as the name form unifies them)
    do not matter."""
    folded = "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()
    return "".join(NAME_DOT if ch in NAME_DOTS else ch for ch in folded)


def stored(path: str) -> Cast:
    """An encrypted column as stored (its token), for ``values()``: nothing decrypts it on the way,
    and the caller decrypts only the cells it shows (``crypto.decrypt_text`` with the field's
    ``crypto_context``)."""
    return Cast(models.F(path), output_field=models.TextField())


class KeyedHashField(models.CharField):
    """The keyed hash (HMAC-SHA256 under the newest data key) of an encrypted field of the same
    model, for exact look-ups: ``KeyedHashField(source="name", purpose="name", normalize=…)``.

    Computed on every save and ``bulk_create`` from ``normalize(source value)``; models add it
    to ``update_fields`` with ``with_keyed_hashes``; ``xinfang keys rotate`` recomputes it. Look
    rows up with ``crypto.lookup_hashes(purpose, normalize(value))`` and ``__in``: during a
    rotation some rows still hold the hash under an older key.

    Migrations see a plain ``CharField``: the source and purpose are not part of the schema.
    """

    def __init__(
        self,
        *args,
        source: str | None = None,
        purpose: str | None = None,
        normalize: Callable[[str], str] | None = None,
        **kwargs,
    ):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
        self.source, self.normalize = source, normalize or _same
        self.purpose: str = purpose or source or ""  # a field always names its source

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs

    def hash_of(self, plain: str | None) -> str:
        return crypto.lookup_hash(self.purpose, self.normalize(plain or ""))

    def lookups(self, plain: str | None) -> list[str]:
        """The hashes to look ``plain`` up by, one per key of the ring (``field__in=…``)."""
        return crypto.lookup_hashes(self.purpose, self.normalize(plain or ""))

    def pre_save(self, model_instance, add):
        if self.source is None:  # a historical model in a migration
            return super().pre_save(model_instance, add)
        keys.ensure_verified()
        value = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def keyed_hash_fields(model) -> list[KeyedHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField) and f.source]


def with_keyed_hashes(model, update_fields: Iterable[str] | None) -> set[str] | None:
    """``update_fields`` plus the keyed hashes of the fields in it (None stays None: all fields)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    return names | {f.name for f in keyed_hash_fields(model) if f.source in names}
