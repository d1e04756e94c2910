"""Public pages (no login) and the staff pages for cards, flyers and the publicity log.

Public views show nothing of a petitioner and no case content: what they may show is decided
in ``selectors`` (agents, progress). The lookup posts its code (never in a URL); a verified
lookup travels to the rating form as a short-lived signed token (``actions.lookup_token``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.audit.actions import record
from xinfang.audit.models import AuditAction
from xinfang.cases.exports import attachment_header
from xinfang.core.errors import DomainError, add_to_form
from xinfang.core.middleware import mark_personal
from xinfang.public import actions, documents, selectors
from xinfang.public.forms import PublicityFilterForm, PublicityForm, RatingForm, TrackForm
from xinfang.ratings.actions import record_rating

PUBLICITY_PAGE_SIZE = 50
STAFF_RATING = "工作人员已登录时不能在查询页评价：请退出登录后由信访人本人评价，或在事项页面登记代为评价。"


# --- Public pages -----------------------------------------------------------------------------------


def agents(request):
    """代理员名录: each unit's published agents (seed 二 2; 三 一 信息公开制度)."""
    return render(request, "public/agents.html", {"directory": selectors.agent_directory(), "nav": "agents"})


def guide(request):
    return render(request, "public/guide.html", {"guide": documents.guide(), "nav": "guide"})


def _result(request, case, *, rating_form=None, rating_error=""):
    progress = selectors.progress(case)
    form = rating_form or RatingForm(initial={"token": actions.lookup_token(case)})
    response = render(
        request,
        "public/track_result.html",
        {
            "progress": progress,
            "form": form,
            "rating_error": rating_error,
            "nav": "track",
            "staff": request.user.is_authenticated,
            "staff_rating": STAFF_RATING,
        },
    )
    mark_personal(response)  # never kept by a browser or a proxy
    return response


def track(request):
    """办理进度查询: 查询码 + 手机号后四位 (posted) → the steps and due dates."""
    form = TrackForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.look_up(
                code=form.cleaned_data["code"], last4=form.cleaned_data["last4"], request=request
            )
        except actions.LookupRefused as exc:
            error = exc.message
            # The digits are not sent back into the page; the code is kept to correct a typo.
            form = TrackForm(initial={"code": form.cleaned_data["code"]})
        else:
            return _result(request, case)
    response = render(request, "public/track.html", {"form": form, "error": error, "nav": "track"})
    mark_personal(response, request.method == "POST")
    return response


@require_POST
def rate(request):
    """结果网上评: the petitioner rates once, after the reply was delivered."""
    form = RatingForm(request.POST)
    try:
        case = actions.case_for_token(request.POST.get("token", ""))
    except actions.LookupRefused as exc:
        response = render(
            request, "public/track.html", {"form": TrackForm(), "error": exc.message, "nav": "track"}
        )
        mark_personal(response)
        return response
    if request.user.is_authenticated:
        # Staff rate for a petitioner on the case page, where the ratings app records who did.
        return _result(request, case, rating_error=STAFF_RATING)
    if not form.is_valid():
        return _result(request, case, rating_form=form)
    data = form.cleaned_data
    try:
        record_rating(
            case,
            channel="public",
            office_satisfaction=data["office_satisfaction"],
            body_satisfaction=data["body_satisfaction"],
            comment=data["comment"],
            by=None,
            request=request,
        )
    except DomainError as exc:
        return _result(request, case, rating_error=exc.message)
    request.session["public_rated"] = True
    return redirect("public:rated")


def rated(request):
    if not request.session.pop("public_rated", False):
        return redirect("public:track")
    return render(request, "public/rated.html", {"nav": "track"})


# --- Contact cards and flyers (staff) ------------------------------------------------------------------


@requires(selectors.PUBLICITY)
def materials(request):
    units = selectors.material_units(request.user)
    return render(request, "public/materials.html", {"units": units, "nav": "materials"})


def _print_view(request, pk, *, document: str, template: str):
    unit = selectors.material_unit_for(request, pk)
    material = documents.contact_card(unit, request) if document == "card" else documents.flyer(unit, request)
    record(AuditAction.PRINT, request=request, target=unit, document=document, format="html")
    return render(
        request,
        template,
        {"unit": unit, "material": material, "cards": range(documents.CARDS_PER_PAGE), "nav": "materials"},
    )


def _docx(request, pk, *, document: str):
    unit = selectors.material_unit_for(request, pk)
    if document == "card":
        content, name = documents.card_docx(documents.contact_card(unit, request)), f"联系卡-{unit.name}.docx"
    else:
        content, name = documents.flyer_docx(documents.flyer(unit, request)), f"宣传页-{unit.name}.docx"
    record(AuditAction.PRINT, request=request, target=unit, document=document, format="docx")
    response = HttpResponse(content, content_type=documents.DOCX)
    response["Content-Disposition"] = attachment_header(name)
    return response


@requires(selectors.PUBLICITY)
def card(request, pk):
    return _print_view(request, pk, document="card", template="public/card_print.html")


@requires(selectors.PUBLICITY)
def card_docx(request, pk):
    return _docx(request, pk, document="card")


@requires(selectors.PUBLICITY)
def flyer(request, pk):
    return _print_view(request, pk, document="flyer", template="public/flyer_print.html")


@requires(selectors.PUBLICITY)
def flyer_docx(request, pk):
    return _docx(request, pk, document="flyer")


# --- The publicity log (staff) -------------------------------------------------------------------------


@requires(selectors.PUBLICITY)
def publicity(request):
    units = selectors.publicity_units(request.user)
    everything = selectors.publicity_events(request.user)
    flt = PublicityFilterForm(request.GET or None, units=units, years=selectors.publicity_years(everything))
    unit = year = None
    if flt.is_valid():
        unit, year = flt.cleaned_data.get("unit"), flt.cleaned_data.get("year")
    events = selectors.publicity_events(request.user, unit=unit, year=year)
    totals, overall = selectors.totals_by_kind(events)
    page = Paginator(events, PUBLICITY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("unit", unit.pk if unit else ""), ("year", year or "")) if v)
    return render(
        request,
        "public/publicity_list.html",
        {
            "page": page,
            "filter": flt,
            "totals": totals,
            "overall": overall,
            "query": query,
            "show_unit": units.count() > 1,
            "nav": "publicity",
        },
    )


@requires(selectors.PUBLICITY)
def publicity_new(request):
    units = selectors.publicity_units(request.user)
    form = PublicityForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = actions.record_publicity(
                by=request.user,
                unit=data["unit"],
                on=data["on"],
                place=data["place"],
                kind=data["kind"],
                people=data["people_reached"],
                note=data["note"],
            )
        except actions.PublicityError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request,
                f"已登记宣传记录：{event.on:%Y年%m月%d日} {event.get_kind_display()}，覆盖{event.people_reached}人。",
            )
            return redirect("public:publicity")
    return render(request, "public/publicity_form.html", {"form": form, "nav": "publicity"})
