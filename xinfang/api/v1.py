"""The API, version 1: ``/api/v1/``, its OpenAPI 3.1 document and its docs page.

Every operation acts as the user of the request's bearer token (``auth``), asks the capability
table first (``check``: a role without the grant at all gets 403), reads through the other apps'
selectors (another unit's object is a 404, as on the pages) and writes through their actions.
Every answer that is not a success is a problem (``problems``).
"""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger

from xinfang.access import rules
from xinfang.api.auth import TokenAuth
from xinfang.api.idempotency import HEADER_DOC
from xinfang.api.problems import PROBLEM, Problem, answer, server_error

ERRORS: dict[int, Any] = {code: Problem for code in (400, 401, 403, 404, 409, 422, 429)}
JSON = "application/json; charset=utf-8"
BINARY = {"application/pdf", "image/jpeg", "image/png"}
DESCRIPTION = """网上投诉代理工作平台的数据接口。每个请求以令牌所属账户的身份、角色和单位办理：\
能做的与页面完全相同（见“谁能做什么”），另一单位的事项与不存在的一样答复 404。

- 认证：`Authorization: Bearer <令牌>`。个人令牌在页面“接口令牌”中创建；对接系统的只读令牌由县信访局在“接口账户”中创建。
- 错误：一律为 `application/problem+json`（RFC 9457），含中文说明 `detail`、字段 `field` 和稳定的代码 `code`。
- 重试：写操作可带 `Idempotency-Key`，重发得到第一次的结果。
- 限流：每个令牌每分钟的请求数有上限，超过时答复 429 并给出 `Retry-After`。
"""


class DocsPage(Swagger):
    """Swagger UI from the platform's own static files, started by a script file (no CDN, no
    inline script: the Content-Security-Policy holds)."""

    def render_page(self, request, api, **kwargs):
        url = self.get_openapi_url(api, kwargs)
        return render(request, "api/docs.html", {"api": api, "openapi_url": url})


class Api(NinjaAPI):
    @cached_property
    def _document(self) -> dict[str, Any]:
        return polish(dict(super().get_openapi_schema()))

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return copy.deepcopy(self._document)


def polish(schema: dict[str, Any]) -> dict[str, Any]:
    """Problems as ``application/problem+json`` with their headers; the idempotency header on the
    writes that take it; the file download's content types."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if int(status) >= 400 and "content" in response:
                    response["content"] = {PROBLEM: response["content"]["application/json"]}
                    response["description"] = Problem.__name__ + f" {status}"
                if status == "429":
                    response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "required": True}}
                if status == "401":
                    response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
            if operation.pop("x-idempotent", False):
                operation.setdefault("parameters", []).append(dict(HEADER_DOC))
            if operation.pop("x-binary", False):
                binary = {"schema": {"type": "string", "format": "binary"}}
                operation["responses"]["200"] = {
                    "description": "文件内容",
                    "content": {kind: binary for kind in sorted(BINARY)},
                }
    return schema


api = Api(
    title="网上投诉代理工作平台 数据接口",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    docs=DocsPage(),
    urls_namespace="api:v1",
)


def _any_error(request, exc: Any) -> HttpResponse:
    return answer(request, exc) or server_error(request, exc)


for _kind in (Exception, Http404, HttpError, ValidationError):  # every handler ninja sets itself
    api.add_exception_handler(_kind, _any_error)


def check(request, code: str, *, unit: Any = None) -> None:
    """The capability table first: ``Refused`` (403 without any grant, else 404) and an audit row."""
    match = request.resolver_match
    rules.check(
        request.user,
        code,
        unit=unit,
        request=request,
        target_type="api",
        target_id=match.url_name if match else request.path[:40],
    )


def respond(schema: type[Schema], data: Any, *, status: int = 200) -> HttpResponse:
    """An answer checked against its schema, as ninja would (for writes, which keep it)."""
    return HttpResponse(schema.model_validate(data).model_dump_json(), status=status, content_type=JSON)
