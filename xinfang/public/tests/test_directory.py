"""The agent directory and the guide: published agents only; the photo only when published."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from xinfang.accounts.models import AgentProfile, Role, Unit, UnitKind
from xinfang.core import files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
AGENTS = reverse("public:agents")


@pytest.fixture
def office(units):
    units["chengguan"].office_address = "城关镇便民服务中心二楼"
    units["chengguan"].office_phone = "0915-8821234"
    units["chengguan"].save()
    return units


def with_photo(user) -> AgentProfile:
    profile = user.profile
    profile.photo_file = files.store(files.Checked(PNG, files.PNG, "photo.png"), by=user)
    profile.save()
    return profile


def test_directory_shows_published_agents_by_unit(client, office, agent_cg, agent_zj):
    agent_cg.profile.title = "党政办干部"
    agent_cg.profile.save()
    body = client.get(AGENTS).content.decode()

    assert body.index("城关镇") < body.index("曾家镇")  # the units' order
    assert "王某某" in body and "党政办干部" in body and "13800000000" in body
    assert "城关镇便民服务中心二楼" in body and "0915-8821234" in body
    assert "赵某某" in body and "13900000001" in body
    assert "退出" not in body and "台账" not in body  # no staff navigation


def test_directory_hides_unpublished_inactive_and_non_agents(client, units, agent_cg, bureau_user):
    hidden = make_user("sun", Role.AGENT, units["chengguan"], "孙未公开", "13700000002")
    AgentProfile.objects.filter(user=hidden).update(published=False)
    gone = make_user("qian", Role.AGENT, units["chengguan"], "钱已停用", "13700000003")
    gone.is_active = False
    gone.save()
    closed = Unit.objects.create(name="已撤并镇", kind=UnitKind.TOWN, active=False)
    make_user("zhou", Role.AGENT, closed, "周撤并", "13700000004")
    AgentProfile.objects.create(user=bureau_user, title="科员", mobile="13700000005", published=True)

    body = client.get(AGENTS).content.decode()

    assert "王某某" in body
    for hidden_text in (
        "孙未公开",
        "13700000002",
        "钱已停用",
        "13700000003",
        "已撤并镇",
        "周撤并",
        "13700000004",
        "卢艺",
        "13700000005",
    ):
        assert hidden_text not in body, hidden_text


def test_directory_takes_one_query_however_many_agents(client, units, agent_cg, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(AGENTS)
    for n in range(6):
        make_user(
            f"a{n}", Role.AGENT, units["zengjia" if n % 2 else "chengguan"], f"代理{n}", f"1370000001{n}"
        )
    with django_assert_num_queries(1):
        body = client.get(AGENTS).content.decode()
    assert "代理5" in body


def test_photo_is_served_only_for_a_published_agent(client, units, agent_cg):
    with_photo(agent_cg)
    url = reverse("public:agent_photo", args=[agent_cg.pk])
    assert url in client.get(AGENTS).content.decode()

    response = client.get(url)
    assert response.status_code == 200 and response.content == PNG and response["Content-Type"] == "image/png"

    AgentProfile.objects.filter(user=agent_cg).update(published=False)
    assert client.get(url).status_code == 404
    AgentProfile.objects.filter(user=agent_cg).update(published=True)
    Unit.objects.filter(pk=units["chengguan"].pk).update(active=False)
    assert client.get(url).status_code == 404


def test_no_photo_is_404(client, agent_cg):
    assert client.get(reverse("public:agent_photo", args=[agent_cg.pk])).status_code == 404
    assert client.get(reverse("public:agent_photo", args=[99999])).status_code == 404


def test_guide_names_the_scope_the_legal_channels_and_the_platform(client, units):
    body = client.get(reverse("public:guide")).content.decode()
    for text in (
        "行政机关及其工作人员",
        "村（社区）委员会及其成员",
        "诉讼",
        "仲裁",
        "行政复议",
        "居民身份证",
        "http://xfonline.shaanxi.gov.cn",
        "我要写信",
        "查询码",
        "满意度评价",
        "不收取任何费用",
    ):
        assert text in body, text
    assert reverse("public:agents") in body and reverse("public:track") in body


def test_public_pages_need_no_login_and_carry_the_strict_policy(client, units):
    for name in ("agents", "guide", "track"):
        response = client.get(reverse(f"public:{name}"))
        assert response.status_code == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert 'name="viewport"' in response.content.decode()
