"""Files for the county office and the receiving side: the plan as a workbook
(``plan.xlsx``), printable manifests (``manifests.pdf``), figures (``figures/*.png``),
hand-over lists per destination city (``handover/<city>.xlsx`` and ``.pdf``) and, only
when asked, contact sheets with full phones (``contacts/<staff id>.csv``, mode 0600).

The planner never imports this package; ``charterplan.io.output`` calls
:func:`write_office_files` while it fills an output folder. See ``docs/outputs.md``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from os import PathLike
from pathlib import Path

from charterplan.io._roster import Roster
from charterplan.model import Plan, PlanRequest
from charterplan.office._content import arrivals

__all__ = ["write_office_files"]


def write_office_files(request: PlanRequest, plan: Plan, folder: str | PathLike[str], *,
                       with_contacts: bool = False) -> list[Path]:
    """Write the office files of ``plan`` into ``folder``; return the paths written.

    Without ``with_contacts`` no file holds a full phone or ID number. With it, the
    hand-over lists show the escorts', medics', riders' and employers' phones in full and
    ``contacts/`` is written (mode 0600); ID numbers stay masked everywhere.

    On a machine with more than one core the PDFs and the figures are drawn in two
    forked processes while this one writes the workbooks (the files are the same).
    """
    from charterplan.office.contacts import write_contacts
    from charterplan.office.handover import write_handover_workbooks
    from charterplan.office.workbook import write_plan_workbook

    root = Path(folder)
    roster = Roster(request, plan.trips)
    side: list[tuple[Callable[..., list[Path]], tuple[object, ...]]] = [
        (_pdfs, (request, plan, root, with_contacts)), (_figures, (request, plan, root))]
    with _Pool(len(side)) as pool:
        futures = [pool.submit(fn, *args) for fn, args in side]
        written = [write_plan_workbook(request, plan, root, roster)]
        written += write_handover_workbooks(roster, plan, arrivals(roster, plan), root,
                                            with_contacts)
        if with_contacts:
            written += write_contacts(roster, plan, root)
        for future in futures:
            written += future.result()
    return written


def _pdfs(request: PlanRequest, plan: Plan, root: Path, with_contacts: bool) -> list[Path]:
    """Write manifests.pdf and handover/<city>.pdf."""
    from charterplan.office._content import manifest_sections
    from charterplan.office._pdf import render
    from charterplan.office.handover import handover_documents

    roster = Roster(request, plan.trips)
    documents = {root / "manifests.pdf": manifest_sections(roster, plan)}
    documents.update(handover_documents(roster, plan, arrivals(roster, plan), root,
                                        with_contacts))
    return render(documents, f"乘车名单 {plan.plan_id}")


def _figures(request: PlanRequest, plan: Plan, root: Path) -> list[Path]:
    from charterplan.office.figures import write_figures

    return write_figures(request, plan, root)


class _Pool:
    """Forked worker processes where the machine has cores to spare and fork exists,
    else running each task at once in this process."""

    def __init__(self, tasks: int) -> None:
        self.pool: Executor | None = None
        if (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = ProcessPoolExecutor(tasks, mp_context=multiprocessing.get_context("fork"))

    def submit(self, fn: Callable[..., list[Path]], *args: object) -> Future[list[Path]]:
        if self.pool is not None:
            return self.pool.submit(fn, *args)
        done: Future[list[Path]] = Future()
        done.set_result(fn(*args))
        return done

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
