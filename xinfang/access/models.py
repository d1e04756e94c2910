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


class Reach(models.TextChoices):
    """How far a grant reaches: the user's own unit, or every unit of the county."""

    UNIT = "unit", "本单位"
    COUNTY = "county", "全县"
