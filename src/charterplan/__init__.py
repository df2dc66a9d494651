"""charterplan: plans point-to-point charter transport of migrant workers.

A county registers workers; charterplan groups those who leave at similar times for
nearby employers, assigns them to buses with OR-Tools, staffs every bus with an escort
officer and a medic, and returns a plan with manifests, convoys and a staggered
timetable. ``plan(request)`` is the whole job; nothing in the library prints. Read a
request (:func:`read_request`, or :func:`parse_request` for data already loaded), plan
it, check the plan against the rules (:func:`check_plan`), write the files
(:func:`write_outputs`) and read a written plan back (:func:`read_plan`).
"""

from charterplan._version import __version__
from charterplan.check import Violation, check_plan
from charterplan.errors import CharterplanError, Problem, RequestError, SolverError
from charterplan.io import parse_request, read_request
from charterplan.io.output import write_outputs
from charterplan.io.plan_json import read_plan
from charterplan.model import Plan, PlanRequest, Policy
from charterplan.pipeline import plan

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
