"""Errors of campaign commands: bad input or a ledger that cannot be used (exit 2)."""

from __future__ import annotations

from charterplan.errors import CharterplanError

__all__ = ["CampaignError", "LedgerBusyError"]


class CampaignError(CharterplanError, ValueError):
    """A campaign command refused: bad input, an unknown worker or trip, a ledger that
    is missing or of another schema revision. Nothing was recorded."""


class LedgerBusyError(CampaignError):
    """Another command held the ledger's write lock for longer than the busy timeout."""
