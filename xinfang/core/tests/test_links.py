"""Addresses reversed once give what ``reverse`` gives, under any script prefix."""

from __future__ import annotations

import uuid

import pytest
from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix

from xinfang.core import links


@pytest.fixture
def under_prefix():
    set_script_prefix("/xinfang/")
    yield
    clear_script_prefix()


def test_a_page_and_a_page_of_an_id_are_what_reverse_gives():
    assert links.page("cases:list") == reverse("cases:list")
    for pk in (1, 42, 2147483646):
        assert links.with_id("cases:detail")(pk) == reverse("cases:detail", args=[pk])
        assert links.with_id("ratings:feedback")(pk) == reverse("ratings:feedback", args=[pk])


def test_a_deployment_under_a_path_gets_its_own(under_prefix):
    assert links.page("cases:list") == reverse("cases:list")
    assert links.page("cases:list").startswith("/xinfang/")
    assert links.with_id("cases:detail")(7) == reverse("cases:detail", args=[7])
    assert links.with_id("cases:detail")(7).startswith("/xinfang/")


def test_only_a_whole_number_fills_the_address():
    with pytest.raises(ValueError):
        links.with_id("cases:detail")("7/../../admin")  # type: ignore[arg-type]


def test_the_template_tag():
    rendered = engines["django"].from_string(
        "{% load xinfang %}{% link 'cases:list' %}|{% link 'cases:edit' 5 %}|{% link 'cases:export_job' job %}"
    )
    job = uuid.uuid4()
    assert rendered.render({"job": job}) == (
        f"{reverse('cases:list')}|{reverse('cases:edit', args=[5])}|{reverse('cases:export_job', args=[job])}"
    )
