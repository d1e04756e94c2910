"""Personal data kept only as long as allowed (《个人信息保护法》第十九条、第四十七条), and the
petitioner's requests to see, copy or delete it (第四十五条、第四十七条).

Glossary (law term → code):
    保存期限 retention period (``RetentionRule``) · 到期 due · 匿名化 / 删除 erase ·
    终结 final (the day a case ends: ``closed_on``, or the last day of a 复查/复核 request
    window that ran out unused) · 信访人信息 particulars · 诉求内容 content ·
    扫描件和附件 files · 查阅、复制、删除申请 data request (``DataRequest``).

Where things are: ``selectors`` (what is due, everything held about one document number),
``erase`` (what erasing a case, a petitioner's version or a report writes), ``compact`` (the
database files rewritten so that erased values leave them), ``actions`` (the doors: the
retention rules, the retention run, the three answers to a request), ``exports`` (the copy
given to the petitioner).
"""
