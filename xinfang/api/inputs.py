"""The body of a write, as the page's own Django form takes it.

``schema_of(form_class)`` makes a pydantic schema from a form's declared fields, for the OpenAPI
document and a first check of the shape (types, required fields, lengths, choices); the form
itself then cleans the values exactly as on the page (``bound``), with its Chinese messages.
File fields become the parts of a ``multipart/form-data`` body; a form without them takes JSON.

JSON bodies are checked strictly (``1`` is no text, ``true`` no number); multipart bodies carry
text only, so they are read leniently and left to the form. Dates are text in the schema
(``format: date``): the form parses them, as it parses what is typed on the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Literal

from django import forms
from pydantic import BaseModel, ConfigDict, Field, create_model

from xinfang.cases.forms import YesNoField
from xinfang.core.forms import DB_INT_MAX, MAX_TEXT

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True)
class Shape:
    """A form as the API takes it: the schema of its other fields and the names of its files
    (``many``: those that take several)."""

    schema: type[BaseModel]
    files: tuple[str, ...] = ()
    many: frozenset[str] = frozenset()
    required_files: frozenset[str] = frozenset()
    yes_no: frozenset[str] = field(default_factory=frozenset)

    @property
    def multipart(self) -> bool:
        return bool(self.files)


def _choices(f: forms.ChoiceField) -> list:
    return [value for value, _ in f.choices if value not in ("", None)]  # type: ignore[misc, union-attr]


def _annotation(f: forms.Field) -> tuple[Any, dict[str, Any]]:
    """The type and the constraints of a form field in the schema."""
    if isinstance(f, YesNoField | forms.BooleanField):
        return bool, {}
    if isinstance(f, forms.ModelChoiceField):
        return int, {"ge": 1, "le": DB_INT_MAX}
    if isinstance(f, forms.TypedChoiceField) and f.coerce is int:
        return int, {"ge": 0, "le": DB_INT_MAX}
    if isinstance(f, forms.ChoiceField):
        values = _choices(f)
        if values:
            return Literal[tuple(str(v) for v in values)], {}
        return str, {"max_length": 60}
    if isinstance(f, forms.DateTimeField):
        return str, {"max_length": 40, "json_schema_extra": {"format": "date-time"}}
    if isinstance(f, forms.DateField):
        return str, {"pattern": DATE_PATTERN, "json_schema_extra": {"format": "date"}}
    if isinstance(f, forms.IntegerField):
        low = f.min_value if f.min_value is not None else -DB_INT_MAX
        high = f.max_value if f.max_value is not None else DB_INT_MAX
        return int, {"ge": low, "le": high}
    if isinstance(f, forms.UUIDField):
        return str, {"max_length": 36, "json_schema_extra": {"format": "uuid"}}
    if isinstance(f, forms.CharField):
        limits: dict[str, Any] = {"max_length": f.max_length or MAX_TEXT}
        if f.required:
            limits["min_length"] = 1
        return str, limits
    return str, {"max_length": MAX_TEXT}


def _description(f: forms.Field) -> str:
    words = str(f.label or "")
    if f.help_text:
        words += f"：{f.help_text}"
    return words


def schema_of(
    form_class: Any,
    *,
    name: str,
    leave_out: frozenset[str] = frozenset(),
    required: frozenset[str] = frozenset(),
    extra: dict[str, Any] | None = None,
    fields_of: dict[str, forms.Field] | None = None,
) -> Shape:
    """The API shape of ``form_class`` (its declared fields, less ``leave_out``; ``required``
    makes optional fields required). ``extra``: more fields for the schema, as pydantic takes them.
    ``fields_of``: the fields of a form made without a case, where its ``__init__`` changes them."""
    fields: dict[str, Any] = {}
    files, many, required_files, yes_no = [], set(), set(), set()
    for key, f in (fields_of or form_class.base_fields).items():
        if key in leave_out:
            continue
        if isinstance(f, forms.FileField):
            files.append(key)
            if getattr(f.widget, "allow_multiple_selected", False):
                many.add(key)
            if f.required:
                required_files.add(key)
            continue
        if isinstance(f, YesNoField):
            yes_no.add(key)
        kind, limits = _annotation(f)
        described = Field(description=_description(f), **limits)
        if f.required or key in required:
            fields[key] = (kind, described)
        else:
            described = Field(default=None, description=_description(f), **limits)
            fields[key] = (kind | None, described)
    fields.update(extra or {})
    strict = not files
    config = ConfigDict(extra="forbid", strict=strict, title=name)
    schema = create_model(name, __config__=config, **fields)
    return Shape(schema, tuple(files), frozenset(many), frozenset(required_files), frozenset(yes_no))


def form_data(shape: Shape, payload: BaseModel | None, *, prefix: str = "") -> dict[str, Any]:
    """The values as the form reads them from a request: yes/no as "1"/"0", dates as text,
    optional fields left out when not given; ``prefix`` as the page's form has it (``p-name``)."""
    values = payload.model_dump(exclude_none=True) if payload is not None else {}
    data: dict[str, Any] = {}
    for key, value in values.items():
        if key in shape.yes_no and isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # as a request carries it: some forms read their data raw
        data[f"{prefix}-{key}" if prefix else key] = value
    return data
