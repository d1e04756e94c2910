"""The API's cost: list and detail throughput against bare django-ninja endpoints answering the
same rows (``api_bare.py``), as ratios (goals: list ≥ 0.5×, detail ≥ 0.6×), what the token check
and the per-token count add, and the queries of a call for more rows (they must not grow).

In-process, through Django's test client (no network), one worker. Prints figures and never
fails on time. Data are made once per database with the real actions: SQLite in
bench/.cache/api; PostgreSQL with DATABASE_URL (a database of its own, e.g.
postgres://postgres@127.0.0.1:5432/xinfang_bench_api).
Usage: .venv/bin/python bench/bench_api.py [number of cases, default 500]
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("XINFANG_DATA_DIR", str(ROOT / "bench" / ".cache" / "api"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches  # noqa: E402
from django.utils import timezone  # noqa: E402
from intake_data import complaint, person  # noqa: E402

from xinfang.accounts.models import Role, Unit, UnitKind, User  # noqa: E402
from xinfang.api import actions as api  # noqa: E402
from xinfang.cases import actions  # noqa: E402
from xinfang.cases.models import Case, CaseStatus  # noqa: E402
from xinfang.reference.models import ContentCategory  # noqa: E402

LIST_GOAL, DETAIL_GOAL = 0.5, 0.6


def ensure_data(total: int) -> tuple[User, Case, Case]:
    """``total`` cases of one unit; two of them walked far (many events, clocks, files) and with
    follow-ups: one with few (2), one with many (20), for the queries of a detail."""
    call_command("migrate", verbosity=0)
    unit, _ = Unit.objects.get_or_create(name="城关镇", defaults={"kind": UnitKind.TOWN})
    agent = User.objects.filter(username="bench").first() or User.objects.create_user(
        username="bench", password=None, role=Role.AGENT, unit=unit, full_name="王某某"
    )
    category = ContentCategory.objects.first()
    have = Case.objects.count()
    start = time.perf_counter()
    for i in range(have, total):
        actions.open_case(
            by=agent, token=uuid.uuid4(), petitioner=person(i), complaint=complaint(i, category)
        )
    if total > have:
        print(f"made {total - have} cases in {time.perf_counter() - start:.1f} s")
    small, large = _walked(agent, "bench-small", 2), _walked(agent, "bench-large", 20)
    return agent, small, large


def _walked(agent: User, title: str, follow_ups: int) -> Case:
    case = Case.objects.filter(title=title).first()
    if case is not None:
        return case
    from xinfang.cases.tests.factories import new_case, walk

    settings.PRIVATE_FILES_DIR = Path(os.environ["XINFANG_DATA_DIR"]) / "files"
    start = timezone.localdate() - datetime.timedelta(days=follow_ups + 30)
    case = walk(
        new_case(agent, received_on=start, serial=900, title=title),
        CaseStatus.ACCEPTED,
        by=agent,
        start=start,
    )
    for n in range(follow_ups):
        on = start + datetime.timedelta(days=10 + n)
        actions.take_step(
            case, "follow_up", by=agent, on=on, means="phone", contact="某科", content=f"第{n}次"
        )
    return case


def throughput(client: Client, path: str, headers: dict, seconds: float = 3.0) -> float:
    for _ in range(3):
        assert client.get(path, headers=headers).status_code == 200, path
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        client.get(path, headers=headers)
        count += 1
    return count / (time.perf_counter() - start)


def queries(client: Client, path: str, headers: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, headers=headers).status_code == 200
    return len(captured.captured_queries)


def main(total: int) -> None:
    settings.API_REQUESTS_PER_MINUTE = 10**9  # the count is measured, not the limit
    settings.ROOT_URLCONF = "api_bare"
    clear_url_caches()
    agent, small, large = ensure_data(total)
    _, secret = api.create_token(
        by=agent, name="bench", expires_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    token = {"Authorization": f"Bearer {secret}"}
    client = Client()
    print(f"database: {connection.vendor}, {Case.objects.count()} cases")
    for label, api_path, bare_path, goal in (
        ("list of 50", "/api/v1/cases?limit=50", "/bare/cases?limit=50", LIST_GOAL),
        ("detail", f"/api/v1/cases/{large.pk}", f"/bare/cases/{large.pk}", DETAIL_GOAL),
    ):
        ours, bare = throughput(client, api_path, token), throughput(client, bare_path, {})
        ratio = ours / bare
        verdict = "meets" if ratio >= goal else "BELOW"
        print(
            f"{label:10s} API {ours:7.1f}/s  bare ninja {bare:7.1f}/s  ratio {ratio:.2f} ({verdict} the goal {goal}×)"
        )
    me = throughput(client, "/api/v1/me", token)
    print(f"GET /me (token, count, capability table): {me:.0f}/s, {1000 / me:.2f} ms a call")
    request = RequestFactory().get("/api/v1/me")
    api.admit(secret, request=request)
    n, start = 500, time.perf_counter()
    for _ in range(n):
        api.admit(secret, request=request)
    spent = (time.perf_counter() - start) / n
    print(
        f"the token's check and count per request (2 queries, one of them an UPDATE): {spent * 1000:.2f} ms"
    )
    for limit in (10, 50, 100):
        print(f"queries, list of {limit:3d}: {queries(client, f'/api/v1/cases?limit={limit}', token)}")
    for label, case in (("few events, 2 follow-ups", small), ("many events, 20 follow-ups", large)):
        print(
            f"queries, detail ({label}, {case.events.count()} events): {queries(client, f'/api/v1/cases/{case.pk}', token)}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
