"""What the benchmarks type into the new-case form: a petitioner and a complaint for case ``i``
(the same for every ``i`` but the name, the document number, the phone and the title)."""

from __future__ import annotations


def person(i: int) -> dict:
    from xinfang.core.validators import id_check_digit

    first17 = f"61092719{50 + i % 50:02d}0101{i % 1000:03d}"
    return {
        "name": f"李{i}",
        "id_kind": "resident",
        "id_number": first17 + id_check_digit(first17),
        "mobile": f"139{i:08d}",
        "landline": "",
        "address": "镇坪县城关镇",
        "work_unit": "",
    }


def complaint(i: int, category) -> dict:
    return {
        "respondent_kind": "administrative",
        "respondent_name": "某局",
        "petition_type": "claim",
        "category": category,
        "incident_town": None,
        "incident_place": "",
        "allow_public": False,
        "court_accepted": False,
        "reconsideration_done": False,
        "arbitration_accepted": False,
        "has_review_opinion": False,
        "title": f"事项{i}",
        "content": "内容" * 50,
    }
