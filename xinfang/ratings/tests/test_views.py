"""Over HTTP: recording a rating, filling the 反馈表, the case page's card, unit isolation."""

from __future__ import annotations

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import scan_file
from xinfang.audit.models import AuditEntry
from xinfang.core import files
from xinfang.notify.models import Notice
from xinfang.ratings import actions
from xinfang.ratings.models import FeedbackForm, Rating
from xinfang.ratings.tests.factories import ago, feedback_data

SCAN = files.Checked(content=b"%PDF-1.4\nsigned\n", content_type=files.PDF, name="反馈表签字.pdf")


def rating_post(**overrides) -> dict:
    data = {
        "channel": "platform",
        "office_satisfaction": "satisfied",
        "body_satisfaction": "satisfied",
        "rated_on": ago(1).isoformat(),
        "comment": "",
    }
    data.update(overrides)
    return data


def feedback_post(**overrides) -> dict:
    data = {
        "documents": "（城住建复〔2026〕3号）",
        "document_count": "1",
        "truthful": "1",
        "notified_in_time": "1",
        "forwarded_in_time": "1",
        "agent_rating": "good",
        "office_satisfaction": "satisfied",
        "body_satisfaction": "basically",
        "delivered_by": "张某某 刘某某",
        "delivered_at": ago(2).isoformat(),
    }
    data.update(overrides)
    return data


# --- recording a rating -------------------------------------------------------------------------------------


def test_agent_records_a_platform_rating(client, agent_cg, delivered):
    client.force_login(agent_cg)
    page = client.get(reverse("ratings:rate", args=[delivered.pk])).content.decode()
    assert "代理员按信访人口头意见代为评价" in page
    assert "信访人在本平台查询页评价" not in page  # the public page's channel is not offered to staff

    response = client.post(reverse("ratings:rate", args=[delivered.pk]), rating_post())

    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[delivered.pk]
    )
    rating = Rating.objects.get(case=delivered)
    assert (rating.channel, rating.entered_by, rating.rated_on) == ("platform", agent_cg, ago(1))


def test_public_channel_posted_by_staff_is_refused(client, agent_cg, delivered):
    client.force_login(agent_cg)
    response = client.post(reverse("ratings:rate", args=[delivered.pk]), rating_post(channel="public"))
    assert response.status_code == 200 and not Rating.objects.exists()


def test_agent_rating_needs_the_petitioners_instruction(client, agent_cg, bureau_user, delivered):
    client.force_login(agent_cg)
    url = reverse("ratings:rate", args=[delivered.pk])

    response = client.post(url, rating_post(channel="agent", body_satisfaction="unsatisfied"))
    body = response.content.decode()
    assert response.status_code == 200 and "电话还是当面" in body and "日期和时间" in body
    assert not Rating.objects.exists()

    said = timezone.localtime() - datetime.timedelta(hours=2)
    response = client.post(
        url,
        rating_post(
            channel="agent",
            body_satisfaction="unsatisfied",
            instruction_means="in_person",
            instructed_at=said.strftime("%Y-%m-%dT%H:%M"),
            rated_on=timezone.localdate().isoformat(),
        ),
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.instruction_means) == ("agent", "in_person")
    assert Notice.objects.filter(recipient=bureau_user, case=delivered, level="warning").exists()

    detail = client.get(reverse("cases:detail", args=[delivered.pk]))
    text = detail.content.decode()
    assert "评价与反馈" in text and "申请复查" in text and "第三十五条" in text
    assert "信访人不满意，已提醒县信访局" in text  # the message after saving


def test_second_rating_is_refused_over_http(client, agent_cg, delivered):
    actions.record_rating(
        delivered, channel="public", office_satisfaction="satisfied", body_satisfaction="satisfied"
    )
    client.force_login(agent_cg)

    page = client.get(reverse("ratings:rate", args=[delivered.pk])).content.decode()
    response = client.post(reverse("ratings:rate", args=[delivered.pk]), rating_post())

    assert "该事项已评价，不能重复评价。" in page
    assert response.status_code == 200 and Rating.objects.count() == 1


def test_no_rating_before_delivery(client, agent_cg, concluded):
    client.force_login(agent_cg)
    response = client.post(
        reverse("ratings:rate", args=[concluded.pk]), rating_post(rated_on=ago(0).isoformat())
    )
    assert response.status_code == 200 and "书面答复送达信访人后才能评价" in response.content.decode()
    assert not Rating.objects.exists()


# --- the 反馈表 ----------------------------------------------------------------------------------------------


def test_agent_fills_the_feedback_form_with_the_scan(client, agent_cg, delivered):
    client.force_login(agent_cg)
    url = reverse("ratings:feedback", args=[delivered.pk])
    page = client.get(url).content.decode()
    assert "信访事项转交效率" in page and "处理意见未落实到位" in page and 'type="checkbox"' in page

    response = client.post(
        url,
        {**feedback_post(petitioner_signed="on", signed_on=ago(2).isoformat()), "signed_scan": scan_file()},
    )

    assert response.status_code == 302
    form = FeedbackForm.objects.get(case=delivered)
    assert form.delivered_by == "张某某、刘某某" and form.petitioner_signed and form.signed_scan is not None
    scan = client.get(reverse("ratings:feedback_scan", args=[delivered.pk]))
    assert scan.status_code == 200 and scan.content == files.read(form.signed_scan)
    assert AuditEntry.objects.filter(
        action="download", target_id=str(delivered.pk), detail__kind="feedback_scan"
    ).exists()


def test_feedback_form_errors_keep_what_was_typed(client, agent_cg, delivered):
    client.force_login(agent_cg)
    response = client.post(
        reverse("ratings:feedback", args=[delivered.pk]),
        feedback_post(delivered_by="张某某", body_reasons=["attitude"]),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "送达人至少为2名工作人员" in body and "不勾选不满意原因" in body and "（城住建复〔2026〕3号）" in body
    )
    assert not FeedbackForm.objects.exists()


def test_case_page_card_for_readers(client, agent_cg, head_cg, bureau_user, delivered):
    actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data())
    for user in (head_cg, bureau_user):
        client.force_login(user)
        text = client.get(reverse("cases:detail", args=[delivered.pk])).content.decode()
        assert "评价与反馈" in text and "合理诉求未解决" in text
        assert reverse("ratings:feedback_print", args=[delivered.pk]) in text
        assert (
            f'"{reverse("ratings:rate", args=[delivered.pk])}"' not in text
        )  # they read, they do not record
        assert f'"{reverse("ratings:feedback", args=[delivered.pk])}"' not in text
    client.force_login(agent_cg)
    text = client.get(reverse("cases:detail", args=[delivered.pk])).content.decode()
    assert f'"{reverse("ratings:rate", args=[delivered.pk])}"' in text
    assert f'"{reverse("ratings:feedback", args=[delivered.pk])}"' in text


def test_no_card_before_conclusion(client, agent_cg, make_case):
    case = make_case(agent_cg, serial=6)
    client.force_login(agent_cg)
    assert "评价与反馈" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


@pytest.mark.parametrize("persona", ["head_cg", "bureau_user"])
def test_readers_cannot_write(request, client, persona, delivered):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("ratings:rate", args=[delivered.pk]), rating_post()).status_code == 404
    assert client.post(reverse("ratings:feedback", args=[delivered.pk]), feedback_post()).status_code == 404
    assert not Rating.objects.exists() and not FeedbackForm.objects.exists()


# --- unit isolation -----------------------------------------------------------------------------------------


def ratings_urls(case) -> list[str]:
    """Every URL of the ratings app, filled in with this case."""
    urls = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "app_name", None) != "ratings":
            continue
        assert isinstance(pattern, URLResolver)
        for sub in pattern.url_patterns:
            assert isinstance(sub, URLPattern)
            if sub.name == "batch":  # the unit's cases, not one case: test_batch
                continue
            assert set(sub.pattern.converters) == {"pk"}, sub
            urls.append(reverse(f"ratings:{sub.name}", kwargs={"pk": case.pk}))
    return urls


@pytest.fixture
def chengguan_filled(agent_cg, delivered):
    actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data(), signed_scan=SCAN)
    actions.record_rating(
        delivered,
        channel="platform",
        by=agent_cg,
        office_satisfaction="satisfied",
        body_satisfaction="unsatisfied",
    )
    return delivered


def test_walk_finds_every_ratings_url(chengguan_filled):
    names = {url.removeprefix(f"/ratings/{chengguan_filled.pk}/") for url in ratings_urls(chengguan_filled)}
    assert names == {"rate/", "feedback/", "feedback/print/", "feedback.docx", "feedback/scan/"}


@pytest.mark.parametrize("persona", ["agent_zj", "leader", "auditor"])
def test_others_get_404_on_every_ratings_url(request, client, persona, chengguan_filled):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    urls = ratings_urls(chengguan_filled)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {**rating_post(), **feedback_post()}).status_code == 404, url
    assert AuditEntry.objects.filter(action="access_denied", actor=user).count() == 2 * len(urls)
    assert not AuditEntry.objects.filter(action__in=("print", "download"), actor=user).exists()
    assert (
        Rating.objects.get().entered_by != user
        and FeedbackForm.objects.get().delivered_by == "张某某、刘某某"
    )
