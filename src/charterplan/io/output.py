"""Writing a plan's output folder in one piece.

Everything is written into a fresh folder beside the target and renamed into place at
the end, so a failure leaves no half-written output behind. An existing target is
replaced only when it is empty or an earlier output (it holds ``plan.json``).
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.errors import CharterplanError
from charterplan.io._files import file_name
from charterplan.io.manifest import write_manifests
from charterplan.io.plan_json import dump_plan
from charterplan.io.reports import write_reports
from charterplan.io.trains import write_trains
from charterplan.model import Plan, PlanRequest
from charterplan.office import write_office_files

__all__ = ["OutputFolderError", "check_output_folder", "default_output_folder",
           "write_outputs"]


class OutputFolderError(CharterplanError, ValueError):
    """The output folder cannot be used: it is a file, or a folder of other things."""


def default_output_folder(plan_id: str) -> Path:
    """``charterplan-out/<plan_id>`` (relative), the plan id made safe as a folder name."""
    return Path("charterplan-out") / file_name(plan_id)


def check_output_folder(folder: str | PathLike[str]) -> Path:
    """Return ``folder`` as a path if :func:`write_outputs` may fill or replace it.

    Raises:
        OutputFolderError: it is a file, or a non-empty folder without ``plan.json``.
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise OutputFolderError(f"output folder {str(target)!r} is a file")
    if target.is_dir() and any(target.iterdir()) and not (target / "plan.json").is_file():
        raise OutputFolderError(
            f"output folder {str(target)!r} is not empty and holds no earlier plan.json; "
            "choose another --out folder")
    return target


def _fill(staging: Path, request: PlanRequest, plan: Plan, run: Mapping[str, Any],
          with_contacts: bool = False) -> None:
    (staging / "plan.json").write_text(dump_plan(plan), encoding="utf-8", newline="")
    (staging / "run.json").write_text(
        json.dumps(dict(run), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_manifests(request, plan, staging)
    write_trains(request, plan, staging)
    write_reports(request, plan, staging)
    write_office_files(request, plan, staging, with_contacts=with_contacts)


def write_outputs(request: PlanRequest, plan: Plan, folder: str | PathLike[str],
                  run: Mapping[str, Any], *, with_contacts: bool = False) -> Path:
    """Write plan.json, run.json, manifests, train manifests (if the plan uses a rail
    service), reports and the office files (plan.xlsx, manifests.pdf, figures,
    hand-over lists; :mod:`charterplan.office`) into ``folder``, all or nothing.

    Args:
        request: the request the plan answers (names and contacts for the manifests).
        plan: the plan.
        folder: the output folder; replaced only once the new one is complete.
        run: facts of this run for ``run.json`` (timings, versions), not part of the plan.
        with_contacts: also write ``contacts/`` with full phones (mode 0600), and show
            phones in full in the hand-over lists.

    Returns:
        The folder's path.

    Raises:
        OutputFolderError: see :func:`check_output_folder`.
    """
    target = check_output_folder(folder).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    staging = target.with_name(f".{target.name}.{token}.partial")
    staging.mkdir()
    try:
        _fill(staging, request, plan, run, with_contacts)
        _swap(staging, target, target.with_name(f".{target.name}.{token}.old"))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Path(folder)


def _swap(staging: Path, target: Path, old: Path) -> None:
    """Rename ``staging`` to ``target``, replacing an existing ``target``."""
    if not target.exists():
        staging.rename(target)
        return
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
