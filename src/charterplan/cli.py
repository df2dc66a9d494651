"""The command line: the only module that prints, sets up logging or exits.

``python -m charterplan plan REQUEST.json [--out DIR]`` plans and writes the outputs (a
registry table with ``--county`` in place of the request); ``import REGISTRY --county
COUNTY`` writes the request a registry makes; ``check REQUEST.json PLAN.json``
re-verifies a plan; ``schema`` prints the JSON Schemas.
Exit status: 0 planned (also with unassigned workers), 1 internal or solver failure
(or violations found by ``check``), 2 bad input or bad usage, 130 / 143 interrupted by
SIGINT / SIGTERM (nothing written).

Every command runs under :class:`~charterplan._interrupts.Interrupts` and writes its
folder through :func:`_output_folder`, so a sub-command added here gets both rules of
SPEC §8 for free; ``schema --out`` alone writes files into a folder of other files
(:func:`~charterplan.io.folder.write_files`), replacing only its own.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from charterplan import __version__
from charterplan._interrupts import Interrupted, Interrupts
from charterplan._progress import ProgressBar
from charterplan.campaign.errors import CampaignError
from charterplan.errors import Problem, RequestError, SolverError
from charterplan.io.folder import OutputFolderError, claim_output_folder
from charterplan.io.plan_json import PlanFileError

if TYPE_CHECKING:
    from charterplan.model import Plan, PlanRequest

__all__ = ["main"]

OK, FAILED, BAD_INPUT = 0, 1, 2


_INTERRUPTS = Interrupts()


@contextmanager
def _output_folder(folder: Path) -> Iterator[Path]:
    """Claim ``folder`` now (refused at once if it holds files charterplan did not
    write, cannot be written, or another run writes it); yield the staging folder to
    fill; put it in place if the block ends normally. An interrupt before that point
    leaves nothing; from there on it comes too late and the command ends normally."""
    with claim_output_folder(folder) as out:
        yield out.staging
        _INTERRUPTS.finishing()
        out.commit()


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds (got {text!r})") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be > 0 (got {text})")
    return value


def _integer(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in ``[low, high]``."""
    def integer(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number (got {text!r})") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in {low}..{high} (got {text})")
        return value
    return integer


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="show tracebacks and debug logging")
    parser = argparse.ArgumentParser(
        prog="python -m charterplan",
        description="Plan point-to-point charter transport of migrant workers.")
    parser.add_argument("--version", action="version", version=f"charterplan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan = commands.add_parser("plan", parents=[common],
                               help="plan a request and write plan, manifests and reports")
    plan.add_argument("request", type=Path, help="request JSON file, or a registry table "
                      "(.xlsx or .csv, with --county)")
    _registry_options(plan)
    plan.add_argument("--out", type=Path, metavar="DIR",
                      help="output folder (default: charterplan-out/<plan_id>)")
    plan.add_argument("--roads", type=Path, metavar="FILE",
                      help="measured road km and minutes between places (CSV or JSON, see "
                      "docs/format.md), added to the request's roads")
    plan.add_argument("--seed", type=_integer(0, 2**31 - 1), help="override policy.seed")
    plan.add_argument("--time-limit", type=_seconds, metavar="S",
                      help="override policy.time_limit_s (seconds)")
    plan.add_argument("--jobs", type=_integer(1, 1024), default=min(4, os.cpu_count() or 1),
                      help="areas solved at once in worker processes (default: the "
                      "cores, at most 4); the plan is the same for any value")
    plan.add_argument("--scheduler", metavar="ADDRESS",
                      help="Dask scheduler tcp://HOST:PORT to solve areas on")
    plan.add_argument("--quiet", action="store_true",
                      help="no progress bar; print only the output folder")
    plan.add_argument("--with-contacts", action="store_true",
                      help="also write contacts/<staff id>.csv with full phones (mode "
                      "0600) and show phones in the hand-over lists")
    imports = commands.add_parser("import", parents=[common],
                                  help="build a request from a registry table and a county "
                                  "file")
    imports.add_argument("request", type=Path, metavar="REGISTRY",
                         help="registry table (.xlsx or .csv, SPEC §9 columns)")
    _registry_options(imports)
    imports.add_argument("-o", "--out", type=Path, metavar="FILE",
                         help="write the request here (default: standard output)")
    _match_parser(commands, common, plan)
    check = commands.add_parser("check", parents=[common],
                                help="verify a plan against its request (exit 1 if broken)")
    check.add_argument("request", type=Path, help="request JSON file, or the registry "
                       "table it was imported from (with --county)")
    _registry_options(check)
    check.add_argument("plan", type=Path, help="plan.json written by 'plan'")
    check.add_argument("--roads", type=Path, metavar="FILE",
                       help="the road table the plan was made with, if any")
    schema = commands.add_parser("schema", parents=[common],
                                 help="print the request and plan JSON Schemas")
    schema.add_argument("--out", type=Path, metavar="DIR",
                        help="write request.schema.json and plan.schema.json into DIR, "
                        "beside its other files (e.g. docs)")
    from charterplan.campaign.cli import add_parser as add_campaign

    add_campaign(commands, common)
    return parser


def _registry_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--county", type=Path, metavar="FILE",
                        help="county file (.toml or .json) for a registry table: hubs, "
                        "employers, buses, staff, policy")
    parser.add_argument("--sheet", metavar="NAME",
                        help="the workbook's sheet to read (default: the first)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help / --version
        return exc.code if isinstance(exc.code, int) else BAD_INPUT
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    command = {"plan": _plan, "import": _import, "check": _check,
               "schema": _schema, "campaign": _campaign, "match": _match}[args.command]
    with _INTERRUPTS.installed():
        return _run(command, args, _INTERRUPTS)


def _run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace,
         interrupts: Interrupts) -> int:
    try:
        status = command(args)
        if interrupts.received is not None:  # swallowed on its way (see Interrupts)
            raise Interrupted(interrupts.received)
        return status
    except RequestError as exc:
        print(f"{getattr(args, 'request', None) or getattr(args, 'file', '')}: {exc}",
              file=sys.stderr)
        return BAD_INPUT
    except CampaignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except (PlanFileError, OutputFolderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        interrupts.caught()
        print("\ninterrupted; nothing was written", file=sys.stderr)
        return interrupts.exit_status()
    except Exception as exc:
        if interrupts.received is not None:  # e.g. a worker process killed by the signal
            interrupts.caught()
            print("\ninterrupted; nothing was written", file=sys.stderr)
            return interrupts.exit_status()
        if args.debug:
            traceback.print_exception(exc)
        what = "solver failure" if isinstance(exc, SolverError) else "internal error"
        print(f"{what}: {type(exc).__name__}: {exc}\nhint: run again with --debug for the "
              "traceback, and report it with the request file", file=sys.stderr)
        return FAILED


def _request(args: argparse.Namespace) -> PlanRequest:
    from charterplan.io.request import parse_request, read_request, read_roads, with_roads
    from charterplan.tables._cli import import_notes, is_table, table_import

    if is_table(args.request):
        if getattr(args, "demand", None) is not None:
            args.request, args.county = _match_first(args)
        result = table_import(args.request, args.county, args.sheet)
        for note in import_notes(result):
            print(f"note: {note}", file=sys.stderr)
        if args.roads is None:
            return result.request
        return parse_request({**result.data,
                              "roads": [*result.data.get("roads", []), *read_roads(args.roads)]})
    if args.roads is None:
        return read_request(args.request)
    return with_roads(args.request, args.roads)


def _plan(args: argparse.Namespace) -> int:
    from charterplan.io.output import default_output_folder, fill_outputs

    started = time.perf_counter()
    request = _with_overrides(_request(args), args.seed, args.time_limit)
    folder = args.out or default_output_folder(request.plan_id)
    with _output_folder(folder) as staging:
        from charterplan.pipeline import plan  # loads OR-Tools: only once the input is good

        progress = ProgressBar(sys.stderr, sys.stderr.isatty() and not args.quiet)
        try:
            result = plan(request, progress=progress, jobs=args.jobs,
                          scheduler=args.scheduler)
        finally:
            progress.finish()
        wall = round(time.perf_counter() - started, 3)
        run = {"charterplan": __version__, "python": platform.python_version(),
               "platform": platform.platform(), "started_utc": datetime.now(UTC).isoformat(
                   timespec="seconds"), "request": str(args.request), "jobs": args.jobs,
               "wall_seconds": wall, "stage_seconds": progress.stage_seconds}
        fill_outputs(staging, request, result, run, with_contacts=args.with_contacts)
    if args.with_contacts:
        print(f"note: --with-contacts wrote unmasked phone numbers to {folder / 'contacts'} "
              f"(mode 0600) and to the hand-over lists in {folder / 'handover'}; keep them "
              "private", file=sys.stderr)
    print(folder if args.quiet else _summary(result, wall, folder))
    return OK


def _import(args: argparse.Namespace) -> int:
    from charterplan.tables._cli import import_notes, request_json, table_import, write_request

    result = table_import(args.request, args.county, args.sheet)
    for note in import_notes(result):
        print(f"note: {note}", file=sys.stderr)
    if args.out is None:
        print(request_json(result), end="")
        return OK
    write_request(args.out, result, before_commit=_INTERRUPTS.finishing)
    print(f"wrote {args.out}: {len(result.request.workers)} workers", file=sys.stderr)
    return OK


def _with_overrides(request: PlanRequest, seed: int | None,
                    time_limit: float | None) -> PlanRequest:
    from charterplan.model import Policy

    update = {k: v for k, v in (("seed", seed), ("time_limit_s", time_limit)) if v is not None}
    if not update:
        return request
    policy = Policy.model_validate({**request.policy.model_dump(), **update})
    return request.model_copy(update={"policy": policy})


def _summary(result: Plan, wall: float, folder: Path) -> str:
    from charterplan.io.office.figures import FIGURES
    from charterplan.io.reports import reason_counts

    s = result.summary
    reasons = reason_counts(s.unassigned_by_reason)
    modes = ", ".join(f"{k} {v}" for k, v in s.trips_by_mode.items())
    return "\n".join([
        f"plan {result.plan_id}: {result.status.value} (seed {result.seed})",
        f"  workers      {s.workers}",
        f"  assigned     {s.assigned}" + (f"  ({s.moved_to_hub} of them from the hub "
                                              "instead of their pickup point)"
                                              if s.moved_to_hub else ""),
        f"  unassigned   {s.unassigned}" + (f"  ({reasons})" if reasons else ""),
        f"  trips        {len(result.trips)}" + (f"  ({modes})" if modes else ""),
        *([f"  trains       {len(s.trains)}  ({sum(t.carriages_used for t in s.trains)} "
           f"carriages, {sum(t.riders for t in s.trains)} riders, "
           f"{sum(t.cost for t in s.trains):,.2f}; see trains.html)"] if s.trains else []),
        f"  total cost   {s.total_cost:,.2f}",
        f"  lower bound  {s.lower_bound_cost:,.2f}  (gap {s.gap_pct:.2f} %)",
        f"  wall time    {wall:.1f} s",
        f"written to {folder}",
        "  plan.xlsx, manifests.pdf, manifests.html, reports/*.csv, unassigned.csv, "
        "handover/<city>.xlsx and .pdf",
        "  figures: " + ", ".join(str(folder / "figures" / name) for name in FIGURES),
    ])


def _check(args: argparse.Namespace) -> int:
    from charterplan.check import check_plan
    from charterplan.io.plan_json import read_plan
    from charterplan.io.request import request_digest

    request = _request(args)
    result = read_plan(args.plan)
    if result.request_sha256 != request_digest(request):
        print(f"note: {args.plan} was planned for another version of this request "
              "(request_sha256 differs; --seed or --time-limit also change it)",
              file=sys.stderr)
    violations = check_plan(request, result)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} violation(s)", file=sys.stderr)
        return FAILED
    print(f"plan is sound: {len(result.trips)} trips, {len(request.workers)} workers")
    return OK


def _match_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                  common: argparse.ArgumentParser, plan: argparse.ArgumentParser) -> None:
    plan.add_argument("--demand", type=Path, metavar="FILE",
                      help="demand table (附件5): match the registry's job seekers first "
                      "(as 'match' does, into charterplan-out/<registry>-match), then plan")
    match = commands.add_parser(
        "match", parents=[common], help="match job seekers of a registry to the vacancies "
        "of a demand table (附件5); write the registry with 返岗单位 filled, 附件3, 附件6")
    match.add_argument("request", type=Path, metavar="REGISTRY",
                       help="registry table (.xlsx or .csv, SPEC §9 columns)")
    match.add_argument("--demand", type=Path, metavar="FILE", required=True,
                       help="demand table (.xlsx or .csv, SPEC §11 columns)")
    match.add_argument("--county", type=Path, metavar="FILE", required=True,
                       help="county file (.toml or .json)")
    match.add_argument("-o", "--out", type=Path, metavar="DIR",
                       help="output folder (default: charterplan-out/<registry>-match)")
    match.add_argument("--sheet", metavar="NAME", help="the registry workbook's sheet")
    match.add_argument("--demand-sheet", metavar="NAME", help="the demand workbook's sheet")
    match.add_argument("--max-km", type=_kilometres, metavar="KM",
                       help="vacancies further by road are out of reach (default: none)")


def _match(args: argparse.Namespace) -> int:
    from charterplan.matching.command import match_into
    from charterplan.matching.write import default_match_folder, describe

    folder = args.out or default_match_folder(args.request)
    progress = ProgressBar(sys.stderr, sys.stderr.isatty() and not args.debug)
    try:
        with _output_folder(folder) as staging:
            found = match_into(staging, args.request, args.demand, args.county,
                               sheet=args.sheet, demand_sheet=args.demand_sheet,
                               max_km=args.max_km, progress=progress)
    finally:
        progress.finish()
    print(describe(found, folder))
    return OK


def _kilometres(text: str) -> float:
    """An argparse type: a distance in km above 0."""
    try:
        return _seconds(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected km above 0 (got {text!r})") from None


def _match_first(args: argparse.Namespace) -> tuple[Path, Path]:
    """``plan REGISTRY --county C --demand D``: the match, then what plan reads."""
    from charterplan.matching.command import match_into
    from charterplan.matching.write import default_match_folder, describe

    if args.county is None:
        raise RequestError([Problem("", "--demand needs the county file: --county FILE")])
    folder = default_match_folder(args.request)
    with _output_folder(folder) as staging:
        found = match_into(staging, args.request, args.demand, args.county, sheet=args.sheet)
    print(describe(found, folder), file=sys.stderr)
    return folder / "matched.xlsx", folder / "county.json"


def _campaign(args: argparse.Namespace) -> int:
    from charterplan.campaign.cli import run

    print(run(args))
    return OK


def _schema(args: argparse.Namespace) -> int:
    from charterplan.io.folder import write_files
    from charterplan.io.schema import dump_schema, is_schema_file, json_schemas, schema_files

    if args.out is None:
        print(dump_schema(json_schemas()), end="")
        return OK
    # beside the folder's other files (docs/ holds the format's pages): file by file
    written = write_files(args.out, schema_files(), is_schema_file,
                          before_writing=_INTERRUPTS.finishing)
    print(f"wrote {written[0]} and {written[1]}")
    return OK
