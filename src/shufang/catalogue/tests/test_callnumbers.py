from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shufang.catalogue.callnumbers import call_number_sort_key as key


def _in_order(call_numbers):
    return sorted(call_numbers, key=key) == call_numbers


def test_book_numbers_compare_numerically_after_the_class():
    assert _in_order(["I287.8/123", "I287.8/1230", "I287.81/2", "I29/1"])


def test_class_digits_compare_as_a_decimal_fraction():
    assert _in_order(["I247.5", "I247.57", "I247.7"])
    assert _in_order(["TP3", "TP31", "TP311", "TP312"])


def test_class_letters_come_first():
    assert _in_order(["A81", "B2", "I0", "T-65", "TB1", "TP3", "Z1"])


def test_auxiliaries_sort_after_the_bare_class_and_before_subdivisions():
    assert _in_order(["G623.2", "G623.2-44", "G623.21"])
    assert _in_order(["K2", "K2=4", "K20"])
    assert _in_order(["I247.5/12", "I247.5/12-2", "I247.5/12:2", "I247.5/13"])


def test_key_is_digits_only_so_every_collation_sorts_it_alike():
    assert key("I287.8/123").isdigit()
    assert key("") == ""


classes = st.builds(
    lambda letters, digits: letters + ".".join(digits[i : i + 3] for i in range(0, len(digits), 3)),
    st.sampled_from(["I", "K", "TP", "G", "D"]),
    st.text(alphabet="0123456789", min_size=1, max_size=7),
)


@given(classes, st.integers(1, 99999), st.integers(1, 99999))
def test_same_class_orders_by_book_number(cls, a, b):
    assert (key(f"{cls}/{a}") < key(f"{cls}/{b}")) == (a < b)


@given(classes, classes, st.integers(1, 999), st.integers(1, 999))
def test_class_decides_before_book_number(c1, c2, a, b):
    d1, d2 = c1.replace(".", ""), c2.replace(".", "")
    if d1 != d2:
        assert (key(f"{c1}/{a}") < key(f"{c2}/{b}")) == (d1 < d2)
