"""Masking of personal data in everything a person reads.

ID numbers keep their first 6 (the county code) and last 4 characters
(``430123********1234``); phones keep the first 3 and last 4 (``138****5678``), as
Chinese forms print them. A value shorter than the standard length (18 for an ID
number, 11 for a mobile) shows at most a quarter of its characters at each end, so
never more than half of it. Phones lose spaces, hyphens and a ``+86`` / ``0086``
prefix before masking. :func:`mask_text` masks every such number wherever it sits in a
free text (an error message, a contact note).
"""

from __future__ import annotations

import re

__all__ = ["looks_like_mobile", "mask_id_number", "mask_phone", "mask_text"]

_ID_LENGTH, _PHONE_LENGTH = 18, 11
_MOBILE = re.compile(r"1[3-9]\d{9}")
# In free text: a mobile written with spaces or hyphens (and maybe +86), or any run of
# 7 or more digits (an ID number, maybe ending in X; a mobile; a landline): numbers that
# short are never personal, and a count or a cost that long loses nothing a reader needs.
_IN_TEXT = re.compile(
    r"(?<![\dA-Za-z])(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)"
    r"|(?<!\d)\d{7,}(?:[Xx](?![A-Za-z]))?")


def _mask(text: str, head: int, tail: int, standard: int) -> str:
    if len(text) < standard:
        head = tail = len(text) // 4
    hidden = len(text) - head - tail
    return text[:head] + "*" * hidden + text[len(text) - tail:]


def _normal_phone(value: str) -> str:
    text = re.sub(r"[\s\-()]", "", value)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix) and len(text) > len(prefix) + 4:
            return text[len(prefix):]
    return text


def looks_like_mobile(value: str | None) -> bool:
    """True when ``value`` is a mainland mobile number (11 digits starting 13–19)."""
    return bool(value) and _MOBILE.fullmatch(_normal_phone(value or "")) is not None


def mask_id_number(value: str | None) -> str:
    """``430123199001011234`` → ``430123********1234``; empty for None or blank.

    A shorter value (an old 15-digit number, a typo) shows at most half its characters.
    """
    text = (value or "").strip()
    return _mask(text, 6, 4, _ID_LENGTH) if text else ""


def mask_phone(value: str | None) -> str:
    """``138 1234 5678`` → ``138****5678``; empty for None or blank.

    A shorter value (a local landline number) shows at most half its characters.
    """
    text = _normal_phone((value or "").strip())
    return _mask(text, 3, 4, _PHONE_LENGTH) if text else ""


def mask_text(text: str) -> str:
    """``text`` with every ID number or phone in it masked, wherever it sits:
    ``'13712345604（王经理）'`` → ``'137****5604（王经理）'``.

    Any run of 7 or more digits is masked (as an ID number from 15 digits on, else as a
    phone), and so is a mobile written with spaces, hyphens or a +86 prefix.
    """
    def masked(match: re.Match[str]) -> str:
        number = match.group()
        digits = re.sub(r"[^\dXx]", "", number)
        if len(digits) >= 15:
            return mask_id_number(digits)
        return mask_phone(number)

    return _IN_TEXT.sub(masked, text)
