"""What a citizen sees without logging in, and what the units hand out (seed 三 一: 信息公开制度).

Public pages (no login), at addresses printed on cards and flyers:
    /public/agents/   代理员名录: each unit's published agents (seed 二 2: 姓名、职务、照片、联系方式)
    /public/guide/    网上投诉指南: what can be proxied, what must go elsewhere, how online complaint works
    /public/track/    办理进度查询: 查询码 + 手机号后四位 → the steps and due dates; 结果网上评 (rating)

Staff pages: each unit's 联系卡 (contact card) and 宣传页 (flyer), as A4 print views and .docx,
and the 宣传记录 (publicity log) that feeds the figures.

Glossary (law term → code): 联系卡 card · 宣传页 flyer · 现场演示 demo · 查询码 query code ·
手机号后四位 last4 · 评价 rating · 宣传记录 publicity event.
"""
