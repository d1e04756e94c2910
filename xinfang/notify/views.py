"""Notices for whoever is logged in; the outbox for bureau staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.audit.actions import refuse
from xinfang.core.validators import parse_id, printable
from xinfang.notify import actions, selectors
from xinfang.notify.models import Notice, ReminderLevel

PAGE_SIZE = 50


@login_required
def notice_list(request):
    unread_only = request.GET.get("unread") == "1"
    notices = selectors.notices_for(request.user)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/list.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query": "unread=1" if unread_only else "",
            "levels": dict(ReminderLevel.choices),
            "nav": "notices",
        },
    )


@require_POST
@login_required
def read(request):
    """Mark one notice (``notice``) or all of the user's notices read."""
    raw = request.POST.get("notice", "")
    if raw:
        pk = parse_id(raw)
        if pk is None:
            raise refuse(request, target_type="notify.Notice", target_id=printable(raw)[:40])
        if not actions.mark_read(user=request.user, notice_ids=[pk]):
            if not Notice.objects.filter(pk=pk, recipient=request.user).exists():
                raise refuse(request, target_type="notify.Notice", target_id=pk)
    else:
        count = actions.mark_read(user=request.user)
        messages.success(request, f"已将 {count} 条提醒标为已读。")
    return redirect("notify:list")


@requires("view_outbox")
def outbox(request):
    page = Paginator(selectors.outbox_messages(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/outbox.html", {"page": page, "query": "", "nav": "outbox"})
