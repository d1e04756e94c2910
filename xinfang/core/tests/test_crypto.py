"""Personal data encrypted at rest (个人信息保护法 第51条): the cipher, the field, and the database file."""

from __future__ import annotations

import base64
import datetime
import os
import stat
from pathlib import Path

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.utils import timezone

from conftest import make_id_number, petitioner_data, scan_file
from xinfang.cases import actions
from xinfang.cases.models import AuthorizationMode, Case, Petitioner
from xinfang.core import crypto, files
from xinfang.reference.models import SubmissionPlatform

CONTEXT = "cases.Petitioner.id_number"


@pytest.fixture(autouse=True)
def a_data_key(settings):
    """On a fresh clone the development key is generated with the test database; the cipher tests
    that need no database may run first."""
    if not settings.DATA_KEY:
        settings.DATA_KEY = os.urandom(32)


def blob_of(token: str) -> bytes:
    assert token.startswith(crypto.PREFIX)
    return base64.urlsafe_b64decode(token[len(crypto.PREFIX) :])


def token_of(blob: bytes) -> str:
    return crypto.PREFIX + base64.urlsafe_b64encode(blob).decode()


# --- the cipher ---------------------------------------------------------------------------------


def test_aes_round_trip(settings):
    settings.DATA_CIPHER = "aes-256-gcm"
    token = crypto.encrypt_text("610927196805170016", CONTEXT)
    assert "610927196805170016" not in token
    assert blob_of(token)[0] == crypto.AES_256_GCM
    assert crypto.decrypt_text(token, CONTEXT) == "610927196805170016"


def test_sm4_round_trip(settings):
    settings.DATA_CIPHER = "sm4-gcm"
    token = crypto.encrypt_text("镇坪县城关镇文彩村三组12号", CONTEXT)
    assert blob_of(token)[0] == crypto.SM4_GCM
    assert crypto.decrypt_text(token, CONTEXT) == "镇坪县城关镇文彩村三组12号"


def test_sm4_and_aes_tokens_differ_in_cipher_not_only_in_label(settings):
    """An SM4 token relabelled as AES (or back) must not decrypt: the two really are different ciphers."""
    settings.DATA_CIPHER = "sm4-gcm"
    blob = bytearray(blob_of(crypto.encrypt_text("13912345678", CONTEXT)))
    blob[0] = crypto.AES_256_GCM
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token_of(bytes(blob)), CONTEXT)


@pytest.mark.parametrize(
    ("written_with", "read_with"), [("aes-256-gcm", "sm4-gcm"), ("sm4-gcm", "aes-256-gcm")]
)
def test_token_still_reads_after_the_cipher_setting_changes(settings, written_with, read_with):
    settings.DATA_CIPHER = written_with
    token = crypto.encrypt_text("13912345678", CONTEXT)
    settings.DATA_CIPHER = read_with
    assert crypto.decrypt_text(token, CONTEXT) == "13912345678"
    assert blob_of(crypto.encrypt_text("13912345678", CONTEXT))[0] == crypto.CIPHERS[read_with]


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_same_plain_text_gives_different_tokens(settings, cipher):
    settings.DATA_CIPHER = cipher
    tokens = {crypto.encrypt_text("13912345678", CONTEXT) for _ in range(20)}
    assert len(tokens) == 20
    nonces = {blob_of(t)[5 : 5 + crypto.NONCE_BYTES] for t in tokens}
    assert len(nonces) == 20


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_token_bound_to_one_column_does_not_decrypt_for_another(settings, cipher):
    settings.DATA_CIPHER = cipher
    token = crypto.encrypt_text("13912345678", "cases.Petitioner.mobile")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token, "cases.Petitioner.landline")


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
@pytest.mark.parametrize("where", ["nonce", "ciphertext", "tag"])
def test_tampered_token_raises(settings, cipher, where):
    settings.DATA_CIPHER = cipher
    blob = bytearray(blob_of(crypto.encrypt_text("610927196805170016", CONTEXT)))
    index = {"nonce": 5, "ciphertext": 5 + crypto.NONCE_BYTES, "tag": len(blob) - 1}[where]
    blob[index] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token_of(bytes(blob)), CONTEXT)


def test_truncated_token_raises():
    token = crypto.encrypt_text("610927196805170016", CONTEXT)
    short = token_of(blob_of(token)[:20])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(short, CONTEXT)


def test_token_with_broken_base64_raises_decryption_error():
    token = crypto.encrypt_text("610927196805170016", CONTEXT)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token[:-1], CONTEXT)


def test_plain_text_in_an_encrypted_column_raises():
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text("610927196805170016", CONTEXT)


def test_unknown_cipher_id_raises():
    blob = bytearray(blob_of(crypto.encrypt_text("13912345678", CONTEXT)))
    blob[0] = 9
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token_of(bytes(blob)), CONTEXT)


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_another_data_key_cannot_decrypt(settings, cipher):
    settings.DATA_CIPHER = cipher
    token = crypto.encrypt_text("610927196805170016", CONTEXT)
    settings.DATA_KEY = os.urandom(32)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token, CONTEXT)


def test_another_data_key_cannot_decrypt_even_with_the_key_id_copied(settings):
    """The key id is a convenience for the error message; the authentication tag is the real check."""
    token = crypto.encrypt_text("610927196805170016", CONTEXT)
    settings.DATA_KEY = os.urandom(32)
    other_id = crypto.current().id
    blob = bytearray(blob_of(token))
    blob[1:5] = other_id
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token_of(bytes(blob)), CONTEXT)


def test_lookup_hash_equal_for_equal_values_and_different_otherwise(settings):
    a = crypto.lookup_hash("id_number", "610927196805170016")
    assert a == crypto.lookup_hash("id_number", "610927196805170016")
    assert a != crypto.lookup_hash("id_number", "610927196805170024")
    assert a != crypto.lookup_hash("mobile", "610927196805170016")
    assert "610927196805170016" not in a
    assert len(a) == 64
    assert crypto.lookup_hash("id_number", "") == ""


def test_lookup_hash_is_keyed(settings):
    """Without the key, a hash of every possible ID number cannot be precomputed."""
    before = crypto.lookup_hash("mobile", "13912345678")
    settings.DATA_KEY = os.urandom(32)
    assert crypto.lookup_hash("mobile", "13912345678") != before


# --- the field ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        {"id_number": "610927196805170016"},
        {"id_number__iexact": "610927196805170016"},
        {"id_number__contains": "6109"},
        {"id_number__startswith": "6109"},
        {"id_number__in": ["610927196805170016"]},
        {"mobile": "13912345678"},
        {"address__icontains": "文彩村"},
    ],
)
def test_encrypted_field_refuses_lookups(db, lookup):
    with pytest.raises(FieldError, match="encrypted"):
        list(Petitioner.objects.filter(**lookup))


def test_encrypted_field_allows_isnull(make_case, agent_cg):
    make_case(agent_cg)
    assert Petitioner.objects.filter(landline__isnull=False).count() == 1


def test_field_reads_back_what_was_written(make_case, agent_cg):
    data = petitioner_data(11, landline="0915-8822560")
    case = make_case(agent_cg, petitioner=data)
    person = Petitioner.objects.get(pk=case.petitioner_id)
    assert (person.id_number, person.mobile, person.landline, person.address) == (
        data["id_number"],
        data["mobile"],
        data["landline"],
        data["address"],
    )


def test_rows_written_with_sm4_read_after_switching_back_to_aes(settings, make_case, agent_cg):
    settings.DATA_CIPHER = "sm4-gcm"
    data = petitioner_data(12)
    case = make_case(agent_cg, petitioner=data)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM cases_petitioner WHERE id = %s", [case.petitioner_id])
        (stored,) = cursor.fetchone()
    assert blob_of(stored)[0] == crypto.SM4_GCM
    settings.DATA_CIPHER = "aes-256-gcm"
    assert Petitioner.objects.get(pk=case.petitioner_id).id_number == data["id_number"]


def test_value_copied_into_another_column_does_not_decrypt(make_case, agent_cg):
    case = make_case(agent_cg)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_petitioner SET mobile = id_number WHERE id = %s", [case.petitioner_id])
    with pytest.raises(crypto.DecryptionError):
        Petitioner.objects.get(pk=case.petitioner_id)


# --- at rest ------------------------------------------------------------------------------------

PLATFORM_USERNAME = "lmm610927"
PLATFORM_PASSWORD = "Qz7#wanGshang-2026"
QUERY_CODE = "CX8842751903"


def submit(case: Case, agent) -> Case:
    """The real steps up to 网上提交: scope, signed authorization with its scan, then submission."""
    case = actions.accept_scope(case, by=agent)
    case = actions.record_authorization(
        case,
        by=agent,
        mode=AuthorizationMode.SIGNED,
        on=timezone.localdate(),
        scan=files.check_upload(scan_file()),
    )
    return actions.record_submission(
        case,
        by=agent,
        platform=SubmissionPlatform.objects.order_by("sort_order").first(),
        username=PLATFORM_USERNAME,
        password=PLATFORM_PASSWORD,
        query_code=QUERY_CODE,
        on=timezone.now(),
    )


def row_text(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed table names
        row = cursor.fetchone()
    assert row is not None
    return " | ".join(str(value) for value in row)


def test_petitioner_row_holds_no_plain_personal_data(make_case, agent_cg):
    data = petitioner_data(21, landline="0915-8822560", work_unit="镇坪县文彩茶叶合作社")
    case = make_case(agent_cg, petitioner=data)
    row = row_text("cases_petitioner", case.petitioner_id)
    assert data["work_unit"] in row  # the raw row is really what was read
    for value in (
        data["name"],
        data["id_number"],
        data["id_number"][-8:],
        data["mobile"],
        data["landline"],
        data["address"],
    ):
        assert value not in row
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, id_number, mobile, landline, address FROM cases_petitioner WHERE id = %s",
            [case.petitioner_id],
        )
        stored = cursor.fetchone()
    assert all(value.startswith(crypto.PREFIX) for value in stored)


def test_case_row_holds_no_plain_platform_password_or_query_code(settings, tmp_path, make_case, agent_cg):
    settings.PRIVATE_FILES_DIR = tmp_path
    case = submit(make_case(agent_cg), agent_cg)
    assert case.status == "submitted"
    row = row_text("cases_case", case.pk)
    assert case.number in row
    for value in (PLATFORM_PASSWORD, QUERY_CODE, PLATFORM_USERNAME, "排水沟被堵塞"):
        assert value not in row
    reloaded = Case.objects.get(pk=case.pk)
    assert (reloaded.platform_password, reloaded.query_code) == (PLATFORM_PASSWORD, QUERY_CODE)
    assert reloaded.query_code_hash == crypto.lookup_hash("query_code", QUERY_CODE)


def encodings(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("utf-16-be")]


@pytest.mark.django_db(transaction=True)
def test_database_file_holds_no_plain_personal_data(settings, tmp_path, make_case, agent_cg):
    """What a stolen disk or backup shows: the committed SQLite file and its write-ahead log."""
    if connection.vendor != "sqlite":
        pytest.skip("greps the SQLite database file")
    settings.PRIVATE_FILES_DIR = tmp_path
    # Values that appear nowhere else, so a hit can only come from this test's rows.
    data = petitioner_data(
        731,
        name="柏蕴泽",
        id_number=make_id_number(731, datetime.date(1983, 2, 14)),
        mobile="13687204519",
        address="镇坪县曾家镇双坪村七组45号",
    )
    case = submit(make_case(agent_cg, petitioner=data), agent_cg)
    assert not connection.in_atomic_block  # committed, so on disk

    # settings.DATABASES[...]["TEST"]["NAME"], as pytest-django may have suffixed it.
    path = Path(connection.settings_dict["NAME"])
    content = path.read_bytes()
    wal = Path(f"{path}-wal")
    if wal.exists():
        content += wal.read_bytes()
    assert any(e in content for e in encodings(case.number)), "the plain case number should be on disk"

    secrets = (
        data["name"],
        data["id_number"],
        data["mobile"],
        data["address"],
        PLATFORM_PASSWORD,
        QUERY_CODE,
    )
    found = [value for value in secrets if any(e in content for e in encodings(value))]
    assert not found, "in plain text in the database file"


def test_the_database_file_and_its_folder_are_the_platform_users_alone(db, settings):
    if connection.vendor != "sqlite":
        pytest.skip("a file only with SQLite")
    connection.ensure_connection()
    path = Path(connection.settings_dict["NAME"])
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    for folder in (settings.DATA_DIR, settings.DATA_DIR / "files"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
