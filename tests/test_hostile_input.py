"""Hostile input never makes a 500 (issue 9, defect 5).

On the demo county, an agent, bureau staff and a visitor without login each follow every link
they can reach (two pages of each kind), and every step's form is opened on a case that allows
it, then every form found there is
posted with hostile values in every field (NUL and other control characters, bidi overrides,
U+FFFD, emoji, a lone zero-width space, 6,000 characters, 40 and 5,000 digits, a negative
number, 2026-02-30, the years 1 and 9999), once all fields at a time and once as shown with
only its text fields replaced, and as raw multipart bodies (bytes that are not UTF-8; a
``charset=hex``); and every kind of page is asked for again with hostile query
parameters; then every document linked from those pages is downloaded again, to print what the
attacks may have stored. Whatever is refused must be refused with a page, never a server error.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.hostile import Sweep
from xinfang.accounts.models import User
from xinfang.cases import workflow
from xinfang.cases.models import Case, CaseStatus

USERS = {"chengguan": (25, 12), "xinfangju": (40, 25), None: (3, 2)}  # least pages, forms reached


@pytest.fixture
def demo_county(transactional_db, settings, tmp_path):
    """Committed for real: a server error in one request must not spoil the next ones."""
    from conftest import seed_policy_data

    settings.PRIVATE_FILES_DIR = tmp_path
    seed_policy_data()
    call_command("demo", stdout=io.StringIO())


def _logged_in(client: Client, user: User):
    def login():
        client.force_login(user)  # again before each form: a form may have ended the session

    login()
    return login


def sweep_as(username: str | None) -> Sweep:
    client = Client(raise_request_exception=False)
    login = _logged_in(client, User.objects.get(username=username)) if username else None
    sweep = Sweep(client, login=login)
    try:
        sweep.crawl(["/", reverse("cases:list"), reverse("public:track"), reverse("public:agents")])
        if username is None:
            _track_a_case(sweep)
        sweep.attack_forms()
        sweep.attack_query_strings()
        sweep.fetch_downloads()
    finally:
        sweep.close()
    return sweep


def _track_a_case(sweep: Sweep) -> None:
    """The public result page (and its rating form) of a case whose reply was delivered."""
    case = (
        Case.objects.filter(status=CaseStatus.DELIVERED, rating__isnull=True)
        .exclude(query_code_hash="")
        .first()
    )
    response = sweep.client.post(
        reverse("public:track"), {"code": case.query_code, "last4": case.petitioner.mobile[-4:]}
    )
    assert response.status_code == 200 and reverse("public:rate") in response.content.decode()
    sweep.keep(reverse("public:track") + "?result", response.content.decode())


def sweep_every_step() -> Sweep:
    """Each step's form on a case that allows it, as that case's agent: the crawl of one agent
    meets only the statuses of that agent's cases."""
    client = Client(raise_request_exception=False)
    sweep = Sweep(client)
    try:
        for step in workflow.STEPS.values():
            case = Case.objects.filter(status__in=step.sources).order_by("pk").first()
            if case is None or not step.url_name:
                continue
            sweep.login = _logged_in(client, case.agent)
            args = [case.pk, step.name] if step.url_name == "cases:step" else [case.pk]
            sweep.visit(reverse(step.url_name, args=args))
            sweep.attack_forms()
            sweep.pages.clear()
            for page in (
                reverse("cases:detail", args=[case.pk]),
                reverse("ratings:feedback", args=[case.pk]),
            ):
                sweep.visit(page)  # what the attacks stored, shown again and printed
            sweep.fetch_downloads()
            sweep.pages.clear()
    finally:
        sweep.close()
    return sweep


# Four sweeps, each on its own demo county, so that parallel test workers share them out.
@pytest.mark.parametrize("who", ["chengguan", "xinfangju", "visitor", "steps"])
def test_no_hostile_value_makes_a_server_error(demo_county, who):
    if who == "steps":
        sweep = sweep_every_step()
    else:
        username = None if who == "visitor" else who
        least_pages, least_forms = USERS[username]
        sweep = sweep_as(username)
        reached = (len(sweep.pages), len(sweep.forms()), sweep.requests)
        assert len(sweep.pages) >= least_pages and len(sweep.forms()) >= least_forms, reached
    print(who, "requests:", sweep.requests)
    assert sweep.findings == []
