"""The case page reads the rating and the 反馈表 with the case itself (``hooks.Panel.select_related``),
not in queries of their own; elsewhere a case read without them still finds them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xinfang.cases.models import Case
from xinfang.ratings import actions, selectors
from xinfang.ratings.tests.factories import feedback_data

OWN_READS = ('FROM "ratings_rating"', 'FROM "ratings_feedbackform"')


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def case_page(client, case) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def test_the_card_shows_what_the_case_query_read(client, agent_cg, delivered):
    client.force_login(agent_cg)
    page, queries = case_page(client, delivered)
    rate = f'"{reverse("ratings:rate", args=[delivered.pk])}"'
    assert rate in page and "尚未填写" in page
    actions.record_rating(
        delivered, channel="public", office_satisfaction="satisfied", body_satisfaction="unsatisfied"
    )
    actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data())
    rated, rated_queries = case_page(client, delivered)
    assert rate not in rated and "尚未填写" not in rated and "修改反馈表或上传扫描件" in rated
    assert "不满意" in rated and "合理诉求未解决" in rated
    for sql in queries + rated_queries:
        assert not [own for own in OWN_READS if own in sql], sql


def test_a_case_read_without_them_still_finds_them(agent_cg, delivered):
    assert selectors.rating_for(delivered) is None and selectors.feedback_for(delivered) is None
    actions.record_rating(
        delivered, channel="public", office_satisfaction="satisfied", body_satisfaction="satisfied"
    )
    actions.save_feedback_form(delivered, by=agent_cg, data=feedback_data())
    plain = Case.objects.get(pk=delivered.pk)
    assert selectors.rating_for(plain) is not None and selectors.feedback_for(plain) is not None
    joined = Case.objects.select_related(*selectors.CASE_RELATIONS).get(pk=delivered.pk)
    with CaptureQueriesContext(connection) as captured:
        assert selectors.rating_for(joined).pk == selectors.rating_for(plain).pk
        assert selectors.feedback_for(joined).pk == selectors.feedback_for(plain).pk
    assert len(captured.captured_queries) == 2  # the plain case's two, none for the joined one
