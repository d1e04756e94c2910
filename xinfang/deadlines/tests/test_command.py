"""``xinfang deadline``: the due date on stdout, one line; the same function as the page."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.usefixtures("official_calendar")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("deadline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_example_prints_exactly_the_date():
    assert run("--start", "2026-09-30", "--days", "15") == ("2026-10-15\n", "")


def test_workdays():
    out, _ = run("--start", "2026-09-28", "--days", "5", "--workdays")
    assert out == "2026-10-10\n"


def test_explain_lists_the_days_skipped():
    out, _ = run("--start", "2026-09-20", "--days", "15", "--explain")
    lines = out.splitlines()
    assert lines[0] == "2026-10-08"
    assert "2026-10-05（星期一）法定节假日（国庆节），期限顺延（民法典第203条）" in lines
    assert lines[-1] == "届满日 2026-10-08（星期四）"


def test_provisional_prints_the_date_and_the_reason_on_stderr():
    out, err = run("--start", "2026-12-20", "--days", "15")
    assert out == "2027-01-04\n"
    assert "2027年的法定节假日安排尚未录入" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2026-02-30", "--days", "15"), "没有 2026年2月30日 这一天"),
        (("--start", "30/09/2026", "--days", "15"), "格式 YYYY-MM-DD"),
        (("--start", "2026-09-30", "--days", "fifteen"), "应为整数天数"),
        (("--start", "2026-09-30", "--days", "-3"), "应在 0 到 3650 之间"),
    ],
)
def test_bad_input_is_a_clear_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
