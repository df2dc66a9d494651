"""The command line: the only module that prints or exits.

``python -m charterplan plan REQUEST.json [--out DIR]`` plans and writes the outputs;
``check REQUEST.json PLAN.json`` re-verifies a plan; ``schema`` prints the JSON Schemas.
Exit status: 0 planned, 1 internal or solver failure (or violations found by check),
2 bad input or bad usage.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from charterplan import __version__
from charterplan.errors import RequestError

__all__ = ["main"]

OK, FAILED, BAD_INPUT = 0, 1, 2


class _Progress:
    """A one-line progress bar on a terminal: stage, done/total, elapsed and ETA."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.start = time.perf_counter()
        self.stages: dict[str, float] = {}
        self._stage_start = self.start

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage not in self.stages:
            self._stage_start = now
        self.stages[stage] = round(now - self._stage_start, 3)
        if not self.enabled:
            return
        elapsed = now - self._stage_start
        eta = elapsed / done * (total - done) if done else 0.0
        width = 24
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{stage:<24} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total}  {now - self.start:6.1f}s  eta {eta:5.1f}s ")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m charterplan",
        description="Plan point-to-point charter transport of migrant workers.")
    parser.add_argument("--version", action="version", version=f"charterplan {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="plan a request and write the outputs")
    plan.add_argument("request", type=Path, help="request JSON file")
    plan.add_argument("--out", type=Path, help="output folder "
                      "(default: charterplan-out/<plan_id>)")
    plan.add_argument("--seed", type=int, help="override policy.seed")
    plan.add_argument("--time-limit", type=float, help="override policy.time_limit_s")
    plan.add_argument("--jobs", type=int, default=1, help="areas solved at once")
    plan.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT")
    plan.add_argument("--quiet", action="store_true", help="no progress, no summary")
    check = commands.add_parser("check", help="verify a plan against its request")
    check.add_argument("request", type=Path)
    check.add_argument("plan", type=Path)
    schema = commands.add_parser("schema", help="print the request and plan JSON Schemas")
    schema.add_argument("--out", type=Path, help="write request/plan.schema.json here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    try:
        if args.command == "plan":
            return _plan(args)
        if args.command == "check":
            return _check(args)
        return _schema(args)
    except RequestError as exc:
        print(exc, file=sys.stderr)
        return BAD_INPUT
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}\n"
              "run again with --debug for the traceback, and report it with the request",
              file=sys.stderr)
        return FAILED


def _plan(args: argparse.Namespace) -> int:
    from charterplan import plan, read_request
    from charterplan.io.output import write_outputs

    request = read_request(args.request)
    overrides = {k: v for k, v in (("seed", args.seed), ("time_limit_s", args.time_limit))
                 if v is not None}
    if overrides:
        request = request.model_copy(update={
            "policy": request.policy.model_copy(update=overrides)})
    progress = _Progress(sys.stderr, sys.stderr.isatty() and not args.quiet)
    started = time.perf_counter()
    result = plan(request, progress=progress, jobs=args.jobs, scheduler=args.scheduler)
    wall = round(time.perf_counter() - started, 3)
    run = {"charterplan": __version__, "python": platform.python_version(),
           "wall_seconds": wall, "stage_seconds": progress.stages, "jobs": args.jobs}
    folder = write_outputs(request, result, args.out or Path("charterplan-out") /
                           request.plan_id, run)
    if not args.quiet:
        s = result.summary
        reasons = ", ".join(f"{k} {v}" for k, v in s.unassigned_by_reason.items()) or "none"
        modes = ", ".join(f"{k} {v}" for k, v in s.trips_by_mode.items()) or "none"
        print(f"plan {result.plan_id}: {result.status.value}\n"
              f"  workers     {s.workers}\n  assigned    {s.assigned}\n"
              f"  unassigned  {s.unassigned} ({reasons})\n  trips       {modes}\n"
              f"  cost        {s.total_cost:,.2f}  (lower bound {s.lower_bound_cost:,.2f}, "
              f"gap {s.gap_pct:.2f} %)\n  seconds     {wall:.1f}\n"
              f"written to {folder}")
    return OK


def _check(args: argparse.Namespace) -> int:
    from charterplan import read_request
    from charterplan.check import check_plan
    from charterplan.io.plan_json import read_plan

    request = read_request(args.request)
    result = read_plan(args.plan)
    violations = check_plan(request, result)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} violation(s)", file=sys.stderr)
        return FAILED
    print(f"plan is sound: {len(result.trips)} trips, {len(request.workers)} workers")
    return OK


def _schema(args: argparse.Namespace) -> int:
    from charterplan.model import Plan, PlanRequest

    schemas = {"request": PlanRequest.model_json_schema(),
               "plan": Plan.model_json_schema(mode="serialization")}
    if args.out is None:
        print(json.dumps(schemas, ensure_ascii=False, indent=1, sort_keys=True))
        return OK
    args.out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (args.out / f"{name}.schema.json").write_text(
            json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8")
    print(f"wrote {args.out / 'request.schema.json'} and {args.out / 'plan.schema.json'}")
    return OK
