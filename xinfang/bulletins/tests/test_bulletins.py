"""The monthly bulletin: the .docx (layout, fonts, numbers), publication freezing the month, the
dashboard's frozen figures and differences, the command, and who may do what."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from xinfang.access.rules import Refused
from xinfang.audit.models import AuditAction, AuditEntry
from xinfang.bulletins import actions, selectors
from xinfang.bulletins.documents import DOCX, ISSUER
from xinfang.bulletins.models import Bulletin
from xinfang.figures import selectors as figures
from xinfang.figures.periods import Period
from xinfang.figures.tests.conftest import d, live
from xinfang.oversight import actions as oversight
from xinfang.oversight.models import RiskReport

MARCH = Period.month(2025, 3)
MARCH_GET = {"kind": "month", "month": "2025-03"}


def open_docx(content: bytes):
    return Document(io.BytesIO(content))


def east_asian(run) -> str | None:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def paragraph(document, startswith: str):
    return next(p for p in document.paragraphs if p.text.startswith(startswith))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def live_figures():
    rows = figures.unit_figures(MARCH, list(figures.tally_units()))
    return rows, figures.county_totals(rows)


# --- The document ----------------------------------------------------------------------------------


def test_the_draft_is_an_a4_official_document_with_east_asian_fonts(march, bureau_user):
    document = open_docx(actions.draft_bulletin(d(3, 1), by=bureau_user).content)
    section = document.sections[0]
    assert round(section.page_width.cm, 2) == 21.0 and round(section.page_height.cm, 2) == 29.7
    assert [
        round(m.cm, 2)
        for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ] == [3.7, 3.5, 2.8, 2.6]

    title = paragraph(document, "关于2025年3月")
    assert title.text == "关于2025年3月全县网上投诉代理工作\n情况的通报"  # broken between words (7.3.1)
    assert {(east_asian(r), r.font.size) for r in title.runs} == {("方正小标宋简体", Pt(22))}
    body = paragraph(document, "现将2025年3月")
    assert {(east_asian(r), r.font.size) for r in body.runs} == {("仿宋_GB2312", Pt(16))}
    assert east_asian(paragraph(document, "一、总体情况").runs[0]) == "黑体"
    sub = paragraph(document, "（一）代理件数。")
    assert (east_asian(sub.runs[0]), east_asian(sub.runs[1])) == ("楷体_GB2312", "仿宋_GB2312")
    assert paragraph(document, ISSUER).runs[0].font.size == Pt(22)
    # Signature without a seal (7.3.5.2): the issuer two characters in from the right, the date's
    # first character two characters right of the issuer's first: 20 CJK characters of 16 pt
    # make 320 pt, 「2025年3月…日」 is 3 CJK + 6 or 7 ASCII characters.
    signer, dated = [p for p in document.paragraphs if p.text.strip()][-2:]
    assert signer.text == ISSUER and signer.paragraph_format.right_indent == Pt(32)
    date_width = sum(8 if ch.isascii() else 16 for ch in dated.text)
    assert dated.paragraph_format.right_indent == Pt(320 - date_width)

    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
        assert (
            "fldChar" in xml
            and footer.paragraphs[0].text.startswith("— ")
            and footer.paragraphs[0].text.endswith(" —")
        )
        assert {east_asian(r) for r in footer.paragraphs[0].runs} == {"宋体"}
    text = all_text(document)
    assert "征求意见稿" in text
    assert "镇网代〔" in text and "一、总体情况" in text and "六、督察情况" in text


def test_the_numbers_are_those_of_the_figures_selectors(march, bureau_user):
    document = open_docx(actions.draft_bulletin(d(3, 1), by=bureau_user).content)
    rows, total = live_figures()
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "单位",
        "代理件数",
        "目标",
        "是否达标",
        "网上投诉占比",
        "参评率",
        "满意率",
    ]

    def rate(r):
        if not r.denominator:
            return "—"
        return f"{r.percent}\n{r.numerator}/{r.denominator}" + ("\n样本少" if r.few else "")

    expected = [
        [
            f.name,
            str(f.proxied),
            str(f.target),
            "达标" if f.met else "未达标",
            rate(f.online),
            rate(f.participation),
            rate(f.satisfaction),
        ]
        for f in [*rows, total]
    ]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == expected
    # The hand-made month: 城关镇 4 of 5, 曾家镇 1 of 2, 县信访局 0 of 1; county 5 of 8, online 7/20.
    assert expected[-1][:4] == ["全县合计", "5", "8", "未达标"]
    assert total.online.numerator == 7 and total.online.denominator == 20

    text = all_text(document)
    below = paragraph(document, "本月代理件数未达到目标的单位共3个").text
    assert (
        "城关镇（代理4件，目标5件）" in below
        and "曾家镇（代理1件，目标2件）" in below
        and "县信访局" in below
    )
    assert f"全县3个单位共代理网上投诉{total.proxied}件，目标{total.target}件" in text
    # Judged against the county's target (the seed's 50%, figures.CountyTarget), not a sentence.
    assert f"网上投诉占比{total.online.percent}（7/20），全县目标50%，未达标。" in text
    assert f"及时受理率{total.timely_acceptance.percent}（{total.timely_acceptance.numerator}/" in text
    assert "参评率60.0%（3/5）" in text  # 5 cases: enough (the 不予受理 notice counts, issue 11)
    assert "满意率66.7%（2/3，样本少）" in text  # a rate over fewer than 5 cases says so
    # 满意度: 城关镇 满意 + 基本满意, 曾家镇 不满意 among the replies delivered in March.
    assert "满意1件、基本满意1件、不满意1件" in text
    assert "本月各单位共报送风险报告2件" in text and "越级上访倾向1件、其他信访动态1件" in text
    assert "城关镇1件、曾家镇1件" in text
    assert "城关镇（2025年3月20日督察）：强行代理；整改期限2025年4月20日，逾期未整改" in text
    # No personal data: petitioners, agents, ID numbers, phones, the inspection's free note.
    for personal in ("李某某", "王某某", "赵某某", "13800000000", "13912345678", "610927"):
        assert personal not in text


# --- Publication -----------------------------------------------------------------------------------


def test_publishing_freezes_the_month(march, bureau_user, agent_cg, make_case, client):
    bulletin = actions.publish_bulletin(month=d(3, 1), by=bureau_user, summary="三月全县代理工作总体平稳。")
    year = timezone.localdate().year
    assert bulletin.issue_number == f"镇网代〔{year}〕1号" and bulletin.prefix == "镇网代"
    _, total = live_figures()
    frozen = selectors.frozen_figures(d(3, 15))
    assert frozen["county"]["proxied"] == total.proxied == 5
    assert frozen["county"]["online"] == [7, 20]
    assert [(u["name"], u["proxied"], u["target"], u["met"]) for u in frozen["units"]] == [
        ("县信访局", 0, 1, False),
        ("城关镇", 4, 5, False),
        ("曾家镇", 1, 2, False),
    ]
    assert (
        AuditEntry.objects.filter(action=AuditAction.PUBLICATION, detail__kind="bulletin_publish").count()
        == 1
    )

    published = open_docx(actions.read_document(bulletin))
    text = all_text(published)
    assert bulletin.issue_number in text and "征求意见稿" not in text and "三月全县代理工作总体平稳。" in text
    assert selectors.differences(d(3, 1)) == []

    # A case submitted in March is entered late: the live figures change, the published ones do not.
    live(make_case, agent_cg, 9, submitted=d(3, 28))
    assert live_figures()[1].proxied == 6
    changes = selectors.differences(d(3, 1))
    assert selectors.Difference("城关镇", "代理件数", "4", "5") in changes
    assert selectors.Difference("全县合计", "代理件数", "5", "6") in changes

    client.force_login(bureau_user)
    response = client.get(reverse("figures:dashboard"), MARCH_GET)
    html = response.content.decode()
    assert [(r.name, r.proxied) for r in response.context["rows"]] == [
        ("县信访局", 0),
        ("城关镇", 4),
        ("曾家镇", 1),
    ]
    assert response.context["total"].proxied == 5
    assert f"发布通报（{bulletin.issue_number}）：以下为发布时的数字" in html
    # The changes since are counted when asked for: they need the live figures.
    assert "发布后数据变化" not in html and "核对发布后的数据变化" in html
    html = client.get(reverse("figures:dashboard"), {**MARCH_GET, "changes": "1"}).content.decode()
    assert "发布后数据变化" in html and "<td>代理件数</td><td>4</td><td>5</td>" in html
    # Another month is live, with no notice.
    april = client.get(reverse("figures:dashboard"), {"kind": "month", "month": "2025-04"}).content.decode()
    assert "以下为发布时的数字" not in april


def test_a_published_month_computes_its_live_figures_only_to_compare(march, bureau_user, client, monkeypatch):
    """A published month's dashboard comes from the publication: no live figure is computed,
    the trend and the 形势 included. Asked for the changes, it computes the units' figures
    once (figures never ask bulletins for more than the publication, through
    ``xinfang.figures.frozen``)."""
    actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    calls = []
    computed = figures.unit_figures

    def counted(*a, **k):
        calls.append(a)
        return computed(*a, **k)

    monkeypatch.setattr(figures, "unit_figures", counted)
    for name in ("trends", "situation"):
        monkeypatch.setattr(figures, name, lambda *a, name=name, **k: calls.append(name))
    client.force_login(bureau_user)
    response = client.get(reverse("figures:dashboard"), MARCH_GET)
    assert "以下为发布时的数字" in response.content.decode()
    assert calls == [] and response.context["frozen"].differences is None
    response = client.get(reverse("figures:dashboard"), {**MARCH_GET, "changes": "1"})
    assert "发布后数据没有变化" in response.content.decode()
    assert len(calls) == 1 and response.context["frozen"].differences == []


def test_a_unit_head_sees_the_own_frozen_row(march, bureau_user, head_cg, agent_cg, make_case, client):
    actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    live(make_case, agent_cg, 9, submitted=d(3, 28))
    client.force_login(head_cg)
    response = client.get(reverse("figures:dashboard"), {**MARCH_GET, "changes": "1"})
    assert [(r.name, r.proxied) for r in response.context["rows"]] == [("城关镇", 4)]
    assert response.context["total"] is None
    assert {c.unit for c in response.context["frozen"].differences} == {"城关镇"}


def test_a_month_is_published_once(march, bureau_user):
    actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    with pytest.raises(actions.BulletinError, match="不能重复发布"):
        actions.publish_bulletin(month=d(3, 20), by=bureau_user)
    assert Bulletin.objects.count() == 1
    april = actions.publish_bulletin(month=d(4, 1), by=bureau_user, issue_number="镇网代〔2026〕10号")
    assert (april.year, april.sequence, april.issue_number) == (2026, 10, "镇网代〔2026〕10号")
    with pytest.raises(actions.BulletinError, match="文号格式"):
        actions.publish_bulletin(month=d(5, 1), by=bureau_user, issue_number="第10号")


def test_only_bureau_staff_publish_and_only_a_month_that_has_ended(march, agent_cg, leader, bureau_user):
    for user in (agent_cg, leader):
        with pytest.raises(Refused):
            actions.publish_bulletin(month=d(3, 1), by=user)
        refusal = AuditEntry.objects.filter(action=AuditAction.ACCESS_DENIED, actor=user).get()
        assert refusal.detail["capability"] == "publish_bulletins"
    with pytest.raises(actions.BulletinError, match="尚未结束"):
        actions.publish_bulletin(month=timezone.localdate(), by=bureau_user)
    assert not Bulletin.objects.exists()


# --- The command -----------------------------------------------------------------------------------


def test_the_command_writes_a_draft_then_publishes(march, bureau_user, agent_cg, tmp_path):
    out = tmp_path / "tongbao.docx"
    call_command("bulletin", "--month", "2025-03", "-o", str(out))
    assert "征求意见稿" in all_text(open_docx(out.read_bytes()))
    assert not Bulletin.objects.exists()
    with pytest.raises(CommandError, match="--by"):
        call_command("bulletin", "--month", "2025-03", "-o", str(out), "--publish")
    with pytest.raises(CommandError, match="县信访局"):
        call_command("bulletin", "--month", "2025-03", "-o", str(out), "--publish", "--by", agent_cg.username)
    call_command("bulletin", "--month", "2025-03", "-o", str(out), "--publish", "--by", bureau_user.username)
    bulletin = Bulletin.objects.get()
    text = all_text(open_docx(out.read_bytes()))
    assert bulletin.issue_number in text and "征求意见稿" not in text
    with pytest.raises(CommandError, match="不能重复发布"):
        call_command(
            "bulletin", "--month", "2025-03", "-o", str(out), "--publish", "--by", bureau_user.username
        )
    with pytest.raises(CommandError, match="月份格式"):
        call_command("bulletin", "--month", "2025/03", "-o", str(out))


# --- The pages -------------------------------------------------------------------------------------


def test_bureau_drafts_and_publishes_from_the_dashboard(march, bureau_user, client):
    client.force_login(bureau_user)
    html = client.get(reverse("figures:dashboard"), MARCH_GET).content.decode()
    assert "生成通报（草稿）" in html and "发布通报" in html
    response = client.get(reverse("bulletins:draft"), {"month": "2025-03"})
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "征求意见稿" in all_text(open_docx(response.content))
    assert client.get(reverse("bulletins:publish"), {"month": "2025-03"}).status_code == 200
    refused = client.post(reverse("bulletins:publish"), {"month": "2025-03", "summary": ""})
    assert refused.status_code == 400 and not Bulletin.objects.exists()  # not confirmed
    response = client.post(
        reverse("bulletins:publish"),
        {"month": "2025-03", "issue_number": "", "summary": "总体平稳。", "confirm": "on"},
    )
    assert response.status_code == 302 and response.url == reverse("bulletins:list")
    bulletin = Bulletin.objects.get()
    assert bulletin.summary == "总体平稳。"
    again = client.post(reverse("bulletins:publish"), {"month": "2025-03", "confirm": "on"})
    assert again.status_code == 400 and "不能重复发布" in again.content.decode()
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert bulletin.issue_number in listing
    download = client.get(reverse("bulletins:download", args=[bulletin.pk]))
    assert download.status_code == 200 and bulletin.issue_number in all_text(open_docx(download.content))
    assert AuditEntry.objects.filter(action=AuditAction.DOWNLOAD, target_id=str(bulletin.pk)).exists()


def test_leaders_read_bulletins_and_others_get_404(
    march, bureau_user, leader, agent_cg, head_cg, auditor, client
):
    bulletin = actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    client.force_login(leader)
    assert client.get(reverse("bulletins:list")).status_code == 200
    assert client.get(reverse("bulletins:download", args=[bulletin.pk])).status_code == 200
    assert client.get(reverse("bulletins:draft"), {"month": "2025-03"}).status_code == 404
    assert client.post(reverse("bulletins:publish"), {"month": "2025-04", "confirm": "on"}).status_code == 404
    assert client.get(reverse("bulletins:download", args=[bulletin.pk + 99])).status_code == 404
    for user in (agent_cg, head_cg, auditor):
        client.force_login(user)
        for url in (
            reverse("bulletins:list"),
            reverse("bulletins:draft"),
            reverse("bulletins:publish"),
            reverse("bulletins:download", args=[bulletin.pk]),
        ):
            assert client.get(url).status_code == 404
    assert Bulletin.objects.count() == 1


def test_the_list_reads_in_a_fixed_number_of_queries(march, bureau_user, client):
    client.force_login(bureau_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("bulletins:list")).status_code == 200
        return len(queries)

    actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    one = count()
    april = actions.publish_bulletin(month=d(4, 1), by=bureau_user)
    actions.publish_bulletin(month=d(5, 1), by=bureau_user)
    actions.publish_bulletin(month=d(4, 1), by=bureau_user, replaces=april, reason="四月数字有误。")
    assert count() == one


# --- Correcting and withdrawing --------------------------------------------------------------------


def test_a_correction_replaces_the_bulletin_and_freezes_the_month_anew(
    march, bureau_user, agent_cg, make_case
):
    first = actions.publish_bulletin(month=d(3, 1), by=bureau_user, summary="总体平稳。")
    live(make_case, agent_cg, 9, submitted=d(3, 28))  # entered late: 城关镇 4 → 5
    assert selectors.Difference("城关镇", "代理件数", "4", "5") in selectors.differences(d(3, 1))

    with pytest.raises(actions.BulletinError, match="原因"):
        actions.publish_bulletin(month=d(3, 1), by=bureau_user, replaces=first, reason=" ")
    corrected = actions.publish_bulletin(
        month=d(9, 1), by=bureau_user, replaces=first, reason="城关镇漏录1件。", summary="总体平稳（更正）。"
    )
    first.refresh_from_db()
    year = timezone.localdate().year
    # The month is the corrected bulletin's, whatever month was passed; the next number of the year.
    assert corrected.month == d(3, 1) and corrected.replaces == first
    assert corrected.issue_number == f"镇网代〔{year}〕2号"
    assert (first.in_force, first.withdrawn_by, first.withdrawal_reason) == (
        False,
        bureau_user,
        "城关镇漏录1件。",
    )
    assert selectors.published(d(3, 1)) == corrected
    assert selectors.frozen_figures(d(3, 1))["county"]["proxied"] == 6
    assert selectors.differences(d(3, 1)) == []
    text = all_text(open_docx(actions.read_document(corrected)))
    assert f"本通报为{first.issue_number}的更正通报" in text and "总体平稳（更正）。" in text
    # The withdrawn one keeps its document, and is not corrected twice.
    assert first.issue_number in all_text(open_docx(actions.read_document(first)))
    with pytest.raises(actions.BulletinError, match="已由.*更正"):
        actions.publish_bulletin(month=d(3, 1), by=bureau_user, replaces=first, reason="再次更正。")
    with pytest.raises(actions.BulletinError, match="更正或撤回"):
        actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    kinds = list(
        AuditEntry.objects.filter(action=AuditAction.PUBLICATION)
        .order_by("id")
        .values_list("detail__kind", "target_id")
    )
    assert kinds == [
        ("bulletin_publish", str(first.pk)),
        ("bulletin_withdraw", str(first.pk)),
        ("bulletin_correct", str(corrected.pk)),
    ]


def test_withdrawing_unfreezes_the_month_until_it_is_published_again(march, bureau_user, leader, client):
    first = actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    with pytest.raises(Refused):
        actions.withdraw_bulletin(first, by=leader, reason="数字有误，需要重发。")
    assert selectors.published(d(3, 1)) == first
    with pytest.raises(actions.BulletinError, match="原因"):
        actions.withdraw_bulletin(first, by=bureau_user, reason="错")
    actions.withdraw_bulletin(first, by=bureau_user, reason="误发，三月数据尚未核对。")
    with pytest.raises(actions.BulletinError, match="已于.*撤回"):
        actions.withdraw_bulletin(first, by=bureau_user, reason="再撤一次。")
    assert selectors.published(d(3, 1)) is None and selectors.frozen_figures(d(3, 1)) is None
    client.force_login(bureau_user)
    html = client.get(reverse("figures:dashboard"), MARCH_GET).content.decode()
    assert "以下为发布时的数字" not in html and "发布通报" in html
    # Published again: a new number; the withdrawn number stays taken.
    again = actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    assert again.sequence == first.sequence + 1 and selectors.published(d(3, 1)) == again
    with pytest.raises(actions.BulletinError, match="已被使用"):
        actions.publish_bulletin(month=d(4, 1), by=bureau_user, issue_number=first.issue_number)
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.PUBLICATION, detail__kind="bulletin_withdraw", target_id=str(first.pk)
        ).count()
        == 1
    )


def test_a_correction_keeps_the_issuing_offices_prefix(march, bureau_user):
    first = actions.publish_bulletin(month=d(3, 1), by=bureau_user, issue_number="县信访〔2026〕7号")
    corrected = actions.publish_bulletin(month=d(3, 1), by=bureau_user, replaces=first, reason="数字有误。")
    assert corrected.issue_number == "县信访〔2026〕8号" and corrected.prefix == "县信访"


@pytest.mark.django_db(transaction=True)
def test_bulletins_published_at_once_take_distinct_numbers(march, bureau_user):
    """Four months published in parallel threads: numbers 1..4, none refused (on PostgreSQL the
    numbering is serialised by a lock; SQLite runs one writing transaction at a time)."""
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(month: int) -> None:
        try:
            start.wait()
            actions.publish_bulletin(month=d(month, 1), by=bureau_user)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(m,)) for m in (4, 5, 6, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(Bulletin.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]


def test_the_database_keeps_one_bulletin_in_force_per_month(march, bureau_user):
    from django.db import IntegrityError, transaction

    first = actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.create(
            month=first.month,
            year=2099,
            sequence=1,
            issue_number="镇网代〔2099〕1号",
            title=first.title,
            figures=first.figures,
            published_at=timezone.now(),
            published_by=bureau_user,
            document=first.document,
        )


def test_bureau_corrects_and_withdraws_from_the_pages(
    march, bureau_user, leader, agent_cg, make_case, client
):
    first = actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    live(make_case, agent_cg, 9, submitted=d(3, 28))
    client.force_login(bureau_user)
    dashboard = client.get(reverse("figures:dashboard"), {**MARCH_GET, "changes": "1"}).content.decode()
    assert reverse("bulletins:correct", args=[first.pk]) in dashboard
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert reverse("bulletins:correct", args=[first.pk]) in listing and "有效" in listing

    url = reverse("bulletins:correct", args=[first.pk])
    assert client.get(url).status_code == 200
    typed = {"reason": "", "summary": "我写的说明。", "confirm": "on"}
    refused = client.post(url, typed)
    html = refused.content.decode()
    assert refused.status_code == 400 and "请写明原因" in html and "我写的说明。" in html  # nothing lost
    response = client.post(url, {**typed, "reason": "城关镇漏录1件。"})
    assert response.status_code == 302
    corrected = selectors.published(d(3, 1))
    assert corrected.replaces == first and corrected.summary == "我写的说明。"
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert (
        "已撤回" in listing and f"由{corrected.issue_number}更正" in listing and "城关镇漏录1件。" in listing
    )
    assert "以下为发布时的数字" in client.get(reverse("figures:dashboard"), MARCH_GET).content.decode()
    # Correcting the withdrawn one again is refused on the page too.
    again = client.post(url, {**typed, "reason": "再改一次。"})
    assert again.status_code == 400 and Bulletin.objects.count() == 2

    withdraw = reverse("bulletins:withdraw", args=[corrected.pk])
    assert client.post(withdraw, {"reason": "误发。"}).status_code == 400  # not confirmed
    assert client.post(withdraw, {"reason": "误发，待核对后重发。", "confirm": "on"}).status_code == 302
    assert selectors.published(d(3, 1)) is None
    # Leaders read the list but neither correct nor withdraw.
    client.force_login(leader)
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert "已撤回" in listing and reverse("bulletins:withdraw", args=[corrected.pk]) not in listing
    for name in ("bulletins:withdraw", "bulletins:correct"):
        assert client.get(reverse(name, args=[first.pk])).status_code == 404
        assert (
            client.post(reverse(name, args=[first.pk]), {"reason": "领导撤回。", "confirm": "on"}).status_code
            == 404
        )


# --- Risk reports on the dashboard -------------------------------------------------------------------


def test_the_dashboard_counts_risk_reports_by_unit_and_kind(march, bureau_user, head_cg, agent_zj, client):
    """March: 城关镇 越级上访倾向 1, 曾家镇 其他信访动态 1 (see conftest). Published, the month keeps
    those counts; a report filed afterwards with a March date shows as a difference."""
    client.force_login(bureau_user)
    response = client.get(reverse("figures:dashboard"), MARCH_GET)
    reports, total = response.context["reports"], response.context["reports_total"]
    assert [(r.name, r.counts, r.total) for r in reports] == [
        ("城关镇", (1, 0, 0, 0, 0), 1),
        ("曾家镇", (0, 0, 0, 0, 1), 1),
    ]
    assert (total.counts, total.total) == ((1, 0, 0, 0, 1), 2)
    assert "风险报告（按单位、类别）" in response.content.decode()
    april = client.get(reverse("figures:dashboard"), {"kind": "month", "month": "2025-04"})
    assert april.context["reports"] == [] and "本期没有风险报告" in april.content.decode()

    client.force_login(head_cg)
    response = client.get(reverse("figures:dashboard"), MARCH_GET)
    assert [r.name for r in response.context["reports"]] == ["城关镇"] and response.context[
        "reports_total"
    ] is None

    actions.publish_bulletin(month=d(3, 1), by=bureau_user)
    late = oversight.file_report(
        by=agent_zj,
        kind="collective",
        urgency="normal",
        happened_on=d(3, 20),
        description="村民商议联名反映。",
    )
    RiskReport.objects.filter(pk=late.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 3, 30, 9))
    )
    client.force_login(bureau_user)
    response = client.get(reverse("figures:dashboard"), {**MARCH_GET, "changes": "1"})
    assert response.context["reports_total"].total == 2  # as published
    assert (
        selectors.Difference("曾家镇", "风险报告集体访苗头", "0", "1")
        in response.context["frozen"].differences
    )


def test_the_units_table_repeats_its_header_row_on_every_page(march, bureau_user):
    """二、各单位情况 runs over pages in a county of many units: its header row is a repeated
    header (w:tblHeader) and no row is split between pages."""
    table = open_docx(actions.draft_bulletin(d(3, 1), by=bureau_user).content).tables[0]
    header = table.rows[0]._tr.trPr
    assert header is not None
    assert header.find(qn("w:tblHeader")).get(qn("w:val")) == "true"
    assert header.find(qn("w:cantSplit")) is not None
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
