"""plan(request) -> Plan: the stages chained, with no I/O.

Read :func:`plan` top to bottom: the context derived once, then the chain of stages
(:mod:`charterplan.stages`, in run order), run again by the re-planning loops
(:mod:`charterplan.replan`) where a plan falls short. Each stage is a pure function of
the request and earlier stages, so the same request and seed give the same plan.
"""

from __future__ import annotations

from charterplan.model import Plan, PlanRequest
from charterplan.model.digest import request_digest
from charterplan.parallel import runner_for
from charterplan.replan import Attempt, crew_rounds, merge_and_schedule, with_fallback
from charterplan.shared.context import Context, build_context
from charterplan.shared.runner import Progress, Runner
from charterplan.stages.s1_eligibility import screen
from charterplan.stages.s2_areas import build_areas
from charterplan.stages.s3_assign import Memo, assign
from charterplan.stages.s4_rail import board
from charterplan.stages.s7_staffing import staff
from charterplan.stages.s8_assemble import assemble

__all__ = ["plan"]


def plan(request: PlanRequest, *, progress: Progress | None = None, jobs: int = 1,
         scheduler: str | None = None, run: Runner | None = None) -> Plan:
    """The chain behind :func:`charterplan.plan`, which documents the arguments."""
    report = progress or (lambda stage, done, total: None)
    chain = _Chain(request_digest(request), runner=run or runner_for(jobs, scheduler),
                   report=report, memo=Memo())
    context = build_context(request)
    first, context = with_fallback(context, chain(context),
                                   lambda context: chain(context, "fallback {}"))
    return crew_rounds(context, first,
                       lambda context, n: chain(context, f"{{}} (crew round {n + 1})"))


class _Chain:
    """The stages, one after another: one plan of a context's request (its ``at_hub``
    workers gathering at the hub, its ``departure_caps`` kept), and where its trips
    found no crew. ``memo`` keeps what the assignment worked out for the next run."""

    def __init__(self, digest: str, runner: Runner, report: Progress, memo: Memo) -> None:
        self.digest = digest  # the request's digest, worked out once for every attempt
        self.runner = runner
        self.report = report
        self.memo = memo

    def __call__(self, context: Context, label: str = "{}") -> Attempt:
        def report(stage: str, done: int, total: int) -> None:
            self.report(label.format(stage), done, total)

        report("eligibility", 0, 1)
        screening = screen(context)                                        # 1
        areas = build_areas(context, screening.units)                      # 2
        report("eligibility", 1, 1)
        assignment = assign(context, areas, run=self.runner, progress=report,
                            memo=self.memo)                                # 3
        railway = board(context, assignment.rail, assignment.feeders)      # 4
        timetable = merge_and_schedule(context, assignment.buses,          # 5, 6
                                       railway.feeders, report, self.runner)
        staffed = staff(context, timetable, railway.carriages)            # 7
        report("timetable", 1, 1)
        plan = assemble(context, self.digest, screening, areas, assignment,  # 8
                        railway, timetable, staffed)
        return Attempt(plan, staffed.uncrewed())
