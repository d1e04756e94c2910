"""Is a complaint within the scope of proxying (seed 附件 三(一))?

1. It must concern the official conduct of one of the five kinds of body
   (《信访工作条例》第2条、第17条 and the seed's list).
2. Matters that are, or by law must be, settled by 诉讼, 仲裁 or 行政复议 are not
   proxied: the petitioner is referred to that channel (条例 第31条).
3. A matter already re-reviewed (复核) is not accepted again (条例 第36条); a matter with
   a review opinion (复查) goes on by asking for 复核, not by a new complaint.

The agent's own judgement may refer a case the answers alone would let through;
it may not proxy a case the answers rule out.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.cases.models import ReferralChannel, RespondentKind

EXPLANATIONS: dict[str, str] = {
    ReferralChannel.LITIGATION: (
        "您反映的事项属于依法应当通过诉讼解决的纠纷（或人民法院已经受理）。根据《信访工作条例》第三十一条，"
        "信访部门不能代替法院作出裁判。请您向有管辖权的人民法院起诉或在已受理的诉讼中主张权利；"
        "生活困难的，可向当地法律援助中心申请法律援助。"
    ),
    ReferralChannel.ARBITRATION: (
        "您反映的事项属于依法应当通过仲裁解决的纠纷（或仲裁机构已经受理），例如劳动争议、"
        "农村土地承包经营纠纷。请向劳动人事争议仲裁委员会、农村土地承包仲裁委员会等仲裁机构申请仲裁，"
        "注意仲裁时效（劳动争议一般为一年）。"
    ),
    ReferralChannel.RECONSIDERATION: (
        "您不服的是行政机关作出的具体行政行为，依法可以申请行政复议（或已经申请）。请自知道该行为之日起"
        "六十日内向有权的复议机关申请行政复议；对复议决定不服的，可以依法提起行政诉讼。"
    ),
    ReferralChannel.REVIEW: (
        "您反映的事项已有信访处理意见。对处理意见不服的，可以自收到书面答复之日起三十日内请求原办理机关的"
        "上一级机关复查；对复查意见不服的，可以自收到之日起三十日内请求复核。已经复核的，信访部门不再受理"
        "（《信访工作条例》第三十五、三十六条）。"
    ),
    ReferralChannel.OTHER: (
        "您反映的事项不涉及行政机关、公共服务单位或村（居）民委员会等的职务行为，不属于网上投诉代理范围。"
        "平等主体之间的纠纷，可以申请人民调解，或依法提起诉讼、申请仲裁。"
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
            "信访人已有复查或复核意见书：已经复核的，同一事项不再受理；只有复查意见的，应引导其在30日内申请复核，"
            "而不是重新投诉。",
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
