"""A small crawler for the hostile-input sweep: the pages a user reaches by following links, the
forms on them, and posts of hostile values into every field of every form."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.core.signals import got_request_exception

# What an attacker (or a careless paste) sends. NUL: PostgreSQL refuses it in text with an error.
# The characters are mixed in one value: any one of them must be refused (or stored) without a 500.
HOSTILE = {
    "characters": "甲\x00乙\x01\x1b[31m丙\x7f\u202e丁\u2066\ufffd😀\u200b",
    "invisible": "\u200b",
    "long": "长" * 6000,
    "huge_int": "9" * 40,
    "huge_digits": "9" * 5000,  # past Python's int() digit limit
    "negative": "-5",
    "bad_date": "2026-02-30",
    "year_1": "0001-01-01",
    "year_9999": "9999-12-31T23:59",
}
TEXT_ATTACKS = ("characters", "invisible", "long")
QUERY_ATTACKS = ("characters", "long", "huge_int", "huge_digits", "negative", "bad_date")
BOUNDARY = "HostileBoundary"
TEXT_TYPES = {"text", "search", "tel", "email", "url", "password", ""}
SKIP_PATHS = re.compile(r"^/(static|media)/|/logout/|\.(docx|xlsx|csv)$|/files/\d+/|/photo/")
DOWNLOADS = re.compile(r"\.(docx|xlsx|csv)$")
GET_PARAMS = (
    "page",
    "month",
    "year",
    "q",
    "case",
    "unit",
    "kind",
    "status",
    "urgency",
    "inline",
    "action",
    "actor",
)


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for hx in ("hx-post", "hx-get"):
            if a.get(hx):
                method = "post" if hx == "hx-post" else "get"
                fields = list(self._form.fields) if self._form else []
                self.forms.append(Form(a[hx], method, False, fields))
        if tag == "form":
            self._form = Form(
                a.get("action", ""), a.get("method", "get").lower(), "multipart" in a.get("enctype", "")
            )
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind not in ("submit", "button", "reset", "image"):
                ticked = "checked" in a or "required" in a  # a required box: 确认 and the like
                self._form.fields.append(Field(a["name"], kind, a.get("value", ""), ticked))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)

    def _option(self, a):
        self._select.options.append(a.get("value", ""))
        if "selected" in a:
            self._select.value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select and not self._select.value:
                self._select.value = next((o for o in self._select.options if o), "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def defaults(form: Form) -> dict[str, list[str]]:
    """What a user posting the form as shown would send, with the required boxes ticked and the
    first radio of each group chosen, so that a hostile text gets as far as the action."""
    data: dict[str, list[str]] = {}
    for f in form.fields:
        if f.kind == "file":
            continue
        if f.kind == "radio":
            data.setdefault(f.name, [f.value])
        elif f.kind == "checkbox":
            if f.checked:
                data.setdefault(f.name, []).append(f.value or "on")
        else:
            data.setdefault(f.name, []).append(f.value)
    return data


def hostile_variants(form: Form):
    """(label, data) pairs: every field hostile, then the form as shown with its text fields hostile."""
    names = {f.name for f in form.fields if f.name not in ("csrfmiddlewaretoken", "download_token")}
    texts = {f.name for f in form.fields if f.kind in TEXT_TYPES | {"textarea"} and f.name in names}
    base = defaults(form)
    for label, value in HOSTILE.items():
        yield f"all fields {label}", {**base, **{n: [value] for n in names}}
        if texts and label in TEXT_ATTACKS:
            yield f"text fields {label}", {**base, **{n: [value] for n in texts}}


@dataclass
class Finding:
    method: str
    url: str
    what: str
    status: int
    error: str

    def __str__(self):
        return f"{self.method} {self.url} [{self.what}] -> {self.status} {self.error}"


class Sweep:
    """Crawls what ``client`` reaches from ``start`` and throws hostile values at it."""

    def __init__(self, client, *, login=None, per_shape: int = 2, max_pages: int = 400, wider=None):
        self.client, self.login = client, login
        self.per_shape, self.max_pages = per_shape, max_pages
        self.wider = wider or {}  # shape -> how many of it to visit, where instances differ
        self.findings: list[Finding] = []
        self.requests = 0
        self.pages: dict[str, str] = {}
        self._errors: list[str] = []
        got_request_exception.connect(self._record_error)

    def close(self):
        got_request_exception.disconnect(self._record_error)

    def _record_error(self, sender, request=None, **kwargs):
        import sys

        exc = sys.exc_info()[1]
        self._errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")

    def _send(self, method: str, url: str, what: str, data=None, body=None, **extra):
        self._errors.clear()
        self.requests += 1
        if method == "generic":  # data is the HTTP method, body the raw request body
            response = self.client.generic(data, url, body, **extra)
        else:
            response = getattr(self.client, method)(url, data or {}, **extra)
        if response.status_code >= 500:
            error = self._errors[0] if self._errors else ""
            self.findings.append(Finding(method.upper(), url, what, response.status_code, error))
        return response

    def crawl(self, start: list[str]) -> None:
        seen_shapes: dict[str, int] = {}
        queue = deque(start)
        visited = set()
        while queue and len(self.pages) < self.max_pages:
            url = queue.popleft()
            path = urlsplit(url).path
            if url in visited or SKIP_PATHS.search(path):
                continue
            visited.add(url)
            key = shape(path)
            if seen_shapes.get(key, 0) >= self.wider.get(key, self.per_shape):
                continue
            seen_shapes[key] = seen_shapes.get(key, 0) + 1
            parser = self.visit(url)
            for href in parser.links if parser else ():
                target = urljoin(url, href)
                if target.startswith("/") and "#" not in target:
                    queue.append(target)

    def visit(self, url: str) -> PageParser | None:
        """GET one page and keep it (its forms are attacked with the others)."""
        response = self._send("get", url, "page")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return None
        return self.keep(url, response.content.decode())

    def keep(self, url: str, html: str) -> PageParser:
        self.pages[url] = html
        parser = PageParser()
        parser.feed(html)
        return parser

    def forms(self) -> list[tuple[str, Form]]:
        """Every distinct form (by target shape and field names) on the crawled pages."""
        found, keys = [], set()
        for url, html in self.pages.items():
            parser = PageParser()
            parser.feed(html)
            for form in parser.forms:
                target = urljoin(url, form.action or url)
                key = (form.method, shape(urlsplit(target).path), tuple(sorted(f.name for f in form.fields)))
                if key not in keys and not SKIP_PATHS.search(urlsplit(target).path):
                    keys.add(key)
                    found.append((target, form))
        return found

    def attack_forms(self) -> None:
        for target, form in self.forms():
            if self.login:
                self.login()
            if form.method == "post":
                self._raw_posts(target, form)
            for what, data in hostile_variants(form):
                if form.method == "post":
                    self._send("post", target, what, data)  # multipart, as the test client sends
                else:
                    path = urlsplit(target).path
                    self._send("get", path, what, {k: v[0] for k, v in data.items() if v})

    def _raw_posts(self, target: str, form: Form) -> None:
        """The form as raw multipart bodies: bytes that are not UTF-8 in every field, and a
        ``charset`` that Python knows but that is no text encoding."""
        names = sorted({f.name for f in form.fields} - {"csrfmiddlewaretoken"}) or ["x"]
        for what, value, charset in (
            ("invalid UTF-8", b"\xff\xfe\xc3(\xed\xa0\x80", ""),
            ("charset=hex", "甲".encode(), "; charset=hex"),
        ):
            parts = [
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n'.encode() + value
                for n in names
            ]
            body = b"\r\n".join(parts) + f"\r\n--{BOUNDARY}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={BOUNDARY}{charset}"
            # The test client builds its request with Django's own class, which decodes a query
            # string in such a charset and crashes in the test: served, xinfang.wsgi's class does
            # not (tests/test_input_limits.py checks that through the WSGI application).
            url = urlsplit(target).path if charset else target
            self._send("generic", url, what, "POST", body, content_type=content_type)

    def attack_query_strings(self) -> None:
        """Each crawled page again with every usual query parameter hostile."""
        done = set()
        for url in list(self.pages):
            path = urlsplit(url).path
            if shape(path) in done:
                continue
            done.add(shape(path))
            own = [k for k, _ in parse_qsl(urlsplit(url).query)]
            for label, value in HOSTILE.items():
                if label in QUERY_ATTACKS:
                    self._send("get", path, f"query {label}", {name: value for name in {*GET_PARAMS, *own}})

    def fetch_downloads(self, per_shape: int = 3) -> None:
        """Every document the crawled pages link to, after the attacks: what was stored must
        still print (a .docx refuses control characters, an .xlsx too)."""
        counts: dict[str, int] = {}
        for url, html in list(self.pages.items()):
            for href in self.keep(url, html).links:
                target = urljoin(url, href)
                key = shape(urlsplit(target).path)
                if DOWNLOADS.search(urlsplit(target).path) and counts.get(key, 0) < per_shape:
                    counts[key] = counts.get(key, 0) + 1
                    self._send("get", target, "download after the attacks")
