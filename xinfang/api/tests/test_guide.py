"""The integration guide's examples (docs/api.md) are requests the API takes: its registration
body registers a case, its steps are taken, its figures and calendar answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.utils import timezone

from xinfang.cases.models import Case

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def _bodies() -> dict[str, dict]:
    """The JSON bodies of the guide's curl examples, by the path they are posted to."""
    text = GUIDE.read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r'-X POST "\$API(/[^"]+)"(.*?)-d \'(\{.*?\})\'', text, re.S):
        found[match.group(1)] = json.loads(match.group(3))
    return found


def test_the_guides_examples_work(agent_cg, bureau_user, api_for, categories, units):
    bodies = _bodies()
    assert {"/cases", "/cases/1234/steps/accept_scope", "/cases/1234/steps/forward"} <= set(bodies)
    today = timezone.localdate().isoformat()
    agent = api_for(agent_cg)
    register = bodies["/cases"]
    register["received_on"] = today
    register["complaint"]["category"] = categories["城乡建设"].pk
    register["complaint"]["incident_town"] = units["chengguan"].pk
    made = agent.post("/cases", register, headers={"Idempotency-Key": "guide-1"})
    assert made.status_code == 201, made.content
    case = Case.objects.get(pk=made.json()["id"])
    assert (
        agent.post(
            f"/cases/{case.pk}/steps/accept_scope", bodies["/cases/1234/steps/accept_scope"]
        ).status_code
        == 200
    )
    forward = {**bodies["/cases/1234/steps/forward"], "on": today}
    assert forward.keys() == {"on", "mode", "handling_body"}
    assert agent.post(f"/cases/{case.pk}/steps/forward", forward).json()["code"] == "step_not_allowed"
    bureau = api_for(bureau_user)
    assert (
        bureau.get("/figures", {"kind": "month", "month": timezone.localdate().strftime("%Y-%m")}).status_code
        == 200
    )
    assert agent.get(f"/calendar/{timezone.localdate().year}").status_code == 200
