"""Monthly bulletins (通报, seed 一 and 四): the leading group's office counts, summarises and
publishes the month's work, and publication freezes that month's figures.

Glossary: 通报 bulletin; 文号 (发文字号) issue_number; 发布 publish; 征求意见稿 draft;
发文机关 issuer; 督察 inspection; 风险报告 risk report.
"""
