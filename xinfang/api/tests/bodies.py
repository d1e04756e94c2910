"""What a program would send to take a step through the API: the raw values of the step's page
form (dates as text, choices by value, rows by id, files as uploads), every required field, as
``cases.tests.factories.example_data`` fills the form itself. And the tokens and the client the
API tests speak with."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import complaint_data, petitioner_data
from xinfang.api import actions
from xinfang.api.models import ApiToken
from xinfang.api.routes_steps import step_input
from xinfang.cases.forms import YesNoField
from xinfang.cases.models import Case
from xinfang.cases.steps import Step, form_for

PDF = b"%PDF-1.4\n% an upload through the API\n"


def forge_token(user) -> str:
    """A token for ``user`` whatever the table says (to show the API refuses those it should)."""
    secret = actions._new_secret()
    ApiToken.objects.create(
        user=user,
        name="测试",
        prefix=secret[: actions.SHOWN_PREFIX],
        digest=actions.digest_of(secret),
        created_by=user,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return secret


class ApiClient:
    """Speaks to ``/api/v1/`` with a bearer token and no session."""

    def __init__(self, secret: str | None, client: Client | None = None):
        self.client = client or Client()
        self.secret = secret

    def headers(self, extra=None) -> dict[str, str]:
        sent = {} if self.secret is None else {"Authorization": f"Bearer {self.secret}"}
        sent.update(extra or {})
        return sent

    def get(self, path: str, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers(headers))

    def post(self, path: str, json=None, *, data=None, headers=None):
        if data is not None:
            return self.client.post(f"/api/v1{path}", data, headers=self.headers(headers))
        body = json if json is not None else {}
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers(headers)
        )

    def send(self, request: tuple[str, str, dict[str, Any]], headers=None):
        """``(method, path, body)``: ``form`` posts the body as multipart, ``post`` as JSON."""
        method, path, body = request
        if method == "get":
            return self.get(path, headers=headers)
        if method == "form":
            for value in body.values():
                for upload in value if isinstance(value, list) else [value]:
                    if isinstance(upload, SimpleUploadedFile):
                        upload.seek(0)
            return self.post(path, data=body, headers=headers)
        return self.post(path, body, headers=headers)


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")


def _raw(field: forms.Field, on: datetime.date, step: Step) -> Any:
    if isinstance(field, forms.FileField):
        return [_upload()] if getattr(field.widget, "allow_multiple_selected", False) else _upload()
    if isinstance(field, forms.DateTimeField):
        return f"{on:%Y-%m-%d}T09:00"
    if isinstance(field, forms.DateField):
        return on.isoformat()
    if isinstance(field, YesNoField):
        return False
    if isinstance(field, forms.ModelChoiceField):
        return field.queryset.first().pk
    if isinstance(field, forms.ChoiceField):
        value = next(value for value, _ in field.choices if value)  # type: ignore[misc, union-attr]
        return int(value) if isinstance(field, forms.TypedChoiceField) and field.coerce is int else value
    if isinstance(field, forms.IntegerField):
        return field.min_value or 1
    return f"Test-{step.name}"


def person(serial: int, **overrides) -> dict[str, Any]:
    data = petitioner_data(serial, **overrides)
    data.pop("landline")
    return data


def complaint(**overrides) -> dict[str, Any]:
    data = complaint_data(**overrides)
    data["category"] = data["category"].pk
    data["incident_town"] = data["incident_town"].pk if data["incident_town"] else None
    return {k: v for k, v in data.items() if v is not None}


def registration(serial: int = 7, on: datetime.date | None = None) -> dict[str, Any]:
    on = on or timezone.localdate()
    return {"petitioner": person(serial), "complaint": complaint(), "received_on": on.isoformat()}


def step_request(step: Step, case: Case, on: datetime.date, **given) -> tuple[str, str, dict[str, Any]]:
    """The request that takes ``step`` on ``case``: ``form`` (multipart) where its form has files."""
    method = "form" if step.name not in SPECIAL_BODIES and step_input(step).shape.multipart else "post"
    return method, f"/cases/{case.pk}/steps/{step.name}", step_body(step, case, on, **given)


SPECIAL_BODIES = ("edit", "accept_scope", "refer")


def step_body(step: Step, case: Case, on: datetime.date, **given) -> dict[str, Any]:
    """The body of ``POST /cases/{id}/steps/{name}`` an agent's program would send on day ``on``."""
    if step.name == "edit":
        p = case.petitioner
        return {
            "petitioner": person(1, id_number=p.id_number, name=p.name),
            "complaint": complaint(title="更正后的标题"),
        }
    if step.name == "accept_scope":
        return dict(given)
    if step.name == "refer":
        return {"channel": "other", **given}
    form_class = form_for(step)
    shape = step_input(step).shape
    fields = form_class(case=case, step=step).fields
    body: dict[str, Any] = {}
    for name, field in fields.items():
        if name in given:
            continue
        if name in shape.schema.model_fields or name in shape.files:
            if field.required or name == "late_reason":
                body[name] = _raw(field, on, step)
    body.update(given)
    return body
