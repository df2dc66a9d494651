"""ID numbers are checked by GB 11643 without the number ever appearing in a message."""

from __future__ import annotations

from datetime import date

import pytest

from charterplan.tables import CellError, parse_id_number, worker_id
from charterplan.tables.idcard import check_character

TODAY = date(2020, 2, 20)


def valid(body17: str) -> str:
    """``body17`` with its check character."""
    return body17 + check_character(body17)


def test_known_check_characters() -> None:
    """The standard's worked example (11010519491231002X) and a digit check pass."""
    assert check_character("11010519491231002") == "X"
    assert parse_id_number("11010519491231002x", TODAY).gender == "女"
    number = valid("43122919900101123")
    checked = parse_id_number(f" {number[:6]} {number[6:]} ", TODAY)
    assert (checked.number, checked.born, checked.gender) == (number, date(1990, 1, 1), "男")


@pytest.mark.parametrize(("text", "words"), [
    ("431229199001011235", "check digit is"),
    ("4312291990010112", "18 characters, not 16"),
    ("431229900101123", "old 15-digit"),
    ("43122919900101123Y", "17 digits and a digit or X"),
    (valid("43122919900231123"), "not a real date"),
    (valid("43122918890101123"), "birth year 1889"),
    (valid("43122920210101123"), "birth year 2021"),
])
def test_bad_numbers(text: str, words: str) -> None:
    """Each defect is named, and the message holds no run of 8 digits of the number."""
    with pytest.raises(CellError, match=words) as caught:
        parse_id_number(text, TODAY)
    message = str(caught.value)
    assert not any(text[i:i + 8] in message for i in range(len(text) - 7))


def test_check_digit_message_names_both() -> None:
    """The message says the expected and the written check character, as SPEC §9 shows."""
    body = "43122919900101123"
    wrong = "3" if check_character(body) != "3" else "4"
    with pytest.raises(CellError) as caught:
        parse_id_number(body + wrong, TODAY)
    assert str(caught.value) == f"check digit is {check_character(body)}, not {wrong}"


def test_worker_id_is_stable_and_hides_the_number() -> None:
    """The id of a row is the same for the same number and does not contain it."""
    number = valid("43122919900101123")
    assert worker_id(number) == worker_id(number)
    assert worker_id(number) != worker_id(valid("43122919900101125"))
    assert number not in worker_id(number) and len(worker_id(number)) == 17
