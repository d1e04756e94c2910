"""形势网上判: the figures of 两增加三提升 (seed 二), per unit and for the county.

Pages (staff):
    /figures/          统计: the dashboard for a month, quarter, year or range (bureau, leader, unit head)
    /figures/targets/  每月代理目标: each unit's monthly target from a month on, and the county's
                       targets (网上投诉占比 ≥ 50%, seed 通知 二) (bureau)
    /figures/tallies/  渠道台账: petitions that never enter this platform, per unit, month and channel (bureau)

The definitions are those of MISSION.md 'Targets and figures'; ``selectors`` states each one
in its docstring and ``selectors.DEFINITIONS`` says the same on the page.

Glossary (term → code): 代理件数 proxied · 代理目标 target · 达标 met · 网上投诉占比 online_share ·
参评率 participation · 满意率 satisfaction · 满意 satisfied · 基本满意 basically ·
及时受理率 timely_acceptance · 按期办结率 timely_conclusion · 在办 open · 超期 overdue ·
渠道台账 tally · 来信 letter · 来访 visit · 网上自投 online_self · 电话 phone · 内容分类 category ·
事发地 incident town · 样本少 few.
"""
