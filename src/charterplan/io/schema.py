"""The JSON Schemas of the request and the plan, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from charterplan.model import Plan, PlanRequest

__all__ = ["dump_schema", "is_schema_file", "json_schemas", "schema_files"]


def json_schemas() -> dict[str, dict[str, Any]]:
    """``{"request": <schema of the input>, "plan": <schema of plan.json>}``."""
    return {"request": PlanRequest.model_json_schema(),
            "plan": Plan.model_json_schema(mode="serialization")}


def dump_schema(schema: dict[str, Any]) -> str:
    """A schema as stable JSON text: sorted keys, one-space indent, final newline."""
    return json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def schema_files() -> dict[str, str]:
    """The files ``schema --out`` writes: ``{"request.schema.json": text, …}``."""
    return {f"{name}.schema.json": dump_schema(schema)
            for name, schema in json_schemas().items()}


def is_schema_file(path: Path) -> bool:
    """Whether ``path`` holds a schema ``schema --out`` wrote (this or an earlier
    version): a JSON object titled as the model it is named after, with the
    ``properties`` and ``$defs`` the models' schemas have. Such a file may be replaced
    by the current schema; anything else is a person's file."""
    titles = {f"{name}.schema.json": schema["title"] for name, schema in json_schemas().items()}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(data, dict) and path.name in titles
            and data.get("title") == titles[path.name]
            and isinstance(data.get("properties"), dict) and isinstance(data.get("$defs"), dict))
