"""The page of every step that has a form: one view, its form and its action from the registry.

The registry (``steps``) says for each step its capability, its form, its page's title and what
is said once it is recorded; ``actions.take_step`` records it. A step added to the registry has
its page here with no other edit.
"""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from xinfang.access.rules import check, refuse
from xinfang.cases import actions, selectors, workflow
from xinfang.cases.steps import STEPS, form_for
from xinfang.core.errors import DomainError, add_to_form


@login_required
def step(request, pk, name):
    """Show the step's form; on a valid post take the step, and go back to the case."""
    step = STEPS.get(name)
    if step is None or step.url_name != "cases:step":
        raise refuse(request.user, "view_cases", target_type="cases.step", target_id=name, request=request)
    check(request.user, step.capability, request=request, target_type="view", target_id=f"cases:step:{name}")
    case = selectors.get_case_for(request, pk, code=step.capability)
    form = form_for(step)(request.POST or None, request.FILES or None, case=case, step=step)
    allowed = workflow.allows(case.status, name)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            result = actions.take_step(case, name, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            count = len(result) if isinstance(result, list) else 1
            messages.success(request, step.done_message.format(count=count))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "form": form,
            "title": step.page_title,
            "multipart": any(isinstance(f, django_forms.FileField) for f in form.fields.values()),
            "intro": form.intro_text,
            "allowed": allowed,
            "refusal": "" if allowed else workflow.refusal(case.status, name).message,
        },
    )
