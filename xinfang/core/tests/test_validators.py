"""What people type: ID numbers (GB 11643-1999), mobiles and landlines.

Check digits worked by hand (ISO 7064 MOD 11-2). Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2,
remainder → check character through "10X98765432":

    11010519491231002?  (the standard's own example)
      1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3
      + 1·7 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4 + 2·2 = 167;  167 mod 11 = 2  →  X

    11010519491231003?  (17th digit 2 → 3: the sum grows by one weight, 2)
      169 mod 11 = 4  →  8

    61092719680517001?  (a Zhenping number, as conftest.make_id_number builds it)
      6·7 + 1·9 + 0·10 + 9·5 + 2·8 + 7·4 + 1·2 + 9·1 + 6·6 + 8·3
      + 0·7 + 5·9 + 1·10 + 7·5 + 0·8 + 0·4 + 1·2 = 303;  303 mod 11 = 6  →  6
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from xinfang.core.validators import (
    id_check_digit,
    validate_id_number,
    validate_landline,
    validate_mobile,
)


def message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# --- 身份证号 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [("11010519491231002", "X"), ("11010519491231003", "8"), ("61092719680517001", "6")],
)
def test_check_digit_matches_hand_computation(first17, expected):
    assert id_check_digit(first17) == expected


def test_check_digit_remainder_zero_gives_one():
    # Only the 1st digit (weight 7) and the 17th (weight 2) are set: 1·7 + 2·2 = 11; 11 mod 11 = 0 → 1.
    assert id_check_digit("10000000000000002") == "1"


def test_standard_example_is_valid():
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_zhenping_number_is_valid():
    assert validate_id_number("610927196805170016") == "610927196805170016"


def test_lower_case_x_is_accepted_and_normalized():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


def test_spaces_are_removed():
    assert validate_id_number(" 110105 19491231 002X ") == "11010519491231002X"


def test_one_flipped_digit_is_refused_and_the_message_names_the_right_last_character():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("11010519491231003X")
    assert exc.value.error_list[0].code == "id_check"
    assert "最后一位应为 8" in message(exc)


def test_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("110105194912310021")
    assert "最后一位应为 X" in message(exc)


def test_two_swapped_digits_are_caught():
    # Positions 16 and 17 swapped (0,2 → 2,0): 167 - 0·4 - 2·2 + 2·4 + 0·2 = 171; 171 mod 11 = 6 → 6.
    with pytest.raises(ValidationError) as exc:
        validate_id_number("11010519491231020X")
    assert "最后一位应为 6" in message(exc)


@pytest.mark.parametrize(("value", "length"), [("11010519491231002", 17), ("11010519491231002X1", 19)])
def test_wrong_length_says_how_many_characters_were_typed(value, length):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.error_list[0].code == "id_length"
    assert "应为18位" in message(exc)
    assert f"现为{length}位" in message(exc)


def test_letters_inside_are_refused():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("1101051949123100AX")
    assert exc.value.error_list[0].code == "id_chars"


def test_x_only_allowed_last():
    with pytest.raises(ValidationError) as exc:
        validate_id_number("1101051949123100X2")
    assert exc.value.error_list[0].code == "id_chars"


def test_impossible_birth_date_is_refused_even_with_a_right_check_digit():
    first17 = "11010519490231002"  # 31 February 1949
    with pytest.raises(ValidationError) as exc:
        validate_id_number(first17 + id_check_digit(first17))
    assert exc.value.error_list[0].code == "id_birth"
    assert "19490231" in message(exc)


def test_birth_date_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}002"
    with pytest.raises(ValidationError) as exc:
        validate_id_number(first17 + id_check_digit(first17))
    assert exc.value.error_list[0].code == "id_birth"


def test_birth_year_before_1900_is_refused():
    first17 = "11010518991231002"
    with pytest.raises(ValidationError) as exc:
        validate_id_number(first17 + id_check_digit(first17))
    assert exc.value.error_list[0].code == "id_birth"


# --- 手机号码 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["13912345678", "+8613912345678", "+86 139 1234 5678", "139-1234-5678", " 13912345678 "]
)
def test_mobile_is_normalized_to_11_digits(value):
    assert validate_mobile(value) == "13912345678"


@pytest.mark.parametrize(
    "value", ["1391234567", "139123456789", "23912345678", "09158822560", "139abcd5678", ""]
)
def test_mobile_not_11_digits_starting_with_1_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert exc.value.error_list[0].code == "mobile_format"
    assert "11位" in message(exc)


@pytest.mark.parametrize("value", ["12345678901", "10012345678"])
def test_mobile_with_an_unassigned_prefix_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert exc.value.error_list[0].code == "mobile_invalid"
    assert value in message(exc)


# --- 固定电话 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0915-8822560", "09158822560", "0915 882 2560", "(0915)8822560", "（0915）8822560"]
)
def test_landline_is_normalized_with_a_dash_after_the_area_code(value):
    assert validate_landline(value) == "0915-8822560"


def test_landline_with_a_three_digit_area_code():
    assert validate_landline("010 1234 5678") == "010-12345678"


@pytest.mark.parametrize("value", ["8822560", "88225601"])
def test_landline_without_area_code_is_refused_with_an_example(value):
    with pytest.raises(ValidationError) as exc:
        validate_landline(value)
    assert exc.value.error_list[0].code == "landline_area"
    assert "区号" in message(exc)
    assert "0915-8822560" in message(exc)


def test_mobile_typed_as_landline_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_landline("13912345678")
    assert exc.value.error_list[0].code == "landline_format"


def test_landline_of_wrong_length_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_landline("0915-882256")
    assert exc.value.error_list[0].code == "landline_invalid"
