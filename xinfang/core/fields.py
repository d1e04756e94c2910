"""Model fields that keep personal data encrypted in the database."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from xinfang.core import crypto


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (AES-256-GCM or SM4-GCM), bound to its column.

    The database holds only ``x1.…`` tokens; Python code sees plain text. Nothing but
    ``isnull`` can be looked up: search by a keyed hash column beside it instead.

    The token is bound to ``app_label.Model.field``: renaming a model or field that holds
    encrypted data needs a migration that re-encrypts the column.
    """

    description = "Encrypted text"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.app_label}.{cls.__name__}.{name}"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value, self.crypto_context)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_text(value, self.crypto_context)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: look it up by its keyed hash instead")
        return super().get_lookup(lookup_name)
