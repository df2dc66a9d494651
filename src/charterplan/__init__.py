"""charterplan: plans point-to-point charter transport of migrant workers.

A county registers workers; charterplan groups those who leave at similar times for
nearby employers, assigns them to buses with OR-Tools, staffs every bus with an escort
officer and a medic, and returns a plan with manifests, convoys and a staggered
timetable. ``plan(request)`` is the whole job; nothing in the library prints or writes.
"""

from typing import TYPE_CHECKING

from charterplan.errors import CharterplanError, Problem, RequestError, SolverError
from charterplan.io import parse_request, read_request
from charterplan.model import Plan, PlanRequest, Policy

if TYPE_CHECKING:
    from charterplan.pipeline import plan

__all__ = [
    "CharterplanError",
    "Plan",
    "PlanRequest",
    "Policy",
    "Problem",
    "RequestError",
    "SolverError",
    "__version__",
    "parse_request",
    "plan",
    "read_request",
]

__version__ = "1.0.0"


def __getattr__(name: str) -> object:
    # The planner imports OR-Tools (over a second); load it on first use, so reading,
    # checking and reporting errors on a request stay quick.
    if name == "plan":
        from charterplan.pipeline import plan

        return plan
    raise AttributeError(f"module 'charterplan' has no attribute {name!r}")
