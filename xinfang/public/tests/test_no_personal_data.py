"""No public page shows anything of a petitioner: every page a citizen can reach is fetched
and its HTML scanned for the demo petitioners' names, ID numbers, phones and addresses."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import make_id_number, petitioner_data

# Middle digits chosen so that they cannot be read in a date or a case number by chance.
PETITIONERS = [
    petitioner_data(
        31,
        name="柳青禾",
        id_number=make_id_number(31),
        mobile="13573918421",
        landline="0915-8867413",
        address="镇坪县曾家镇花园村五组8号",
        work_unit="镇坪县茶叶合作社",
    ),
    petitioner_data(
        32,
        name="荀白露",
        id_number=make_id_number(32),
        mobile="15846295503",
        address="镇坪县城关镇北门街17号",
        work_unit="个体",
    ),
    petitioner_data(
        33,
        name="葛长庚",
        id_number=make_id_number(33),
        mobile="18759376614",
        address="镇坪县城关镇文彩村九组3号",
        work_unit="无",
    ),
]
CODES = ["P8W3KX7M2QAB", "R5T9HN4CJ6LZ", "B2D7FQ8MS3VY"]
STAGES = ["submitted", "accepted", "delivered"]
# Random tokens could hold four digits by chance; the code a citizen typed is kept in its own
# field after a wrong try (to correct a typo), and nowhere else.
HIDDEN_VALUES = re.compile(r'name="(?:csrfmiddlewaretoken|token|code)" value="[^"]*"')


def secrets_of(person: dict) -> list[str]:
    values = [
        person["name"],
        person["id_number"],
        person["mobile"],
        person["mobile"][3:7],
        person["address"],
        person["id_number"][6:14],
        person["id_number"][-4:],
    ]
    if person["landline"]:
        values.append(person["landline"])
    if person["work_unit"] not in ("无", "个体"):
        values.append(person["work_unit"])
    return values


@pytest.fixture
def cases(agent_cg, agent_zj, tracked):
    made = []
    for n, (person, code, stage) in enumerate(zip(PETITIONERS, CODES, STAGES, strict=True)):
        made.append(
            tracked(
                agent_cg if n != 1 else agent_zj,
                code=code,
                stage=stage,
                serial=31 + n,
                petitioner=person,
                title=f"诉求标题{n}：河堤垮塌无人修",
                content=f"诉求内容{n}：去年汛期冲毁河堤，至今没有修复。",
            )
        )
    return made


def pages(client, cases) -> dict[str, str]:
    """Every public page, including the lookup's result and the rating's confirmation."""
    html = {}
    for name in ("agents", "guide", "track"):
        html[name] = client.get(reverse(f"public:{name}")).content.decode()
    for case, person, code in zip(cases, PETITIONERS, CODES, strict=True):
        response = client.post(reverse("public:track"), {"code": code, "last4": person["mobile"][-4:]})
        assert case.number in response.content.decode()
        html[f"result {case.number}"] = response.content.decode()
    html["wrong"] = client.post(reverse("public:track"), {"code": CODES[0], "last4": "0000"}).content.decode()
    delivered = client.post(
        reverse("public:track"), {"code": CODES[2], "last4": PETITIONERS[2]["mobile"][-4:]}
    )
    token = delivered.context["form"]["token"].value()
    invalid = client.post(reverse("public:rate"), {"token": token, "office_satisfaction": "satisfied"})
    html["rating form error"] = invalid.content.decode()
    rated = client.post(
        reverse("public:rate"),
        {
            "token": token,
            "office_satisfaction": "satisfied",
            "body_satisfaction": "basically",
            "comment": "",
        },
        follow=True,
    )
    assert "评价已提交" in rated.content.decode()
    html["rated"] = rated.content.decode()
    html["rated twice"] = client.post(
        reverse("public:rate"),
        {
            "token": token,
            "office_satisfaction": "satisfied",
            "body_satisfaction": "basically",
            "comment": "",
        },
    ).content.decode()
    return html


def test_no_public_page_shows_a_petitioner_or_the_content(client, cases):
    forbidden = [value for person in PETITIONERS for value in secrets_of(person)]
    for case in cases:
        forbidden += [
            case.title,
            case.content,
            case.title[5:],
            case.platform_username,
            case.platform_password,
        ]
    forbidden += CODES

    for name, html in pages(client, cases).items():
        text = HIDDEN_VALUES.sub("", html)
        found = [value for value in forbidden if value and value in text]
        assert not found, f"{name}: {found}"


def test_the_result_page_is_built_from_the_case_number_status_steps_and_dates_only(client, cases):
    html = pages(client, cases)[f"result {cases[2].number}"]
    assert "已送达答复" in html and "答复送达信访人" in html
    # Nothing the agent typed with a step (reasons, bodies, opinions) reaches the page.
    assert "解释说明" not in html and "镇坪县住房和城乡建设局" not in html


def test_no_demo_petitioner_appears_on_any_public_page(db, client, settings, tmp_path):
    """The same scan over the demo data: every demo case with a 查询码 is looked up."""
    from django.core.management import call_command

    from conftest import seed_policy_data
    from xinfang.cases.models import Case, Petitioner

    settings.PRIVATE_FILES_DIR = tmp_path
    seed_policy_data()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    secrets = set()
    for person in Petitioner.objects.all():
        secrets.update({person.name, person.id_number, person.mobile, person.mobile[3:7], person.address})
    html = [client.get(reverse(f"public:{name}")).content.decode() for name in ("agents", "guide", "track")]
    looked_up = 0
    for case in Case.objects.exclude(query_code_hash="").select_related("petitioner"):
        response = client.post(
            reverse("public:track"), {"code": case.query_code, "last4": case.petitioner.mobile[-4:]}
        )
        page = response.content.decode()
        assert case.number in page
        html.append(page)
        looked_up += 1
    assert looked_up >= 20
    for page in html:
        visible = HIDDEN_VALUES.sub("", page)
        leaked = sorted(s for s in secrets if s and s in visible)
        assert not leaked, leaked
