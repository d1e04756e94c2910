"""Writes that are safe to retry: the ``Idempotency-Key`` header.

A write sent with a key (any text of 1–200 visible ASCII characters, new for each new write: a
UUID is best) is done once. Its answer, success or refusal, is kept for 24 hours under the
token and the key; the same request sent again with the same key gets that answer again, with
``Idempotent-Replayed: true``, and nothing is done a second time. The same key with another
request (another path or body) is refused (422); while the first is still at work, a repeat
gets 409 and may try again a moment later. Server errors and limits are not kept: a retry
after them is done. Registration also derives the case's intake token from the key, so a case
is never registered twice, even when its answer was lost before it could be kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from xinfang.api import actions
from xinfang.api.problems import answer, problem

HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
NAMESPACE = uuid.UUID("6f1c1a0e-2b7e-4d8e-9a57-3c1f0c9b5e21")
HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "可选。每次新的写操作用一个新值（建议 UUID）；网络中断后用同一值重发，"
    "得到第一次的结果，不会重复登记或重复办理。24小时内有效。",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": KEY.pattern},
}


def key_of(request) -> str | None:
    return request.headers.get(HEADER)


def intake_token(request) -> uuid.UUID:
    """The registration's token: the same for the same token and key, new without a key."""
    key = key_of(request)
    token = getattr(request, "api_token", None)
    if key and token is not None and KEY.match(key):
        return uuid.uuid5(NAMESPACE, f"{token.pk}:{key}")
    return uuid.uuid4()


def fingerprint(request, payload: Any = None, files: dict[str, Any] | None = None) -> str:
    """What makes two requests the same: method, path, the body as parsed, the files' contents."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode())
    files = files or {}
    for name in sorted(files):
        uploads = files[name] if isinstance(files[name], list) else [files[name]]
        for upload in uploads:
            if upload is None:
                continue
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            digest.update(f"{name}:{upload.size}:{content.hexdigest()}\n".encode())
    return digest.hexdigest()


def once(request, work: Callable[[], HttpResponse], *, payload: Any = None, files=None) -> HttpResponse:
    """Do ``work`` (which answers every outcome itself, refusals included) at most once per key."""
    key = key_of(request)
    token = getattr(request, "api_token", None)
    if key is None or token is None:
        return work()
    if not KEY.match(key):
        detail = "Idempotency-Key 应为1至200个可见的 ASCII 字符（建议用 UUID）。"
        return problem(400, "invalid_input", detail, field=HEADER)
    begun = actions.begin_write(token, key, fingerprint(request, payload, files))
    if begun.reused:
        detail = "该 Idempotency-Key 已用于另一个请求。每次新的写操作请用新的值。"
        return problem(422, "idempotency_key_reused", detail, field=HEADER)
    if begun.busy:
        detail = "同一 Idempotency-Key 的请求正在处理，请稍后用同一值重发以取得结果。"
        return problem(409, "request_in_progress", detail, field=HEADER, headers={"Retry-After": "1"})
    if begun.replay is not None:
        kept = begun.replay
        response = HttpResponse(kept.body, status=kept.status, content_type=kept.content_type)
        response["Idempotent-Replayed"] = "true"
        return response
    assert begun.answer is not None
    try:
        response = work()
    except Exception as exc:
        known = answer(request, exc)
        if known is None:
            actions.finish_write(begun.answer, status=500, content_type="", body="")
            raise
        response = known
    actions.finish_write(
        begun.answer,
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response.content.decode("utf-8"),
    )
    return response
