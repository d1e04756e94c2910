"""The page 谁能做什么, and ``requires``, the one decorator with which views ask the table."""

from __future__ import annotations

from functools import wraps
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from xinfang.access import policy
from xinfang.access.models import Reach, Role
from xinfang.access.rules import check


def requires(code: str):
    """Only users the table grants ``code`` (to some unit) reach the view; anyone else gets the
    page for a missing page, and the refusal is logged. Which unit's data the view then shows
    is the view's next question (``scoped``, ``get_or_refuse``)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            match = request.resolver_match
            check(
                request.user,
                code,
                request=request,
                target_type="view",
                target_id=match.view_name if match else view.__name__,
            )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _area_order(cap: policy.Capability) -> int:
    return policy.AREAS.index(cap.area) if cap.area in policy.AREAS else len(policy.AREAS)


@requires("view_access_table")
def access_table(request):
    roles = [(role, Role(role).label) for role in policy.ROLES]
    rows = [
        {
            "code": cap.code,
            "area": cap.area,
            "label": cap.label,
            "cells": [Reach(cap.grants[role]).label if role in cap.grants else "" for role, _ in roles],
        }
        for cap in sorted(policy.CAPABILITIES.values(), key=_area_order)
    ]
    areas = [(area, list(items)) for area, items in groupby(rows, key=lambda row: row["area"])]
    return render(
        request,
        "access/table.html",
        {
            "roles": roles,
            "areas": areas,
            "nav": "access",
            "second_factor_roles": [label for role, label in roles if role in policy.SECOND_FACTOR_ROLES],
        },
    )
