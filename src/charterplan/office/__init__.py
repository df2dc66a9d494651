"""Files for the county office and the receiving side: the plan as a workbook
(``plan.xlsx``), printable manifests (``manifests.pdf``), figures (``figures/*.png``),
hand-over lists per destination city (``handover/<city>.xlsx`` and ``.pdf``) and, only
when asked, contact sheets with full phones (``contacts/<staff id>.csv``, mode 0600).

The planner never imports this package; ``charterplan.io.output`` calls
:func:`write_office_files` while it fills an output folder. See ``docs/outputs.md``.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from charterplan.model import Plan, PlanRequest

__all__ = ["write_office_files"]


def write_office_files(request: PlanRequest, plan: Plan, folder: str | PathLike[str], *,
                       with_contacts: bool = False) -> list[Path]:
    """Write the office files of ``plan`` into ``folder``; return the paths written.

    Without ``with_contacts`` no file holds a full phone or ID number. With it, the
    hand-over lists show the escorts', medics', riders' and employers' phones in full and
    ``contacts/`` is written (mode 0600); ID numbers stay masked everywhere.
    """
    from charterplan.office._content import arrivals, manifest_sections, request_roster
    from charterplan.office._pdf import render
    from charterplan.office.contacts import write_contacts
    from charterplan.office.figures import write_figures
    from charterplan.office.handover import handover_documents, write_handover_workbooks
    from charterplan.office.workbook import write_plan_workbook

    root = Path(folder)
    roster = request_roster(request, plan)
    riders = arrivals(roster, plan)
    written = [write_plan_workbook(request, plan, root, roster)]
    documents = {root / "manifests.pdf": manifest_sections(roster, plan)}
    documents.update(handover_documents(roster, plan, riders, root, with_contacts))
    written += render(documents, f"乘车名单 {plan.plan_id}")
    written += write_handover_workbooks(roster, plan, riders, root, with_contacts)
    written += write_figures(request, plan, root, roster)
    if with_contacts:
        written += write_contacts(roster, plan, root)
    return written
