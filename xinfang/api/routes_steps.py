"""Every step of the registry (``cases.steps.STEPS``) as ``POST /cases/{case_id}/steps/{name}``,
generated in one loop: no step is written here.

For each step that records an event and has a page, the route takes the body the step's page
form takes (its fields as a schema, ``inputs.schema_of``: JSON, or ``multipart/form-data`` where
the form has files), cleans it with that very form, and takes the step through the one door,
``actions.take_step``. In this order, as the page:

1. the capability table: 403 for a role without the step at all;
2. the case, for the step's capability: 404 for another unit's case, or none;
3. the case's status: 409 when the registry does not allow the step from it (or it was taken
   once already where it is taken once);
4. the form: 400 with the form's own Chinese messages;
5. the action: 400 for a rule of the work it refuses (409 if the status moved meanwhile).

Three steps have pages of their own shape (``SPECIAL``): 修改登记信息 takes the registration's
two parts, and the scope decision's two outcomes take the scope page's form with the decision
given by the step.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ninja import File, Form, Path, Router, UploadedFile
from pydantic import ConfigDict, create_model

from xinfang.api import idempotency, present
from xinfang.api.inputs import Shape, form_data, schema_of
from xinfang.api.present import offered
from xinfang.api.problems import form_problem, problem
from xinfang.api.routes_cases import ID, ComplaintIn, PetitionerIn
from xinfang.api.schemas import CaseDetail
from xinfang.api.v1 import ERRORS, check, respond
from xinfang.cases import actions, selectors, workflow
from xinfang.cases.forms import ComplaintForm, PetitionerForm, ScopeForm
from xinfang.cases.models import Case
from xinfang.cases.steps import STEPS, Step, TransitionError, form_for

router = Router(tags=["办理环节"])


@dataclass(frozen=True)
class StepInput:
    """What a step's route takes (``shape``), the form that cleans it (from the case, the parsed
    body and the request's files), and the action's arguments from the cleaned values."""

    step: Step
    shape: Shape
    form: Callable[[Case, Any, Any], Any]
    arguments: Callable[[dict[str, Any]], dict[str, Any]]


class Together:
    """Several forms read as one (修改登记信息: the person and the complaint)."""

    def __init__(self, **forms):
        self.forms = forms

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms.values()])

    @property
    def errors(self) -> dict[str, list]:
        return {
            f"{part}.{name}": messages
            for part, form in self.forms.items()
            for name, messages in form.errors.items()
        }

    @property
    def cleaned_data(self) -> dict[str, Any]:
        return {part: form.cleaned_data for part, form in self.forms.items()}


def _edit(step: Step) -> StepInput:
    config = ConfigDict(extra="forbid", strict=True, title="EditIn")
    schema = create_model(
        "EditIn",
        __config__=config,
        petitioner=(PetitionerIn.schema, ...),
        complaint=(ComplaintIn.schema, ...),
    )

    def form(case, payload, files):
        person = form_data(PetitionerIn, payload.petitioner, prefix="p")
        complaint = form_data(ComplaintIn, payload.complaint, prefix="c")
        return Together(petitioner=PetitionerForm(person), complaint=ComplaintForm(complaint, instance=case))

    return StepInput(step, Shape(schema), form, lambda cleaned: cleaned)


def _scope(step: Step, decision: str) -> StepInput:
    refer = decision == ScopeForm.REFER
    shape = schema_of(
        ScopeForm,
        name=f"{_title(step)}In",
        leave_out=frozenset({"decision"} if refer else {"decision", "channel"}),
        required=frozenset({"channel"} if refer else ()),
    )

    def form(case, payload, files):
        return ScopeForm({**form_data(shape, payload), "decision": decision}, case=case)

    def arguments(cleaned):
        return (
            {"channel": cleaned["channel"], "note": cleaned["note"]} if refer else {"note": cleaned["note"]}
        )

    return StepInput(step, shape, form, arguments)


def _fields(form_class) -> dict | None:
    """The fields as a form made without a case has them (choices its ``__init__`` sets, like the
    grounds of a refusal); None where its ``__init__`` needs the case (the declared ones serve)."""
    try:
        return form_class(case=None).fields
    except (AttributeError, TypeError):
        return None


def _declared(step: Step) -> StepInput:
    form_class = form_for(step)
    shape = schema_of(form_class, name=f"{_title(step)}In", fields_of=_fields(form_class))
    prefix = getattr(form_class, "prefix", None) or ""

    def form(case, payload, files):
        return form_class(form_data(shape, payload, prefix=prefix), files, case=case, step=step)

    return StepInput(step, shape, form, lambda cleaned: cleaned)


SPECIAL: dict[str, Callable[[Step], StepInput]] = {
    "edit": _edit,
    "accept_scope": lambda step: _scope(step, ScopeForm.IN_SCOPE),
    "refer": lambda step: _scope(step, ScopeForm.REFER),
}


def step_input(step: Step) -> StepInput:
    if step.name in SPECIAL:
        return SPECIAL[step.name](step)
    if step.url_name != "cases:step":
        raise LookupError(
            f"step {step.name!r} has a page of its own shape: say in SPECIAL how the API takes it"
        )
    return _declared(step)


def _takes_request(step: Step) -> bool:
    return bool(step.action) and "request" in inspect.signature(getattr(actions, step.action)).parameters


def _title(step: Step) -> str:
    return "".join(part.title() for part in step.name.split("_"))


def _intro(form_class) -> str:
    return re.sub(r"\{\w+\}", "法定期限", str(getattr(form_class, "intro", "") or ""))


# --- Taking a step ---------------------------------------------------------------------------------------


def _take(request, spec: StepInput, case: Case, payload) -> Any:
    step = spec.step
    if not workflow.allows(case.status, step.name):
        return problem(409, "step_not_allowed", workflow.refusal(case.status, step.name).message)
    if step.once and case.events.filter(action=step.name).exists():
        return problem(409, "step_already_taken", f"该事项已{step.label}，不能重复登记。")
    form = spec.form(case, payload, request.FILES)
    if not form.is_valid():
        return form_problem(form)
    try:
        arguments = spec.arguments(form.cleaned_data)
        if _takes_request(step):  # its refusals and reveals are logged with the request's address
            arguments["request"] = request
        actions.take_step(case, step.name, by=request.user, **arguments)
    except TransitionError as exc:
        status = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        if status is not None and not workflow.allows(status, step.name):
            return problem(409, "step_not_allowed", exc.message, field=exc.field)
        raise
    case = selectors.get_case_for(request, case.pk)
    return respond(CaseDetail, present.case_detail(case, request.user))


def _view(spec: StepInput) -> Callable:
    step = spec.step

    def view(request, case_id: int, payload=None, **files):
        check(request, step.capability)
        case = selectors.get_case_for(request, case_id, code=step.capability)
        body = payload.model_dump() if payload is not None else None
        return idempotency.once(
            request,
            lambda: _take(request, spec, case, payload),
            payload=body,
            files=dict(request.FILES.lists()),
        )

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter(
            "case_id", inspect.Parameter.KEYWORD_ONLY, default=Path(..., ge=1, le=ID), annotation=int
        ),
    ]
    if spec.shape.schema.model_fields:
        default = Form(...) if spec.shape.multipart else inspect.Parameter.empty
        parameters.append(
            inspect.Parameter(
                "payload", inspect.Parameter.KEYWORD_ONLY, default=default, annotation=spec.shape.schema
            )
        )
    for name in spec.shape.files:
        many, required = name in spec.shape.many, name in spec.shape.required_files
        kind: Any = list[UploadedFile] if many else UploadedFile
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=File(...) if required else File(None),
                annotation=kind if required else kind | None,
            )
        )
    view.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    view.__name__ = f"step_{step.name}"
    return view


def _register() -> None:
    for step in STEPS.values():
        if not offered(step):
            continue
        spec = step_input(step)
        form_class = form_for(step) if step.url_name == "cases:step" else None
        router.add_api_operation(
            f"/cases/{{case_id}}/steps/{step.name}",
            ["POST"],
            _view(spec),
            response={200: CaseDetail, **ERRORS},
            operation_id=f"step_{step.name}",
            summary=step.label,
            description=(_intro(form_class) if form_class else "")
            + f"（权限：{step.capability}；可在以下状态办理：{'、'.join(sorted(step.sources))}）",
            openapi_extra={"x-idempotent": True},
        )
        present.ROUTED.add(step.name)


_register()
