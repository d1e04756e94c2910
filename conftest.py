"""Personas and factories shared by every test: built with the real actions."""

from __future__ import annotations

import datetime
import time
import uuid

import pyotp
import pytest
from django.utils import timezone

from xinfang.accounts.models import AgentProfile, Role, Unit, UnitKind, User
from xinfang.core.validators import id_check_digit
from xinfang.reference.models import ContentCategory, seed_reference_data

PASSWORD = "Test-pass-2026"


def make_id_number(serial: int, born: datetime.date = datetime.date(1968, 5, 17)) -> str:
    first17 = f"610927{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


@pytest.fixture(autouse=True)
def fast_hasher(settings, request):
    """Argon2 is the product's hasher; tests that do not test it use a fast one."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- a fast test database ------------------------------------------------------------------------
# The product's SQLite connections commit with synchronous=FULL (settings): durable on power loss,
# at the price of an fsync per commit. The test database is thrown away, so its connections
# skip the fsync; tests marked ``durable`` get the product's setting back for their duration.
# Servers and commands a test starts in a subprocess read the product's settings and keep FULL.


def _fast_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")


def pytest_configure(config):
    from django.db.backends.signals import connection_created

    connection_created.connect(_fast_sqlite, dispatch_uid="xinfang-tests-fast-sqlite")


@pytest.fixture(autouse=True)
def _durable_when_asked(request):
    if "durable" not in request.keywords:
        yield
        return
    from django.db import connection
    from django.db.backends.signals import connection_created

    def pragma(level: str) -> None:
        # SQLite refuses the change inside a transaction; a connection made later gets it anyway.
        if (
            connection.vendor == "sqlite"
            and connection.connection is not None
            and connection.get_autocommit()
        ):
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={level}")

    connection_created.disconnect(dispatch_uid="xinfang-tests-fast-sqlite")
    try:
        pragma("FULL")
        yield
    finally:
        connection_created.connect(_fast_sqlite, dispatch_uid="xinfang-tests-fast-sqlite")
        pragma("OFF")


@pytest.fixture(autouse=True)
def _audit_flush_allowed():
    """Transactional tests empty every table afterwards, which the audit log's database guard
    refuses; tests let that through, except where ``audit_guard`` checks the guard itself."""
    from xinfang.audit import apps

    apps.maintenance = True
    yield


@pytest.fixture
def audit_guard():
    from xinfang.audit import apps

    apps.maintenance = False
    yield
    apps.maintenance = True


# --- logging in: the second factor ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _force_login_is_a_whole_login(monkeypatch):
    """``force_login`` skips the password; it skips the second factor too, and marks the session
    as a whole login, as the login form does (``accounts.sessions``). Tests of the login itself
    post the form (``form_log_in``), with a real dynamic code (``second_factor_code``)."""
    from django.test.client import ClientMixin

    from xinfang.accounts import sessions

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        sessions.mark_complete(session, method="test", now=timezone.now())
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


def enrol_second_factor(user: User) -> list[str]:
    """Set up the user's authenticator with the real actions, as the enrolment page does, and
    return the recovery codes. The first code is that of the step before: the current one stays
    free for the test's first login."""
    from xinfang.accounts import second_factor

    device = second_factor.start_enrolment(user, by=user)
    code = pyotp.TOTP(device.secret).at(timezone.now().timestamp(), counter_offset=-1)
    return second_factor.confirm_enrolment(user, by=user, code=code)


def second_factor_code(username: str) -> str:
    """A code the platform takes now for the account, computed from its stored secret as the
    authenticator app would: the earliest 30-second step it still accepts (never one already
    used; the step before only with five seconds to spare). Waits for the next step when a
    test has used up the three it may choose from."""
    from xinfang.accounts.models import SecondFactor

    device = SecondFactor.objects.get(user__username=username, confirmed_at__isnull=False)
    totp = pyotp.TOTP(device.secret)
    for _ in range(3):
        now = timezone.now().timestamp()  # the platform's clock, moved or not by the test
        current = totp.timecode(now)
        left = totp.interval - now % totp.interval
        for step in (current - 1, current, current + 1):
            if step == current - 1 and left < 5:
                continue
            if device.last_step is None or step > device.last_step:
                return totp.generate_otp(step)
        time.sleep(left + 0.1)
    raise AssertionError("no dynamic code is left to use: is the clock frozen?")


def form_log_in(client, username: str, password: str = PASSWORD):
    """Log in through the form, and with the dynamic code where the account has one."""
    from django.urls import reverse

    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    if response.status_code == 302 and response.url == reverse("accounts:second_factor_verify"):
        response = client.post(response.url, {"code": second_factor_code(username)})
    return response


def seed_policy_data() -> None:
    """Transactional tests empty every table, the migrations' reference data included."""
    from xinfang.deadlines.actions import seed_clocks
    from xinfang.deadlines.calendar import seed_official_calendar
    from xinfang.figures.actions import seed_county_targets

    seed_reference_data()
    seed_clocks()
    seed_official_calendar()
    seed_county_targets()


@pytest.fixture
def units(db):
    seed_policy_data()
    bureau = Unit.objects.create(name="县信访局", kind=UnitKind.BUREAU, sort_order=1)
    chengguan = Unit.objects.create(name="城关镇", kind=UnitKind.TOWN, code="610927100", sort_order=10)
    zengjia = Unit.objects.create(name="曾家镇", kind=UnitKind.TOWN, code="610927101", sort_order=11)
    return {"bureau": bureau, "chengguan": chengguan, "zengjia": zengjia}


def make_user(username: str, role: str, unit: Unit | None, full_name: str, mobile: str = "") -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, unit=unit, full_name=full_name
    )
    if role == Role.AGENT:
        AgentProfile.objects.create(
            user=user, title="代理员", mobile=mobile, office_phone="0915-8822560", published=True
        )
    return user


@pytest.fixture
def agent_cg(units):
    return make_user("wang", Role.AGENT, units["chengguan"], "王某某", "13800000000")


@pytest.fixture
def agent_zj(units):
    return make_user("zhao", Role.AGENT, units["zengjia"], "赵某某", "13900000001")


@pytest.fixture
def head_cg(units):
    return make_user("head", Role.UNIT_HEAD, units["chengguan"], "陈主任")


@pytest.fixture
def bureau_user(units):
    user = make_user("lu", Role.BUREAU, units["bureau"], "卢艺")
    enrol_second_factor(user)  # bureau staff must log in with a second factor
    return user


@pytest.fixture
def leader(units):
    return make_user("leader", Role.LEADER, None, "贺组长")


@pytest.fixture
def auditor(units):
    user = make_user("audit", Role.AUDITOR, None, "审计员")
    enrol_second_factor(user)  # so must the auditor
    return user


@pytest.fixture
def categories(db):
    seed_policy_data()
    return {c.name: c for c in ContentCategory.objects.all()}


def petitioner_data(serial: int = 1, **overrides) -> dict:
    data = {
        "name": "李某某",
        "id_number": make_id_number(serial),
        "mobile": "13912345678",
        "landline": "",
        "address": "镇坪县城关镇文彩村三组12号",
        "work_unit": "无",
    }
    data.update(overrides)
    return data


def complaint_data(**overrides) -> dict:
    data = {
        "respondent_kind": "administrative",
        "respondent_name": "某镇人民政府",
        "petition_type": "claim",
        "category": ContentCategory.objects.get(name="城乡建设"),
        "incident_town": Unit.objects.filter(name="城关镇").first(),
        "incident_place": "文彩村",
        "allow_public": False,
        "court_accepted": False,
        "reconsideration_done": False,
        "arbitration_accepted": False,
        "has_review_opinion": False,
        "title": "道路硬化施工后排水沟堵塞",
        "content": "2026年8月道路硬化后，排水沟被堵塞，雨天积水进屋。",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_case(db):
    from xinfang.cases import actions

    def factory(agent, *, serial: int = 1, petitioner: dict | None = None, received_on=None, **complaint):
        case, _ = actions.open_case(
            by=agent,
            token=uuid.uuid4(),
            petitioner=petitioner or petitioner_data(serial),
            complaint=complaint_data(**complaint),
            received_on=received_on,
        )
        return case

    return factory


def scan_file(name: str = "scan.pdf", content: bytes = b"%PDF-1.4\n% test\n"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def pytest_sessionstart(session):
    import os

    from django.conf import settings as django_settings

    engine = django_settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("XINFANG_REQUIRE_POSTGRES") == "1" and "postgresql" not in engine:
        raise pytest.UsageError(
            "XINFANG_REQUIRE_POSTGRES=1 but DATABASE_URL does not name a PostgreSQL database"
        )


def pytest_terminal_summary(terminalreporter):
    from django.conf import settings as django_settings

    engine = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    terminalreporter.write_line(
        f"database: {engine}"
        + ("" if engine == "postgresql" else " (set DATABASE_URL=postgres://… or run .ci/run for PostgreSQL)")
    )
