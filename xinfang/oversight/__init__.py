"""问题网上督、形势网上判: agents' risk and trend reports, and the bureau's inspections of units.

Risk reports (seed 二 3 二、三; 附件 方案): an agent reports at once a petitioner who, instead of
asking for 复查/复核, insists on bypassing levels (越级上访) or threatens extreme acts (扬言过激
行为), and sends in useful trend information (信访动态信息). Bureau staff see new urgent reports
on every page until one of them acknowledges (签收) it, then record how it was dealt with (处置).

Inspections (seed 四): the bureau inspects (督察) how units do the proxy work, against the four
prohibitions (不得强行代理、不得收取费用、不得歪曲信访人意愿、不得散布非法言论) and 不按规定代理,
says what must be put right (整改) and by when, and records when it was.

Glossary (law term → code):
    风险报告 RiskReport · 越级上访倾向 escalation · 扬言过激行为 extreme · 集体访苗头 collective ·
    重复信访 repeated · 其他信访动态 trend · 紧急 urgent · 一般 normal · 签收 acknowledge ·
    处置 disposal · 督察 Inspection · 督察人员 inspectors · 发现问题 findings · 强行代理 forced ·
    收取费用 fees · 歪曲信访人意愿 distortion · 散布非法言论 illegal_speech · 未按规定代理 irregular ·
    整改要求 rectification · 整改期限 rectify_by · 整改完成 rectified_on.
"""
