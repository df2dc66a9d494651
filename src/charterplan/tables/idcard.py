"""Resident ID numbers (居民身份证号码, GB 11643-1999): check digit, birth date, gender.

An ID number has 18 characters: a 6-digit region code, the birth date ``YYYYMMDD``,
a 3-digit sequence whose last digit is odd for men and even for women, and a check
character (``0``–``9`` or ``X``) computed from the first 17 digits (ISO 7064 MOD 11-2).
Messages never repeat the number: an error message is something a person reads.
"""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass
from datetime import date

from charterplan.tables.problems import CellError

__all__ = ["IdNumber", "check_character", "parse_id_number", "worker_id"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FIRST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class IdNumber:
    """A valid ID number with what it says: the birth date and the gender (男 / 女)."""

    number: str
    born: date
    gender: str


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    return _CHECK[sum(map(operator.mul, map(int, first17), _WEIGHTS)) % 11]


def parse_id_number(text: str, today: date) -> IdNumber:
    """``text`` as an ID number, checked; ``x`` is read as ``X``, spaces dropped.

    Args:
        text: the number as written.
        today: births after this day are refused.

    Raises:
        CellError: the length, a character, the birth date or the check character is
            wrong; the message says which without repeating the number.
    """
    number = "".join(text.split()).upper()
    if len(number) == 15 and number.isdigit():
        raise CellError("an old 15-digit ID number; give the 18-digit one")
    if len(number) != 18:
        raise CellError(f"an ID number has 18 characters, not {len(number)}")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise CellError("an ID number is 17 digits and a digit or X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CellError("its birth date (characters 7-14) is not a real date") from None
    if not _FIRST_BIRTH <= born <= today:
        raise CellError(f"its birth year {born.year} is not possible")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise CellError(f"check digit is {expected}, not {number[17]}")
    return IdNumber(number, born, "男" if int(number[16]) % 2 else "女")


def worker_id(number: str) -> str:
    """The worker id of a registry row with a valid ID number: ``P`` and 16 hex digits
    of its BLAKE2b digest.

    Stable across imports (the same person keeps their id from day to day), unique in
    practice (64 bits), and not the number itself, which would otherwise appear in
    every plan, manifest and report as the worker's id.
    """
    return "P" + hashlib.blake2b(number.encode("ascii"), digest_size=8).hexdigest()
