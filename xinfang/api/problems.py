"""One error shape for every answer that is not a success: RFC 9457 ``application/problem+json``.

Each problem has ``type`` (a URN naming its ``code``), ``title``, ``status``, ``detail`` (the
Chinese message a user would read on the page), ``code`` (stable: what a program tests) and
``field`` (the input it is about, where there is one); input errors list every field in
``errors``. The statuses:

- 400 ``invalid_input`` (the body, a query or a path parameter is not what the schema or the
  page's form accepts), ``bad_request`` (an unreadable body), ``rule_refused`` (a rule of the work
  refuses it: a date before the step before, a wrong ground …);
- 401 ``unauthenticated`` (no token, or one expired, revoked, or of a deactivated account);
- 403 ``capability_refused``: the user's role has no grant of the capability at all;
- 404 ``not_found``: missing, or another unit's (a refusal looks like nothing, as on the pages);
- 405 ``method_not_allowed``;
- 409 ``step_not_allowed`` (the case's status does not allow the step), ``step_already_taken``,
  ``petitioner_changed`` (confirm the person's new particulars), ``request_in_progress``;
- 422 ``idempotency_key_reused`` (the key came with another request before);
- 429 ``rate_limited`` or ``lookup_throttled``, with ``Retry-After``;
- 500 ``server_error``: never meant to happen; the tests fail on it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpResponse
from ninja import Schema

PROBLEM = "application/problem+json"
TITLES = {
    400: "请求有误",
    401: "需要有效的接口令牌",
    403: "无此权限",
    404: "没有找到",
    405: "不支持该请求方法",
    409: "与当前状态冲突",
    422: "幂等键已用于其他请求",
    429: "请求过于频繁",
    500: "服务器内部错误",
}
logger = logging.getLogger("xinfang.api")


class FieldError(Schema):
    field: str
    detail: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    errors: list[FieldError] | None = None


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"urn:xinfang:problem:{code}",
        "title": TITLES.get(status, "请求未完成"),
        "status": status,
        "detail": detail,
        "code": code,
        "field": field,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- Input errors, in Chinese ------------------------------------------------------------------------

TYPES = {
    "string_type": "应为字符串。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "bool_type": "应为 true 或 false。",
    "bool_parsing": "应为 true 或 false。",
    "dict_type": "应为 JSON 对象。",
    "model_type": "应为 JSON 对象。",
    "model_attributes_type": "应为 JSON 对象。",
    "list_type": "应为数组。",
    "missing": "缺少必填项。",
    "extra_forbidden": "不认识的字段。",
    "literal_error": "取值不在允许的范围内。",
    "enum": "取值不在允许的范围内。",
    "string_pattern_mismatch": "格式不正确。",
    "json_invalid": "请求体不是有效的 JSON。",
    "int_from_float": "应为整数。",
    "none_required": "应为空。",
}


def _message(error: dict[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字符。"
    if kind == "string_too_short":
        return "不能为空。" if ctx.get("min_length") == 1 else f"至少{ctx.get('min_length')}个字符。"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应不小于{ctx.get('ge', ctx.get('gt'))}。"
    if kind in ("less_than_equal", "less_than"):
        return f"应不大于{ctx.get('le', ctx.get('lt'))}。"
    if kind in ("too_long", "too_short"):
        return "数量不符合要求。"
    return TYPES.get(kind, "格式不正确。")


def field_name(loc: tuple | list) -> str:
    """``("body", "payload", "on")`` → ``on``; ``("query", "month")`` → ``month``."""
    parts = [str(p) for p in loc[1:]]
    if len(parts) > 1 and parts[0] in ("payload", "body", "query", "filters", "data"):
        parts = parts[1:]
    return ".".join(parts) or str(loc[0] if loc else "")


def _shown(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"field": field_name(e.get("loc", ())), "detail": _message(e)} for e in errors][:20]


def input_problem(errors: list[dict[str, Any]]) -> HttpResponse:
    shown = _shown(errors)
    first = shown[0] if shown else {"field": "", "detail": "格式不正确。"}
    return problem(
        400,
        "invalid_input",
        f"{first['field']}：{first['detail']}" if first["field"] else first["detail"],
        field=first["field"] or None,
        errors=shown,
    )


def form_problem(form, *, prefix: str = "") -> HttpResponse:
    """A Django form's errors (the same cleaning as the page) as one 400 problem; ``prefix``
    names the part of the body the form read (``petitioner.``)."""
    shown = [
        {"field": prefix + name if name != "__all__" else prefix.rstrip("."), "detail": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]
    first = shown[0]
    return problem(400, "invalid_input", first["detail"], field=first["field"] or None, errors=shown)


# --- Refusals of the work, as problems ------------------------------------------------------------------


def answer(request, exc: Exception) -> HttpResponse | None:
    """The problem for a refusal raised by an action or a selector; None for anything else."""
    from django.http import Http404
    from ninja.errors import AuthenticationError, HttpError, ValidationError

    from xinfang.access import rules
    from xinfang.api.actions import RateLimited
    from xinfang.cases.intake import PetitionerChanged
    from xinfang.core.errors import DomainError
    from xinfang.public.actions import LookupRefused

    if isinstance(exc, ValidationError):
        if request.content_type == "application/json" and any(
            e.get("loc", ("",))[0] == "form" for e in exc.errors
        ):
            detail = "此操作的请求体应为 multipart/form-data（表单，可附文件），不是 JSON。"
            return problem(400, "invalid_input", detail, errors=_shown(exc.errors))
        return input_problem(exc.errors)
    if isinstance(exc, Http404):
        return problem(404, "not_found", "没有找到。")
    if isinstance(exc, AuthenticationError):
        detail = (
            "请在 Authorization 头中提供有效的接口令牌（Bearer）。令牌可能已过期、被撤销，或其账户已停用。"
        )
        return problem(401, "unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer realm="xinfang"'})
    if isinstance(exc, HttpError):
        if exc.status_code == 400:
            return problem(400, "bad_request", "请求体无法解析：应为有效的 JSON 或表单。")
        return problem(exc.status_code, "http_error", str(exc))
    if isinstance(exc, rules.Refused):
        user = getattr(request, "user", None)
        if exc.code and rules.reach(user, exc.code) is None:
            return problem(403, "capability_refused", "您的账户没有这项权限（见“谁能做什么”）。")
        return problem(404, "not_found", rules.NOT_FOUND)
    if isinstance(exc, RateLimited):
        return problem(429, "rate_limited", exc.message, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, LookupRefused):
        if exc.retry_at is not None:
            from django.utils import timezone

            wait = max(1, int((exc.retry_at - timezone.now()).total_seconds()) + 1)
            return problem(429, "lookup_throttled", exc.message, headers={"Retry-After": str(wait)})
        return problem(404, "not_found", exc.message)
    if isinstance(exc, PetitionerChanged):
        return problem(
            409,
            "petitioner_changed",
            exc.message + "确认后，请在 petitioner.confirm_version 中填写此版本号重新提交。",
            field="petitioner.confirm_version",
            confirm_version=exc.version,
            changed=exc.changed,
        )
    if isinstance(exc, DomainError):
        return problem(400, "rule_refused", exc.message, field=exc.field or None)
    return None


def server_error(request, exc: Exception) -> HttpResponse:
    logger.exception("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return problem(500, "server_error", "服务器内部错误，已记录。请稍后再试或联系系统管理员。")
