"""The request's identity: a digest of its canonical form, which every plan records."""

from __future__ import annotations

import hashlib
import json

from charterplan.model.request import PlanRequest

__all__ = ["request_digest"]


def request_digest(request: PlanRequest) -> str:
    """SHA-256 of the canonical request: its validated JSON with sorted keys."""
    canonical = json.dumps(
        request.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
