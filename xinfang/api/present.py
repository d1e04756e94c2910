"""Rows as the API shows them (``schemas``): what the pages show, the same values masked.

Every function takes rows the caller has already read through the other apps' selectors, for a
user the capability table let see them; nothing here reads more than it is given, except
``case_detail``, which reads a case's parts in a fixed number of queries whatever their count.
"""

from __future__ import annotations

from typing import Any

from xinfang.access import policy, rules
from xinfang.cases import selectors as cases
from xinfang.cases.history import event_notes
from xinfang.cases.models import Case
from xinfang.core.masking import mask_address, mask_id_number, mask_phone, mask_secret
from xinfang.deadlines.selectors import deadlines_for_case
from xinfang.ratings.selectors import rating_for

PERSON_REVEALS = ("id_number", "mobile", "landline", "address")


# The steps that have their route (``routes_steps`` fills it when the routes are made).
ROUTED: set[str] = set()


def offered(step) -> bool:
    """The steps the API takes (``routes_steps``): those that record an event and have a page
    (registration is ``POST /cases``; a step taken by another, like 重新判断代理范围, has none)."""
    return step.records_event and bool(step.url_name) and step.name != "open"


def ref(obj: Any, name: str = "") -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": name or str(obj)}


def case_row(case: Case) -> dict[str, Any]:
    person = case.petitioner
    return {
        "id": case.pk,
        "number": case.number,
        "unit": {"id": case.unit_id, "name": case.unit.name},
        "status": case.status,
        "status_label": case.get_status_display(),
        "received_on": case.received_on,
        "title": case.title,
        "category": {"id": case.category_id, "name": case.category.name},
        "petition_type": case.petition_type,
        "people_count": case.people_count,
        "petitioner_name": person.name,
        "id_number_masked": mask_id_number(person.id_number),
        "phone_masked": mask_phone(person.phone_on_record),
        "agent": {"id": case.agent_id, "name": case.agent.full_name},
        "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on,
        "concluded_on": case.concluded_on,
        "delivered_on": case.delivered_on,
        "closed_on": case.closed_on,
        "late_requests": len(case.late_steps or []),
    }


def _person(person: cases.Person) -> dict[str, Any]:
    p = person.petitioner
    return {
        "position": person.position,
        "name": p.name,
        "id_kind": p.id_kind,
        "id_number_masked": mask_id_number(p.id_number),
        "phone_masked": mask_phone(p.phone_on_record),
        "address_masked": mask_address(p.address),
        "work_unit": p.work_unit,
        "reveal": [f"{name}{person.suffix}" for name in PERSON_REVEALS if getattr(p, name)],
    }


def _deadline(state) -> dict[str, Any]:
    d = state.deadline
    return {
        "clock": d.clock.code,
        "name": d.clock.name,
        "kind": d.clock.kind,
        "started_on": d.started_on,
        "due_on": d.due_on,
        "stopped_on": d.stopped_on,
        "state": state.state,
        "overdue": state.overdue,
        "days_left": state.days_left,
        "provisional": d.provisional,
    }


def _events(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "at": e.at,
            "on": e.on,
            "action": e.action,
            "label": e.label,
            "by": e.by.full_name if e.by else "",
            "from_status": e.from_status,
            "to_status": e.to_status,
            "notes": event_notes(e),
        }
        for e in case.events.select_related("by").order_by("at", "id")
    ]


def _files(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": f.pk,
            "kind": f.kind,
            "kind_label": f.get_kind_display(),
            "name": f.file.original_name,
            "size": f.file.size,
            "content_type": f.file.content_type,
            "sha256": f.file.sha256,
            "created_at": f.created_at,
        }
        for f in case.files.select_related("file").order_by("created_at", "id")
    ]


def follow_ups(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "id": f.pk,
            "on": f.on,
            "means": f.means,
            "contact": f.contact,
            "content": f.content,
            "next_on": f.next_on,
            "by": f.by.full_name,
        }
        for f in case.follow_ups.select_related("by").order_by("-on", "-id")
    ]


def _rating(case: Case) -> dict[str, Any] | None:
    rating = rating_for(case)
    if rating is None:
        return None
    return {
        "channel": rating.channel,
        "office_satisfaction": rating.office_satisfaction,
        "body_satisfaction": rating.body_satisfaction,
        "rated_on": rating.rated_on,
        "comment": rating.comment,
    }


def case_detail(case: Case, user) -> dict[str, Any]:
    """The case page's contents for ``user``: its people masked, its history, clocks, rating,
    files and follow-ups, the steps the user may take now and the related cases they may see."""
    row = case_row(case)
    row.update(
        petitioners=[_person(p) for p in cases.people(case)],
        respondent_kind=case.respondent_kind,
        respondent_name=case.respondent_name,
        incident_town=ref(case.incident_town),
        incident_place=case.incident_place,
        allow_public=case.allow_public,
        court_accepted=case.court_accepted,
        reconsideration_done=case.reconsideration_done,
        arbitration_accepted=case.arbitration_accepted,
        has_review_opinion=case.has_review_opinion,
        content=case.content,
        referral_channel=case.referral_channel,
        scope_note=case.scope_note,
        authorization_mode=case.authorization_mode,
        authorized_on=case.authorized_on,
        platform=ref(case.platform),
        platform_username_masked=mask_secret(case.platform_username),
        query_code_masked=mask_secret(case.query_code),
        handling_body=case.handling_body,
        forward_mode=case.forward_mode,
        forwarded_on=case.forwarded_on,
        body_received_on=case.body_received_on,
        handling_opinion=case.handling_opinion,
        review_delivered_on=case.review_delivered_on,
        late=[
            {"label": s.label, "window_end": s.window_end, "reason": s.reason} for s in cases.late_steps(case)
        ],
        steps_available=[name for name in cases.steps_for(case, user) if name in ROUTED],
        related=[c.number for c in cases.related(user, case)],
        events=_events(case),
        deadlines=[_deadline(s) for s in deadlines_for_case(case)],
        rating=_rating(case),
        files=_files(case),
        follow_ups=follow_ups(case),
    )
    return row


def capabilities(user) -> dict[str, str]:
    return {code: str(reach) for code in policy.CAPABILITIES if (reach := rules.reach(user, code))}


# --- Risk reports, figures -----------------------------------------------------------------------------


def report_row(report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "unit": {"id": report.unit_id, "name": report.unit.name},
        "kind": report.kind,
        "kind_label": report.get_kind_display(),
        "urgency": report.urgency,
        "status": report.status,
        "happened_on": report.happened_on,
        "created_at": report.created_at,
        "case_number": getattr(report, "case_number", None)
        or (report.case.number if report.case_id else None),
    }


def report_detail(report) -> dict[str, Any]:
    row = report_row(report)
    row.update(
        description=report.description,
        petitioner_name=report.petitioner_name,
        reported_by=report.reported_by.full_name,
        acknowledged_at=report.acknowledged_at,
        disposal=report.disposal,
        disposed_at=report.disposed_at,
    )
    return row


def _rate(rate) -> dict[str, Any]:
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": rate.value,
        "few": rate.few,
    }


def figure_row(row, unit: dict[str, Any] | None) -> dict[str, Any]:
    rates = ("online", "participation", "satisfaction", "satisfied", "timely_acceptance", "timely_conclusion")
    shown = {name: _rate(getattr(row, name)) for name in rates}
    return {
        "unit": unit,
        "name": row.name,
        "proxied": row.proxied,
        "target": row.target,
        "met": row.met,
        "online_target": row.online_target,
        "online_met": row.online_met,
        "tallies": dict(row.tallies),
        "open": row.open,
        "overdue": row.overdue,
        **shown,
    }
