"""The one domain error: a rule of the work refuses what was asked, with a message for the user.

Every app's refusals (a step the case's status does not allow, a date out of order, a bulletin
already published, a role that may not act…) are ``DomainError``s or subclasses that only name
the kind. ``field`` names the form field the message belongs to, where there is one. Views turn
an error into a form error with ``add_to_form``; nothing else needs to know its shape.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def add_to_form(form, error: DomainError, *, own: bool = True) -> None:
    """Show the error on its field where the form shows that field, else at the top of the form
    (a hidden field's error would be seen by nobody). A form that shows some errors its own way
    (a table to confirm, say) has ``show_error``; ``own=False`` is its way back here."""
    if own and hasattr(form, "show_error"):
        form.show_error(error)
        return
    fields = getattr(form, "fields", {})
    shown = error.field in fields and not fields[error.field].widget.is_hidden
    form.add_error(error.field if shown else None, error.message)
