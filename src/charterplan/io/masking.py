"""Masking of personal data in everything a person reads.

ID numbers keep their first 6 (the county code) and last 4 characters
(``430123********1234``); phones keep the first 3 and last 4 (``138****5678``), as
Chinese forms print them. A value shorter than the standard length (18 for an ID
number, 11 for a mobile) shows at most a quarter of its characters at each end, so
never more than half of it. Phones lose spaces, hyphens and a ``+86`` / ``0086``
prefix before masking.
"""

from __future__ import annotations

import re

__all__ = ["looks_like_mobile", "mask_id_number", "mask_phone"]

_ID_LENGTH, _PHONE_LENGTH = 18, 11
_MOBILE = re.compile(r"1[3-9]\d{9}")


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
