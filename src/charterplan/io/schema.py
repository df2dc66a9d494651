"""The JSON Schemas of the request and the plan, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from charterplan.model import Plan, PlanRequest

__all__ = ["dump_schema", "json_schemas"]


def json_schemas() -> dict[str, dict[str, Any]]:
    """``{"request": <schema of the input>, "plan": <schema of plan.json>}``."""
    return {"request": PlanRequest.model_json_schema(),
            "plan": Plan.model_json_schema(mode="serialization")}


def dump_schema(schema: dict[str, Any]) -> str:
    """A schema as stable JSON text: sorted keys, one-space indent, final newline."""
    return json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
