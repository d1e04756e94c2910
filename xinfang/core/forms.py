"""The base of every form: what people type is checked once, here, for every field.

Every form of the product derives from ``Form`` or ``ModelForm`` below (a test checks it).
Before a form is cleaned, each of its fields gets the checks its kind needs:

1. text (``CharField`` and its kinds): no control characters (tab and line breaks allowed in a
   ``Textarea``), no bidi controls, no U+FFFD left by invalid UTF-8, not only invisible
   characters (``xinfang.core.validators.text_problem``), and at most ``MAX_TEXT`` characters
   where the field sets no limit of its own;
2. dates: between 2000 and 2100 (arithmetic on the year 1 or 9999 overflows; the work began
   long after 2000);
3. whole numbers: within a database integer where the field sets no bounds of its own.

The error sits on the field, in Chinese, with the position of the character; everything else
typed is shown again as it was. Fields added in a form's ``__init__`` are covered too.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

from xinfang.core.validators import (
    validate_multiline_text,
    validate_person_name,
    validate_platform_password,
    validate_query_code,
    validate_text,
)

MAX_TEXT = 10_000
MIN_YEAR, MAX_YEAR = 2000, 2100
DB_INT_MAX = 2**31 - 1


def _text_validator(validate):
    def check(value):
        if isinstance(value, str):  # UUIDField and MonthField give other types; their parse checked
            validate(value)

    return check


CHECK_LINE = _text_validator(validate_text)
CHECK_LINES = _text_validator(validate_multiline_text)


def check_year_range(value) -> None:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(day, datetime.date) and not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(
            "日期应在%(a)d年至%(b)d年之间，请核对。", code="year_range", params={"a": MIN_YEAR, "b": MAX_YEAR}
        )


_CHECKED = "checked_input"  # the mark ``protect`` leaves on a field it has done


def protect(field: forms.Field) -> None:
    """Add the checks of the field's kind (once)."""
    if getattr(field, _CHECKED, False):
        return
    setattr(field, _CHECKED, True)
    if isinstance(field, forms.CharField):
        field.validators.append(CHECK_LINES if isinstance(field.widget, forms.Textarea) else CHECK_LINE)
        if field.max_length is None:
            field.validators.append(_text_validator(MaxLengthValidator(MAX_TEXT)))
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(check_year_range)
    elif isinstance(field, forms.IntegerField):
        if field.max_value is None:
            field.validators.append(MaxValueValidator(DB_INT_MAX))
        if field.min_value is None:
            field.validators.append(MinValueValidator(-DB_INT_MAX))


if TYPE_CHECKING:
    _FormBase = forms.BaseForm  # what the mixin is mixed into
else:
    _FormBase = object


class CheckedInputMixin(_FormBase):
    """Checks every field's input before the form is cleaned (see the module's docstring)."""

    def full_clean(self):
        for field in self.fields.values():
            protect(field)
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        """Django's, which returns ``cleaned_data`` (typed so for the forms' own ``clean``)."""
        super().clean()
        return self.cleaned_data


class Form(CheckedInputMixin, forms.Form):
    pass


class ModelForm(CheckedInputMixin, forms.ModelForm):
    pass


class RuleField(forms.CharField):
    """Text with a rule of its own (``rule``: the value to store, or ValidationError) and a
    default length."""

    default_max_length = 60

    @staticmethod
    def rule(value: str) -> str:
        return value

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.rule(value) if value else value


class PersonNameField(RuleField):
    """A person's name (``validate_person_name``): Chinese characters with 「·」 between the parts
    of a minority name, or Latin letters; returned with its dots unified."""

    checked_input = True  # the name rule is stricter than the text checks
    default_max_length = 30
    rule = staticmethod(validate_person_name)


class QueryCodeField(RuleField):
    """A 查询码 from the provincial platform: letters and digits; spaces and full-width forms folded."""

    rule = staticmethod(validate_query_code)


class PlatformPasswordField(RuleField):
    """The petitioner's password on the provincial platform, typed as given: never stripped.
    Printable ASCII only (``validate_platform_password``), which the text checks would repeat."""

    checked_input = True

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)
        self.validators.append(validate_platform_password)
