"""Is a complaint within the scope of proxying (seed 附件 三(一))?

Each rule names where it comes from: the county's notice (the seed: its 附件《镇坪县网上投诉代理
工作方案》, written under the 2005 《信访条例》, which the notice cites) or an article of the
《信访工作条例》 (2022). Quoted words are the text's own; the rest is our summary.

1. It must concern the official conduct of one of the five kinds of body the seed lists
   (附件 三(一) 1–5, ``RespondentKind``). The list is the seed's: the 2022 条例 has none
   (its 第二条 names the bodies that do 信访工作, its 第十七条 who may petition and how).
2. 「对依法应当通过诉讼、仲裁、行政复议等法定途径解决的投诉请求，不属于网上投诉代理范围」
   (seed 附件 三(一)): the agent guides the petitioner to that channel. For the handling body,
   条例 第三十一条 sorts 申诉求决类 matters: court and reconsideration procedures (第一项),
   arbitration (第二项) and administrative procedures such as 行政复议 (第四项) go to their
   own procedure.
3. 条例 第三十六条第三款: a petitioner who disagrees with the 复核意见 and complains again
   「以同一事实和理由」 is 「不再受理」; with a 复查意见 only, the next step is to ask for 复核
   (第三十六条第一款), not a new complaint.

The agent's own judgement may refer a case the answers alone would let through;
it may not proxy a case the answers rule out.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.cases.models import ReferralChannel, RespondentKind

EXPLANATIONS: dict[str, str] = {
    ReferralChannel.LITIGATION: (
        "您反映的事项属于依法应当通过诉讼解决的纠纷（或人民法院已经受理），不属于网上投诉代理范围。"
        "《信访工作条例》第三十一条第一项：“应当通过审判机关诉讼程序……处理的……按照法律法规规定的程序处理。”"
        "请您向有管辖权的人民法院起诉，或在已受理的诉讼中主张权利；生活困难的，可向当地法律援助中心申请法律援助。"
    ),
    ReferralChannel.ARBITRATION: (
        "您反映的事项属于依法应当通过仲裁解决的纠纷（或仲裁机构已经受理），例如劳动争议、"
        "农村土地承包经营纠纷，不属于网上投诉代理范围（《信访工作条例》第三十一条第二项：导入相应程序处理）。"
        "请向劳动人事争议仲裁委员会、农村土地承包仲裁委员会等仲裁机构申请仲裁，"
        "注意仲裁时效（劳动争议一般为一年，见《劳动争议调解仲裁法》）。"
    ),
    ReferralChannel.RECONSIDERATION: (
        "您不服的是行政机关作出的行政行为，依法可以申请行政复议（或已经申请），不属于网上投诉代理范围"
        "（《信访工作条例》第三十一条第四项：导入相应程序处理）。请自知道或者应当知道该行为之日起"
        "六十日内向有权的复议机关申请行政复议（法律规定的申请期限超过六十日的除外，见《行政复议法》）；"
        "对复议决定不服的，可以依法提起行政诉讼。"
    ),
    ReferralChannel.REVIEW: (
        "您反映的事项已有信访处理意见。对处理意见不服的，可以自收到书面答复之日起30日内请求原办理机关、单位的"
        "上一级机关、单位复查（《信访工作条例》第三十五条）；对复查意见不服的，可以自收到书面答复之日起30日内"
        "向复查机关、单位的上一级机关、单位请求复核（第三十六条）。对复核意见不服，仍然以同一事实和理由提出投诉请求的，"
        "不再受理（第三十六条）。"
    ),
    ReferralChannel.OTHER: (
        "您反映的事项不涉及行政机关、公共服务单位或村（社区）委员会等组织、人员的职务行为，不属于网上投诉代理范围"
        "（县政府办《镇坪县网上投诉代理工作方案》三（一））。平等主体之间的纠纷，可以申请人民调解，或依法提起诉讼、申请仲裁。"
    ),
}


@dataclass(frozen=True)
class Assessment:
    """What the answers alone imply: a channel that rules proxying out, and cautions."""

    required_channel: str  # "" when nothing rules the case out
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]

    @property
    def in_scope(self) -> bool:
        return not self.required_channel


def assess(
    *,
    respondent_kind: str,
    court_accepted: bool,
    arbitration_accepted: bool,
    reconsideration_done: bool,
    has_review_opinion: bool,
) -> Assessment:
    rules = (
        (respondent_kind == RespondentKind.NONE, ReferralChannel.OTHER, "投诉对象不属于五类代理对象"),
        (court_accepted, ReferralChannel.LITIGATION, "人民法院已经受理"),
        (arbitration_accepted, ReferralChannel.ARBITRATION, "仲裁机构已经受理"),
        (reconsideration_done, ReferralChannel.RECONSIDERATION, "已经申请行政复议"),
    )
    hits = [(channel, reason) for applies, channel, reason in rules if applies]
    cautions: tuple[str, ...] = ()
    if has_review_opinion:
        cautions = (
            "信访人已有复查或复核意见书：对复核意见不服，仍以同一事实和理由投诉的，不再受理（《信访工作条例》"
            "第三十六条）；只有复查意见的，应引导其自收到之日起30日内请求复核，而不是重新投诉。",
        )
    return Assessment(
        required_channel=hits[0][0] if hits else "",
        reasons=tuple(reason for _, reason in hits),
        cautions=cautions,
    )


def assess_case(case) -> Assessment:
    return assess(
        respondent_kind=case.respondent_kind,
        court_accepted=case.court_accepted,
        arbitration_accepted=case.arbitration_accepted,
        reconsideration_done=case.reconsideration_done,
        has_review_opinion=case.has_review_opinion,
    )


SCOPE_FIELDS = (
    "respondent_kind",
    "court_accepted",
    "arbitration_accepted",
    "reconsideration_done",
    "has_review_opinion",
)
