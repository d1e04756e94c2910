"""The rows of the worklist and of the ledger page as their templates read them.

A list of a hundred cases rendered from model objects asks the template engine to try each
name as a key, then as an attribute, then as a method, for every cell; and a ``{% url %}`` per
row resolves the address anew. Here each row is a plain dict holding what its cells show, under
the names the templates already use, and the case page's address is reversed once (``core.links``).
"""

from __future__ import annotations

from typing import Any

from xinfang.cases.models import COLLECTIVE_FROM, CaseSource, CaseStatus
from xinfang.core import links

STATUSES = dict(CaseStatus.choices)


class CaseHref:
    """The case page's address for a case id, reversed once (``core.links``)."""

    def __init__(self) -> None:
        self._href = links.with_id("cases:detail")

    def __call__(self, pk: int) -> str:
        return self._href(pk)


def _name(related: Any, attribute: str = "name") -> dict[str, str]:
    return {attribute: getattr(related, attribute) if related is not None else ""}


def work_case(case, href: CaseHref) -> dict[str, Any]:
    """A case as a worklist row names it (``selectors.WORKLIST_CASE_COLUMNS``)."""
    return {
        "pk": case.pk,
        "href": href(case.pk),
        "number": case.number,
        "title": case.title,
        "unit": _name(case.unit),
        "agent": _name(case.agent, "full_name"),
    }


def clock_rows(deadlines, href: CaseHref) -> list[dict[str, Any]]:
    """Running clocks (``cases/_work_rows.html``)."""
    return [
        {
            "case": work_case(d.case, href),
            "clock": _name(d.clock),
            "due_on": d.due_on,
            "provisional": d.provisional,
            "provisional_reason": d.provisional_reason,
        }
        for d in deadlines
    ]


def follow_up_rows(follow_ups, href: CaseHref) -> list[dict[str, Any]]:
    """Follow-ups due (the worklist's 今日应跟踪)."""
    return [
        {
            "case": work_case(f.case, href),
            "next_on": f.next_on,
            "on": f.on,
            "get_means_display": f.get_means_display(),
            "contact": f.contact,
        }
        for f in follow_ups
    ]


def unclocked_rows(cases, href: CaseHref) -> list[dict[str, Any]]:
    """Accepted cases without a 办理期限, with their follow-up days."""
    return [
        {
            **work_case(c, href),
            "get_petition_type_display": c.get_petition_type_display(),
            "accepted_on": c.accepted_on,
            "last_on": c.last_on,
            "next_on": c.next_on,
        }
        for c in cases
    ]


def ledger_rows(cases, href: CaseHref) -> list[dict[str, Any]]:
    """A ledger page's cases (``cases/list.html``), from ``selectors.ledger_page_rows``."""
    return [
        {
            "pk": case["pk"],
            "href": href(case["pk"]),
            "number": case["number"],
            "unit": {"name": case["unit__name"] or ""},
            "received_on": case["received_on"],
            "petitioner": {
                "name": case["petitioner__name"],
                "id_number": case["petitioner__id_number"],
                # ``Petitioner.phone_on_record``: the mobile, else the landline.
                "phone_on_record": case["petitioner__mobile"] or case["petitioner__landline"],
            },
            "is_collective": case["people_count"] >= COLLECTIVE_FROM,
            "people_count": case["people_count"],
            "category": {"name": case["category__name"] or ""},
            "title": case["title"],
            "status": case["status"],
            "get_status_display": STATUSES.get(case["status"], case["status"]),
            "late_steps": case["late_steps"],
            "is_imported": case["source"] == CaseSource.IMPORTED,
            "agent": {"full_name": case["agent__full_name"] or ""},
        }
        for case in cases
    ]
