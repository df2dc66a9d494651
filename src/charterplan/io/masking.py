"""Masking of personal data in everything a person reads.

ID numbers keep their first 6 (the county code) and last 4 characters
(``430123********1234``); phones keep the first 3 and last 4 (``138****5678``), as
Chinese forms print them. A value too short to hide at least 4 characters that way
shows only a quarter of its characters at each end.
"""

from __future__ import annotations

__all__ = ["mask_id_number", "mask_phone"]


def _mask(value: str, head: int, tail: int) -> str:
    text = value.strip()
    if len(text) < head + tail + 4:
        head = tail = len(text) // 4
    hidden = len(text) - head - tail
    return text[:head] + "*" * hidden + (text[len(text) - tail:] if tail else "")


def mask_id_number(value: str | None) -> str:
    """``430123199001011234`` → ``430123********1234``; empty for None."""
    return "" if not value else _mask(value, 6, 4)


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; empty for None."""
    return "" if not value else _mask(value, 3, 4)
