"""How a row's detail reads on the auditor's page: Chinese names for the keys callers use,
是/否 for yes and no; values as they were recorded (numbers, codes, hashes)."""

from __future__ import annotations

from django import template

from xinfang.audit.integrity import KINDS

register = template.Library()

KEY_LABELS = {
    "active": "启用",
    "added": "新增",
    "anchors": "比对锚点数",
    "attempt": "尝试",
    "change": "变更",
    "closed_on": "结案日期",
    "code": "代码",
    "corrected_by": "更正文号",
    "counts": "各类问题数",
    "document": "文书",
    "effective_from": "生效日期",
    "end": "截止日期",
    "failures": "失败次数",
    "field": "字段",
    "fields": "字段",
    "file": "文件摘要",
    "filters": "筛选条件",
    "findings": "发现",
    "format": "格式",
    "from_seq": "起始序号",
    "hash": "哈希",
    "head_hash": "链首哈希",
    "head_seq": "链首序号",
    "hits": "命中数",
    "holidays": "节假日",
    "issue_number": "文号",
    "kind": "类别",
    "masked": "脱敏",
    "month": "月份",
    "monthly_target": "月度目标",
    "problems": "问题数",
    "profile": "资料",
    "public": "公开",
    "reason": "用途或理由",
    "removed": "删除",
    "replaced": "替换",
    "result": "结果",
    "retention_days": "保存天数",
    "role": "角色",
    "rows": "条数",
    "saved": "保存",
    "scope": "范围",
    "seconds": "用时（秒）",
    "seq": "序号",
    "source": "来源",
    "start": "起始日期",
    "unit": "单位",
    "unknown_user": "未知账号",
    "via": "方式",
    "workdays": "工作日",
    "year": "年份",
}
KEY_LABELS.update(KINDS)  # a verification's counts, by kind of finding
VALUE_LABELS = {True: "是", False: "否", None: "无"}
# Values that are codes of this app (a verification's row).
CODE_LABELS = {
    "via": {"page": "审计页面", "command": "命令行或定时任务"},
    "result": {"ok": "完整", "tampered": "发现篡改"},
    "scope": {"full": "全部记录", "recent": "上次完整核验以来的记录"},
}


def _text(value, key: str = "") -> str:
    if isinstance(value, dict):
        return _pairs(value, "，") or "无"
    if isinstance(value, list):
        return "、".join(_text(item) for item in value) or "无"
    if isinstance(value, bool) or value is None:
        return VALUE_LABELS[value]
    return CODE_LABELS.get(key, {}).get(value, str(value))


def _pairs(mapping: dict, separator: str) -> str:
    return separator.join(
        f"{KEY_LABELS.get(key, key)}：{_text(value, key)}" for key, value in mapping.items()
    )


@register.filter
def detail_text(detail) -> str:
    """``{"masked": True, "rows": 3}`` → ``脱敏：是；条数：3``."""
    return _pairs(detail, "；") if isinstance(detail, dict) else _text(detail)
