"""How a row of the audit log reads for the auditor, on the page and in its .xlsx: who (账号),
the object (对象) and the details (详情) in the words of a clerk or an auditor.

What is stored stays as it was written (codes, ids, ISO dates: the hash chain covers them); only
its reading is here. Three sources of words:

1. the tables below: the kinds of object that are not a model (台账, 页面…), the detail keys, and
   the codes callers write as values (``document="feedback"`` → 反馈表);
2. Django's models: a model's ``verbose_name`` names its rows (``cases.Case`` → 代理事项) and
   its fields' ``verbose_name`` and choices name the fields a change lists;
3. the apps above, which say how their rows are named (a case by its number, a unit by its name)
   and add the words of their own codes (``name_rows``, ``add_values``, in their
   ``AppConfig.plug()``): the audit log imports none of them.

Nothing unknown is hidden: a key or a code without words is shown as written.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from xinfang.access import policy
from xinfang.access.models import Role
from xinfang.audit.integrity import KINDS
from xinfang.audit.models import AuditAction, AuditEntry

# --- Who ---------------------------------------------------------------------------------------------

ACTORS = {
    "(command line)": "服务器命令行",
    "(xinfang remind)": "定时提醒任务",
}

# --- Objects ---------------------------------------------------------------------------------------------

# Objects that are not a row of a model, or read better than the model's name. A pair names the
# model whose rows the id refers to (an account's dynamic code is kept under the account's id).
TARGET_TYPES: dict[str, str | tuple[str, str]] = {
    "ledger": "台账",
    "audit_log": "审计日志",
    "backup": "备份",
    "view": "页面",
    "petitioner_history": "信访人以往事项（按证件号码查询）",
    "bulletins.draft": "通报征求意见稿",
    "core.DataKey": "数据密钥",
    "figures.ChannelTally": "各渠道信访量",
    "deadlines.CalendarYear": "工作日历",
    "deadlines.CaseDeadline": "在办事项的期限",
    "cases.Case.field": ("事项的完整个人信息", "cases.Case"),
    "cases.step": "办理环节",
    "ratings.FeedbackForm.signed_scan": ("反馈表签字扫描件", "cases.Case"),
    "accounts.SecondFactor": ("动态口令", "accounts.User"),
    "accounts.AgentProfile.photo": ("代理员照片", "accounts.User"),
}

# --- Details ---------------------------------------------------------------------------------------------

KEY_LABELS = {
    # Importing an old ledger (xinfang.imports).
    "created": "新建的事项数",
    "skipped": "已有而跳过的行数",
    "sha256": "文件校验值（SHA-256）",
    # The JSON API's tokens and machine accounts (xinfang.api).
    "account": "接口账户",
    "expires": "有效期至",
    "new_address": "首次使用的网络地址",
    "prefix": "令牌前缀",
    # Retention and a petitioner's requests (xinfang.privacy): counts of what a run found or erased.
    "basis": "依据",
    "compacted": "数据库文件已重写",
    "content": "删除诉求内容的事项数",
    "data_kind": "数据类别",
    "files_cases": "删除扫描件和附件的事项数",
    "final": "已终结的事项数",
    "lookups": "删除的查询记录数",
    "old_years": "原保存年限（年）",
    "particulars": "删除平台账户、查询码或报告人名的事项数",
    "petitioners": "删除的信访人信息版本数",
    "refused_open": "未办结而不能删除的事项数",
    "reports": "风险报告数",
    "texts": "删除说明文字的办理记录数",
    "versions": "信访人信息版本数",
    "years": "保存年限（年）",
    "action": "动作",
    "active": "启用",
    "actor": "账号",
    "added": "新增",
    "agent": "代理员",
    "alert": "提醒",
    "anchors": "比对锚点数",
    "attempt": "锁定期间再次尝试",
    "capability": "所需权限",
    "cases_added": "增加期限的事项数",
    "cases_handed_over": "移交的事项数",
    "cases_withdrawn": "撤销期限的事项数",
    "category": "内容分类",
    "change": "变更",
    "closed_on": "结案日期",
    "code": "期限",
    "corrected_by": "更正文号",
    "corrects": "更正的通报",
    "counts": "各类问题数",
    "created_at": "备份时间",
    "document": "文书",
    "due_on": "届满日",
    "each": "每人一份",
    "effective_from": "生效日期",
    "end": "截止日期",
    "engine": "数据库",
    "event": "事件",
    "failures": "失败次数",
    "field": "信息项",
    "fields": "修改的项目",
    "figure": "指标",
    "file": "文件摘要（SHA-256）",
    "files": "文件数",
    "filters": "筛选条件",
    "findings": "发现",
    "format": "格式",
    "from_seq": "起始序号",
    "hash": "哈希",
    "head_hash": "链首哈希",
    "head_seq": "链首序号",
    "hits": "命中数",
    "holidays": "放假天数",
    "includes_key": "含数据密钥",
    "issue_number": "文号",
    "kind": "类别",
    "late": "逾期",
    "masked": "隐去中间位",
    "month": "月份",
    "monthly_target": "月度目标（件）",
    "name": "名称",
    "new": "新",
    "old": "原",
    "operation": "操作",
    "percent": "目标（%）",
    "petition_types": "适用的信访类型",
    "problems": "问题数",
    "profile": "修改的代理员信息",
    "public": "公开页面",
    "reason": "用途或理由",
    "remaining": "剩余",
    "removed": "删除",
    "replaced": "替换原有安排",
    "result": "结果",
    "retention_days": "保存天数",
    "role": "角色",
    "rows": "条数",
    "saved": "保存",
    "scope": "范围",
    "search": "按姓名等查找",
    "second_factor": "第二重验证",
    "seconds": "用时（秒）",
    "seq": "序号",
    "size": "大小（字节）",
    "source": "来源",
    "stale": "待轮换",
    "start": "起始日期",
    "status": "状态",
    "unit": "单位",
    "unknown_user": "不存在的账号",
    "via": "方式",
    "workdays": "调休上班天数",
    "year": "年份",
}
KEY_LABELS.update(KINDS)  # a verification's counts, by kind of finding

# The order details are read in, whatever order the database keeps them in (PostgreSQL's jsonb
# sorts keys by length): what happened first, then what to, then the rest by key.
KEY_ORDER = (
    "change",
    "kind",
    "event",
    "operation",
    "code",
    "document",
    "format",
    "field",
    "fields",
    "capability",
    "public",
    "reason",
    "role",
    "unit",
    "agent",
    "active",
    "profile",
    "masked",
    "start",
    "end",
    "month",
    "year",
    "effective_from",
    "due_on",
    "rows",
    "filters",
    "action",
    "actor",
    "status",
    "category",
    "search",
)


def _ordered(mapping: dict) -> list[tuple[str, Any]]:
    rank = {key: index for index, key in enumerate(KEY_ORDER)}
    return sorted(mapping.items(), key=lambda item: (rank.get(item[0], len(KEY_ORDER)), item[0]))


# The codes callers write as values, by key.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "action": dict(AuditAction.choices),
    "via": {"page": "审计页面", "command": "命令行或定时任务", "api": "数据接口", "api_token": "接口令牌"},
    "result": {"ok": "完整", "tampered": "发现篡改"},
    "scope": {
        "full": "全部记录",
        "recent": "上次完整核验以来的记录",
        "pair": "账户与网络地址",
        "address": "本网络地址",
        "account": "账户",
        "platform": "全系统",
    },
    "document": {
        "authorization": "授权委托书",
        "feedback": "反馈表",
        "card": "联系卡",
        "flyer": "宣传页",
        "case_file": "案卷",
        "ledger_month": "月度台账（打印）",
    },
    "format": {"html": "网页打印", "docx": "Word 文档", "xlsx": "Excel 表格"},
    "kind": {
        "data_request": "信访人查阅、复制或删除个人信息的请求",
        "compact": "重写数据库文件",
        "retention": "到期个人信息删除",
        "bulletin_publish": "发布通报",
        "bulletin_correct": "更正通报",
        "bulletin_withdraw": "撤回通报",
        "bulletin_draft": "通报征求意见稿",
        "bulletin": "通报",
        "unit_target": "单位代理目标",
        "county_target": "全县目标",
        "channel_tally": "各渠道信访量",
        "feedback_scan": "反馈表签字扫描件",
    },
    "change": {
        "api_token_created": "新建接口令牌",
        "api_token_revoked": "吊销接口令牌",
        "api_account_created": "新建接口账户",
        "api_account_deactivated": "停用接口账户",
        "unit_create": "新建单位",
        "unit_update": "修改单位信息",
        "unit_activate": "启用单位",
        "unit_deactivate": "停用单位",
        "create": "新建账户",
        "update": "修改账户",
        "password_reset": "重置密码",
        "unlock": "解除登录锁定",
        "second_factor_enrol": "设置动态口令",
        "second_factor_reset": "重置动态口令",
        "recovery_codes": "重新生成恢复码",
        "agent_report_start": "开始计算代理员信息报送期限",
        "agent_report_reported": "代理员信息已报送并公开",
        "agent_report_ended": "不再担任该单位代理员",
        "agent_report_recomputed": "报送期限重新计算",
        "calendar_year": "录入或更正节假日安排",
        "clock": "修改法定期限规则",
        "clock_kinds_applied": "按适用类型调整在办事项的期限",
    },
    "field": {
        "id_number": "证件号码",
        "mobile": "手机号码",
        "landline": "固定电话",
        "address": "家庭住址",
        "platform_username": "平台用户名",
        "platform_password": "平台密码",
        "query_code": "查询码",
        "petitioner_edit_form": "修改登记时的信访人信息",
        "petitioner_changes": "与此前登记不同的信访人信息",
        "agent_mobile": "代理员手机号码",
    },
    "role": dict(Role.choices),
    "public": {"track": "办理进度查询页"},
    "reason": {
        "throttled": "查询过于频繁，暂停查询",
        "wrong_digits": "手机号码后四位不符",
        "no_such_code": "查询码不存在",
    },
    "source": {
        "form": "页面填写",
        "upload": "上传表格",
        "demo": "演示数据",
        "chinesecalendar": "国务院办公厅历年节假日安排（系统预置）",
    },
    "alert": {"many_addresses": "同一账户从多个网络地址登录失败"},
    "second_factor": {"totp": "动态口令", "recovery": "恢复码", "enrolled": "首次设置动态口令"},
    "event": {"key_rotation_started": "开始轮换数据密钥", "key_rotation_finished": "数据密钥轮换完成"},
    "figure": {"online_share": "网上投诉占比"},
    "closed_on": {"request window ran out": "申请复查、复核的期限届满"},
    "added": {"holiday": "放假", "workday": "调休上班"},
    "removed": {"holiday": "放假", "workday": "调休上班"},
}
# Values that name a row of a model (by its id; a clock by its code): the unit's name, the
# agent's account, the clock's name.
ROW_KEYS = {
    "unit": "accounts.Unit",
    "agent": "accounts.User",
    "category": "reference.ContentCategory",
    "code": "deadlines.Clock.code",
}
# Values that hold a list written as text, one code after another.
LIST_KEYS = {"petition_types": ",", "added": " ", "removed": " "}
# Keys whose list or mapping names fields of the object's model.
FIELD_KEYS = {"fields": None, "profile": "accounts.AgentProfile"}
YES_NO = {True: "是", False: "否", None: "无"}

Namer = Callable[[list[str]], Mapping[Any, str]]  # ids as text → names (keyed by id of any type)
_namers: dict[str, Namer] = {}


def name_rows(label: str, namer: Namer) -> None:
    """The app that owns ``label``'s model says how its rows are named for the auditor: given
    ids (as text), their names (a case by its number). Called in its ``AppConfig.plug()``;
    keyed, so a second ``ready()`` replaces."""
    _namers[label] = namer


def add_values(key: str, labels: Mapping[str, str]) -> None:
    """The app that writes codes under ``key`` (a case's status, a file's kind) adds their words."""
    VALUE_LABELS.setdefault(key, {}).update(labels)


# --- Reading ---------------------------------------------------------------------------------------------


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def type_label(target_type: str) -> str:
    """The kind of object in words: ``cases.Case`` → 代理事项."""
    known = TARGET_TYPES.get(target_type)
    if known is not None:
        return known if isinstance(known, str) else known[0]
    if target_type == "capability":
        return "权限"
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def _rows_of(target_type: str) -> str:
    known = TARGET_TYPES.get(target_type)
    return known[1] if isinstance(known, tuple) else target_type


def capability_label(code: str) -> str:
    try:
        return policy.capability(code).label
    except LookupError:
        return code


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _date_text(text: str) -> str | None:
    """An ISO date, month or moment in Chinese; None for any other text."""
    try:
        if DATE.match(text):
            day = datetime.date.fromisoformat(text)
            return f"{day.year}年{day.month}月{day.day}日"
        if MONTH.match(text):
            year, month = text.split("-")
            return f"{int(year)}年{int(month)}月"
        if MOMENT.match(text):
            moment = datetime.datetime.fromisoformat(text)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
    except ValueError:
        return None
    return None


def _names_a_row(key: str, value: Any) -> bool:
    """A row's id (a number), or a clock's code: a unit given by its name is read as written."""
    if key == "code":
        return isinstance(value, str)
    return isinstance(value, int) and not isinstance(value, bool)


def _row_values(detail: Any, wanted: dict[str, set[str]]) -> None:
    """The ids of rows a detail names (``ROW_KEYS``), nested mappings included."""
    if not isinstance(detail, dict):
        return
    for key, value in detail.items():
        if key in ROW_KEYS and _names_a_row(key, value):
            wanted[ROW_KEYS[key]].add(str(value))
        _row_values(value, wanted)


@dataclass
class Reader:
    """Reads the rows of one page (or one chunk of an export) with the names of the objects
    they speak of, looked up once per kind of object."""

    names: dict[str, dict[str, str]]

    @classmethod
    def for_entries(cls, entries: Iterable[AuditEntry]) -> Reader:
        wanted: dict[str, set[str]] = defaultdict(set)
        for entry in entries:
            if entry.target_id.isdigit():
                wanted[_rows_of(entry.target_type)].add(entry.target_id)
            _row_values(entry.detail, wanted)
        names = {
            label: {str(key): name for key, name in _namers[label](sorted(ids)).items()}
            for label, ids in wanted.items()
            if label in _namers and ids
        }
        return cls(names)

    def actor(self, entry: AuditEntry) -> str:
        return ACTORS.get(entry.actor_name, entry.actor_name) or "服务器命令行或定时任务"

    def target(self, entry: AuditEntry) -> str:
        """「代理事项 城关镇-2026-0003」, 「权限“查看审计日志”」, 「台账」."""
        kind, ident = entry.target_type, entry.target_id
        if not kind:
            return ""
        if kind == "capability":
            return f"权限“{capability_label(ident)}”"
        label = type_label(kind)
        if not ident or kind == "view":
            return label
        if kind == "cases.step":
            return f"{label}“{capability_label('case_' + ident)}”"
        name = self.names.get(_rows_of(kind), {}).get(ident)
        if name:
            return f"{label} {name}"
        when = _date_text(ident)
        return f"{label} {when}" if when else f"{label}（编号 {ident}）"

    def detail(self, entry: AuditEntry) -> str:
        """``{"masked": True, "rows": 3}`` → 「隐去中间位：是；条数：3」."""
        detail = entry.detail
        if not isinstance(detail, dict):
            return self.value(detail)
        return "；".join(self.pair(key, value, entry.target_type) for key, value in _ordered(detail))

    def pair(self, key: str, value: Any, target_type: str = "") -> str:
        if key in FIELD_KEYS:
            return f"{KEY_LABELS.get(key, key)}：{self.fields(value, FIELD_KEYS[key] or target_type)}"
        return f"{KEY_LABELS.get(key, key)}：{self.value(value, key)}"

    def value(self, value: Any, key: str = "") -> str:
        if isinstance(value, bool) or value is None:
            return YES_NO[value]
        if isinstance(value, dict):
            return "，".join(self.pair(k, v) for k, v in _ordered(value)) or "无"
        if isinstance(value, list | tuple):
            return "、".join(self.value(item, key) for item in value) or "无"
        if key in ROW_KEYS and _names_a_row(key, value):
            return self.names.get(ROW_KEYS[key], {}).get(str(value), str(value))
        if key == "capability":
            return capability_label(str(value))
        text = str(value)
        if key in LIST_KEYS and LIST_KEYS[key] in text:
            return "、".join(self.value(part, key) for part in text.split(LIST_KEYS[key]) if part)
        words = VALUE_LABELS.get(key, {})
        if text in words:
            return words[text]
        if key == "field" and "-" in text:  # a co-petitioner's: id_number-2
            field, _, position = text.rpartition("-")
            if field in words and position.isdigit():
                return f"{words[field]}（第{position}信访人）"
        return _date_text(text) or text

    def fields(self, value: Any, label: str) -> str:
        """Field names of ``label``'s model in its words; a mapping's values as 原 → 新."""
        model = _model(label) if label else None

        def field_label(name: str) -> str:
            if model is not None:
                try:
                    return str(model._meta.get_field(name).verbose_name)
                except FieldDoesNotExist:
                    pass
            return VALUE_LABELS["field"].get(name, KEY_LABELS.get(name, name))

        def field_value(name: str, item: Any) -> str:
            if model is not None:
                try:
                    choices = dict(model._meta.get_field(name).choices or ())
                except FieldDoesNotExist:
                    choices = {}
                if item in choices:
                    return str(choices[item])
            return self.value(item, name)

        if isinstance(value, dict):
            parts = []
            for name, change in sorted(value.items()):
                if isinstance(change, dict) and {"old", "new"} <= set(change):
                    old, new = field_value(name, change["old"]), field_value(name, change["new"])
                    parts.append(f"{field_label(name)}由“{old}”改为“{new}”")
                else:
                    parts.append(f"{field_label(name)}：{field_value(name, change)}")
            return "，".join(parts) or "无"
        if isinstance(value, list | tuple):
            return "、".join(field_label(str(name)) for name in value) or "无"
        return self.value(value)


@dataclass(frozen=True)
class ReadEntry:
    """One row as the auditor reads it."""

    entry: AuditEntry
    actor: str
    target: str
    detail: str


def read(entries: Iterable[AuditEntry]) -> list[ReadEntry]:
    entries = list(entries)
    reader = Reader.for_entries(entries)
    return [ReadEntry(e, reader.actor(e), reader.target(e), reader.detail(e)) for e in entries]
