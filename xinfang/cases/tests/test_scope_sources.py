"""What the scope page quotes is the words of its source: the seed's list of bodies, and the
articles of the 《信访工作条例》 (2022) it cites."""

from __future__ import annotations

import re

from xinfang.cases.models import RespondentKind
from xinfang.cases.scope import EXPLANATIONS

# The seed's 附件《镇坪县网上投诉代理工作方案》 三（一） 1–5, as printed.
SEED_BODIES = (
    "行政机关及其工作人员",
    "法律、法规授权的具有管理公共事务职能的组织及其工作人员",
    "提供公共服务的企业、事业单位及其工作人员",
    "社会团体或者其他企业、事业单位中由国家行政机关任命、派出的人员",
    "村（社区）委员会及其成员",
)

# 《信访工作条例》 (2022) 第三十一条, the items the explanations cite.
ARTICLE_31 = {
    "第一项": "应当通过审判机关诉讼程序或者复议程序、检察机关刑事立案程序或者法律监督程序、公安机关法律程序处理的，"
    "涉法涉诉信访事项未依法终结的，按照法律法规规定的程序处理。",
    "第二项": "应当通过仲裁解决的，导入相应程序处理。",
    "第四项": "可以通过行政复议、行政裁决、行政确认、行政许可、行政处罚等行政程序解决的，导入相应程序处理。",
}


def test_the_five_kinds_of_body_are_the_seeds_words():
    kinds = tuple(label for value, label in RespondentKind.choices if value != RespondentKind.NONE)
    assert kinds == SEED_BODIES


def test_what_is_quoted_from_article_31_is_in_the_article():
    cited = 0
    for text in EXPLANATIONS.values():
        for item, words in re.findall(r"第三十一条(第.项)[：:]“?([^）”]+)", text):
            for part in words.split("……"):
                assert part.strip("。") in ARTICLE_31[item], (item, part)
            cited += 1
    assert cited == 3  # litigation, arbitration, reconsideration


def test_no_explanation_puts_words_in_the_articles_mouth():
    # Once attributed to 第三十一条, which says nothing of the kind.
    assert not any("不能代替法院" in text for text in EXPLANATIONS.values())
