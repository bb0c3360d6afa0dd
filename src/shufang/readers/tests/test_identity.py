"""ID numbers, masking and age bands (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from shufang.core.exceptions import ValidationFailed
from shufang.readers.identity import (
    age_band,
    birth_date_from_id_number,
    decrypt_id_number,
    encrypt_id_number,
    id_number_lookup_hash,
    mask_id_number,
    mask_name,
    reencrypt_id_number,
    validate_id_number,
)

# The published GB 11643 example, with its X check character.
EXAMPLE = "11010519491231002X"


def test_a_valid_id_number_is_returned_normalised():
    assert validate_id_number(" 11010519491231002x ") == EXAMPLE


def test_the_birth_date_comes_from_positions_7_to_14():
    assert birth_date_from_id_number(EXAMPLE) == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "check character"),  # last char changed
        ("11010519491231002", "18 characters"),
        ("1101051949123100XX", "17 digits"),
        ("110105194902300028", "not a real date"),  # 30 February
    ],
)
def test_an_invalid_id_number_is_refused_with_a_clear_reason(value, reason):
    with pytest.raises(ValidationFailed) as caught:
        validate_id_number(value)
    assert reason in str(caught.value.message)
    assert caught.value.details == {"field": "id_number"}


def test_a_single_changed_digit_is_caught_by_the_check_character():
    # Every one-digit typing error in the first 17 positions changes the check character.
    for position in range(17):
        digit = EXAMPLE[position]
        wrong = str((int(digit) + 1) % 10)
        typo = EXAMPLE[:position] + wrong + EXAMPLE[position + 1 :]
        with pytest.raises(ValidationFailed):
            validate_id_number(typo)


def test_masking_shows_the_first_four_and_last_four():
    assert mask_id_number("530102199001011234") == "5301**********1234"


@pytest.mark.parametrize(
    ("name", "masked"), [("张博涵", "张*涵"), ("王锋", "王*"), ("欧阳娜娜", "欧**娜"), ("李", "李")]
)
def test_masking_names(name, masked):
    assert mask_name(name) == masked


def test_encryption_round_trips_and_is_not_the_clear_number():
    token = encrypt_id_number(EXAMPLE)
    assert EXAMPLE not in token
    assert decrypt_id_number(token) == EXAMPLE


def test_key_rotation_keeps_old_tokens_readable():
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(ID_ENCRYPTION_KEYS=old_key):
        token = encrypt_id_number(EXAMPLE)
    with override_settings(ID_ENCRYPTION_KEYS=f"{new_key},{old_key}"):
        assert decrypt_id_number(token) == EXAMPLE
        rotated = reencrypt_id_number(token)
    with override_settings(ID_ENCRYPTION_KEYS=new_key):
        assert decrypt_id_number(rotated) == EXAMPLE
        with pytest.raises(ValidationFailed):
            decrypt_id_number(token)


def test_lookup_hash_is_stable_and_keyed():
    assert id_number_lookup_hash(EXAMPLE) == id_number_lookup_hash(EXAMPLE.lower())
    with override_settings(ID_HASH_KEY="another key"):
        keyed = id_number_lookup_hash(EXAMPLE)
    assert keyed != id_number_lookup_hash(EXAMPLE)


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (dt.date(2014, 1, 2), "0-6"),  # 6 the day before the 7th birthday
        (dt.date(2014, 1, 1), "7-13"),
        (dt.date(2007, 1, 1), "14-17"),
        (dt.date(2003, 1, 2), "14-17"),
        (dt.date(2003, 1, 1), "18-59"),
        (dt.date(1961, 1, 2), "18-59"),
        (dt.date(1961, 1, 1), "60+"),
        (None, "unknown"),
        (dt.date(2022, 1, 1), "unknown"),  # not yet born
    ],
)
def test_age_bands_on_1_january_2021(birth, band):
    assert age_band(birth, dt.date(2021, 1, 1)) == band


@given(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 999))
def test_any_number_built_with_its_check_character_is_valid(birth, sequence):
    from shufang.readers.tests.conftest import make_id_number

    number = make_id_number(f"530102{birth:%Y%m%d}{sequence:03d}")
    assert validate_id_number(number) == number
    assert birth_date_from_id_number(number) == birth
