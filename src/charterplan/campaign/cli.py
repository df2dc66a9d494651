"""The ``campaign`` sub-commands' arguments, and what each says when it is done.

:func:`add_parser` adds them to the main parser; :func:`run` runs one and returns the
exit status and the text to print: the main ``cli`` module prints it (it is the only
module that prints).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from charterplan.campaign.errors import CampaignError

__all__ = ["add_parser", "run"]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD (got {text!r})") from None


def add_parser(commands: argparse._SubParsersAction,  # type: ignore[type-arg]
               common: argparse.ArgumentParser) -> None:
    """Add ``campaign`` and its sub-commands to the main parser's ``commands``."""
    campaign = commands.add_parser(
        "campaign", parents=[common], help="the daily campaign loop on a ledger (SPEC §10)",
        description="DB is a ledger: a SQLite file path, or a URL such as "
        "postgresql://user@host/db.")
    steps = campaign.add_subparsers(dest="step", required=True, metavar="STEP")
    init = steps.add_parser("init", parents=[common], help="create or upgrade a ledger")
    init.add_argument("db")
    init.add_argument("--county", type=Path, help="county file (.json or .toml)")
    intake = steps.add_parser("intake", parents=[common],
                              help="record new, changed and cancelled workers")
    intake.add_argument("db")
    intake.add_argument("file", type=Path, help="JSON list of request workers")
    intake.add_argument("--day", type=_day, required=True)
    plan = steps.add_parser("plan", parents=[common],
                            help="plan every worker not yet departed, around published trips")
    plan.add_argument("db")
    plan.add_argument("--day", type=_day, required=True)
    plan.add_argument("--out", type=Path, metavar="DIR")
    folder = steps.add_parser(
        "folder", parents=[common], help="write a recorded plan version's folder again",
        description="Writes the plan folder of a recorded version (default: the newest), "
        "as 'plan --out' wrote it; after a plan killed between recording its version "
        "and writing its folder. run.json in a plan folder names its version.")
    folder.add_argument("db")
    folder.add_argument("--out", type=Path, metavar="DIR", required=True)
    folder.add_argument("--version", type=int, metavar="N")
    publish = steps.add_parser("publish", parents=[common],
                               help="freeze the current plan's trips departing up to then")
    publish.add_argument("db")
    publish.add_argument("--until", required=True, metavar="DATETIME")
    board = steps.add_parser("board", parents=[common], help="record who boarded a trip")
    board.add_argument("db")
    board.add_argument("trip")
    board.add_argument("--present", type=Path, required=True, metavar="FILE")
    board.add_argument("--driver", action="append", default=[], metavar="NAME[,PHONE]",
                       help="a driver at the wheel, as the escort sees them (repeat for "
                       "each); trace names them")
    arrive = steps.add_parser("arrive", parents=[common], help="record a trip's arrival")
    arrive.add_argument("db")
    arrive.add_argument("trip")
    status = steps.add_parser("status", parents=[common],
                              help="counts by state, or one worker's history")
    status.add_argument("db")
    status.add_argument("--worker", metavar="ID")
    trace = steps.add_parser("trace", parents=[common],
                             help="CSV of everyone who shared a vehicle with a worker")
    trace.add_argument("db")
    trace.add_argument("worker")
    report = steps.add_parser("report", parents=[common],
                              help="三天一通报 per township, CSV and XLSX")
    report.add_argument("db")
    report.add_argument("--day", type=_day, required=True)
    report.add_argument("--out", type=Path, metavar="DIR")


def run(args: argparse.Namespace) -> str:
    """Run the sub-command ``args.step``; return what to print.

    Raises:
        CampaignError, RequestError, OutputFolderError: bad input (exit 2).
    """
    import charterplan.campaign as campaign
    from charterplan.io.reports import reason_counts

    step = args.step
    if step == "init":
        revision = campaign.init(args.db, args.county)
        return f"ledger {args.db} at schema revision {revision}"
    if step == "intake":
        got = campaign.intake(args.db, args.file, args.day)
        return (f"{args.file}: {len(got.new)} new, {len(got.changed)} changed, "
                f"{len(got.cancelled)} cancelled, {len(got.unchanged)} unchanged")
    if step == "plan":
        result = campaign.plan(args.db, args.day, out=args.out)
        s = result.plan.summary
        reasons = reason_counts(s.unassigned_by_reason)
        return "\n".join([
            f"plan version {result.version} for {args.day}: {result.plan.status.value}",
            f"  workers      {s.workers}",
            f"  assigned     {s.assigned}",
            f"  unassigned   {s.unassigned}" + (f"  ({reasons})" if reasons else ""),
            f"  trips        {len(result.plan.trips)}",
            f"  total cost   {s.total_cost:,.2f}",
            f"  changes      {len(result.changes)} workers ({result.freed_seats} seats "
            f"freed, {result.filled_seats} taken on published trips)",
            f"  last plan    {result.decision}",
            *([f"written to {result.folder}"] if result.folder else []),
        ])
    if step == "folder":
        version = campaign.plan_folder(args.db, args.out, args.version)
        return f"plan version {version} written to {args.out}"
    if step == "publish":
        trips = campaign.publish(args.db, args.until)
        return f"published {len(trips)} trips" + (f": {', '.join(trips)}" if trips else "")
    if step == "board":
        drivers = [(name, phone or None) for name, _, phone in
                   (d.partition(",") for d in args.driver)]
        boarded, absent = campaign.board(args.db, args.trip, args.present, drivers)
        return f"trip {args.trip}: {len(boarded)} boarded, {len(absent)} no-show"
    if step == "arrive":
        arrived = campaign.arrive(args.db, args.trip)
        return f"trip {args.trip}: arrived ({len(arrived)} workers at work)"
    if step == "status":
        found = (campaign.worker_story(args.db, args.worker) if args.worker
                 else campaign.status(args.db))
        return json.dumps(found, ensure_ascii=False, indent=1)
    if step == "trace":
        from charterplan.campaign.views import TRACE_COLUMNS
        from charterplan.io._files import csv_text

        return csv_text([TRACE_COLUMNS, *campaign.trace(args.db, args.worker)]).lstrip(
            "\ufeff").rstrip()
    if step == "report":
        from charterplan.campaign.views import REPORT_COLUMNS

        table, written = campaign.report(args.db, args.day, args.out)
        lines = ["\t".join(REPORT_COLUMNS), *("\t".join(str(c) for c in row) for row in table)]
        return "\n".join(lines + [f"written {p}" for p in written])
    raise CampaignError(f"unknown step {step!r}")
