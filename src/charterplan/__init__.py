"""charterplan: plans point-to-point charter transport of migrant workers.

A county registers workers; charterplan groups those who leave at similar times for
nearby employers, assigns them to buses with OR-Tools, staffs every bus with an escort
officer and a medic, and returns a plan with manifests, convoys and a staggered
timetable. ``plan(request)`` is the whole job; nothing in the library prints. Read a
request (:func:`read_request`, or :func:`parse_request` for data already loaded), plan
it, check the plan against the rules (:func:`check_plan`), write the files
(:func:`write_outputs`) and read a written plan back (:func:`read_plan`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from charterplan._version import __version__
from charterplan.check import Violation, check_plan
from charterplan.errors import CharterplanError, Problem, RequestError, SolverError
from charterplan.io import parse_request, read_request
from charterplan.io.output import write_outputs
from charterplan.io.plan_json import read_plan
from charterplan.model import Plan, PlanRequest, Policy

if TYPE_CHECKING:
    from charterplan.shared.runner import Progress, Runner

__all__ = [
    "CharterplanError",
    "Plan",
    "PlanRequest",
    "Policy",
    "Problem",
    "RequestError",
    "SolverError",
    "Violation",
    "__version__",
    "check_plan",
    "parse_request",
    "plan",
    "read_plan",
    "read_request",
    "write_outputs",
]


def plan(request: PlanRequest, *, progress: Progress | None = None, jobs: int = 1,
         scheduler: str | None = None, run: Runner | None = None) -> Plan:
    """Plan the charter transport of ``request``.

    With ``policy.door_to_door`` and ``policy.pickup_fallback_to_hub``, workers whom
    door to door cannot collect at their pickup point gather at the hub instead, and
    the request is planned again (:func:`~charterplan.replan.with_fallback`). Then,
    while trips find no crew, the plan is made again with those days capped
    (:func:`~charterplan.replan.crew_rounds`).

    Args:
        request: a validated request (see :func:`charterplan.parse_request`).
        progress: optional callback ``progress(stage, done, total)``.
        jobs: how many areas to solve at once in worker processes (1: in this process).
        scheduler: address of a Dask scheduler (``tcp://HOST:PORT``) to solve the areas
            on a cluster instead (needs the ``distributed`` extra).
        run: a custom way to map a function over the areas (overrides ``jobs``), e.g.
            onto a cluster: ``run(fn, items)`` must yield ``fn(item)`` in the items'
            order. The plan maps the departure waves and the solver with it.

    Returns:
        The plan; workers who cannot travel are in ``unassigned`` with a reason. It is
        the same whichever runner solved the areas.
    """
    # the planner (OR-Tools, networkx, geopy) loads on the first plan, not on import,
    # so that the command line reports bad input at once
    from charterplan.pipeline import plan as chain

    return chain(request, progress=progress, jobs=jobs, scheduler=scheduler, run=run)
