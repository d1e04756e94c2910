"""kill -9 against the running server while two agents register cases (make stress).

For each engine (SQLite, PostgreSQL):

1. A fresh data directory (and, for PostgreSQL, a fresh database) with the demo data.
2. ``xinfang serve`` (gunicorn, 2 workers) in its own process group.
3. Two agents of two units (城关镇, 曾家镇) log in through the login page and register cases
   through the 新登记 form, one after the other, as fast as the server answers.
4. Each round: wait a random 0.2–1.2 s, kill -9 the whole process group (master and workers,
   requests in flight included), start the server again, wait for /healthz.
5. Afterwards, compare what the clients saw with the database: a case is *acknowledged* when
   the client received the redirect to it; it is *lost* if it is then not in the database (with
   the same form token). Case numbers must be gapless per unit and year (1, 2, 3, … and the
   counter at the last one).

Then issue 9's defect 4: 8 parallel posts (two agents of one unit, four sessions each)
registering the same new petitioner at the same moment, a few times; the status codes are
reported per engine. Last, ``xinfang backup`` three times while the two agents register; each
backup is restored into an empty data directory (and database) and its numbering checked.

Prints figures; never fails on time. Usage:
    .venv/bin/python bench/stress_kill.py [--rounds 200] [--engines sqlite,postgresql]
        [--postgres postgres://postgres@127.0.0.1:5432/xinfang_stress]
The PostgreSQL database is dropped and created again: its name must contain "stress".
"""

from __future__ import annotations

import argparse
import collections
import datetime
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stress_http import Browser, LoggedOut, ServerGone, acknowledged_case  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache" / "stress"
PYTHON = sys.executable
DEMO_PASSWORD = "Zhenping-2026"  # the demo accounts' password (xinfang/demo/people.py)  # noqa: S105
AGENTS = ("chengguan", "zengjia")  # two units
SAME_UNIT = ("chengguan", "chengguan2")  # two agents of 城关镇
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/xinfang_stress"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """One engine: its data directory, database and server process."""

    def __init__(self, engine: str, postgres_url: str, suffix: str = ""):
        self.engine = engine
        self.work = CACHE / (engine + (f"-{suffix}" if suffix else ""))
        self.port = free_port()
        self.server: subprocess.Popen | None = None
        self.log = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DATABASE_URL"))}
        self.env.update(XINFANG_DATA_DIR=str(self.work), XINFANG_ENV="development")
        if engine == "postgresql":
            import dj_database_url

            self.pg = dj_database_url.parse(postgres_url)
            if suffix:
                self.pg["NAME"] = f"{self.pg['NAME']}_{suffix}"
                postgres_url = postgres_url.rsplit("/", 1)[0] + "/" + self.pg["NAME"]
            if "stress" not in self.pg["NAME"]:
                raise SystemExit(
                    f"refusing to drop {self.pg['NAME']}: the stress database's name must contain 'stress'"
                )
            self.env["DATABASE_URL"] = postgres_url

    # ── setup and database ─────────────────────────────────────────────────────────────────
    def xinfang(self, *args: str) -> None:
        command = [PYTHON, "-m", "xinfang", *args]
        subprocess.run(command, env=self.env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    def pg_connect(self, database: str | None = None):
        import psycopg

        c = self.pg
        return psycopg.connect(
            host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], password=c["PASSWORD"] or None,
            dbname=database or c["NAME"], autocommit=True,
        )  # fmt: skip

    def empty(self) -> None:
        """An empty data directory and, for PostgreSQL, an empty database."""
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        if self.engine == "postgresql":
            with self.pg_connect("postgres") as db:
                db.execute(f'DROP DATABASE IF EXISTS "{self.pg["NAME"]}" WITH (FORCE)')
                db.execute(f'CREATE DATABASE "{self.pg["NAME"]}"')

    def prepare(self) -> None:
        self.empty()
        self.xinfang("migrate", "--noinput", "-v0")
        self.xinfang("demo")
        self.log = open(self.work / "server.log", "ab")  # noqa: SIM115 - open for the whole run

    def query(self, sql: str) -> list[tuple]:
        if self.engine == "sqlite":
            db = sqlite3.connect(self.work / "xinfang.sqlite3", timeout=30)
            try:
                return db.execute(sql).fetchall()
            finally:
                db.close()
        with self.pg_connect() as db:
            return db.execute(sql).fetchall()

    # ── the server ─────────────────────────────────────────────────────────────────────────
    def start(self, workers: int = 2) -> float:
        started = time.monotonic()
        self.server = subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "xinfang", "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: master and workers die together
        )
        probe = Browser(self.port, timeout=5)
        while True:
            if self.server.poll() is not None:
                raise SystemExit(
                    f"the server exited with {self.server.returncode}; see {self.work / 'server.log'}"
                )
            try:
                if probe.request("GET", "/healthz").status == 200:
                    return time.monotonic() - started
            except ServerGone:
                pass
            time.sleep(0.05)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(self.server.pid, sig)
        except ProcessLookupError:
            pass
        self.server.wait()


class Agent(threading.Thread):
    """Registers cases until told to stop; keeps what the server acknowledged."""

    def __init__(self, site: Site, username: str, serials, stop: threading.Event):
        super().__init__(daemon=True)
        self.site, self.username, self.serials, self.stop = site, username, serials, stop
        self.acknowledged: list[tuple[int, str]] = []
        self.sent = 0
        self.no_answer = 0
        self.other: collections.Counter = collections.Counter()

    def run(self) -> None:
        browser = Browser(self.site.port)
        logged_in = False
        today = datetime.date.today().isoformat()
        while not self.stop.is_set():
            try:
                if not logged_in:
                    browser.log_in(self.username, DEMO_PASSWORD)
                    logged_in = True
                form = browser.new_case_form()
                self.sent += 1
                answer = browser.register(form, serial=next(self.serials), received_on=today)
            except LoggedOut:
                logged_in = False
                continue
            except ServerGone:
                self.no_answer += 1
                time.sleep(0.02)
                continue
            case = acknowledged_case(answer)
            if case is not None:
                self.acknowledged.append((case, form["token"]))
            else:
                self.other[answer.status] += 1
                logged_in = logged_in and not answer.location.startswith("/accounts/login/")


def numbering(site: Site) -> dict:
    """Case numbers per unit and year: 1, 2, 3, … with the counter at the last one."""
    seqs: dict[tuple, list[int]] = collections.defaultdict(list)
    for unit, year, seq in site.query("SELECT unit_id, year, seq FROM cases_case"):
        seqs[(unit, year)].append(seq)
    counters = {
        (u, y): last for u, y, last in site.query("SELECT unit_id, year, last FROM cases_casenumbercounter")
    }
    gaps = [key for key, found in seqs.items() if sorted(found) != list(range(1, len(found) + 1))]
    counter_off = [key for key, found in seqs.items() if counters.get(key) != len(found)]
    return {"cases": sum(map(len, seqs.values())), "gaps": gaps, "counter_off": counter_off}


def check_database(site: Site, acknowledged: list[tuple[int, str]]) -> dict:
    stored = {
        pk: uuid.UUID(str(token)).hex for pk, token in site.query("SELECT id, intake_token FROM cases_case")
    }
    lost = [pk for pk, token in acknowledged if stored.get(pk) != uuid.UUID(token).hex]
    return {"lost": lost, **numbering(site)}


def kill_rounds(site: Site, rounds: int) -> dict:
    boot = [site.start()]
    stop = threading.Event()
    serials = iter(range(10**9))  # next() on one iterator is atomic enough under the GIL
    before = site.query("SELECT count(*) FROM cases_case")[0][0]
    agents = [Agent(site, name, serials, stop) for name in AGENTS]
    for agent in agents:
        agent.start()
    started = time.monotonic()
    for done in range(1, rounds + 1):
        time.sleep(random.uniform(0.2, 1.2))  # noqa: S311
        site.kill()
        boot.append(site.start())
        if done % 20 == 0 or done == rounds:
            acked = sum(len(a.acknowledged) for a in agents)
            print(f"  {site.engine}: round {done}/{rounds}, {acked} acknowledged", flush=True)
    time.sleep(1)
    stop.set()
    for agent in agents:
        agent.join(timeout=90)
    site.kill(signal.SIGTERM)
    acknowledged = [item for agent in agents for item in agent.acknowledged]
    result = check_database(site, acknowledged)
    other = sum((agent.other for agent in agents), collections.Counter())
    result.update(
        rounds=rounds,
        seconds=time.monotonic() - started,
        acknowledged=len(acknowledged),
        sent=sum(agent.sent for agent in agents),
        unacknowledged_stored=result["cases"] - before - len(acknowledged),
        other=dict(other),
        boot=sum(boot) / len(boot),
    )
    return result


def burst(browsers: list[Browser], *, serial: int, received_on: str) -> list:
    """Every browser posts its own form for the same new petitioner, all released at once."""
    forms = [browser.new_case_form() for browser in browsers]
    barrier = threading.Barrier(len(browsers))
    answers: list = [None] * len(browsers)

    def post(i: int) -> None:
        barrier.wait()
        answers[i] = browsers[i].register(forms[i], serial=serial, received_on=received_on)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def concurrent_registration(site: Site, repeats: int = 5, parallel: int = 8) -> dict:
    """Defect 4: ``parallel`` posts registering one new petitioner at the same moment."""
    site.start(workers=parallel)
    browsers = [Browser(site.port) for _ in range(parallel)]
    for i, browser in enumerate(browsers):
        browser.log_in(SAME_UNIT[i % len(SAME_UNIT)], DEMO_PASSWORD)
    codes: collections.Counter = collections.Counter()
    petitioners_per_repeat = []
    today = datetime.date.today().isoformat()
    for repeat in range(repeats):
        answers = burst(browsers, serial=900000 + repeat, received_on=today)
        codes.update(answer.status for answer in answers)
        cases = [acknowledged_case(answer) for answer in answers if acknowledged_case(answer)]
        if cases:
            ids = ",".join(str(pk) for pk in cases)
            found = site.query(f"SELECT count(DISTINCT petitioner_id) FROM cases_case WHERE id IN ({ids})")  # noqa: S608
            petitioners_per_repeat.append(found[0][0])
    site.kill(signal.SIGTERM)
    return {
        "codes": dict(sorted(codes.items())),
        "repeats": repeats,
        "parallel": parallel,
        "petitioners": petitioners_per_repeat,
    }


def backups_under_load(site: Site, postgres_url: str, count: int = 3) -> dict:
    """``xinfang backup`` while two agents register; each backup restored into an empty target
    (the key copied beside it) and its numbering checked."""
    site.start()
    stop = threading.Event()
    agents = [
        Agent(site, name, iter(range(500000 + 1000 * i, 501000 + 1000 * i)), stop)
        for i, name in enumerate(AGENTS)
    ]
    for agent in agents:
        agent.start()
    folder = site.work / "backups"
    for _ in range(count):
        time.sleep(1.5)
        site.xinfang("backup", "-o", str(folder))
    stop.set()
    for agent in agents:
        agent.join(timeout=90)
    site.kill(signal.SIGTERM)
    restored = []
    for backup in sorted(folder.glob("xinfang-backup-*")):
        target = Site(site.engine, postgres_url, suffix="restore")
        target.empty()
        (target.work / "secrets").mkdir(mode=0o700)
        shutil.copy2(site.work / "secrets" / "xinfang_data_key", target.work / "secrets")
        target.xinfang("restore", str(backup))
        restored.append(numbering(target))
    return {
        "backups": count,
        "acknowledged": sum(len(agent.acknowledged) for agent in agents),
        "restored": len(restored),
        "cases": [r["cases"] for r in restored],
        "gapless": all(not r["gaps"] and not r["counter_off"] for r in restored),
    }


def report(engine: str, kill: dict, concurrent: dict, backups: dict) -> None:
    lost = len(kill["lost"])
    print(f"\n== {engine}")
    print(
        f"kill -9 rounds {kill['rounds']} in {kill['seconds']:.0f} s (server start {kill['boot']:.1f} s on average); "
        f"registrations sent {kill['sent']}, acknowledged {kill['acknowledged']}, lost {lost}"
        + (f" {kill['lost'][:10]}" if lost else "")
    )
    print(
        f"  stored but not acknowledged (in flight at a kill): {kill['unacknowledged_stored']}; "
        f"other answers: {kill['other'] or 'none'}"
    )
    gapless = not kill["gaps"] and not kill["counter_off"]
    print(
        f"  case numbers gapless per unit and year: {'yes' if gapless else 'NO'}"
        + ("" if gapless else f" (gaps {kill['gaps']}, counters off {kill['counter_off']})")
        + f"; {kill['cases']} cases in the database"
    )
    print(
        f"concurrent registration of one new petitioner, {concurrent['parallel']} posts × {concurrent['repeats']}: "
        f"HTTP {concurrent['codes']}; petitioner records per repeat {concurrent['petitioners']}"
    )
    print(
        f"xinfang backup while two agents register ({backups['acknowledged']} cases meanwhile): "
        f"{backups['backups']} backups, {backups['restored']} restored into an empty target and checked "
        f"(cases {backups['cases']}), numbering gapless: {'yes' if backups['gapless'] else 'NO'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("XINFANG_STRESS_DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--repeats", type=int, default=5, help="concurrent registration repeats")
    args = parser.parse_args()
    results = {}
    for engine in args.engines.split(","):
        site = Site(engine, args.postgres)
        print(f"{engine}: preparing {site.work} with the demo data …", flush=True)
        site.prepare()
        results[engine] = (
            kill_rounds(site, args.rounds),
            concurrent_registration(site, args.repeats),
            backups_under_load(site, args.postgres),
        )
    for engine, figures in results.items():
        report(engine, *figures)


if __name__ == "__main__":
    main()
