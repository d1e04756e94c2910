"""An agent at the browser, for bench/stress_kill.py: logs in through the login page and
registers cases through the 新登记 form, over plain HTTP, as a browser would.

No Django here: the client only knows the URLs and the form's field names.
"""

from __future__ import annotations

import datetime
import http.client
import re
import urllib.parse
from dataclasses import dataclass, field

CASE_URL = re.compile(r"^/cases/(\d+)/$")
HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"')
OPTION = re.compile(r'<select name="(c-category|c-incident_town)"[^>]*>.*?<option value="(\d+)"', re.S)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class ServerGone(Exception):
    """No answer: the server was killed or is starting again."""


class LoggedOut(Exception):
    """The session is gone: log in again."""


def id_number(serial: int) -> str:
    """A made-up 镇坪县 ID number with a valid GB 11643 check digit, a different one per serial
    (below a million): the birth date moves a day every thousand serials."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=serial // 1000)
    first17 = f"610927{born:%Y%m%d}{serial % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


@dataclass
class Response:
    status: int
    location: str
    body: str


@dataclass
class Browser:
    """One browser session: cookies kept, redirects not followed, one connection per request."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            raise ServerGone(str(exc)) from exc
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        location = urllib.parse.urlsplit(response.getheader("Location") or "").path
        return Response(response.status, location, text)

    def hidden(self, page: Response) -> dict[str, str]:
        return dict(HIDDEN.findall(page.body))

    def log_in(self, username: str, password: str) -> None:
        page = self.request("GET", "/accounts/login/")
        if page.status == 302:  # still logged in
            return
        form = {**self.hidden(page), "username": username, "password": password, "next": ""}
        answer = self.request("POST", "/accounts/login/", form)
        if answer.status != 302:
            raise RuntimeError(f"login of {username} failed with HTTP {answer.status}")

    def new_case_form(self) -> dict[str, str]:
        """The 新登记 form's hidden fields and first choices (the token makes one form one case)."""
        page = self.request("GET", "/cases/new/")
        if page.status == 302 and page.location.startswith("/accounts/login/"):
            raise LoggedOut()
        if page.status != 200:
            raise ServerGone(f"GET /cases/new/ answered {page.status}")
        return {**self.hidden(page), **dict(OPTION.findall(page.body))}

    def register(self, form: dict[str, str], *, serial: int, received_on: str) -> Response:
        data = {
            **form,
            "p-name": "压测某某",
            "p-id_number": id_number(serial),
            "p-mobile": f"139{serial % 100000000:08d}",
            "p-landline": "",
            "p-address": "镇坪县城关镇测试村一组",
            "p-work_unit": "无",
            "received_on": received_on,
            "c-respondent_kind": "administrative",
            "c-respondent_name": "某镇人民政府",
            "c-petition_type": "claim",
            "c-allow_public": "0",
            "c-court_accepted": "0",
            "c-reconsideration_done": "0",
            "c-arbitration_accepted": "0",
            "c-has_review_opinion": "0",
            "c-incident_place": "测试村",
            "c-title": f"压力测试登记第{serial}件",
            "c-content": "压力测试：服务进程被强行终止时，已确认登记的事项不得丢失。",
        }
        return self.request("POST", "/cases/new/", data)


def acknowledged_case(response: Response) -> int | None:
    """The new case's id when the server answered with the redirect to it."""
    match = CASE_URL.match(response.location) if response.status == 302 else None
    return int(match.group(1)) if match else None
