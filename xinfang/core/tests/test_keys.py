"""The data key is checked against the stored data before anything is read or written with it,
and a keyring lets a new key take over while the old one still reads (defect 1; rotation)."""

from __future__ import annotations

import os
import stat

import pytest
from django.db import connection
from django.urls import reverse

from conftest import petitioner_data
from xinfang.cases.models import Case, Petitioner, name_keys, query_code_keys
from xinfang.cases.selectors import find_by_query_code, petitioner_history
from xinfang.core import crypto, keyring, keys
from xinfang.core.models import DataKeyCheck
from xinfang.oversight.models import RiskReport

B = os.urandom(32)  # a new key; the tests' own configured key is the old one


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return cursor.fetchone()[0]


def key_of(table: str, column: str, pk: int) -> bytes | None:
    return crypto.token_key_id(raw(table, column, pk))


# --- the check ----------------------------------------------------------------------------------


def test_the_first_key_of_an_empty_database_is_adopted_with_a_check_value(db, ring):
    DataKeyCheck.objects.all().delete()
    ring(B)
    keys.verify_data_key()
    (check,) = DataKeyCheck.objects.all()
    assert check.key_id == crypto.derive(B).hex_id
    assert crypto.decrypt_text(check.canary, keys.CANARY_CONTEXT, key=crypto.derive(B)).endswith(check.key_id)


def test_without_a_key_one_is_generated_for_an_empty_database_only(db, settings, tmp_path, ring):
    DataKeyCheck.objects.all().delete()
    settings.DATA_KEY, settings.DATA_OLD_KEYS = None, ()
    settings.DATA_KEY_GENERATE_PATH = tmp_path / "secrets" / "xinfang_data_key"
    keys.verify_data_key()
    path = settings.DATA_KEY_GENERATE_PATH
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert settings.DATA_KEY == keyring.parse_key(path.read_text(), "test")
    assert list(DataKeyCheck.objects.values_list("key_id", flat=True)) == [
        crypto.derive(settings.DATA_KEY).hex_id
    ]


def test_a_key_that_never_encrypted_anything_may_be_replaced_by_a_generated_one(db, settings, tmp_path, ring):
    DataKeyCheck.objects.all().delete()
    ring(B)
    keys.verify_data_key()  # adopted on an empty database, then lost before any data was entered
    settings.DATA_KEY, settings.DATA_OLD_KEYS = None, ()
    settings.DATA_KEY_GENERATE_PATH = tmp_path / "secrets" / "xinfang_data_key"
    keys.verify_data_key()
    generated = crypto.derive(settings.DATA_KEY).hex_id
    assert generated != crypto.derive(B).hex_id
    assert list(DataKeyCheck.objects.values_list("key_id", flat=True)) == [generated]


def test_without_a_key_and_with_data_nothing_is_generated(settings, tmp_path, ring, make_case, agent_cg):
    make_case(agent_cg)
    settings.DATA_KEY, settings.DATA_OLD_KEYS = None, ()
    settings.DATA_KEY_GENERATE_PATH = tmp_path / "secrets" / "xinfang_data_key"
    keys.forget_verification()
    with pytest.raises(keys.DataKeyError) as refused:
        keys.verify_data_key()
    message = str(refused.value)
    assert str(settings.DATA_KEY_GENERATE_PATH) in message and "XINFANG_DATA_KEY" in message
    assert "不会生成新的密钥" in message
    assert not settings.DATA_KEY_GENERATE_PATH.exists()


def test_a_wrong_key_reads_nothing_and_writes_nothing(ring, make_case, agent_cg, settings):
    case = make_case(agent_cg)
    people, checks = Petitioner.objects.count(), list(DataKeyCheck.objects.values_list("key_id", "canary"))
    ring(os.urandom(32))
    with pytest.raises(keys.DataKeyError, match="XINFANG_DATA_KEY"):
        make_case(agent_cg, serial=2)
    with pytest.raises(keys.DataKeyError):
        Petitioner.objects.get(pk=case.petitioner_id).mobile  # noqa: B018 - reading is the test
    assert Petitioner.objects.count() == people
    assert list(DataKeyCheck.objects.values_list("key_id", "canary")) == checks


def test_a_check_value_that_does_not_open_is_refused(ring, make_case, agent_cg):
    make_case(agent_cg)
    keys.verify_data_key()
    key = crypto.current()
    DataKeyCheck.objects.filter(key_id=key.hex_id).update(
        canary=crypto.encrypt_text("something else", keys.CANARY_CONTEXT, key=key)
    )
    keys.forget_verification()
    with pytest.raises(keys.DataKeyError, match=f"编号为 {key.hex_id} 的数据密钥打不开它在数据库中的校验值"):
        keys.verify_data_key()


def test_an_emptied_check_table_is_rebuilt_from_the_stored_values(settings, ring, make_case, agent_cg):
    """A database from before the check table, or one whose table was emptied: the keys of the
    stored tokens decide."""
    A = settings.DATA_KEY
    make_case(agent_cg)
    DataKeyCheck.objects.all().delete()
    ring(B)
    with pytest.raises(keys.DataKeyError, match=f"编号为 {crypto.derive(A).hex_id} 的密钥加密"):
        keys.verify_data_key()
    assert not DataKeyCheck.objects.exists()
    ring(B, A)
    keys.verify_data_key()
    assert set(DataKeyCheck.objects.values_list("key_id", flat=True)) == {
        crypto.derive(B).hex_id,
        crypto.derive(A).hex_id,
    }


# --- a new key takes over, the old one still reads ------------------------------------------------


def test_a_new_key_writes_while_the_old_one_still_reads_and_finds(settings, ring, make_case, agent_cg):
    A = settings.DATA_KEY
    data = petitioner_data(5, name="柳青禾")
    old = make_case(agent_cg, serial=5, petitioner=data)
    old.query_code = "ZPQ-7781"
    old.save(update_fields=["query_code"])

    ring(B, A)
    keys.verify_data_key()  # the new key is adopted
    assert {crypto.derive(B).hex_id, crypto.derive(A).hex_id} <= set(
        DataKeyCheck.objects.values_list("key_id", flat=True)
    )
    person = Petitioner.objects.get(pk=old.petitioner_id)
    assert (person.name, person.id_number, person.mobile) == (data["name"], data["id_number"], data["mobile"])
    # Found by hashes made under the old key: name, ID number, 查询码.
    assert Petitioner.objects.filter(name_hash__in=name_keys("柳青禾")).get().pk == person.pk
    assert [h.case.pk for h in petitioner_history(agent_cg, data["id_number"])] == [old.pk]
    assert find_by_query_code(agent_cg, "zpq-7781").pk == old.pk
    assert Case.objects.filter(query_code_hash__in=query_code_keys("ZPQ-7781")).count() == 1

    # The same person again in the same unit is the same record, found under the old hash.
    again = make_case(agent_cg, serial=5, petitioner=data)
    assert again.petitioner_id == old.petitioner_id
    # What is written now is under the new key.
    new = make_case(agent_cg, serial=6)
    assert key_of("cases_petitioner", "name", new.petitioner_id) == crypto.derive(B).id
    assert key_of("cases_case", "content", new.pk) == crypto.derive(B).id


def test_the_old_key_cannot_leave_while_values_use_it(settings, ring, make_case, agent_cg):
    A = settings.DATA_KEY
    make_case(agent_cg)
    ring(B, A)
    keys.verify_data_key()
    ring(B)
    with pytest.raises(keys.DataKeyError) as refused:
        keys.verify_data_key()
    used = keys.usage().of(crypto.derive(A).hex_id)
    assert used > 0
    assert f"{used} 项数据（含文件）使用编号为 {crypto.derive(A).hex_id} 的密钥加密" in str(refused.value)


def test_the_public_lookup_finds_a_code_hashed_under_the_old_key(settings, ring, client, make_case, agent_cg):
    from xinfang.cases.tests.test_views import submitted_case

    A = settings.DATA_KEY
    case = submitted_case(
        agent_cg, make_case, serial=3, title="路灯不亮", password="Pw-1", query_code="ZPT0003"
    )
    ring(B, A)
    response = client.post(reverse("public:track"), {"code": "ZPT0003", "last4": "5678"})
    assert case.number in response.content.decode()


def test_risk_report_names_are_encrypted_and_hashed(make_case, agent_cg):
    from xinfang.oversight.actions import file_report

    case = make_case(agent_cg, petitioner=petitioner_data(1, name="洪某涛"))
    report = file_report(
        by=agent_cg,
        kind="escalation",
        urgency="normal",
        happened_on=case.received_on,
        description="扬言去省里",
        case=case,
    )
    assert raw("oversight_riskreport", "petitioner_name", report.pk).startswith(crypto.PREFIX)
    assert "洪某涛" not in raw("oversight_riskreport", "petitioner_name", report.pk)
    assert RiskReport.objects.get(petitioner_name_hash__in=name_keys("洪某涛")).petitioner_name == "洪某涛"
