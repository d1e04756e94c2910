"""The batch grid: after a round of deliveries, the 反馈表 results (seed 附件2) and the ratings
of many cases at once, one row a case.

Each row is a ``BatchRowForm``: the questions of the 反馈表 (``FeedbackEntryForm``, without the
scan, which each case's own page takes) and how the rating was given. A row left as it was
shown is skipped; a row touched is checked as the case's own pages check it, with the errors at
its fields; nothing is saved until every touched row is right (``actions.record_batch``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone

from xinfang.cases.forms import DateInput, DateTimeInput, not_in_future
from xinfang.cases.models import Case
from xinfang.ratings import actions
from xinfang.ratings.forms import DATE_ERRORS, FeedbackEntryForm
from xinfang.ratings.models import FeedbackForm, InstructionMeans, RatingChannel
from xinfang.ratings.selectors import BATCH_ROWS

PREFIX = "rows"
BLANK = ("", "—")
CHANNELS = [
    BLANK,
    (RatingChannel.PLATFORM.value, "信访人网上评价"),
    (RatingChannel.AGENT.value, "代理员代为评价"),
]
# The grid's short headings; the messages keep the full questions of 附件2.
SHORT_LABELS = {
    "documents": "答复意见书",
    "document_count": "件数",
    "truthful": "1.如实反映",
    "notified_in_time": "2.按时告知",
    "forwarded_in_time": "3.及时转送",
    "agent_rating": "4.代理工作",
    "office_satisfaction": "对信访机构",
    "office_reasons": "不满意原因",
    "office_comment": "具体意见",
    "body_satisfaction": "对责任机关",
    "body_reasons": "不满意原因",
    "body_comment": "具体意见",
    "delivered_by": "送达人",
    "delivered_at": "送达时间",
    "petitioner_signed": "已签字",
    "signed_on": "签字日期",
}
CHOICE_FIELDS = ("truthful", "notified_in_time", "forwarded_in_time", "agent_rating")
SATISFACTIONS = ("office_satisfaction", "body_satisfaction")


class BatchRowForm(FeedbackEntryForm):
    """One case of the grid: its 反馈表 and its rating, checked as on the case's own pages."""

    signed_scan = None  # type: ignore[assignment]  # the scan goes on the case's own page
    case_pk = forms.IntegerField(widget=forms.HiddenInput)  # which case the row is (posted_ids)
    channel = forms.ChoiceField(label="评价方式", choices=CHANNELS)
    rated_on = forms.DateField(
        label="评价日期", widget=DateInput(), validators=[not_in_future], error_messages=DATE_ERRORS
    )
    instruction_means = forms.ChoiceField(
        label="表达方式", required=False, choices=[BLANK, *InstructionMeans.choices]
    )
    instructed_at = forms.DateTimeField(
        label="表达时间",
        required=False,
        widget=DateTimeInput(),
        validators=[not_in_future],
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"invalid": "请输入有效的日期和时间。"},
    )

    def __init__(self, *args, case: Case, instance: FeedbackForm | None = None, **kwargs):
        super().__init__(*args, case=case, instance=instance, **kwargs)
        for name, label in SHORT_LABELS.items():
            self.fields[name].label = label
            self.fields[name].help_text = ""
        # Drop-downs rather than radio buttons: a row stays one line. Nothing is chosen for the
        # petitioner: a blank first choice, and the answer is required.
        for name in (*CHOICE_FIELDS, *SATISFACTIONS):
            field = self.fields[name]
            field.widget = forms.Select(choices=[BLANK, *field.choices])  # type: ignore[attr-defined]
        for name in ("office_comment", "body_comment"):
            self.fields[name].widget = forms.TextInput()

    def clean(self):
        data = super().clean()
        if data.get("channel") != RatingChannel.AGENT:
            data["instruction_means"], data["instructed_at"] = "", None
        for field, message in actions.rating_problems(self.case, data).items():
            if field not in self.errors:  # a field's own error says it first
                self.add_error(field, message)
        return data

    def row(self) -> actions.BatchRow:
        """What the action takes: the 反馈表's fields, and the rating with the 反馈表's answers
        to 二 and 三 as its two satisfactions."""
        data = self.cleaned_data
        return actions.BatchRow(
            case=self.case,
            feedback={field: data.get(field) for field in actions.FEEDBACK_FIELDS},
            rating={
                "channel": data["channel"],
                "office_satisfaction": data["office_satisfaction"],
                "body_satisfaction": data["body_satisfaction"],
                "rated_on": data["rated_on"],
                "instruction_means": data["instruction_means"],
                "instructed_at": data["instructed_at"],
            },
        )


def row_initial(case: Case, instance: FeedbackForm | None, today) -> dict[str, Any]:
    """What a row shows before it is touched: the saved 反馈表, or the form's starting values
    (件数 from the replies kept, 送达时间 the day of delivery); today as the rating's day."""
    if instance is not None:
        initial = {field: getattr(instance, field) for field in actions.FEEDBACK_FIELDS}
    else:
        initial = {"document_count": getattr(case, "replies", 0) or 1, "delivered_at": case.delivered_on}
    return {**initial, "case_pk": case.pk, "rated_on": today}


def saved_feedback(case: Case) -> FeedbackForm | None:
    try:
        return case.feedback_form
    except FeedbackForm.DoesNotExist:
        return None


class BaseBatchFormSet(BaseFormSet):
    """One form a case, in the order of ``cases``; every row may be left as shown."""

    def __init__(self, *args, cases: list[Case], **kwargs):
        self.cases = cases
        self.saved = {case.pk: saved_feedback(case) for case in cases}
        today = timezone.localdate()
        kwargs["initial"] = [row_initial(case, self.saved[case.pk], today) for case in cases]
        kwargs["prefix"] = PREFIX
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return len(self.cases)

    def get_form_kwargs(self, index):
        case = self.cases[index]
        return {"case": case, "instance": self.saved[case.pk], "empty_permitted": True}

    def touched(self) -> list[BatchRowForm]:
        """The rows the user filled in or changed."""
        return [form for form in self.forms if form.has_changed()]


# ``BatchFormSet(data, cases=…)``: the factory's class, with ours as its base.
BatchFormSet = cast(type[BaseBatchFormSet], formset_factory(BatchRowForm, formset=BaseBatchFormSet, extra=0))


def posted_ids(data) -> list[int] | None:
    """The cases of a posted grid, from its hidden fields, in its order (at most
    ``BATCH_ROWS``); None when the grid is not whole (a row without its case)."""
    try:
        total = int(data.get(f"{PREFIX}-TOTAL_FORMS", ""))
    except (TypeError, ValueError):
        return None
    values = [data.get(f"{PREFIX}-{index}-case_pk", "") for index in range(min(max(total, 0), BATCH_ROWS))]
    if not all(value.isascii() and value.isdigit() for value in values):
        return None
    return [int(value) for value in values]
