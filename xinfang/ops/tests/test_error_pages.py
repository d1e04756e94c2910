"""The error pages users see with DEBUG off: Chinese, and nothing of the program's insides."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from xinfang.urls import urlpatterns as product_urls

SECRET_DETAIL = "ZeroDivision in ledger at 610927196805170032"


def boom(request):
    raise RuntimeError(SECRET_DETAIL)


def forbidden(request):
    raise PermissionDenied(SECRET_DETAIL)


urlpatterns = [*product_urls, path("test-boom/", boom), path("test-forbidden/", forbidden)]

INTERNALS = ("Traceback", "RuntimeError", SECRET_DETAIL, "Django", "DEBUG", "settings", "Server Error")


@pytest.fixture
def live_client(settings, db):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def assert_clean(response, heading: str) -> None:
    text = response.content.decode()
    assert heading in text
    assert 'lang="zh-CN"' in text
    for word in INTERNALS:
        assert word not in text, word


def test_500_is_a_chinese_page_without_internals(live_client):
    response = live_client.get("/test-boom/")
    assert response.status_code == 500
    assert_clean(response, "系统出现错误")
    assert "/static/xinfang/app.css" in response.content.decode()


def test_404_is_a_chinese_page(live_client):
    response = live_client.get("/no-such-page/")
    assert response.status_code == 404
    assert_clean(response, "没有找到")


def test_403_is_a_chinese_page_about_permission(live_client):
    response = live_client.get("/test-forbidden/")
    assert response.status_code == 403
    assert_clean(response, "无权进行此项操作")
    assert "安全校验" not in response.content.decode()  # the CSRF page's wording


def test_400_for_an_unknown_host_is_a_chinese_page(live_client):
    response = live_client.get("/accounts/login/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert_clean(response, "请求有误")


def test_csrf_failure_keeps_its_own_page(live_client, agent_cg):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "wang", "password": "x"})
    assert response.status_code == 403
    assert "缺少安全校验" in response.content.decode()
