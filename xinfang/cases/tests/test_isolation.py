"""An agent of 曾家镇 sees nothing of 城关镇: every case URL, file, document and export."""

from __future__ import annotations

import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.audit.models import AuditEntry
from xinfang.cases import actions
from xinfang.cases.models import CaseFile
from xinfang.cases.tests.test_ledger_search import ledger_url
from xinfang.core import files

SCAN = files.Checked(content=b"%PDF-1.4\n", content_type=files.PDF, name="scan.pdf")


@pytest.fixture
def chengguan_case(agent_cg, make_case, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    case = make_case(agent_cg, title="城关镇的诉求")
    actions.accept_scope(case, by=agent_cg)
    actions.record_authorization(case, by=agent_cg, mode="signed", on=timezone.localdate(), scan=SCAN)
    actions.attach_files(case, by=agent_cg, uploads=[SCAN])
    return case


def case_urls(case) -> list[str]:
    """Every URL of the cases app that names a case, filled in with this case (and its file)."""
    file_pk = CaseFile.objects.filter(case=case).first().pk
    urls = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "app_name", None) != "cases":
            continue
        assert isinstance(pattern, URLResolver)
        for sub in pattern.url_patterns:
            assert isinstance(sub, URLPattern)
            params = set(sub.pattern.converters)
            if "pk" not in params:
                continue
            kwargs = {"pk": case.pk}
            if "file_pk" in params:
                kwargs["file_pk"] = file_pk
            if "name" in params:
                for name in (
                    "authorize",
                    "attach",
                    "submit",
                    "follow_up",
                    "forward",
                    "accept",
                    "conclude",
                    "withdraw",
                ):
                    urls.append(reverse(f"cases:{sub.name}", kwargs={**kwargs, "name": name}))
                continue
            if "field" in params:
                for field in ("id_number", "mobile", "address", "platform_password", "query_code"):
                    urls.append(reverse(f"cases:{sub.name}", kwargs={**kwargs, "field": field}))
                continue
            urls.append(reverse(f"cases:{sub.name}", kwargs=kwargs))
    return urls


def test_walk_finds_every_case_url(chengguan_case):
    names = {url.rstrip("/").split("/")[-1] for url in case_urls(chengguan_case)}
    assert {
        "edit",
        "scope",
        "authorization",
        "authorization.docx",
        "authorize",
        "attach",
        "prepared",
        "submit",
        "follow_up",
        "forward",
        "withdraw",
    } <= names
    assert len(case_urls(chengguan_case)) >= 14


def test_other_unit_agent_gets_404_everywhere(client, agent_zj, chengguan_case):
    client.force_login(agent_zj)
    urls = case_urls(chengguan_case)
    for url in urls:
        # 405 for a GET to a POST-only action says nothing about the case either.
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {}).status_code == 404, url
    assert AuditEntry.objects.filter(action="access_denied", actor=agent_zj).count() >= len(urls)


@pytest.mark.parametrize("persona", ["leader", "auditor"])
def test_roles_without_case_access_get_404(request, client, persona, chengguan_case):
    client.force_login(request.getfixturevalue(persona))
    for url in [
        *case_urls(chengguan_case),
        reverse("cases:list"),
        reverse("cases:export"),
        reverse("cases:new"),
    ]:
        assert client.post(url, {}).status_code == 404, url
        assert client.get(url).status_code in (404, 405), url


def test_other_unit_ledger_and_export_hold_nothing(client, agent_zj, chengguan_case):
    client.force_login(agent_zj)
    page = client.get(reverse("cases:list")).content.decode()
    assert chengguan_case.number not in page and "城关镇的诉求" not in page
    response = client.get(reverse("cases:export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[1:] == []
    search = client.get(ledger_url(client, q="城关镇的诉求")).content.decode()
    assert chengguan_case.number not in search


def test_unit_head_reads_own_unit_only_and_cannot_write(client, head_cg, chengguan_case):
    client.force_login(head_cg)
    assert client.get(reverse("cases:detail", args=[chengguan_case.pk])).status_code == 200
    assert client.get(reverse("cases:edit", args=[chengguan_case.pk])).status_code == 404
    assert client.get(reverse("cases:new")).status_code == 404


def test_anonymous_is_sent_to_login(client, chengguan_case):
    response = client.get(reverse("cases:detail", args=[chengguan_case.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
