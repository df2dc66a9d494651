"""Files for the county office and the receiving side: the plan as a workbook
(``plan.xlsx``), printable manifests (``manifests.pdf``), figures (``figures/*.png``),
hand-over lists per destination city (``handover/<city>.xlsx`` and ``.pdf``) and, only
when asked, contact sheets with full phones (``contacts/<staff id>.csv``, mode 0600).

The planner never imports this package; ``charterplan.io.output`` calls
:func:`write_office_files` while it fills an output folder. See ``docs/outputs.md``.
"""

from __future__ import annotations

import gc
import os
from os import PathLike
from pathlib import Path

from charterplan.io._roster import Roster
from charterplan.io.office._content import arrivals
from charterplan.model import Plan, PlanRequest

__all__ = ["write_office_files"]


def write_office_files(request: PlanRequest, plan: Plan, folder: str | PathLike[str], *,
                       with_contacts: bool = False) -> list[Path]:
    """Write the office files of ``plan`` into ``folder``; return the paths written.

    Without ``with_contacts`` no file holds a full phone or ID number. With it, the
    hand-over lists show the escorts', medics', riders' and employers' phones in full and
    ``contacts/`` is written (mode 0600); ID numbers stay masked everywhere.

    On a machine with more than one core the PDFs, the figures and the workbooks are
    written by three worker processes at once (``charterplan.parallel``'s, which never
    outlive the run); the files are the same either way.
    """
    root = Path(folder)
    tasks = [(kind, request, plan, root, with_contacts)
             for kind in ("pdfs", "figures", "workbooks")]
    if (os.cpu_count() or 1) > 1:
        from charterplan.parallel import process_runner

        # the workers share this process's objects (the planner's among them) until
        # they write to them: frozen, their garbage collector leaves them alone instead
        # of copying every page it walks (0.3-0.4 s of CPU on the sample)
        gc.freeze()
        try:
            done = list(process_runner(len(tasks))(_write, tasks))
        finally:
            gc.unfreeze()
    else:
        done = [_write(task) for task in tasks]
    return [path for paths in done for path in paths]


def _write(task: tuple[str, PlanRequest, Plan, Path, bool]) -> list[Path]:
    """Write one kind of office file: ``pdfs``, ``figures`` or ``workbooks`` (and the
    contact sheets)."""
    kind, request, plan, root, with_contacts = task
    roster = Roster(request, plan.trips)
    if kind == "pdfs":
        from charterplan.io.office._content import manifest_sections
        from charterplan.io.office._pdf import render
        from charterplan.io.office.handover import handover_documents

        documents = {root / "manifests.pdf": manifest_sections(roster, plan)}
        documents.update(handover_documents(roster, plan, arrivals(roster, plan), root,
                                            with_contacts))
        return render(documents, f"乘车名单 {plan.plan_id}")
    if kind == "figures":
        from charterplan.io.office.figures import write_figures

        return write_figures(request, plan, root, roster)
    from charterplan.io.office.contacts import write_contacts
    from charterplan.io.office.handover import write_handover_workbooks
    from charterplan.io.office.workbook import write_plan_workbook

    written = [write_plan_workbook(request, plan, root, roster)]
    written += write_handover_workbooks(roster, plan, arrivals(roster, plan), root,
                                        with_contacts)
    if with_contacts:
        written += write_contacts(roster, plan, root)
    return written
