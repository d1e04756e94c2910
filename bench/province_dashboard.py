"""The dashboard page (``/figures/``) at province scale, for bench_province.py: a closed month and
year, the open month and year, and a published month, each for 10 units and for all of them.

Per page: counted live with nothing kept (the baseline, in the same run), cold (the closed
months counted and kept by this request), warm (kept counts read back; best of three), the
queries of a warm request, and the goals beside them. Runs inside Django (the bench's child).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

GOAL_YEAR = {"postgresql": 0.5, "sqlite": 1.0}  # seconds, a year's page for 100 units
GOAL_PUBLISHED = 0.05  # seconds, a published month served from its stored figures


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


@contextmanager
def _nothing_kept():
    """Every day counted from the cases, as before closed months were kept."""
    from xinfang.figures import stored

    split, month_counts = stored.split, stored.month_counts
    stored.split = lambda period, today: ([], [(period.start, period.end)])
    stored.month_counts = lambda *args: {}
    try:
        yield
    finally:
        stored.split, stored.month_counts = split, month_counts


def measure(units, end) -> list[dict]:
    """The pages as bureau staff see them. Each unit count is measured in a transaction rolled
    back afterwards (the other units deactivated, the bulletin published)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from xinfang.accounts import sessions
    from xinfang.accounts.models import Unit, User
    from xinfang.bulletins.actions import publish_bulletin
    from xinfang.figures.models import MonthCounts
    from xinfang.figures.periods import add_months

    bureau = User.objects.get(username="pbench-bureau")
    client = Client()
    client.force_login(bureau)
    session = client.session
    sessions.mark_complete(session, method="bench", now=timezone.now())
    session.save()
    last = add_months(end.replace(day=1), -1)
    kinds = [
        ("closed month", {"kind": "month", "month": f"{last:%Y-%m}"}),
        ("closed year", {"kind": "year", "year": str(end.year - 1)}),
        ("open month", {"kind": "month", "month": f"{end:%Y-%m}"}),
        ("open year", {"kind": "year", "year": str(end.year)}),
        ("published month", {"kind": "month", "month": f"{last:%Y-%m}"}),
    ]

    def get(params):
        return client.get("/figures/", params)

    pages = []
    for n_units in (10, len(units)):
        with transaction.atomic():
            Unit.objects.filter(name__startswith="省测").exclude(
                pk__in=[u.pk for u in units[:n_units]]
            ).update(active=False)
            for label, params in kinds:
                row = {"page": label, "units": n_units}
                if label == "published month":
                    publish_bulletin(month=last, by=bureau)
                elif n_units == len(units):
                    with _nothing_kept():
                        row["live"], _ = _best(lambda p=params: get(p), repeat=1)
                if label != "published month":
                    MonthCounts.objects.all().delete()
                    row["cold"], _ = _best(lambda p=params: get(p), repeat=1)
                with CaptureQueriesContext(connection) as captured:
                    response = get(params)
                row["queries"] = len(captured.captured_queries)
                row["warm"], response = _best(lambda p=params: get(p))
                row["status"] = response.status_code
                pages.append(row)
                print(
                    f"  page {label}, {n_units} units: "
                    + ", ".join(f"{k} {row[k]:.3f} s" for k in ("live", "cold", "warm") if k in row)
                    + f", {row['queries']} queries, HTTP {row['status']}",
                    flush=True,
                )
            transaction.set_rollback(True)
    return pages


def report(vendor: str, pages: list[dict]) -> None:
    goal_year = GOAL_YEAR.get(vendor, GOAL_YEAR["sqlite"])
    print(
        f"{'dashboard page (HTTP, bureau user)':34s} {'live':>8s} {'cold':>8s} {'warm':>8s} {'live/warm':>9s}"
        f" {'queries':>8s}  goal"
    )
    for p in pages:
        goal, limit = "", None
        if p["page"].endswith("year") and p["units"] == 100:
            goal, limit = f"≤{goal_year:g} s", goal_year
        elif p["page"] == "published month":
            goal, limit = f"≤{GOAL_PUBLISHED * 1000:g} ms", GOAL_PUBLISHED
        flag = "  ← above goal" if limit is not None and p["warm"] > limit else ""
        live = f"{p['live']:7.3f}s" if "live" in p else f"{'':8s}"
        cold = f"{p['cold']:7.3f}s" if "cold" in p else f"{'':8s}"
        ratio = f"{p['live'] / p['warm']:8.1f}×" if "live" in p else f"{'':9s}"
        print(
            f"  {p['page'] + ', ' + str(p['units']) + ' units':32s} {live} {cold} {p['warm']:7.3f}s {ratio}"
            f" {p['queries']:8d}  {goal}{flag}  HTTP {p['status']}"
        )
    print("  live: nothing kept, every day counted from the cases (the baseline); cold: the closed months")
    print(
        "  counted and kept by this request; warm: kept counts read back (best of 3); queries: a warm request."
    )
    for label in dict.fromkeys(p["page"] for p in pages):
        q = [p["queries"] for p in pages if p["page"] == label]
        verdict = (
            "independent of the number of units" if len(set(q)) == 1 else "DEPEND on the number of units"
        )
        print(f"  {label}: queries {' vs '.join(map(str, q))} — {verdict} (goal: independent)")
