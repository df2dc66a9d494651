"""Masking of ID numbers and phones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charterplan.io.masking import looks_like_mobile, mask_id_number, mask_phone


def test_id_number_keeps_county_code_and_last_four() -> None:
    """An 18-character ID number shows its first 6 and last 4 characters."""
    assert mask_id_number("430123199001011234") == "430123********1234"
    assert mask_id_number(" 43012319900101123X ") == "430123********123X"


def test_phone_keeps_first_three_and_last_four() -> None:
    """A mobile shows 3 + 4 digits, also when written with +86, spaces or hyphens."""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("0086 13812345678") == "138****5678"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_values_mask_to_empty(value: str | None) -> None:
    """No value, no text."""
    assert mask_id_number(value) == ""
    assert mask_phone(value) == ""


def test_short_values_show_at_most_half() -> None:
    """An old 15-digit ID or a local landline number shows at most half its characters."""
    assert mask_id_number("430123900101123") == "430*********123"
    assert mask_phone("88886666") == "88****66"
    assert mask_phone("1") == "*"


def _shown(masked: str) -> int:
    return sum(1 for c in masked if c != "*")


@given(st.text(alphabet="0123456789X", max_size=40))
def test_id_masking_never_shows_more_than_the_standard(value: str) -> None:
    """Any ID text keeps its length and shows at most 10 characters, and under 18 at most half."""
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert _shown(masked) <= (10 if len(value) >= 18 else len(value) // 2)


@given(st.text(alphabet="0123456789", max_size=30))
def test_phone_masking_never_shows_more_than_the_standard(value: str) -> None:
    """Any phone shows at most 7 digits, and under 11 digits at most half of them."""
    masked = mask_phone(value)
    assert _shown(masked) <= (7 if len(masked) >= 11 else len(masked) // 2)


def test_mobile_recognition() -> None:
    """Mainland mobiles are recognised, landlines and short numbers are not."""
    assert looks_like_mobile("139 0000 1111")
    assert looks_like_mobile("+8613900001111")
    assert not looks_like_mobile("0731-88886666")
    assert not looks_like_mobile("12345")
    assert not looks_like_mobile(None)
