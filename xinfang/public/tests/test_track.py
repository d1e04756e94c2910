"""The public progress lookup: 查询码 + 手机号后四位, throttled, logged, and 结果网上评 once."""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from xinfang.accounts.models import Role
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.public import actions
from xinfang.public.models import LookupAttempt
from xinfang.ratings.models import Rating

CODE = "K7MPX3QW9RTA"
LAST4 = "5678"  # petitioner_data's mobile is 13912345678
TRACK = reverse("public:track")


def look(client, code=CODE, last4=LAST4, ip="198.51.100.7"):
    return client.post(TRACK, {"code": code, "last4": last4}, REMOTE_ADDR=ip)


def error_of(response) -> str:
    body = response.content.decode()
    start = body.index('class="msg msg-error" role="alert">') + len('class="msg msg-error" role="alert">')
    return body[start : body.index("</p>", start)]


def token_of(response) -> str:
    return response.context["form"]["token"].value()


@pytest.fixture
def delivered(agent_cg, tracked):
    return tracked(agent_cg, code=CODE)


# --- The lookup ---------------------------------------------------------------------------------------


def test_the_form_posts_and_is_protected_by_csrf(client, delivered):
    page = client.get(TRACK).content.decode()
    assert 'method="post"' in page and f'action="{TRACK}"' in page and "csrfmiddlewaretoken" in page
    # A code in the query string is never looked up.
    assert delivered.number not in client.get(TRACK + f"?code={CODE}&last4={LAST4}").content.decode()
    assert not LookupAttempt.objects.exists()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(TRACK, {"code": CODE, "last4": LAST4}).status_code == 403


def test_right_code_and_digits_show_the_steps_and_no_personal_data(client, delivered):
    response = look(client)

    assert response.status_code == 200
    body = response.content.decode()
    assert delivered.number in body and "已送达答复" in body
    for label in (
        "网上提交投诉",
        "转送、交办有权处理机关",
        "有权处理机关收到",
        "受理",
        "办结",
        "答复送达信访人",
    ):
        assert label in body
    assert "办理期限" in body and "申请复查" in body  # the petitioner's review window, with its date
    for secret in (
        "李某某",
        "13912345678",
        "1234",
        "文彩村三组",
        delivered.petitioner.id_number,
        delivered.title,
        delivered.content,
        CODE,
        "pw-1-secret",
        "镇坪县住房和城乡建设局",
    ):
        assert secret not in body, secret
    assert "no-store" in response.headers["Cache-Control"]


def test_the_code_is_forgiving_of_case_spaces_and_full_width_digits(client, delivered):
    assert delivered.number in look(client, code=" k7mp x3qw 9rta ", last4="５６７８").content.decode()


def test_wrong_digits_and_wrong_code_get_the_same_message(client, delivered):
    wrong_digits = error_of(look(client, last4="0000", ip="198.51.100.1"))
    wrong_code = error_of(look(client, code="ZZZZZZZZZZZZ", ip="198.51.100.2"))

    assert wrong_digits == wrong_code
    assert actions.WRONG in wrong_digits


def test_a_refused_try_keeps_the_code_but_not_the_digits(client, delivered):
    body = look(client, last4="0000").content.decode()
    assert 'value="0000"' not in body
    assert f'value="{CODE}"' in body


def test_each_try_is_logged_without_the_code_or_the_digits(client, delivered):
    look(client, last4="0000")
    look(client, code="ZZZZZZZZZZZZ")
    look(client)

    denied = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("id")
    assert [e.detail["reason"] for e in denied] == ["wrong_digits", "no_such_code"]
    assert denied[0].target_id == str(delivered.pk) and denied[0].ip == "198.51.100.7"
    success = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert success.target_id == str(delivered.pk) and success.detail == {"public": "track"}
    for entry in AuditEntry.objects.all():
        logged = json.dumps(entry.detail) + entry.path
        assert CODE not in logged and "ZZZZ" not in logged and LAST4 not in logged and "0000" not in logged
    for attempt in LookupAttempt.objects.all():
        assert CODE not in attempt.code_hash and len(attempt.code_hash) == 64
    assert list(LookupAttempt.objects.order_by("id").values_list("success", flat=True)) == [
        False,
        False,
        True,
    ]


def test_five_failures_from_one_address_lock_that_address(client, delivered):
    for n in range(5):
        response = look(client, code=f"WRONGCODE{n}", ip="203.0.113.5")
    assert "已连续输错5次" in error_of(response)  # the fifth failure already says so

    refused = look(client, ip="203.0.113.5")  # now even the right pair
    assert "已连续输错5次" in error_of(refused) and "以后再试" in error_of(refused)
    assert LookupAttempt.objects.filter(throttled=True).count() == 1
    assert (
        AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, detail__reason="throttled").count() == 1
    )
    assert AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 6

    assert delivered.number in look(client, ip="203.0.113.6").content.decode()  # other addresses are free

    LookupAttempt.objects.update(at=timezone.now() - datetime.timedelta(minutes=11))
    assert delivered.number in look(client, ip="203.0.113.5").content.decode()


def test_five_failures_at_one_code_lock_that_code_from_every_address(client, delivered):
    for n in range(5):
        look(client, last4=f"000{n}", ip=f"192.0.2.{n + 1}")

    refused = look(client, ip="192.0.2.99")
    assert "已连续输错5次" in error_of(refused)
    assert delivered.number not in refused.content.decode()

    LookupAttempt.objects.update(at=timezone.now() - datetime.timedelta(minutes=11))
    assert delivered.number in look(client, ip="192.0.2.99").content.decode()


def test_the_lock_names_when_to_come_back(delivered, rf):
    now = timezone.make_aware(datetime.datetime(2026, 11, 23, 14, 20, 30))
    request = rf.post(TRACK, REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        with pytest.raises(actions.LookupRefused):
            actions.look_up(
                code=f"NOPE{n}", last4="1111", request=request, now=now + datetime.timedelta(seconds=n)
            )
    with pytest.raises(actions.LookupRefused) as refused:
        actions.look_up(code=CODE, last4=LAST4, request=request, now=now + datetime.timedelta(minutes=3))
    # The lock lifts when the oldest of the five failures (14:20:30) is ten minutes old,
    # said rounded up to the minute.
    assert refused.value.retry_at == now + datetime.timedelta(minutes=10)
    assert "请于14:31以后再试" in refused.value.message
    # Retrying while locked does not push the time on.
    with pytest.raises(actions.LookupRefused) as again:
        actions.look_up(code=CODE, last4=LAST4, request=request, now=now + datetime.timedelta(minutes=9))
    assert "请于14:31以后再试" in again.value.message
    assert (
        actions.look_up(code=CODE, last4=LAST4, request=request, now=now + datetime.timedelta(minutes=11))
        == delivered
    )


def test_a_code_takes_at_most_twenty_wrong_tries_a_day(delivered, rf):
    """Spread out to dodge the ten-minute lock, guesses at one code still stop at twenty a day."""
    start = timezone.make_aware(datetime.datetime(2026, 11, 23, 8, 0))
    for n in range(actions.DAILY_MAX_FAILURES):
        request = rf.post(TRACK, REMOTE_ADDR=f"198.51.100.{n + 1}")
        with pytest.raises(actions.LookupRefused):
            actions.look_up(
                code=CODE, last4=f"{n:04d}", request=request, now=start + datetime.timedelta(minutes=30 * n)
            )
    later = start + datetime.timedelta(hours=12)
    with pytest.raises(actions.LookupRefused) as refused:
        actions.look_up(
            code=CODE, last4=LAST4, request=rf.post(TRACK, REMOTE_ADDR="198.51.100.200"), now=later
        )
    assert refused.value.retry_at == start + datetime.timedelta(days=1)


def test_old_tries_are_forgotten_after_a_day(delivered, rf):
    request = rf.post(TRACK, REMOTE_ADDR="203.0.113.10")
    LookupAttempt.objects.create(
        ip="203.0.113.10", code_hash="x", at=timezone.now() - datetime.timedelta(days=2)
    )
    actions.look_up(code=CODE, last4=LAST4, request=request)
    assert LookupAttempt.objects.count() == 1


def test_a_blank_code_is_a_form_error_not_a_try(client, agent_cg, make_case):
    make_case(agent_cg)  # no 查询码 yet: its hash is empty, and must not match a blank code
    response = client.post(TRACK, {"code": "   ", "last4": LAST4})
    assert "请输入查询码" in response.content.decode()
    assert not LookupAttempt.objects.exists()
    assert actions.WRONG in error_of(look(client, code="-"))


# --- Rating (结果网上评) ---------------------------------------------------------------------------------


def rate(client, token, office="satisfied", body="basically", comment=""):
    return client.post(
        reverse("public:rate"),
        {
            "token": token,
            "office_satisfaction": office,
            "body_satisfaction": body,
            "comment": comment,
        },
    )


def test_the_petitioner_rates_once_after_delivery(client, delivered):
    result = look(client)
    assert "满意度评价" in result.content.decode()
    token = token_of(result)

    response = rate(client, token, comment="办理及时")
    assert response.status_code == 302 and response.url == reverse("public:rated")
    assert "评价已提交" in client.get(response.url).content.decode()
    rating = Rating.objects.get(case=delivered)
    assert (rating.channel, rating.office_satisfaction, rating.body_satisfaction, rating.entered_by) == (
        "public",
        "satisfied",
        "basically",
        None,
    )
    assert client.get(reverse("public:rated")).status_code == 302  # the confirmation is shown once

    again = rate(client, token, office="unsatisfied", body="unsatisfied")
    assert again.status_code == 200 and "该事项已评价，不能重复评价。" in again.content.decode()
    assert Rating.objects.filter(case=delivered).count() == 1
    assert Rating.objects.get(case=delivered).office_satisfaction == "satisfied"

    later = look(client).content.decode()
    assert "已评价" in later and 'name="office_satisfaction"' not in later


def test_no_rating_before_the_reply_is_delivered(client, agent_cg, tracked):
    case = tracked(agent_cg, code=CODE, stage="accepted")
    result = look(client)
    body = result.content.decode()
    assert case.number in body and 'name="office_satisfaction"' not in body
    token = actions.lookup_token(case)
    refused = rate(client, token)
    assert refused.status_code == 200 and "书面答复送达信访人后才能评价" in refused.content.decode()
    assert not Rating.objects.exists()


def test_a_missing_choice_keeps_the_form(client, delivered):
    token = token_of(look(client))
    response = rate(client, token, office="")
    assert "请选择对信访机构的评价" in response.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["", "forged", signing.dumps({"c": 1, "h": "x"}, salt="other")],
    ids=["empty", "forged", "other-salt"],  # the same names in every process (pytest-xdist)
)
def test_a_forged_token_rates_nothing(client, delivered, token):
    response = rate(client, token)
    assert actions.EXPIRED in response.content.decode()
    assert not Rating.objects.exists()


def test_a_token_of_another_case_is_refused_when_its_code_does_not_match(client, delivered):
    forged = signing.dumps({"c": delivered.pk, "h": "0" * 16}, salt=actions.SIGNING_NAMESPACE)
    assert actions.EXPIRED in rate(client, forged).content.decode()
    assert not Rating.objects.exists()


def test_an_old_token_is_refused(client, delivered, monkeypatch):
    real = time.time
    token = actions.lookup_token(delivered)
    monkeypatch.setattr(time, "time", lambda: real() + actions.TOKEN_MAX_AGE + 60)
    response = rate(client, token)
    monkeypatch.undo()
    assert actions.EXPIRED in response.content.decode()
    assert not Rating.objects.exists()


def test_staff_cannot_rate_on_the_public_page(client, delivered, units):
    """A rating entered by staff must say so (the ratings app's agent channel), not pass as the
    petitioner's own."""
    token = token_of(look(client))
    client.force_login(make_user("lu2", Role.BUREAU, units["bureau"], "卢某"))
    assert 'name="office_satisfaction"' not in look(client).content.decode()
    response = rate(client, token)
    assert response.status_code == 200 and "工作人员" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_lookup_decrypts_the_mobile_and_nothing_else(client, delivered, monkeypatch):
    from xinfang.core import crypto

    contexts = []
    real = crypto.decrypt_text

    def decrypt_text(token, context):
        contexts.append(context)
        return real(token, context)

    monkeypatch.setattr(crypto, "decrypt_text", decrypt_text)
    assert delivered.number in look(client).content.decode()
    assert set(contexts) == {"cases.Petitioner.mobile"}


def test_a_code_is_found_whatever_case_and_width_it_is_typed_in(rf, agent_cg, make_case):
    """Phones capitalise what citizens type: the code is matched without regard to case."""
    from xinfang.cases.models import Case, query_code_key

    case = make_case(agent_cg, serial=77)
    case.query_code = "abcXYZ123"
    case.save(update_fields=["query_code"])
    assert Case.objects.get(pk=case.pk).query_code_hash == query_code_key("ABC xyz １２３")
    request = rf.post(TRACK, REMOTE_ADDR="203.0.113.77")
    assert actions.look_up(code="ABCXYZ123", last4=case.petitioner.mobile[-4:], request=request) == case


def test_a_petitioner_with_a_landline_only_gives_its_last_four_digits(client, agent_cg, tracked):
    from conftest import petitioner_data

    landline_only = petitioner_data(9, mobile="", landline="0915-8822563")
    case = tracked(agent_cg, code="LANDLINE42XY", serial=9, petitioner=landline_only)
    assert case.number in look(client, code="LANDLINE42XY", last4="2563").content.decode()
    assert (
        case.number not in look(client, code="LANDLINE42XY", last4="5678", ip="198.51.100.8").content.decode()
    )
