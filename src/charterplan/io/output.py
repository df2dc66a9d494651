"""Writing a plan's output folder in one piece.

Everything is written into a staging folder beside the target and swapped into place
at the end (:mod:`charterplan.io.folder`), so a failure or an interrupt leaves no
half-written output behind, and a folder is replaced only when every entry in it was
written by an earlier charterplan run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from charterplan.io._files import file_name
from charterplan.io.folder import OutputFolderError, check_output_folder, claim_output_folder
from charterplan.io.manifest import write_manifests
from charterplan.io.office import write_office_files
from charterplan.io.plan_json import dump_plan
from charterplan.io.reports import write_reports
from charterplan.io.trains import write_trains
from charterplan.model import Plan, PlanRequest

__all__ = ["OutputFolderError", "check_output_folder", "default_output_folder",
           "fill_outputs", "write_outputs"]


def default_output_folder(plan_id: str) -> Path:
    """``charterplan-out/<plan_id>`` (relative), the plan id made safe as a folder name."""
    return Path("charterplan-out") / file_name(plan_id)


def fill_outputs(staging: Path, request: PlanRequest, plan: Plan,
                 run: Mapping[str, Any], *, with_contacts: bool = False) -> None:
    """Write the outputs of :func:`write_outputs` into ``staging`` (the staging folder
    of a :func:`~charterplan.io.folder.claim_output_folder`)."""
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
    hand-over lists; :mod:`charterplan.io.office`) into ``folder``, all or nothing.

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
        OutputFolderError: the folder holds files charterplan did not write, cannot
            be written, or another run is writing it (:mod:`charterplan.io.folder`).
    """
    with claim_output_folder(folder) as out:
        fill_outputs(out.staging, request, plan, run, with_contacts=with_contacts)
        return out.commit()
