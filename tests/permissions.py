"""The harness of the permission test generated from the capability table (``test_permissions``).

Each app says how to exercise each capability it enforces, in ``xinfang/<app>/tests/exercises.py``::

    from tests.permissions import exercise

    @exercise("publish_bulletins", county=True)
    def publish_a_month(world):
        month = ...  # set up what the action needs, as world.agent or directly
        return lambda by: actions.publish_bulletin(month, by=by, ...)

The decorated function prepares the data (on 城关镇's side, ``world.unit``, unless ``county=True``
for things that concern no unit in particular: targets, bulletins, the calendar) and returns
``act(by)``, which does the thing once as ``by``. ``act`` must succeed for every persona the
table allows, and raise ``Refused`` for every other one; a page is opened with
``world.page(by, url)`` (a 404 becomes ``Refused``). For a refusal the test checks that ``act``
changed nothing in the database and wrote one audit row.

Every capability of the table needs at least one exercise: a new row without one fails the test.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client

import xinfang
from xinfang.access.rules import Refused

# The personas every capability is tried with: one of each role, and for the unit roles one in
# the unit whose data is touched (城关镇) and one in another unit (曾家镇).
PERSONAS = ("agent_cg", "agent_zj", "head_cg", "head_zj", "bureau", "leader", "sysadmin", "auditor")


@dataclass(frozen=True)
class Exercise:
    code: str
    prepare: Callable[[World], Callable[[Any], Any]]
    name: str
    county: bool = False  # True: the capability concerns no unit's data in particular

    @property
    def id(self) -> str:
        return f"{self.code}:{self.name}"


EXERCISES: list[Exercise] = []


def exercise(code: str, *, county: bool = False):
    def register(prepare):
        EXERCISES.append(Exercise(code=code, prepare=prepare, name=prepare.__name__, county=county))
        return prepare

    return register


def load_exercises() -> list[Exercise]:
    """Import every app's ``tests/exercises.py`` (they register themselves)."""
    for info in pkgutil.iter_modules(xinfang.__path__):
        if not info.ispkg:
            continue
        name = f"xinfang.{info.name}.tests.exercises"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, f"xinfang.{info.name}.tests"):
                raise
    return EXERCISES


@dataclass
class World:
    """Two towns, the bureau, and one person of each role (see ``PERSONAS``)."""

    units: dict[str, Any]
    people: dict[str, Any]
    today: datetime.date
    scratch: dict[str, Any] = field(default_factory=dict)  # for exercises that build on each other
    clients: dict[int, Client] = field(default_factory=dict)

    def log_in(self, person) -> Client:
        """The person's browser, logged in at the first call. A login writes (the user's last
        login), so the test logs the acting persona in before it compares anything; only the
        personas a test uses are logged in (a login costs as much as a small exercise)."""
        client = self.clients.get(person.pk)
        if client is None:
            client = Client()
            client.force_login(person)
            self.clients[person.pk] = client
        return client

    @property
    def unit(self):
        return self.units["chengguan"]

    @property
    def agent(self):
        """The agent of 城关镇: who builds the data the exercises work on."""
        return self.people["agent_cg"]

    def page(self, by, url: str, *, method: str = "get", data: dict | None = None):
        """Open a page as ``by``; a 404 (what a refusal looks like) raises ``Refused``."""
        response = getattr(self.log_in(by), method)(url, data or {})
        if response.status_code == 404:
            raise Refused()
        assert response.status_code in (200, 302), (url, response.status_code)
        return response


# Tables whose rows a refusal itself writes or that change on any request: left out of the
# "nothing changed" comparison (the audit log is checked on its own). An API request counts
# itself in its token's row and remembers the address it came from.
VOLATILE = {
    "audit.auditentry",
    "audit.auditanchor",
    "sessions.session",
    "accounts.logincounter",
    "api.apitoken",
    "api.tokenaddress",
    "api.idempotentanswer",
}


def snapshot(leave_out: frozenset[str] = frozenset()) -> str:
    """One digest of every row of every table but the volatile ones (and ``leave_out``), as
    stored (read with plain SQL: encrypted columns are compared as stored, not decrypted, and the
    test stays quick)."""
    digest = hashlib.sha256()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            if label in VOLATILE or label in leave_out or model._meta.proxy or not model._meta.managed:
                continue
            digest.update(label.encode())
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 (the models' own names)
            for row in cursor.fetchall():
                values = (bytes(v) if isinstance(v, memoryview) else v for v in row)
                digest.update(repr(tuple(values)).encode())
    return digest.hexdigest()
