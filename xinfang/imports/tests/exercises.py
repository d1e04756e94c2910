"""How the permission test (tests/test_permissions.py) exercises ``import_ledger``: upload a
ledger for 城关镇, correct its mapping, open its dry run, and import it."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from conftest import make_id_number
from tests.permissions import exercise
from xinfang.imports import actions


def small_ledger() -> bytes:
    book = Workbook()
    book.active.append(
        ["接待日期", "信访人", "身份证号", "手机号码", "诉求标题", "状态", "网上提交时间", "查询码"]
    )
    book.active.append(
        [
            "2025-01-02",
            "李某某",
            make_id_number(91),
            "13912345678",
            "路灯不亮",
            "已网上提交",
            "2025-01-03",
            "EX1",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("台账.xlsx", small_ledger())


def _batch(world):
    return actions.start_import(by=world.agent, unit=world.unit, upload=_upload())


@exercise("import_ledger")
def upload_a_ledger(world):
    return lambda by: actions.start_import(by=by, unit=world.unit, upload=_upload())


@exercise("import_ledger")
def save_the_units_mapping(world):
    return lambda by: actions.save_mapping(world.unit, by=by, mapping={"来访时间": "received_on"})


@exercise("import_ledger")
def open_the_dry_run(world):
    batch = _batch(world)
    return lambda by: world.page(by, reverse("imports:batch", args=[batch.pk]))


@exercise("import_ledger")
def import_a_ledger(world):
    batch = _batch(world)
    return lambda by: actions.import_batch(batch, by=by)
