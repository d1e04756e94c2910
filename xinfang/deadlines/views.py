"""Pages for the clocks and the official calendar.

Who may use the calculator (``use_calculator``) and who keeps the calendar and the clocks
(``manage_calendar``) is the capability table's answer; anyone else gets the 404 of
``requires``. Thin views: parse the form, call one action, redirect with a message.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.access.views import requires
from xinfang.core.errors import add_to_form
from xinfang.deadlines import actions, selectors
from xinfang.deadlines.calculator import calculate
from xinfang.deadlines.forms import CalculatorForm, ClockForm, ScheduleForm, UploadForm, format_lines
from xinfang.deadlines.models import Clock, DayKind

FILE_NOT_KEPT = "浏览器不会保留已选择的文件，改正后请重新选择文件。"


def _year(text: str, default: int) -> int:
    text = text.strip()
    year = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else default
    return year if 2000 <= year <= 2100 else default


@requires("use_calculator")
def calculator(request):
    form = CalculatorForm(request.GET or None)
    calculation = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        calculation = calculate(data["start"], data["length"], data["day_count"])
    clocks = Clock.objects.filter(active=True)
    return render(
        request,
        "deadlines/calculator.html",
        {
            "form": form,
            "calculation": calculation,
            "clocks": clocks,
            "nav": "calendar",
        },
    )


def _schedule_initial(year: int) -> dict:
    holidays, workdays = selectors.year_days(year)
    return {
        "year": year,
        "holidays": format_lines(holidays),
        "workdays": format_lines(workdays),
        "source": f"国务院办公厅关于{year}年部分节假日安排的通知",
    }


def _save(request, form, *, holidays, workdays, how: str):
    data = form.cleaned_data
    year = data["year"]
    source = data.get("source") or f"国务院办公厅关于{year}年部分节假日安排的通知"
    try:
        _, changed = actions.set_year_schedule(
            year=year,
            holidays=holidays,
            workdays=workdays,
            by=request.user,
            request=request,
            source=f"{source}（{how}）"[:100],
        )
    except actions.ScheduleError as exc:
        # Each problem on its own line: the action's message joins them.
        for problem in actions.check_year_schedule(year, holidays, workdays) or [exc.message]:
            form.add_error(None, problem)
        return None
    rest = len({d for d, _ in holidays})
    work = len({d for d, _ in workdays})
    messages.success(
        request,
        f"已保存{year}年的节假日安排：放假{rest}天，调休上班{work}天。"
        + (
            f"{changed}个在办事项的期限已按新日历重新计算，并记入各事项的办理记录。"
            if changed
            else "没有在办事项的期限因此改变。"
        ),
    )
    return redirect(f"{reverse('deadlines:calendar')}?year={year}")


@requires("manage_calendar")
def calendar(request):
    today = timezone.localdate()
    missing = selectors.next_missing_year(today)
    shown = _year(request.GET.get("year", ""), today.year)
    target = shown if request.GET.get("year") else missing
    schedule_form = ScheduleForm(initial=_schedule_initial(target))
    upload_form = UploadForm()
    file_lost = False
    if request.method == "POST":
        if request.POST.get("form") == "upload":
            upload_form = UploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                holidays, workdays = upload_form.cleaned_data["file"]
                response = _save(request, upload_form, holidays=holidays, workdays=workdays, how="上传文件")
                if response is not None:
                    return response
            file_lost = True
        else:
            schedule_form = ScheduleForm(request.POST)
            if schedule_form.is_valid():
                data = schedule_form.cleaned_data
                response = _save(
                    request,
                    schedule_form,
                    holidays=data["holidays"],
                    workdays=data["workdays"],
                    how="页面录入",
                )
                if response is not None:
                    return response
    holidays, workdays = selectors.year_days(shown)
    years = selectors.years_overview()
    return render(
        request,
        "deadlines/calendar.html",
        {
            "nav": "calendar",
            "years": years,
            "shown": shown,
            "covered": any(r.entry.year == shown for r in years),
            "holidays": holidays,
            "workdays": workdays,
            "missing": missing,
            "today": today,
            "provisional": selectors.provisional_open_count(),
            "form": schedule_form,
            "upload_form": upload_form,
            "file_lost": file_lost,
            "file_not_kept": FILE_NOT_KEPT,
            "target": target,
        },
    )


@requires("manage_calendar")
def calendar_template(request):
    """A CSV to fill in (or a year already entered, to correct); Excel and WPS open it as is."""
    year = _year(request.GET.get("year", ""), selectors.next_missing_year())
    holidays, workdays = selectors.year_days(year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["日期", "类别", "名称"])
    days = sorted(holidays + workdays, key=lambda d: d.date)
    for day in days:
        writer.writerow([f"{day.date:%Y-%m-%d}", "放假" if day.kind == DayKind.HOLIDAY else "上班", day.name])
    if not days:
        writer.writerow([f"{year}-01-01", "放假", "元旦"])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="holidays-{year}.csv"'
    return response


@requires("manage_calendar")
def clocks(request):
    labels = dict(actions.step_choices())
    stale = selectors.stale_counts()
    rows = [
        {
            "clock": c,
            "start": labels.get(c.start_action, c.start_action),
            "stops": "、".join(labels.get(a, a) for a in c.stop_action_list),
            "stale": stale.get(c.pk, 0),
        }
        for c in Clock.objects.all()
    ]
    return render(request, "deadlines/clocks.html", {"rows": rows, "nav": "calendar"})


@requires("manage_calendar")
@require_POST
def clock_apply(request, pk):
    """Bring the open cases in line with the kinds of matter the clock applies to."""
    clock = get_object_or_404(Clock, pk=pk)
    added, withdrawn = actions.apply_clock_kinds(clock, by=request.user, request=request)
    messages.success(
        request,
        f"已按“{clock.name}”的适用类型核对在办事项：撤销{withdrawn}件事项的该期限，为{added}件事项起算；"
        "每件都记入了办理记录。",
    )
    return redirect("deadlines:clocks")


@requires("manage_calendar")
def clock_edit(request, pk):
    clock = get_object_or_404(Clock, pk=pk)
    form = ClockForm(request.POST or None, initial=ClockForm.initial_for(clock))
    if request.method == "POST" and form.is_valid():
        kinds_before = clock.petition_type_list
        try:
            clock = actions.update_clock(clock, by=request.user, request=request, **form.cleaned_data)
        except actions.ClockError as exc:
            add_to_form(form, exc)
        else:
            message = f"已保存“{clock.name}”。正在计算的期限仍按原来的长度和计算方式。"
            if clock.petition_type_list != kinds_before:
                message += "适用的信访类型已改变：在办事项的该期限已相应增加或撤销，并记入各事项的办理记录。"
            messages.success(request, message)
            return redirect("deadlines:clocks")
    return render(request, "deadlines/clock_form.html", {"form": form, "clock": clock, "nav": "calendar"})
