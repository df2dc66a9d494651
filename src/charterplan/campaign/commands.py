"""The campaign commands, each one transaction on the ledger (SPEC §10).

Worker states: ``pending`` (registered, on no published trip; ``reason`` says why:
``new``, ``planned`` on an unpublished trip, ``no_show``, or the plan's reason code),
``booked`` (on a published trip), ``departed``, ``arrived``, ``cancelled``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, delete, insert, inspect, select, update

from charterplan.campaign import ledger as L
from charterplan.campaign.errors import CampaignError
from charterplan.campaign.inputs import read_county, read_workers, request_part
from charterplan.campaign.replan import STABILITY_MARGIN, Change, Replan, replan
from charterplan.io.plan_json import dump_plan, parse_plan
from charterplan.io.request import parse_request
from charterplan.model import Convoy, Plan, PlanRequest, Trip

__all__ = ["IntakeResult", "PlanResult", "arrive", "board", "init", "intake", "plan",
           "plan_folder", "publish"]

Planner = Callable[[PlanRequest], Plan]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def county_of(connection: Connection) -> dict[str, Any]:
    """The ledger's county file."""
    body = connection.execute(select(L.county.c.body)).scalar_one_or_none()
    if body is None:
        raise CampaignError("the ledger has no county file; run 'campaign init DB --county FILE'")
    county: dict[str, Any] = json.loads(body)
    return county


def zone_of(county: dict[str, Any]) -> ZoneInfo:
    """The county's time zone."""
    return ZoneInfo(str(county.get("timezone", "Asia/Shanghai")))


class _Events:
    """Worker events of one command, written together at the end (one statement)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, worker: str, day: str, kind: str, source: str, row: int | None = None,
            before: Any = None, after: Any = None) -> None:
        self.rows.append({
            "worker_id": worker, "day": day, "kind": kind, "source": source, "row": row,
            "before": None if before is None else _dumps(before),
            "after": None if after is None else _dumps(after), "recorded_at": _now()})

    def write(self, connection: Connection) -> None:
        if self.rows:
            connection.execute(insert(L.worker_events), self.rows)


_SET_WORKER = (update(L.workers).where(L.workers.c.id == bindparam("worker"))
               .values(state=bindparam("state"), trip_id=bindparam("trip"),
                       reason=bindparam("why")))


def init(db: str | os.PathLike[str], county: str | os.PathLike[str] | None = None) -> str:
    """Create the ledger with the county file, or bring an existing ledger's schema to
    the newest revision. Returns the revision the ledger is at.

    Raises:
        CampaignError: a bad county file, a new ledger without one, or a ledger that
            already holds another county file.
    """
    body = read_county(county) if county is not None else None
    with L.transaction(db, new=True) as connection:
        if L.revision(connection) is None and inspect(connection).get_table_names():
            raise CampaignError(f"{os.fspath(db)!r} holds tables but is not a charterplan "
                                "ledger; choose another database")
        L.upgrade(connection)
        held = connection.execute(select(L.county.c.sha256)).scalar_one_or_none()
        if body is not None:
            text = _dumps(body)
            digest = hashlib.sha256(text.encode()).hexdigest()
            if held is not None and held != digest:
                raise CampaignError("the ledger already holds another county file; a "
                                    "campaign keeps the county it began with")
            if held is None:
                connection.execute(insert(L.county).values(
                    id=1, source=os.fspath(county or ""), sha256=digest, body=text,
                    created_at=_now()))
        elif held is None:
            raise CampaignError("a new ledger needs --county COUNTY")
        found = L.revision(connection)
    assert found is not None
    return found


@dataclass(frozen=True)
class IntakeResult:
    """What an intake recorded."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def intake(db: str | os.PathLike[str], path: str | os.PathLike[str], day: date) -> IntakeResult:
    """Record new, changed and cancelled workers of a worker list, each an event.

    Raises:
        CampaignError: a bad file (every problem with its place), or a cancellation of
            an unknown or departed worker; nothing is recorded.
    """
    result = IntakeResult()
    source = Path(path).name
    with L.transaction(db) as connection:
        entries = read_workers(path, county_of(connection))
        current = {row.id: row for row in connection.execute(select(L.workers))}
        problems = []
        for entry in entries:
            row = current.get(entry.worker_id)
            if entry.record is None and row is None:
                problems.append(f"  {source} item {entry.row}: cancels unknown worker "
                                f"{entry.worker_id!r}")
            elif entry.record is None and row is not None and row.state in ("departed", "arrived"):
                problems.append(f"  {source} item {entry.row}: worker {entry.worker_id!r} "
                                f"has already {row.state} and cannot be cancelled")
        if problems:
            raise CampaignError("\n".join([f"{path} has {len(problems)} problem"
                                           f"{'s' * (len(problems) != 1)}", *problems]))
        stamp = day.isoformat()
        events = _Events()
        fresh: dict[str, dict[str, Any]] = {}
        state = {wid: (row.state, row.trip_id, json.loads(row.record))
                 for wid, row in current.items()}
        for entry in entries:
            held = state.get(entry.worker_id)
            if entry.record is None:
                assert held is not None
                if held[0] == "cancelled":
                    result.unchanged.append(entry.worker_id)
                    continue
                if entry.worker_id in fresh:
                    fresh[entry.worker_id]["state"] = "cancelled"
                else:
                    connection.execute(update(L.workers).where(
                        L.workers.c.id == entry.worker_id).values(
                        state="cancelled", reason=None, updated_day=stamp))
                events.add(entry.worker_id, stamp, "cancelled", source, entry.row,
                           {"state": held[0], "trip": held[1]}, {"state": "cancelled"})
                state[entry.worker_id] = ("cancelled", None, held[2])
                result.cancelled.append(entry.worker_id)
                continue
            values = {"record": _dumps(entry.record), "township": entry.record["township"],
                      "poverty": bool(entry.record.get("poverty_registered", False)),
                      "updated_day": stamp}
            if held is None:
                fresh[entry.worker_id] = {"id": entry.worker_id, "state": "pending",
                                          "reason": "new", "trip_id": None,
                                          "registered_day": stamp, **values}
                events.add(entry.worker_id, stamp, "registered", source, entry.row,
                           None, entry.record)
                result.new.append(entry.worker_id)
            elif held[0] == "cancelled" or held[2] != entry.record:
                again = held[0] == "cancelled"
                if entry.worker_id in fresh:
                    fresh[entry.worker_id].update(values, state="pending")
                else:
                    connection.execute(update(L.workers).where(
                        L.workers.c.id == entry.worker_id).values(
                        **values, **({"state": "pending", "reason": "new", "trip_id": None}
                                     if again else {})))
                events.add(entry.worker_id, stamp, "registered again" if again else "changed",
                           source, entry.row, held[2], entry.record)
                (result.new if again else result.changed).append(entry.worker_id)
            else:
                result.unchanged.append(entry.worker_id)
                continue
            state[entry.worker_id] = ("pending" if held is None or held[0] == "cancelled"
                                      else held[0], held[1] if held else None, entry.record)
        if fresh:
            connection.execute(insert(L.workers), list(fresh.values()))
        events.write(connection)
    return result


@dataclass(frozen=True)
class PlanResult:
    """A plan version: the plan, its request, what changed, and where it was written."""

    version: int
    request: PlanRequest
    plan: Plan
    changes: list[Change]
    decision: str
    freed_seats: int
    filled_seats: int
    folder: Path | None


def _trip(body: str) -> Trip:
    return Trip.model_validate_json(body)


def _last_version(connection: Connection) -> tuple[int, Plan | None]:
    row = connection.execute(select(L.plan_versions.c.version, L.plan_versions.c.plan)
                             .order_by(L.plan_versions.c.version.desc()).limit(1)).first()
    return (0, None) if row is None else (row.version, parse_plan(row.plan))


def plan(db: str | os.PathLike[str], day: date, *, out: str | os.PathLike[str] | None = None,
         planner: Planner | None = None, keep: bool = True,
         stability: float | None = STABILITY_MARGIN) -> PlanResult:
    """Plan every registered worker who has not departed, from ``day`` on, around the
    published trips; record the version; write the plan folder (with ``changes.csv``)
    to ``out`` if given. ``keep`` tries keeping the
    last plan's unpublished trips; ``stability`` is what moving a worker off their day
    in the last plan costs the planner, as a share of a seat (None: nothing; see
    :mod:`charterplan.campaign.replan`).

    The folder is claimed first and filled as a staging folder inside the transaction,
    and takes its place only once the version is committed, so a folder never shows a
    version the ledger lacks; its ``run.json`` names the ledger version. A run killed
    between the commit and that last rename leaves the version recorded without its
    folder: :func:`plan_folder` writes it from the ledger.

    Raises:
        CampaignError: no ledger or no county; OutputFolderError: ``out`` is not ours.
        RuntimeError: the union plan breaks an invariant (nothing is recorded).
    """
    from charterplan.io.folder import claim_output_folder

    if planner is None:
        from charterplan import plan as planner_  # the public face, not the pipeline
        planner = planner_
    with ExitStack() as claimed:
        folder = (claimed.enter_context(claim_output_folder(out)) if out is not None
                  else None)
        result = _plan(db, day, planner, keep, stability,
                       None if folder is None else folder.staging)
        if folder is None:
            return result
        folder.commit()
    return dataclasses.replace(result, folder=Path(out) if out is not None else None)


def _plan(db: str | os.PathLike[str], day: date, planner: Planner, keep: bool,
          stability: float | None, staging: Path | None) -> PlanResult:
    """:func:`plan` in one transaction, the folder filled into ``staging`` before the
    commit (a failure there records nothing)."""
    with L.transaction(db) as connection:
        county = county_of(connection)
        zone = zone_of(county)
        start = datetime.combine(day, time(0, 0), tzinfo=zone)
        rows = list(connection.execute(select(L.workers)))
        trip_rows = list(connection.execute(select(L.trips)))
        published = [_trip(r.body) for r in trip_rows
                     if r.published and r.status == "published"]
        pins = [t for t in published if t.departure >= start]
        pin_riders = {w for t in pins for w in t.passengers}
        in_play = {r.id: json.loads(r.record) for r in rows
                   if r.state == "pending" or (r.state == "booked" and r.id in pin_riders)}
        version, last = _last_version(connection)
        last_trips = {}
        if version:
            last_trips = {a.worker_id: a.trip_id for a in connection.execute(
                select(L.assignments).where(L.assignments.c.version == version))}
        cancelled = {r.id for r in rows if r.state == "cancelled"
                     and (r.id in pin_riders or r.id in last_trips)}
        unpublished = [_trip(r.body) for r in trip_rows if not r.published]
        convoys: list[Convoy] = list(last.convoys) if last else []
        pin_ids = {t.id for t in pins}
        outcome = replan(
            request_part(county), day, in_play, pins,
            [c for c in convoys if any(t in pin_ids for t in c.trips)],
            last_trips, unpublished,
            [c for c in convoys if not any(t in pin_ids for t in c.trips)],
            cancelled, planner, f"{county['plan_id']}-{day.isoformat()}", keep=keep,
            stability=stability,
            known_ids={r.id for r in trip_rows},
            away=[t for t in published if t.id not in pin_ids]
            + [_trip(r.body) for r in trip_rows
               if r.published and r.status in ("departed", "arrived")])
        version += 1
        _record_plan(connection, version, day, outcome, trip_rows)
        if staging is not None:
            fill_plan_folder(staging, outcome.request, outcome.plan, outcome.changes,
                             outcome.decision, version)
    return PlanResult(version, outcome.request, outcome.plan, outcome.changes,
                      outcome.decision, len(outcome.freed), len(outcome.filled), None)


def _record_plan(connection: Connection, version: int, day: date, outcome: Replan,
                 trip_rows: Sequence[Any]) -> None:
    stamp = day.isoformat()
    events = _Events()
    changes = [[c.worker, c.from_trip, c.to_trip, c.why] for c in outcome.changes]
    connection.execute(insert(L.plan_versions).values(
        version=version, day=stamp, created_at=_now(),
        request_sha256=outcome.plan.request_sha256,
        request=outcome.request.model_dump_json(by_alias=True),
        plan=dump_plan(outcome.plan), changes=_dumps(changes), decision=outcome.decision))
    connection.execute(delete(L.trips).where(L.trips.c.published.is_(False)))
    for trip_id, why in outcome.cancelled_trips.items():
        connection.execute(update(L.trips).where(L.trips.c.id == trip_id)
                           .values(status="cancelled"))
        for row in trip_rows:
            if row.id == trip_id:
                for worker in _trip(row.body).passengers:
                    events.add(worker, stamp, "trip cancelled", "plan", None,
                           {"trip": trip_id}, {"why": why})
    for trip_id, trip in outcome.pinned.items():
        connection.execute(update(L.trips).where(L.trips.c.id == trip_id)
                           .values(body=trip.model_dump_json()))
    pinned = set(outcome.pinned)
    rows = []
    for trip in outcome.plan.trips:
        if trip.id in pinned:
            continue
        rows.append({"id": trip.id, "version": version, "published": False,
                     "published_at": None, "status": "planned",
                     "departure": trip.departure.isoformat(),
                     "day": trip.departure.date().isoformat(), "body": trip.model_dump_json()})
    if rows:
        connection.execute(insert(L.trips), rows)
    trip_of = {w: t.id for t in outcome.plan.trips if not t.feeder for w in t.passengers}
    feeder_of = {w: t.id for t in outcome.plan.trips if t.feeder for w in t.passengers}
    if trip_of:
        connection.execute(insert(L.assignments), [
            {"version": version, "worker_id": w, "trip_id": t} for w, t in trip_of.items()])
    for change in outcome.freed:
        events.add(change.worker, stamp, "seat freed", "plan", None,
               {"trip": change.from_trip}, {"why": change.why})
    for change in outcome.filled:
        events.add(change.worker, stamp, "free seat taken", "plan", None,
               {"trip": change.from_trip or None}, {"trip": change.to_trip})
    reason_of = {u.worker: u.reason.value for u in outcome.plan.unassigned}
    states = []
    for person in outcome.request.workers:
        on = trip_of.get(person.id)
        booked = on in pinned or feeder_of.get(person.id) in pinned
        states.append({"worker": person.id, "state": "booked" if booked else "pending",
                       "trip": on, "why": None if booked else "planned" if on
                       else reason_of.get(person.id)})
    if states:
        connection.execute(_SET_WORKER, states)
    events.write(connection)


def fill_plan_folder(staging: Path, request: PlanRequest, plan: Plan,
                     changes: Sequence[Change], decision: str, version: int) -> None:
    """The plan folder as ``plan`` writes it, plus ``changes.csv``, into ``staging``;
    ``run.json`` names the ledger version."""
    from charterplan.io._files import csv_text
    from charterplan.io.output import fill_outputs

    rows = [("worker", "from_trip", "to_trip", "why"),
            *((c.worker, c.from_trip, c.to_trip, c.why) for c in changes)]
    fill_outputs(staging, request, plan, {"charterplan": "campaign", "ledger_version": version,
                                          "last_plan": decision})
    (staging / "changes.csv").write_text(csv_text(rows), encoding="utf-8", newline="")


def plan_folder(db: str | os.PathLike[str], out: str | os.PathLike[str],
                version: int | None = None) -> int:
    """Write the plan folder of a recorded plan version (default: the newest) to
    ``out``, as :func:`plan` wrote or would have written it: the recovery after a plan
    killed between its commit and its folder. Records nothing. Returns the version.

    Raises:
        CampaignError: no such version; OutputFolderError: ``out`` is not ours.
    """
    from charterplan.io.folder import claim_output_folder

    with claim_output_folder(out) as folder:
        with L.transaction(db) as connection:
            query = select(L.plan_versions)
            query = (query.where(L.plan_versions.c.version == version) if version is not None
                     else query.order_by(L.plan_versions.c.version.desc()).limit(1))
            row = connection.execute(query).first()
        if row is None:
            raise CampaignError("the ledger has no plan version"
                                + (f" {version}" if version is not None else ""))
        request = parse_request(json.loads(row.request))
        changes = [Change(*c) for c in json.loads(row.changes)]
        fill_plan_folder(folder.staging, request, parse_plan(row.plan), changes,
                         row.decision, row.version)
        folder.commit()
    found: int = row.version
    return found


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """An ISO date or date-time; a date alone means the end of that day; no offset
    means the county's time zone."""
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(23, 59, 59))
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise CampaignError(f"--until: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM "
                            f"(got {text!r})") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def publish(db: str | os.PathLike[str], until: str | datetime) -> list[str]:
    """Freeze every trip of the current plan departing up to ``until`` (with the
    feeders, trains and convoy mates of those trips). Returns the trips published."""
    with L.transaction(db) as connection:
        county = county_of(connection)
        moment = until if isinstance(until, datetime) else parse_moment(until, zone_of(county))
        rows = {r.id: _trip(r.body) for r in connection.execute(
            select(L.trips).where(L.trips.c.published.is_(False)))}
        chosen = {t for t, trip in rows.items() if trip.departure <= moment}
        # a feeder and its train, and the trips of one convoy, are announced together
        while True:
            riders = {w for t in chosen for w in rows[t].passengers}
            convoys = {rows[t].convoy for t in chosen if rows[t].convoy}
            more = {t for t, trip in rows.items() if t not in chosen and (
                riders.intersection(trip.passengers) or trip.convoy in convoys)}
            if not more:
                break
            chosen |= more
        stamp = moment.date().isoformat()
        events = _Events()
        states = []
        for trip_id in sorted(chosen):
            connection.execute(update(L.trips).where(L.trips.c.id == trip_id).values(
                published=True, published_at=_now(), status="published"))
            for worker in rows[trip_id].passengers:
                states.append({"worker": worker, "state": "booked", "trip": trip_id,
                               "why": None})
                events.add(worker, stamp, "booked", "publish", None, None,
                           {"trip": trip_id, "departure": rows[trip_id].departure.isoformat()})
        feeders = {w for t in chosen if rows[t].feeder for w in rows[t].passengers}
        states = [s for s in states if not (s["worker"] in feeders
                                            and rows[s["trip"]].feeder)]
        if states:
            connection.execute(_SET_WORKER, states)
        events.write(connection)
    return sorted(chosen)


def _published(connection: Connection, trip_id: str) -> Any:
    row = connection.execute(select(L.trips).where(L.trips.c.id == trip_id)).first()
    if row is None:
        raise CampaignError(f"no trip {trip_id!r} in the ledger")
    if not row.published:
        raise CampaignError(f"trip {trip_id!r} is not published; publish it first")
    return row


def board(db: str | os.PathLike[str], trip_id: str,
          present: str | os.PathLike[str] | Iterable[str],
          drivers: Sequence[tuple[str, str | None]] = ()) -> tuple[list[str], list[str]]:
    """Record who boarded ``trip_id`` (``present``: a file of one worker id a line, or
    the ids); absent riders become ``no_show`` and return to pending. ``drivers``
    (name, phone or None) are the drivers at the wheel, as the escort sees them: the
    plan counts a trip's drivers but the bus company names them, and ``trace`` lists
    them. Given, there must be at least as many as the trip carries.

    Returns:
        The riders who boarded and those who did not.
    """
    if isinstance(present, (str, os.PathLike)):
        path = Path(present)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CampaignError(f"{path}: cannot read as UTF-8 text: {exc}") from None
        listed = [(f"{path.name}:{n}", line.strip()) for n, line in enumerate(lines, 1)
                  if line.strip()]
    else:
        listed = [(f"[{n}]", ident) for n, ident in enumerate(present)]
    with L.transaction(db) as connection:
        row = _published(connection, trip_id)
        if row.status != "published":
            raise CampaignError(f"trip {trip_id!r} is {row.status}; boarding is recorded once")
        trip = _trip(row.body)
        riders = set(trip.passengers)
        problems = [f"  {where}: {ident!r} is not a rider of trip {trip_id}"
                    for where, ident in listed if ident not in riders]
        problems += [f"  driver {k}: the name is empty"
                     for k, (name, _) in enumerate(drivers, 1) if not name.strip()]
        if drivers and len(drivers) < trip.drivers:
            problems.append(f"  drivers: trip {trip_id} carries {trip.drivers} drivers, "
                            f"{len(drivers)} named")
        if problems:
            raise CampaignError("\n".join([f"the boarding of trip {trip_id} has {len(problems)} "
                                           f"problem{'s' * (len(problems) != 1)}", *problems]))
        here = {ident for _, ident in listed}
        if drivers:
            connection.execute(insert(L.trip_drivers), [
                {"trip_id": trip_id, "seat": k, "name": name.strip(),
                 "phone": (phone or "").strip() or None, "recorded_at": _now()}
                for k, (name, phone) in enumerate(drivers, 1)])
        stamp = trip.departure.date().isoformat()
        events = _Events()
        boarded, absent = sorted(riders & here), sorted(riders - here)
        for worker in trip.passengers:
            connection.execute(insert(L.boardings).values(
                trip_id=trip_id, worker_id=worker, present=worker in here, recorded_at=_now()))
        for worker in boarded:
            connection.execute(update(L.workers).where(L.workers.c.id == worker)
                               .values(state="departed", reason=None))
            events.add(worker, stamp, "boarded", "board", None, None, {"trip": trip_id})
        for worker in absent:
            connection.execute(update(L.workers).where(L.workers.c.id == worker)
                               .values(state="pending", reason="no_show", trip_id=None))
            events.add(worker, stamp, "no_show", "board", None, {"trip": trip_id},
                   {"state": "pending"})
        connection.execute(update(L.trips).where(L.trips.c.id == trip_id)
                           .values(status="departed"))
        events.write(connection)
    return boarded, absent


def arrive(db: str | os.PathLike[str], trip_id: str) -> list[str]:
    """Record the arrival of ``trip_id``; its boarded riders have arrived (a feeder's
    riders go on by train). Returns the riders who arrived."""
    with L.transaction(db) as connection:
        row = _published(connection, trip_id)
        if row.status != "departed":
            raise CampaignError(f"trip {trip_id!r} is {row.status}; record its boarding "
                                "before its arrival")
        trip = _trip(row.body)
        connection.execute(insert(L.arrivals).values(trip_id=trip_id, recorded_at=_now()))
        connection.execute(update(L.trips).where(L.trips.c.id == trip_id)
                           .values(status="arrived"))
        aboard = [r.worker_id for r in connection.execute(
            select(L.boardings.c.worker_id).where(L.boardings.c.trip_id == trip_id,
                                                  L.boardings.c.present.is_(True)))]
        stamp = trip.arrival.date().isoformat()
        events = _Events()
        if trip.feeder:
            return []
        for worker in sorted(aboard):
            connection.execute(update(L.workers).where(L.workers.c.id == worker)
                               .values(state="arrived"))
            events.add(worker, stamp, "arrived", "arrive", None, None, {"trip": trip_id})
        events.write(connection)
    return sorted(aboard)
