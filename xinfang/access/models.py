"""Roles and reaches. No tables: who may do what is the table in ``policy``."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "代理员"
    UNIT_HEAD = "unit_head", "单位负责人"
    BUREAU = "bureau", "县信访局工作人员"
    LEADER = "leader", "领导"
    SYSADMIN = "sysadmin", "系统管理员"
    AUDITOR = "auditor", "安全审计员"
    # Accounts of other systems (the 12345 hotline, statistics tools) that read through the API
    # with a token bureau staff made for them: never a person, never a page login.
    API_UNIT = "api_unit", "本单位只读接口账户"
    API_COUNTY = "api_county", "全县只读接口账户"


class Reach(models.TextChoices):
    """How far a grant reaches: the user's own unit, or every unit of the county."""

    UNIT = "unit", "本单位"
    COUNTY = "county", "全县"
