"""The pages as users get them: ``xinfang serve`` (gunicorn, 2 workers) against a bare Django 5.2
project (``web_bare/``: one row by primary key, 50 rows of 10,000, 20 rows) served the same way,
side by side on 127.0.0.1, for SQLite and PostgreSQL.

For each page: requests per second, p99 latency and queries per page of the platform and of its
baseline, measured one after the other (platform, baseline, next page …) in ROUNDS rounds, and
the ratio (the median over the rounds) beside the goal of issue 14. Prints figures; never fails
on time, and exits 0.

Data: bench/province_data.py at 50,000 cases over 5 units (10,000 in the measured agent's unit,
with deadlines, ratings, events; ``bench_ledger.enrich`` adds 反馈表 and follow-ups), and a
published profile for each agent. Generated once per database and kept: SQLite under
bench/.cache/web (the bare project's in bench/.cache/web-bare), PostgreSQL in the databases
``xinfang_bench_web`` and ``xinfang_bench_web_bare`` on 127.0.0.1:5432 (skipped when no server
answers). The agent's session is made in the database beforehand (a complete login).

Load: ``wrk`` (4 connections, 2 threads) where installed, else a small Python client with the
same 4 connections (``--client python`` to choose it).

Both keep their database connection between requests (``--bare-connections new``: the bare
project opens one per request, as ``startproject`` sets it).

Usage: .venv/bin/python bench/bench_web.py [--seconds 4] [--rounds 2] [--only sqlite|postgresql]
    [--client wrk|python] [--bare-connections kept|new]
"""

# ruff: noqa: S603, S607 — the benchmark starts its own interpreter, servers, wrk and uptime.

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
PYTHON = sys.executable
PG_URL = os.environ.get("XINFANG_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SIZE, UNITS, BARE_ROWS = 50_000, 5, 10_000
CONNECTIONS = 4

# (label, the platform's page, its baseline, the goal of issue 14)
PAGES = (
    ("case detail", "detail", "one", 0.5),
    ("ledger (50 rows)", "ledger", "rows", 0.6),
    ("工作台 worklist", "work", "twenty", 0.4),
    ("public agents", "agents", "one", 0.6),
    ("public look-up", "track", "one", 0.6),
)
ANONYMOUS = {"agents", "track"}


# --- Children: one Django per settings module -------------------------------------------------------


def prepare_platform() -> dict:
    """The platform's data, the agent's session, and each page's queries (Django's test client)."""
    sys.path[:0] = [str(ROOT), str(BENCH)]
    import django

    django.setup()
    import datetime

    import province_data
    from bench_ledger import enrich
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from xinfang.accounts import sessions
    from xinfang.accounts.models import AgentProfile, User
    from xinfang.cases.models import Case, FollowUp

    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    call_command("migrate", verbosity=0)
    # One petitioner per pooled value and unit (their ID numbers are unique within a unit).
    province_data.UNITS, province_data.PETITIONERS = UNITS, UNITS * province_data.POOL
    if province_data.marker() is None:
        log(f"  generating {SIZE:,} cases over {UNITS} units (once; kept for later runs)")
        province_data.generate(SIZE, log=log)
    enrich(log)
    # While the body handles the matter, the agent plans the next follow-up: within a month for
    # most, yesterday or today for one in fifteen (due on the worklist).
    handling = ("submitted", "forwarded", "received", "accepted")
    if not FollowUp.objects.filter(next_on__isnull=False).exists():
        today = timezone.localdate()
        for pk in Case.objects.filter(status__in=handling).values_list("pk", flat=True):
            planned = today + datetime.timedelta(days=pk % 30 - 1)
            FollowUp.objects.filter(case_id=pk).update(next_on=planned)
    for agent in User.objects.filter(username__startswith="pbench").exclude(username="pbench-bureau"):
        AgentProfile.objects.get_or_create(
            user=agent, defaults={"title": "代理员", "mobile": "13900000000", "published": True}
        )
    province_data.settle(log)
    agent = User.objects.get(username="pbench000")
    case = (
        Case.objects.filter(unit_id=agent.unit_id, status="delivered").order_by("-received_on", "-pk").first()
    )
    assert case is not None
    client = Client()
    client.force_login(agent)
    session = client.session
    sessions.mark_complete(session, method="bench", now=timezone.now())
    session.save()
    paths = {
        "detail": f"/cases/{case.pk}/",
        "ledger": "/cases/",
        "work": "/cases/work/",
        "agents": "/public/agents/",
        "track": "/public/track/",
    }
    queries = {}
    for name, path in paths.items():
        asking = Client() if name in ANONYMOUS else client
        asking.get(path)  # the first request fills what a worker keeps
        with CaptureQueriesContext(connection) as captured:
            status = asking.get(path).status_code
        assert status == 200, (path, status)
        queries[name] = len(captured.captured_queries)
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "paths": paths,
        "queries": queries,
        "cases": Case.objects.count(),
        "unit_cases": Case.objects.filter(unit_id=agent.unit_id).count(),
    }


def prepare_bare() -> dict:
    sys.path[:0] = [str(BENCH)]
    import django

    django.setup()
    import datetime

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from web_bare.models import Row

    call_command("migrate", run_syncdb=True, verbosity=0)
    have = Row.objects.count()
    if have < BARE_ROWS:
        start, now = datetime.date(2023, 1, 1), timezone.now()
        Row.objects.bulk_create(
            [
                Row(
                    number=f"城关镇-{2023 + i // 4000}-{i % 4000 + 1:04d}",
                    unit_name="城关镇",
                    agent_name="王某某",
                    received_on=start + datetime.timedelta(days=i // 10),
                    status="已受理",
                    category="城乡建设",
                    title=f"关于某某事项的反映{i}",
                    name=f"信访人{i}",
                    content="情况说明" * 40,
                    updated_at=now,
                )
                for i in range(have, BARE_ROWS)
            ],
            batch_size=1000,
        )
    user = User.objects.filter(username="bench").first() or User.objects.create_user("bench")
    client = Client()
    client.force_login(user)
    row = Row.objects.order_by("-received_on", "-id").first()
    assert row is not None
    paths = {"one": f"/one/{row.pk}/", "rows": "/rows/", "twenty": "/twenty/"}
    queries = {}
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200, path
        queries[name] = len(captured.captured_queries)
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}",
        "paths": paths,
        "queries": queries,
    }


# --- The load --------------------------------------------------------------------------------------


def get(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def load_python(port: int, path: str, cookie: str, seconds: float) -> tuple[float, float, int]:
    """CONNECTIONS threads, each a request after the other; returns (rps, p99 ms, non-200)."""
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        mine, wrong = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status = get(port, path, cookie)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - started)
            wrong += status != 200
        with lock:
            latencies.extend(mine)
            bad[0] += wrong

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spent = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return len(latencies) / spent, p99 * 1000, bad[0]


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(port: int, path: str, cookie: str, seconds: float) -> tuple[float, float, int]:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(errors.group(1)) if errors else 0


# --- Servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, label: str, command: list[str], env: dict, ready_path: str, log: Path):
        self.label, self.port = label, free_port()
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{label} exited with {self.process.returncode}; see {log}")
            try:
                if get(self.port, ready_path, "") in (200, 302):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{label} did not answer within 120 s; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- Parent ----------------------------------------------------------------------------------------


def child(kind: str, env: dict) -> dict:
    result = subprocess.run(
        [PYTHON, __file__, "--child", kind], env=env, cwd=ROOT, capture_output=True, text=True
    )
    sys.stderr.write(result.stderr)
    if result.returncode:
        raise RuntimeError(f"preparing {kind} failed (exit {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def environments(engine: str, bare_connections: str = "kept") -> tuple[dict, dict] | None:
    sys.path.insert(0, str(BENCH))
    from bench_province import postgres_ready

    base = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DATABASE_URL", "BARE_"))}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(BENCH)])
    platform = {
        **base,
        "XINFANG_DATA_DIR": str(CACHE / "web"),
        "XINFANG_ENV": "development",  # DEBUG is off under `serve` whatever the environment
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
    }
    bare = {**base, "BARE_DATA_DIR": str(CACHE / "web-bare"), "DJANGO_SETTINGS_MODULE": "web_bare.settings"}
    if bare_connections == "new":  # startproject's default: a new connection per request
        bare["BARE_CONN_MAX_AGE"] = "0"
    if engine == "postgresql":
        ours = postgres_ready("xinfang_bench_web", keys=CACHE / "web")
        theirs = postgres_ready("xinfang_bench_web_bare")
        if not ours or not theirs:
            return None
        platform["DATABASE_URL"], bare["BARE_DATABASE_URL"] = ours, theirs
    for folder in (CACHE / "web", CACHE / "web-bare"):
        folder.mkdir(parents=True, exist_ok=True)
    return platform, bare


def measure(engine: str, args) -> None:
    envs = environments(engine, args.bare_connections)
    if envs is None:
        print("PostgreSQL skipped: no server at", PG_URL)
        return
    platform_env, bare_env = envs
    started = time.perf_counter()
    ours, theirs = child("platform", platform_env), child("bare", bare_env)
    print(
        f"data: {ours['cases']:,} cases, {ours['unit_cases']:,} in the agent's unit; baseline "
        f"{BARE_ROWS:,} rows (ready in {time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    load = load_wrk if args.client == "wrk" else load_python
    servers = []
    try:
        platform = Server(
            "xinfang serve",
            [PYTHON, "-m", "xinfang", "serve"],
            platform_env,
            "/healthz",
            CACHE / "web" / "server.log",
        )
        servers.append(platform)
        bare = Server(
            "bare Django",
            [PYTHON, "-m", "gunicorn", "web_bare.wsgi:application", "--chdir", str(BENCH)],
            bare_env,
            theirs["paths"]["one"],
            CACHE / "web-bare" / "server.log",
        )
        servers.append(bare)
        sides = {
            "platform": (platform.port, ours),
            "bare": (bare.port, theirs),
        }

        def run(side: str, page: str, seconds: float) -> tuple[float, float, int]:
            port, info = sides[side]
            cookie = "" if page in ANONYMOUS else info["cookie"]
            path = info["paths"][page]
            status = get(port, path, cookie)
            if status != 200:
                raise RuntimeError(f"{side} {path} answered {status}")
            return load(port, path, cookie, seconds)

        for _label, page, base, _goal in PAGES:  # warm both servers' workers
            run("platform", page, 1)
            run("bare", base, 1)
        results: dict[str, list] = {page: [] for _, page, _, _ in PAGES}
        for _round in range(args.rounds):
            for _label, page, base, _goal in PAGES:
                results[page].append((run("platform", page, args.seconds), run("bare", base, args.seconds)))
    finally:
        for server in servers:
            server.stop()
    report(results, ours, theirs)


def report(results: dict, ours: dict, theirs: dict) -> None:
    print(
        f"{'page':18s} {'platform/s':>10s} {'p99 ms':>7s} {'q':>3s}   {'baseline':10s} {'/s':>7s} "
        f"{'p99 ms':>7s} {'q':>3s}   ratio (goal)"
    )
    for label, page, base, goal in PAGES:
        pairs = results[page]
        rps = statistics.median(p[0][0] for p in pairs)
        p99 = statistics.median(p[0][1] for p in pairs)
        base_rps = statistics.median(p[1][0] for p in pairs)
        base_p99 = statistics.median(p[1][1] for p in pairs)
        ratio = statistics.median(p[0][0] / p[1][0] for p in pairs)
        bad = sum(p[0][2] + p[1][2] for p in pairs)
        verdict = "meets" if ratio >= goal else "BELOW"
        print(
            f"{label:18s} {rps:10.1f} {p99:7.1f} {ours['queries'][page]:3d}   {base:10s} {base_rps:7.1f} "
            f"{base_p99:7.1f} {theirs['queries'][base]:3d}   {ratio:.2f} ({verdict} {goal}×)"
            + (f"  [{bad} answers not 200]" if bad else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument(
        "--bare-connections",
        choices=("kept", "new"),
        default="kept",
        help="the bare project keeps its connection as the platform does (kept), or opens one per request",
    )
    parser.add_argument("--child", choices=("platform", "bare"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(prepare_platform() if args.child == "platform" else prepare_bare()))
        return
    print(
        f"bench_web: {args.client} client, {CONNECTIONS} connections, {args.seconds:g} s a measurement, "
        f"{args.rounds} rounds; the bare project's connections: {args.bare_connections}"
    )
    print("load before:", os.getloadavg())
    for engine in ("sqlite", "postgresql"):
        if args.only in (None, engine):
            print(f"\n===== {'SQLite' if engine == 'sqlite' else 'PostgreSQL'} =====", flush=True)
            try:
                measure(engine, args)
            except (RuntimeError, subprocess.CalledProcessError) as exc:
                print(f"{engine} not measured: {exc}")
    print(
        "load after:",
        os.getloadavg(),
        "|",
        subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
    )


if __name__ == "__main__":
    main()
