"""Cases: the ledger with its filters (cursor pages), a case with all it shows on its page, the
logged reveal of one personal value, its files, its follow-ups, and registration."""

from __future__ import annotations

import base64
import datetime
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Path, Query, Router, Schema
from pydantic import ConfigDict, Field, create_model

from xinfang.access import rules
from xinfang.access.models import Reach
from xinfang.api import idempotency, present
from xinfang.api.inputs import DATE_PATTERN, form_data, schema_of
from xinfang.api.problems import form_problem, problem
from xinfang.api.schemas import CaseDetail, CasePage, FollowUpOut, Revealed, RevealIn, Status
from xinfang.api.v1 import ERRORS, check, respond
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases import actions, exports, selectors
from xinfang.cases.forms import ComplaintForm, IntakeForm, LedgerFilterForm, PetitionerForm
from xinfang.cases.models import Case
from xinfang.core import files
from xinfang.core.forms import DB_INT_MAX
from xinfang.core.middleware import mark_personal

router = Router(tags=["代理事项"])
ID = 2**63 - 1  # the largest id a database key holds
PAGE = 50


class CaseFilter(Schema):
    month: str | None = Field(None, pattern=r"^[0-9]{4}-[0-9]{2}$", description="接待月份，如 2026-03")
    status: Status | None = Field(None, description="状态")
    category: int | None = Field(None, ge=1, le=DB_INT_MAX, description="内容分类的 id")
    unit: int | None = Field(None, ge=1, le=DB_INT_MAX, description="单位的 id（全县账户）")
    kind: Literal["joint", "collective"] | None = Field(
        None, description="联名信访 joint / 集体访 collective"
    )
    cursor: str | None = Field(None, max_length=100, description="上一页答复中的 next_cursor")
    limit: int = Field(PAGE, ge=1, le=100, description="每页条数")


PetitionerIn = schema_of(
    PetitionerForm,
    name="PetitionerIn",
    extra={
        "confirm_version": (int | None, Field(None, ge=1, le=DB_INT_MAX, description="确认信息变更的版本号"))
    },
)
# The complaint form's ``__init__`` makes 信访人数 optional (1 when left out): its fields as made.
ComplaintIn = schema_of(ComplaintForm, name="ComplaintIn", fields_of=ComplaintForm().fields)


RegisterIn = create_model(
    "RegisterIn",
    __config__=ConfigDict(extra="forbid", strict=True, title="RegisterIn"),
    petitioner=(PetitionerIn.schema, ...),
    complaint=(ComplaintIn.schema, ...),
    received_on=(
        str,
        Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}, description="接待日期"),
    ),
)


# --- The cursor: where the last page ended, in the ledger's order (newest received first) ----------


def _cursor(case: Case) -> str:
    text = f"{case.received_on.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime.date, int] | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        day, _, pk = text.partition("|")
        parsed = datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None
    return parsed if 0 < parsed[1] <= ID else None


@router.get(
    "/cases",
    response={200: CasePage, **ERRORS},
    operation_id="list_cases",
    summary="台账：代理事项列表",
    description="与台账页面相同的事项（本单位或全县），新接待的在前；姓名完整，证件号码和电话隐去中间位。",
)
def list_cases(request, filters: Query[CaseFilter]):
    check(request, "view_cases")
    data = {k: v for k, v in filters.model_dump().items() if k not in ("cursor", "limit") and v is not None}
    if rules.reach(request.user, "view_cases") != Reach.COUNTY:
        data.pop("unit", None)  # as the page: a unit's users see their unit only
    form = LedgerFilterForm(data)
    if not form.is_valid():
        return form_problem(form)
    cleaned = form.cleaned_data
    flt = selectors.LedgerFilter(
        month=cleaned["month"],
        status=cleaned["status"],
        kind=cleaned["kind"],
        category=cleaned["category"].pk if cleaned["category"] else None,
        unit=cleaned["unit"].pk if cleaned.get("unit") else None,
    )
    cases = selectors.ledger(request.user, flt)
    if filters.cursor:
        after = _after(filters.cursor)
        if after is None:
            return problem(
                400, "invalid_input", "cursor：游标无效，请使用上一页答复中的 next_cursor。", field="cursor"
            )
        day, pk = after
        cases = cases.filter(received_on__lte=day).exclude(received_on=day, pk__gte=pk)
    rows = list(cases[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": [present.case_row(c) for c in rows], "next_cursor": _cursor(rows[-1]) if more else None}


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetail, **ERRORS},
    operation_id="get_case",
    summary="一件事项：信访人、诉求、办理记录、期限、评价、文件和跟踪督办",
)
def get_case(request, case_id: int = Path(..., ge=1, le=ID)):
    check(request, "view_cases")
    case = selectors.get_case_for(request, case_id)
    return present.case_detail(case, request.user)


@router.post(
    "/cases/{case_id}/reveal",
    response={200: Revealed, **ERRORS},
    operation_id="reveal",
    summary="查看一项完整的个人信息（记入审计日志）",
    description="与事项页面“显示”相同：只有本单位代理员可以查看，每次查看记入审计日志。",
)
def reveal(request, body: RevealIn, case_id: int = Path(..., ge=1, le=ID)):
    check(request, "reveal_personal")
    case = selectors.get_case_for(request, case_id, code="reveal_personal")
    field = body.field if body.position is None else f"{body.field}-{body.position}"
    value = selectors.revealable(case, field)
    if value is None:
        raise rules.refuse(
            request.user,
            "reveal_personal",
            target_type="cases.Case.field",
            target_id=case.pk,
            request=request,
        )
    record(AuditAction.REVEAL, request=request, target=case, field=field, via="api")
    return {"field": field, "value": value}


@router.get(
    "/cases/{case_id}/files/{file_id}",
    response={**ERRORS},
    operation_id="download_file",
    summary="下载事项的一个文件（记入审计日志）",
    openapi_extra={"x-binary": True},
)
def download_file(request, case_id: int = Path(..., ge=1, le=ID), file_id: int = Path(..., ge=1, le=ID)):
    check(request, "view_cases")
    case_file = selectors.get_case_file_for(request, case_id, file_id)
    stored = case_file.file
    record(
        AuditAction.DOWNLOAD, request=request, target=case_file.case, file=stored.sha256, kind=case_file.kind
    )
    response = HttpResponse(files.read(stored), content_type=stored.content_type)
    response["Content-Disposition"] = exports.attachment_header(files.download_name(stored))
    mark_personal(response)
    return response


@router.get(
    "/cases/{case_id}/follow-ups",
    response={200: list[FollowUpOut], **ERRORS},
    operation_id="list_follow_ups",
    summary="事项的跟踪督办记录",
)
def list_follow_ups(request, case_id: int = Path(..., ge=1, le=ID)):
    check(request, "view_cases")
    return present.follow_ups(selectors.get_case_for(request, case_id))


@router.post(
    "/cases",
    response={200: CaseDetail, 201: CaseDetail, **ERRORS},
    operation_id="register_case",
    summary="登记新事项",
    description="与“新登记”页面相同的检查。带 Idempotency-Key 重发时不会登记第二件（答复 200 和先前登记的事项）。"
    "证件号码已登记而信息不同的，答复 409（petitioner_changed），核对后在 petitioner.confirm_version 中填写版本号重发。",
    openapi_extra={"x-idempotent": True},
)
def register_case(request, body: RegisterIn):  # type: ignore[valid-type]
    check(request, "case_open")
    parsed: Any = body
    return idempotency.once(request, lambda: _register(request, parsed), payload=parsed.model_dump())


def _register(request, body: Any) -> HttpResponse:
    person = PetitionerForm(form_data(PetitionerIn, body.petitioner, prefix="p"))
    complaint = ComplaintForm(form_data(ComplaintIn, body.complaint, prefix="c"))
    token = idempotency.intake_token(request)
    intake = IntakeForm({"token": str(token), "received_on": body.received_on})
    for form, prefix in ((person, "petitioner."), (complaint, "complaint."), (intake, "")):
        if not form.is_valid():
            return form_problem(form, prefix=prefix)
    case, created = actions.open_case(
        by=request.user,
        token=token,
        petitioner=person.cleaned_data,
        complaint=complaint.cleaned_data,
        received_on=intake.cleaned_data["received_on"],
        request=request,
    )
    case = selectors.get_case_for(request, case.pk)
    return respond(CaseDetail, present.case_detail(case, request.user), status=201 if created else 200)
