"""What is refused at input, over HTTP, with a Chinese message on the field and everything else
typed shown again (issue 9, defect 5)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.cases import actions
from xinfang.cases.forms import MAX_CONTENT
from xinfang.cases.models import Case, CaseStatus, Petitioner
from xinfang.cases.tests.test_views import new_case_post
from xinfang.core import files
from xinfang.ratings.models import FeedbackForm
from xinfang.ratings.tests.factories import advance, ago
from xinfang.ratings.tests.test_views import feedback_post
from xinfang.reference.models import SubmissionPlatform


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def post_new_case(client, agent, **overrides):
    client.force_login(agent)
    return client.post(reverse("cases:new"), new_case_post(**overrides))


# --- the new-case form --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("p-name", "\u200b", "姓名只有空格或不可见字符"),
        ("p-name", "😀😀", "姓名中不能有“😀”（第1个字符）"),
        ("p-name", "李\u202e某某", "姓名中含有不可见字符（第2个字符）"),
        ("c-title", "排水沟\x01堵塞", "内容中含有不可见的控制字符（第4个字符），请删除后再提交。"),
        ("c-content", "雨天\x1b[31m积水", "内容中含有不可见的控制字符（第3个字符）"),
        ("c-content", "积水\u202e进屋", "改变文字方向的隐藏字符（第3个字符）"),
        ("c-incident_place", "\u200b", "这里只有空格或不可见字符"),
        ("received_on", "1999-12-31", "日期应在2000年至2100年之间"),
        ("received_on", "2026-02-30", "请输入有效日期"),
        ("received_on", (timezone.localdate() + datetime.timedelta(days=1)).isoformat(), "日期不能晚于今天"),
    ],
)
def test_new_case_refuses_with_a_message_and_keeps_the_rest(client, agent_cg, field, value, message):
    response = post_new_case(client, agent_cg, **{field: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    typed = new_case_post()
    for other in ("p-address", "c-title", "c-content", "p-id_number"):
        if other != field:
            assert typed[other] in html
    assert Case.objects.count() == 0


def test_content_longer_than_the_maximum_is_refused_and_kept(client, agent_cg):
    long = "积" * (MAX_CONTENT + 1)
    response = post_new_case(client, agent_cg, **{"c-content": long})
    html = response.content.decode()
    assert f"诉求内容不超过{MAX_CONTENT}字（现为{MAX_CONTENT + 1}字）" in html
    assert long in html  # shown again whole: no maxlength makes the browser cut a paste short
    assert f'maxlength="{MAX_CONTENT}"' not in html and f"不超过{MAX_CONTENT}字" in html
    assert Case.objects.count() == 0
    assert post_new_case(client, agent_cg, **{"c-content": "积" * MAX_CONTENT}).status_code == 302


@pytest.mark.parametrize(
    "typed, stored", [("阿卜杜拉・买买提", "阿卜杜拉·买买提"), ("Mary-Jane O'Neil", "Mary-Jane O'Neil")]
)
def test_names_of_minorities_and_foreigners_are_registered(client, agent_cg, typed, stored):
    assert post_new_case(client, agent_cg, **{"p-name": typed}).status_code == 302
    assert Petitioner.objects.get().name == stored


def test_invalid_utf8_in_a_multipart_field_is_a_form_error(client, agent_cg):
    client.force_login(agent_cg)
    boundary = "XinfangBoundary"
    fields = new_case_post(**{"c-title": "TITLE"})
    parts = []
    for name, value in fields.items():
        raw = value.encode() if name != "c-title" else "排水沟".encode() + b"\xff\xfe" + "堵塞".encode()
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + raw)
    body = b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode()
    response = client.generic(
        "POST", reverse("cases:new"), body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "无法识别的字符" in html and "第4个字符" in html
    assert "道路硬化后排水沟被堵" in html
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=XX; charset=hex",
        "multipart/form-data; boundary=XX; charset=zlib",
        "application/x-www-form-urlencoded; charset=rot13",
    ],
)
def test_a_charset_that_is_no_text_encoding_is_a_chinese_400(client, agent_cg, content_type):
    client.force_login(agent_cg)
    body = b'--XX\r\nContent-Disposition: form-data; name="p-name"\r\n\r\nabc\r\n--XX--\r\n'
    client.raise_request_exception = False
    for url in (reverse("cases:new"), reverse("public:track")):
        response = client.generic("POST", url, body, content_type=content_type)
        assert response.status_code == 400
        assert "请求无法识别" in response.content.decode()


def test_the_served_application_answers_a_query_string_in_such_a_charset_with_a_400(agent_cg):
    """Django decodes the query string with the request's charset while building the request,
    before any middleware: served through xinfang.wsgi, that is a 400 too, not the server's 500."""
    from django.test.client import FakePayload, RequestFactory

    from xinfang.wsgi import application

    body = b'--XX\r\nContent-Disposition: form-data; name="code"\r\n\r\nabc\r\n--XX--\r\n'
    environ = RequestFactory()._base_environ(  # type: ignore[attr-defined]  # private; no stub
        PATH_INFO=reverse("public:track"),
        REQUEST_METHOD="POST",
        QUERY_STRING="next=%2Fcases%2F",
        CONTENT_TYPE="multipart/form-data; boundary=XX; charset=hex",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": FakePayload(body)},
    )
    started = []
    content = b"".join(application(environ, lambda status, headers: started.append(status)))
    assert started == ["400 Bad Request"]
    assert "请求无法识别" in content.decode()


# --- the submission record -------------------------------------------------------------------------------


@pytest.fixture
def authorized(agent_cg, make_case):
    case = make_case(agent_cg)
    actions.accept_scope(case, by=agent_cg)
    scan = files.Checked(content=b"%PDF-1.4", content_type=files.PDF, name="x.pdf")
    return actions.record_authorization(case, by=agent_cg, mode="signed", on=timezone.localdate(), scan=scan)


def submission_post(**overrides) -> dict:
    data = {
        "platform": SubmissionPlatform.objects.first().pk,
        "username": "li139",
        "password": "Pw-9x!k",
        "query_code": "ZP2026AB12",
        "on": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("query_code", "ZP😀12", "查询码只能由英文字母和数字组成，第3个字符“😀”不是"),
        ("query_code", "ZP\x0112", "内容中含有不可见的控制字符（第3个字符）"),
        ("password", "Pw\x01x", "平台密码只能包含英文字母、数字和英文符号，第3个字符不是"),
        ("password", "密码😀", "第1个字符不是"),
        ("username", "li\x1b139", "内容中含有不可见的控制字符（第3个字符）"),
    ],
)
def test_submission_refuses_codes_that_cannot_be_typed_on_the_platform(
    client, agent_cg, authorized, field, value, message
):
    client.force_login(agent_cg)
    response = client.post(
        reverse("cases:step", args=[authorized.pk, "submit"]), submission_post(**{field: value})
    )
    html = response.content.decode()
    assert message in html
    assert "ZP2026AB12" in html or field == "query_code"
    authorized.refresh_from_db()
    assert authorized.status == CaseStatus.AUTHORIZED


def test_submission_stores_a_full_width_query_code_folded(client, agent_cg, authorized):
    client.force_login(agent_cg)
    response = client.post(
        reverse("cases:step", args=[authorized.pk, "submit"]),
        submission_post(query_code="ＺＰ２０２６ ＡＢ１２"),
    )
    assert response.status_code == 302
    authorized.refresh_from_db()
    assert authorized.query_code == "ZP2026AB12"


# --- the 反馈表, a follow-up, a risk report, the public rating -------------------------------------------------


def test_feedback_comment_with_a_control_character_is_refused(client, agent_cg, make_case):
    case = advance(make_case(agent_cg, received_on=ago(14)), agent_cg)
    client.force_login(agent_cg)
    response = client.post(
        reverse("ratings:feedback", args=[case.pk]), feedback_post(office_comment="态度\x01很好")
    )
    html = response.content.decode()
    assert "内容中含有不可见的控制字符（第3个字符）" in html and "张某某 刘某某" in html
    assert not FeedbackForm.objects.exists()
    # Corrected, it saves, and its .docx prints.
    client.post(reverse("ratings:feedback", args=[case.pk]), feedback_post(office_comment="态度很好"))
    assert FeedbackForm.objects.get().office_comment == "态度很好"
    assert client.get(reverse("ratings:feedback_docx", args=[case.pk])).status_code == 200


def test_risk_report_name_and_description_are_checked(client, agent_cg):
    client.force_login(agent_cg)
    data = {"kind": "escalation", "urgency": "urgent", "happened_on": timezone.localdate().isoformat()}
    response = client.post(
        reverse("oversight:report_new"), {**data, "description": "扬言\x07上访", "petitioner_name": "🙂"}
    )
    html = response.content.decode()
    assert "内容中含有不可见的控制字符（第3个字符）" in html and "姓名中不能有“🙂”" in html


# --- months and years in the address -------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["1999-12", "2101-01", "2026-13", "9" * 5000, "２０２６-０３", "\x00"])
def test_bulletin_draft_refuses_a_month_out_of_range(client, bureau_user, month):
    client.force_login(bureau_user)
    response = client.get(reverse("bulletins:draft"), {"month": month})
    assert response.status_code == 302 and response.url == reverse("bulletins:list")
    page = client.get(response.url).content.decode()
    assert "无法生成草稿" in page


@pytest.mark.parametrize("month", ["2000-01", "2100-12"])
def test_bulletin_draft_at_the_bounds(client, bureau_user, month):
    client.force_login(bureau_user)
    response = client.get(reverse("bulletins:draft"), {"month": month})
    assert response.status_code == 200


@pytest.mark.parametrize("year", ["1999", "2101", "9" * 5000, "-1", "２０２６"])
def test_calendar_year_out_of_range_shows_the_default_year(client, bureau_user, year):
    client.force_login(bureau_user)
    assert client.get(reverse("deadlines:calendar"), {"year": year}).status_code == 200
