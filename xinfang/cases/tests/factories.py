"""Cases brought to any status through the step registry, with the real actions.

``walk(case, to, by=…, start=…)`` finds the shortest way from the case's status to ``to`` along
the registry's steps and takes each step with ``example_data``: what an agent would type in the
step's form (every required field, with the step's day), checked by that very form. A step
declared later is walked and filled in the same way, with no edit here.
"""

from __future__ import annotations

import datetime
import inspect
import uuid
from collections import deque
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import complaint_data, petitioner_data
from xinfang.cases import actions
from xinfang.cases.models import Case, ReferralChannel
from xinfang.cases.steps import STEPS, Step, form_for

PDF = b"%PDF-1.4\n% a scan for the tests\n"
# Values for the keyword arguments of actions that have no form of their own (the scope page).
ARGUMENTS = {"channel": ReferralChannel.OTHER.value, "note": ""}


def new_case(agent, *, received_on: datetime.date, serial: int = 1, **complaint) -> Case:
    case, _ = actions.open_case(
        by=agent,
        token=uuid.uuid4(),
        petitioner=petitioner_data(serial),
        complaint=complaint_data(**complaint),
        received_on=received_on,
    )
    return case


def path_to(start: str, to: str) -> list[Step]:
    """The fewest steps that lead from status ``start`` to status ``to`` (none if already there)."""
    moves = [s for s in STEPS.values() if s.target and s.sources and s.url_name]
    came: dict[str, tuple[str, Step] | None] = {start: None}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        if status == to:
            break
        for step in moves:
            if status in step.sources and step.target not in came:
                came[step.target] = (status, step)
                queue.append(step.target)
    if to not in came:
        raise LookupError(f"no steps lead from {start!r} to {to!r}")
    path: list[Step] = []
    while came[to] is not None:
        to, step = came[to]
        path.append(step)
    return path[::-1]


def nearest_source(step: Step, start: str = "intake") -> str:
    """Of the statuses ``step`` may follow, the one fewest steps away from ``start``."""
    return min(step.sources, key=lambda status: (len(path_to(start, status)), status))


def _value(field: forms.Field, on: datetime.date, step: Step):
    if isinstance(field, forms.FileField):
        upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        return [upload] if getattr(field.widget, "allow_multiple_selected", False) else upload
    if isinstance(field, forms.DateTimeField):
        return f"{on:%Y-%m-%d}T09:00"
    if isinstance(field, forms.DateField):
        return on.isoformat()
    if isinstance(field, forms.ModelChoiceField):
        return field.queryset.first().pk
    if isinstance(field, forms.ChoiceField):
        # django-stubs type the getter as what the setter takes; Django gives back the pairs.
        return next(value for value, _ in field.choices if value)  # type: ignore[misc, union-attr]
    if isinstance(field, forms.IntegerField):
        return field.min_value or 1
    return f"Test-{step.name}"  # texts differ from step to step (a new body is another body)


def example_data(step: Step, case: Case, on: datetime.date) -> dict:
    """What an agent would type in the step's form on day ``on``, as the form cleans it. A step
    without a page of its own form (the scope decisions) gets its action's arguments."""
    if step.form is None and step.url_name != "cases:step":
        action = getattr(actions, step.action)
        wanted = inspect.signature(action).parameters
        return {name: value for name, value in ARGUMENTS.items() if name in wanted}
    form_class = form_for(step)
    data: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for name, field in form_class(case=case).fields.items():
        # A request's reason for coming late: kept only where it does (a step taken days after
        # its window, as the permission test takes them).
        if field.required or name == "late_reason":
            value = _value(field, on, step)
            (files if isinstance(field, forms.FileField) else data)[name] = value
    form = form_class(data, files, case=case)
    assert form.is_valid(), (step.name, form.errors)
    return form.cleaned_data


def take(case: Case, step: Step, *, by, on: datetime.date):
    return actions.take_step(case, step.name, by=by, **example_data(step, case, on))


def walk(case: Case, to: str, *, by, start: datetime.date) -> Case:
    """Take the case to status ``to``, one step a day from ``start`` (the day after reception)."""
    for days, step in enumerate(path_to(case.status, to), start=1):
        case = take(case, step, by=by, on=start + datetime.timedelta(days=days))
    return case
