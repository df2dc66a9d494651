"""Writing a plan's output folder in one piece.

Everything is written into a fresh folder beside the target and renamed into place at
the end, so a failure leaves no half-written output behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.io.manifest import manifest_csv, manifests_html, table_csv, unassigned_csv
from charterplan.io.plan_json import dump_plan
from charterplan.model import Plan, PlanRequest

__all__ = ["write_outputs"]


def _files(request: PlanRequest, plan: Plan, run: Mapping[str, Any]) -> dict[str, str]:
    files = {
        "plan.json": dump_plan(plan),
        "run.json": json.dumps(dict(run), ensure_ascii=False, indent=1) + "\n",
        "manifests.html": manifests_html(request, plan),
        "unassigned.csv": unassigned_csv(request, plan),
    }
    for trip in plan.trips:
        files[f"manifests/{trip.id}.csv"] = manifest_csv(request, trip)
    for name, table in plan.summary.tables.items():
        files[f"reports/{name}.csv"] = table_csv(table)
    return files


def write_outputs(request: PlanRequest, plan: Plan, folder: str | PathLike[str],
                  run: Mapping[str, Any]) -> Path:
    """Write plan.json, run.json, manifests and reports into ``folder``.

    An existing ``folder`` is replaced only once the new one is complete. Returns the
    folder's path.
    """
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, text in _files(request, plan, run).items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
