"""Cases taken along their legal life with the real actions, for the public lookup."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import petitioner_data
from xinfang.cases import actions
from xinfang.core import files
from xinfang.reference.models import SubmissionPlatform

PDF = files.Checked(content=b"%PDF-1.4\nreply\n", content_type=files.PDF, name="答复意见书.pdf")
TODAY = timezone.localdate()
STAGES = ("submitted", "forwarded", "accepted", "delivered")


def day(n: int) -> datetime.date:
    """A date n days after the case was received (received 100 days ago)."""
    return TODAY - datetime.timedelta(days=100) + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.fixture
def tracked(make_case):
    """A case submitted with ``code`` and taken on to ``stage`` (submitted … delivered)."""

    def factory(
        agent,
        *,
        code: str,
        stage: str = "delivered",
        serial: int = 1,
        petitioner: dict | None = None,
        **complaint,
    ):
        case = make_case(
            agent,
            serial=serial,
            petitioner=petitioner or petitioner_data(serial),
            received_on=day(0),
            **complaint,
        )
        actions.accept_scope(case, by=agent)
        actions.record_authorization(case, by=agent, mode="signed", on=day(0), scan=PDF)
        case = actions.record_submission(
            case,
            by=agent,
            platform=SubmissionPlatform.objects.first(),
            username=f"zp{serial}",
            password=f"pw-{serial}-secret",
            query_code=code,
            on=timezone.make_aware(datetime.datetime.combine(day(1), datetime.time(10))),
        )
        if STAGES.index(stage) >= 1:
            case = actions.take_step(
                case, "forward", by=agent, on=day(3), mode="assign", handling_body="镇坪县住房和城乡建设局"
            )
        if STAGES.index(stage) >= 2:
            case = actions.take_step(case, "receive", by=agent, on=day(5))
            case = actions.take_step(case, "accept", by=agent, on=day(10))
        if STAGES.index(stage) >= 3:
            case = actions.take_step(case, "conclude", by=agent, on=day(40), opinion="explain", document=PDF)
            case = actions.take_step(case, "deliver", by=agent, on=day(42))
        return case

    return factory
