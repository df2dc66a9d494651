"""Re-planning a day of the campaign around the trips already published (SPEC §10).

Published trips are inputs, not decisions. Each keeps its id, vehicle, departure, route
and crew; riders who were cancelled or can no longer ride it legally leave it (their
seat is freed), and pending workers fill its free seats before anything new is planned.
The rest are planned by :func:`charterplan.plan` on a *derived* request that cannot
collide with what the published trips use:

- new trips leave no earlier than the day after the last day with a published
  departure (the *clamp*), so no hub slot (§5.7), no bus of a day (§5.8) and no rail
  carriage of a published train (trains leave on their day) is counted twice;
- each escort and medic becomes available only after their last published trip is back
  at the hub and they have rested (§5.5);
- a train that leaves before the clamp (all trains with published carriages do) can
  carry no new rider, who leaves no earlier than the clamp.

The request model has no way to say "already used" per slot, per bus-type-day or per
staff interval, and the planner is being restructured elsewhere; the clamp needs no
planner change and is exact for staff. Its price is that a late registration can leave
on a published day only in a free seat of a published trip. The union of published and
new trips is then verified with :func:`charterplan.check.check_plan` against a request
of every worker in play; a violation is a bug and fails the command.

An unpublished trip of the last plan is kept when it is still feasible (every rider
still pending, eligible, unchanged in what matters, its crew free) and the plan that
keeps those trips and plans the rest around them costs at most 2 % more per rider than
planning all pending workers afresh and carries no fewer workers (a pinned warm start,
decided for the plan as a whole; see benchmarks/RESULTS.md for how often it holds).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from charterplan.check import check_plan
from charterplan.io.request import parse_request, request_digest
from charterplan.io.trains import train_uses
from charterplan.model import (
    SHORTAGES,
    Convoy,
    HealthStatus,
    Plan,
    PlanRequest,
    PlanStatus,
    Reason,
    Stop,
    Summary,
    Trip,
    Unassigned,
    Worker,
)
from charterplan.model.report import report_tables

__all__ = ["STABILITY_MARGIN", "Change", "Replan", "replan"]

STABILITY_MARGIN = 0.02
"""Keeping the last plan's unpublished trips may cost this much more per rider."""


@dataclass(frozen=True, order=True)
class Change:
    """A worker whose trip changed: from, to (empty: none) and why."""

    worker: str
    from_trip: str
    to_trip: str
    why: str


@dataclass
class Replan:
    """The outcome of :func:`replan`: the plan of every worker in play and its request,
    the published trips as they now stand, and what changed."""

    request: PlanRequest
    plan: Plan
    pinned: dict[str, Trip]
    """Published trips still running, with riders removed or added."""
    cancelled_trips: dict[str, str]
    """Published trips that no longer run (fewer than two riders left), with why."""
    changes: list[Change]
    decision: str
    """``kept N trips`` (the last plan's unpublished trips kept), or ``replanned``
    with why keeping them was not taken."""
    freed: list[Change] = field(default_factory=list)
    filled: list[Change] = field(default_factory=list)


def cleared_on(worker: Worker, when: datetime) -> str | None:
    """Why ``worker`` may not travel at ``when`` (None: they may), as SPEC §5.2 says."""
    health = worker.health
    if health.status not in (HealthStatus.CLEARED, HealthStatus.QUARANTINE):
        return f"health status is {health.status.value}"
    if health.status == HealthStatus.QUARANTINE and health.quarantine_until is None:
        return "in quarantine with no end date"
    if health.quarantine_until is not None and health.quarantine_until > when:
        return f"in quarantine until {health.quarantine_until:%Y-%m-%d %H:%M}"
    if health.certificate_valid_until is not None and health.certificate_valid_until < when:
        return f"health certificate expired {health.certificate_valid_until:%Y-%m-%d}"
    return None


def _dropoff(trip: Trip, worker_id: str) -> Stop | None:
    return next((s for s in trip.stops if s.kind == "dropoff" and worker_id in s.workers), None)


def why_not_riding(worker: Worker, trip: Trip, request: PlanRequest,
                   serving: Callable[[str], str | None]) -> str | None:
    """Why ``worker`` can no longer ride ``trip`` they were booked on (None: they can)."""
    reason = cleared_on(worker, trip.departure)
    if reason:
        return reason
    if trip.departure < worker.earliest_departure:
        return f"now leaves no earlier than {worker.earliest_departure:%Y-%m-%d %H:%M}"
    stop = _dropoff(trip, worker.id)
    if stop is None:
        return "no drop-off on the trip"
    if trip.feeder:
        return None  # the train checks the destination
    expected = serving(worker.destination) if trip.mode == "rail" else worker.destination
    if expected is not None and stop.place != expected:
        return f"destination changed to {worker.destination}"
    if stop.eta > worker.latest_arrival:
        return f"must now arrive by {worker.latest_arrival:%Y-%m-%d %H:%M}"
    return None


def _without(trip: Trip, gone: set[str], request: PlanRequest) -> Trip:
    """``trip`` without the riders ``gone``; the route is kept (the bus runs as
    announced); captain and deputy re-chosen among the rest if they left."""
    riders = [w for w in trip.passengers if w not in gone]
    stops = tuple(s.model_copy(update={"workers": tuple(w for w in s.workers if w not in gone)})
                  for s in trip.stops)
    return trip.model_copy(update={"passengers": tuple(riders), "stops": stops,
                                   **_crew(riders, trip, request)})


def _crew(riders: Sequence[str], trip: Trip, request: PlanRequest) -> dict[str, str]:
    """Captain and deputy: kept while they ride, else volunteers first, then by id."""
    if len(riders) < 2:
        return {}
    volunteers = {w.id for w in request.workers if w.captain_volunteer}
    keep = [w for w in (trip.captain, trip.deputy_captain) if w in riders]
    order = sorted((w for w in riders if w not in keep), key=lambda w: (w not in volunteers, w))
    chosen = (keep + order)[:2]
    return {"captain": chosen[0], "deputy_captain": chosen[1]}


def _with_rider(trip: Trip, worker_id: str) -> Trip:
    """``trip`` with ``worker_id`` boarding at the hub and alighting with the riders to
    their destination (see :func:`_seat_for`)."""
    stops = []
    for stop in trip.stops:
        workers = stop.workers
        if stop.kind == "pickup" and stop.place == trip.hub:
            workers = tuple(sorted((*workers, worker_id)))
        stops.append(stop.model_copy(update={"workers": workers}))
    return trip.model_copy(update={"passengers": tuple(sorted((*trip.passengers, worker_id))),
                                   "stops": tuple(stops)})


def _with_alight(trip: Trip, worker_id: str, place: str) -> Trip:
    stops = tuple(
        s.model_copy(update={"workers": tuple(sorted((*s.workers, worker_id)))})
        if s.kind == "dropoff" and s.place == place else s for s in trip.stops)
    return trip.model_copy(update={"stops": stops})


def _capacity(trip: Trip, request: PlanRequest) -> int:
    bus = next(b for b in request.bus_types if b.id == trip.vehicle_type)
    return bus.capacity


def _seat_for(members: Sequence[Worker], trip: Trip, request: PlanRequest) -> bool:
    """Whether ``members`` (a group, or one worker) may all take free seats of the
    published bus ``trip``: room, window, health, hub, boarding at the hub, and a rider
    already boarding at the hub for each member's drop-off (so the member's detour is
    one the plan already allowed)."""
    if trip.mode != "bus" or trip.feeder:
        return False
    if len(trip.passengers) + len(members) > _capacity(trip, request):
        return False
    policy = request.policy
    boards = {w for s in trip.stops if s.kind == "pickup" and s.place == trip.hub
              for w in s.workers}
    if not any(s.kind == "pickup" and s.place == trip.hub for s in trip.stops):
        return False
    for worker in members:
        if worker.hub is not None and worker.hub != trip.hub:
            return False
        if (request.door_to_door and worker.pickup_point is not None
                and not policy.pickup_fallback_to_hub):
            return False
        if trip.departure < worker.earliest_departure or cleared_on(worker, trip.departure):
            return False
        stop = next((s for s in trip.stops if s.kind == "dropoff"
                     and s.place == worker.destination), None)
        if stop is None or stop.eta > worker.latest_arrival:
            return False
        if not boards.intersection(stop.workers):
            return False
    return True


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _units(workers: Iterable[Worker]) -> list[list[Worker]]:
    """Workers as travelling units (a group or one person), poor households first."""
    groups: dict[str, list[Worker]] = defaultdict(list)
    units: list[list[Worker]] = []
    for worker in workers:
        if worker.group is None:
            units.append([worker])
        else:
            if worker.group not in groups:
                units.append(groups[worker.group])
            groups[worker.group].append(worker)
    return sorted(units, key=lambda u: (not any(w.poverty_registered for w in u), u[0].id))


def replan(county: Mapping[str, Any], day: date, workers: Mapping[str, dict[str, Any]],
           published: Sequence[Trip], published_convoys: Sequence[Convoy],
           last_trips: Mapping[str, str], last_unpublished: Sequence[Trip],
           last_convoys: Sequence[Convoy], cancelled: set[str],
           planner: Callable[[PlanRequest], Plan], plan_id: str, *,
           away: Sequence[Trip] = (), keep: bool = True,
           known_ids: AbstractSet[str] = frozenset(),
           stability: float | None = STABILITY_MARGIN) -> Replan:
    """Plan every worker in play from ``day`` on around the ``published`` trips.

    Args:
        county: the county file (a request without workers).
        day: the campaign day planned; nobody leaves before it.
        workers: every worker who has not departed and is not cancelled, by id, as
            request worker objects.
        published: published trips that have not left yet (departing from ``day``).
        published_convoys: their convoys.
        last_trips: each worker's trip in the last plan version.
        last_unpublished: the last plan's unpublished trips (kept where worthwhile).
        last_convoys: the last plan's convoys.
        cancelled: workers cancelled since (they leave published trips).
        planner: :func:`charterplan.plan` or a stand-in with its signature.
        plan_id: the id of the plan made.
        away: published trips that have left (their crews may not be back yet).
        known_ids: every trip id the ledger holds (a new trip gets none of them).
        keep: try keeping the last plan's unpublished trips (off: always re-plan them).
        stability: the share of a seat's cost the planner charges for moving a worker
            off their day in the last plan (the request's ``previous``; None: the
            planner is not told where anyone rode).

    Returns:
        The plan of every worker in play, verified against SPEC §5.
    """
    zone = ZoneInfo(str(county.get("timezone", "Asia/Shanghai")))
    start = _start_of(day, zone)

    def request_of(records: Iterable[dict[str, Any]], **lists: Any) -> PlanRequest:
        return parse_request({**county, "plan_id": plan_id, "workers": list(records), **lists})

    def from_day(record: dict[str, Any]) -> dict[str, Any]:
        # nobody leaves before the day planned; a window over before it stays as it was
        # (the worker is listed as window_infeasible)
        earliest = datetime.fromisoformat(record["earliest_departure"])
        latest = datetime.fromisoformat(record["latest_arrival"])
        if earliest >= start or latest <= start:
            return record
        return {**record, "earliest_departure": start.isoformat(timespec="minutes")}

    records = {wid: from_day(rec) for wid, rec in workers.items()}
    everyone = request_of([*records.values()])
    by_id = {w.id: w for w in everyone.workers}
    serving = _server(everyone)

    # 1. published trips lose riders who were cancelled or may no longer ride them
    changes: list[Change] = []
    freed: list[Change] = []
    pinned: dict[str, Trip] = {}
    trip_cancelled: dict[str, str] = {}
    released: set[str] = set()
    for trip in sorted(published, key=lambda t: (t.departure, t.id)):
        gone: set[str] = set()
        for rider in trip.passengers:
            if rider in cancelled or rider not in by_id:
                gone.add(rider)
                freed.append(Change(rider, trip.id, "", "cancelled"))
                continue
            why = why_not_riding(by_id[rider], trip, everyone, serving)
            if why:
                gone.add(rider)
                released.add(rider)
                freed.append(Change(rider, trip.id, "", f"no longer eligible: {why}"))
        pinned[trip.id] = _without(trip, gone, everyone) if gone else trip
    _feeder_pairs(pinned, freed, released, everyone)

    # 2. pending workers take free seats of published buses first
    riding = {w for t in pinned.values() for w in t.passengers}
    pending = [by_id[w] for w in sorted(by_id) if w not in riding]
    filled: list[Change] = []
    for unit in _units(pending):
        for trip in sorted(pinned.values(), key=lambda t: (t.departure, t.id)):
            if _seat_for(unit, trip, everyone):
                for worker in unit:
                    trip = _with_alight(_with_rider(trip, worker.id), worker.id,
                                        worker.destination)
                    filled.append(Change(worker.id, last_trips.get(worker.id, ""), trip.id,
                                         "free seat on a published trip"))
                pinned[trip.id] = trip
                break
    # a published trip left with fewer than two riders has no captain and deputy: it
    # does not run, and its riders (and their connecting legs) are planned again
    while True:
        small = [t for t in pinned.values() if len(t.passengers) < 2]
        for trip in small:
            del pinned[trip.id]
            trip_cancelled[trip.id] = f"{len(trip.passengers)} rider(s) left"
            released.update(trip.passengers)
            for rider in trip.passengers:
                freed.append(Change(rider, trip.id, "", "published trip cancelled: too few "
                                    "riders left"))
        if not _feeder_pairs(pinned, freed, released, everyone) and not small:
            break
    riding = {w for t in pinned.values() for w in t.passengers}
    filled = [c for c in filled if c.worker in riding]
    _split_late_members(records, by_id, riding)
    everyone = request_of([*records.values()])
    by_id = {w.id: w for w in everyone.workers}
    pending = [by_id[w] for w in sorted(by_id) if w not in riding]

    # 3. the rest are planned on a request that cannot collide with the published trips
    clamp = _clamp(start, [*published], zone)
    previous = {} if stability is None else {
        w: {"trip": t.id, "departure": t.departure.isoformat(timespec="minutes"),
            "weight": stability}
        for t in last_unpublished if not t.feeder for w in t.passengers}
    derived, late = _derived(county, records, pending, pinned, [*published, *away], clamp,
                             start, plan_id, everyone, previous)
    fresh = planner(derived) if derived.workers else None
    decision = "replanned"
    new_trips = list(fresh.trips) if fresh else []
    new_convoys = list(fresh.convoys) if fresh else []
    new_unassigned = list(fresh.unassigned) if fresh else []
    kept = _keepable(last_unpublished, derived, clamp, pinned) if keep else []
    if fresh is not None and kept:
        candidate = _keeping(kept, last_convoys, derived, planner, county, records, clamp,
                             plan_id, pinned, published, everyone)
        if isinstance(candidate, str):
            decision = f"replanned: keeping {len(kept)} trips {candidate}"
        else:
            verdict = _worth_keeping(candidate[0], fresh)
            if verdict is None:
                decision = f"kept {len(kept)} trips"
                new_trips, new_convoys, new_unassigned = (
                    list(candidate[0].trips), list(candidate[1]), list(candidate[2]))
            else:
                decision = f"replanned: keeping {len(kept)} trips {verdict}"
    # a trip id names one bus: an id of the last plan is reused only by the same trip
    earlier = {t.id: t for t in last_unpublished}
    ledger_ids = {*pinned, *trip_cancelled, *last_trips.values(), *known_ids}
    new_trips, renamed = _inherit_ids(new_trips, last_unpublished, ledger_ids)
    new_convoys = [c.model_copy(update={"trips": tuple(renamed.get(t, t) for t in c.trips)})
                   for c in new_convoys]
    same = {t.id for t in new_trips if t.id in earlier}
    new_trips, new_convoys = _unique_ids(
        new_trips, new_convoys, taken={*ledger_ids, *earlier}, fixed=same,
        convoy_taken={c.id for c in published_convoys})
    # 3b. late registrations whose window closes before the clamp: new buses on the
    # published days, within what the published and new trips leave (checked whole)
    union_request = request_of([records[w.id] for w in everyone.workers])
    late_trips, late_convoys, late = _late_buses(
        late, records, pinned, [*published, *away], new_trips, clamp, start,
        plan_id, everyone, planner, taken={*ledger_ids, *earlier, *(t.id for t in new_trips)},
        convoy_taken={*(c.id for c in published_convoys), *(c.id for c in new_convoys)},
        union=lambda trips, convoys, left: _union_plan(
            union_request, sorted(trips, key=lambda t: (t.departure, t.id)), convoys, left,
            fresh, plan_id),
        fixed_convoys=_convoys_of(published_convoys, pinned) + new_convoys,
        rest_unassigned=new_unassigned, check_against=union_request)
    new_trips += late_trips
    new_convoys += late_convoys
    unassigned = new_unassigned + late

    # 4. the union, checked against a request of every worker in play
    trips = sorted([*pinned.values(), *new_trips], key=lambda t: (t.departure, t.id))
    convoys = _convoys_of(published_convoys, pinned) + new_convoys
    union = _union_plan(union_request, trips, convoys, unassigned, fresh, plan_id)
    violations = check_plan(union_request, union)
    if violations:
        listed = "\n".join(f"  {v}" for v in violations[:20])
        raise RuntimeError(f"the re-plan breaks {len(violations)} invariant(s):\n{listed}")

    trip_of = {w: t.id for t in union.trips if not t.feeder for w in t.passengers}
    departure_of = {t.id: t.departure for t in union.trips}
    why_of = {u.worker: u.reason.value for u in union.unassigned}
    noted = {c.worker: c for c in [*freed, *filled]}
    for worker in everyone.workers:
        before, after = last_trips.get(worker.id, ""), trip_of.get(worker.id, "")
        if before == after:
            old = earlier.get(before)
            if old is not None and old.departure != departure_of[after]:
                changes.append(Change(worker.id, before, after,
                                      f"departure moved to {departure_of[after]:%Y-%m-%d %H:%M}"))
            continue
        note = noted.get(worker.id)
        if note is not None and note.to_trip == after:
            why = note.why
        elif note is not None:
            why = note.why + (f"; re-planned to {after}" if after else
                              f"; not carried: {why_of.get(worker.id, '')}")
        elif not before:
            why = "planned" if after else f"not carried: {why_of.get(worker.id, '')}"
        elif not after:
            why = f"not carried: {why_of.get(worker.id, '')}"
        else:
            why = "re-planned"
        changes.append(Change(worker.id, before, after, why))
    for wid in sorted(cancelled):
        if last_trips.get(wid):
            changes.append(Change(wid, last_trips[wid], "", "cancelled"))
    return Replan(request=union_request, plan=union, pinned=pinned,
                  cancelled_trips=trip_cancelled, changes=sorted(set(changes)),
                  decision=decision, freed=freed, filled=filled)


def _late_buses(late: list[Unassigned], records: Mapping[str, dict[str, Any]],
                pinned: Mapping[str, Trip],
                published: Sequence[Trip], new_trips: Sequence[Trip], clamp: datetime,
                start: datetime, plan_id: str, everyone: PlanRequest,
                planner: Callable[[PlanRequest], Plan], taken: AbstractSet[str],
                convoy_taken: AbstractSet[str],
                union: Callable[[list[Trip], list[Convoy], list[Unassigned]], Plan],
                fixed_convoys: list[Convoy], rest_unassigned: list[Unassigned],
                check_against: PlanRequest,
                ) -> tuple[list[Trip], list[Convoy], list[Unassigned]]:
    """New buses before the clamp for workers who must leave before it: a request of
    those workers by bus alone, each bus type with the buses the published trips leave
    on their busiest day, the hubs' slots around the published departures
    (:func:`_hubs_around`), each escort and medic only between their last published
    trip (rested) and their first new one. Kept only if the union of every trip passes
    :func:`check_plan`; else none (the workers stay unassigned). Returns the trips,
    their convoys and the workers still left."""
    waiting = [u for u in late if u.worker in records
               and datetime.fromisoformat(records[u.worker]["latest_arrival"]) > start]
    if not waiting:
        return [], [], late
    zone = ZoneInfo(everyone.timezone)
    rest = timedelta(hours=everyone.policy.staff_rest_hours)
    running = [t for t in pinned.values() if t.departure < clamp and t.mode == "bus"]
    used = Counter((t.vehicle_type, _local_day(t.departure, zone)) for t in running)
    most = {kind: max(n for (k, _), n in used.items() if k == kind) for kind, _ in used}
    buses = [{**b.model_dump(mode="json"),
              "available_per_day": max(0, b.available_per_day - most.get(b.id, 0))}
             for b in everyone.bus_types]
    free_from: dict[str, datetime] = {}
    for trip in [*pinned.values(), *published]:
        for person in (trip.escort, trip.medic):
            free_from[person] = max(free_from.get(person, trip.back_at_hub + rest),
                                    trip.back_at_hub + rest)
    free_until: dict[str, datetime] = {}
    for trip in new_trips:
        for person in (trip.escort, trip.medic):
            free_until[person] = min(free_until.get(person, trip.departure - rest),
                                     trip.departure - rest)
    staff = []
    for member in everyone.staff:
        begin = max(member.available_from, free_from.get(member.id, start), start)
        end = min(member.available_until, free_until.get(member.id, member.available_until))
        if begin < end:
            staff.append({**member.model_dump(mode="json"),
                          "available_from": begin.isoformat(timespec="minutes"),
                          "available_until": end.isoformat(timespec="minutes")})
    ids = {u.worker for u in waiting}
    request = parse_request({
        **everyone.model_dump(mode="json", by_alias=True), "plan_id": plan_id,
        "workers": [records[w] for w in sorted(ids)], "rail_services": [],
        "destinations": [{**d.model_dump(mode="json"), "rail_station": None}
                         for d in everyone.destinations],
        "staff": staff, "bus_types": buses, "hubs": _hubs_around(everyone, running)})
    extra = planner(request)
    if not extra.trips:
        return [], [], late
    trips, convoys = _unique_ids(list(extra.trips), list(extra.convoys), taken=taken,
                                 convoy_taken=convoy_taken)
    carried = {w for t in trips for w in t.passengers}
    left = [u for u in late if u.worker not in carried]
    whole = union([*pinned.values(), *new_trips, *trips], fixed_convoys + convoys,
                  rest_unassigned + left)
    if check_plan(check_against, whole):
        return [], [], late
    return trips, convoys, left


def _split_late_members(records: dict[str, dict[str, Any]], by_id: Mapping[str, Worker],
                        riding: set[str]) -> None:
    """Members of a group whose others ride a published trip without room for them
    travel as a group of their own, ``<group>~later`` (a group never splits across a
    trip, SPEC §5.9, and the published trip cannot move)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for worker in by_id.values():
        if worker.group is not None:
            groups[worker.group].append(worker.id)
    for group, members in groups.items():
        aboard = [w for w in members if w in riding]
        if aboard and len(aboard) < len(members):
            for worker_id in members:
                if worker_id not in riding:
                    records[worker_id] = {**records[worker_id], "group": f"{group}~later"}


def _server(request: PlanRequest) -> Callable[[str], str | None]:
    """The rail stop serving each destination, as the plan's rail trips record it: a
    destination's named station, else None (a rail rider's drop-off is then trusted to
    the union check)."""
    named = {d.id: d.rail_station for d in request.destinations}
    return lambda destination: named.get(destination)


def _feeder_pairs(pinned: dict[str, Trip], freed: list[Change], released: set[str],
                  request: PlanRequest) -> bool:
    """A rider who left a feeder leaves its train, and the other way round. Returns
    whether anyone left."""
    left = False
    while True:
        feeders = {w: t.id for t in pinned.values() if t.feeder for w in t.passengers}
        rails = {w: t.id for t in pinned.values() if t.mode == "rail" for w in t.passengers}
        lonely = {w: feeders[w] for w in feeders.keys() - rails.keys()}
        lonely |= {w: rails[w] for w in rails.keys() - feeders.keys()}
        lonely = {w: t for w, t in lonely.items()
                  if w in released or any(c.worker == w for c in freed)}
        if not lonely:
            return left
        for worker, trip_id in sorted(lonely.items()):
            pinned[trip_id] = _without(pinned[trip_id], {worker}, request)
            freed.append(Change(worker, trip_id, "", "left the connecting trip"))
            left = True


def _clamp(start: datetime, published: Sequence[Trip], zone: ZoneInfo) -> datetime:
    """The earliest departure of a new trip: the day after the last published
    departure, and never before the day planned."""
    if not published:
        return start
    last = max(_local_day(t.departure, zone) for t in published)
    return max(start, _start_of(last + timedelta(days=1), zone))


def _derived(county: Mapping[str, Any], records: Mapping[str, dict[str, Any]],
             pending: Sequence[Worker], pinned: Mapping[str, Trip],
             published: Sequence[Trip], clamp: datetime, start: datetime, plan_id: str,
             everyone: PlanRequest, previous: Mapping[str, dict[str, Any]]
             ) -> tuple[PlanRequest, list[Unassigned]]:
    """The request for the pending workers: windows from the clamp on, staff free only
    after their last published trip and rest, and where each rode in the last plan
    (``previous``, by worker) if they did.
    Workers whose window closes before the clamp are returned as unassigned."""
    rest = timedelta(hours=everyone.policy.staff_rest_hours)
    busy_until: dict[str, datetime] = {}
    for trip in [*pinned.values(), *published]:
        for person in (trip.escort, trip.medic):
            end = trip.back_at_hub + rest
            busy_until[person] = max(busy_until.get(person, end), end)
    staff = []
    for person in county.get("staff", []):
        record = dict(person)
        until = busy_until.get(record["id"])
        if until is not None:
            free = max(until, clamp)
            ends = next(s.available_until for s in everyone.staff if s.id == record["id"])
            if free >= ends:
                continue
            known = next(s.available_from for s in everyone.staff if s.id == record["id"])
            record["available_from"] = max(free, known).isoformat(timespec="minutes")
        staff.append(record)
    late: list[Unassigned] = []
    chosen = []
    for worker in pending:
        earliest = max(worker.earliest_departure, clamp)
        if earliest >= worker.latest_arrival:
            late.append(Unassigned(
                worker=worker.id, reason=Reason.WINDOW_INFEASIBLE,
                detail=f"the window ended {worker.latest_arrival:%Y-%m-%d %H:%M}, before "
                f"{start:%Y-%m-%d}" if worker.latest_arrival <= start else
                f"no free seat on the published trips, and new trips leave from "
                f"{clamp:%Y-%m-%d} on, after the latest arrival "
                f"{worker.latest_arrival:%Y-%m-%d %H:%M}"))
            continue
        record = dict(records[worker.id])
        record["earliest_departure"] = earliest.isoformat(timespec="minutes")
        if worker.id in previous:
            record["previous"] = previous[worker.id]
        chosen.append(record)
    request = parse_request({**county, "plan_id": plan_id, "workers": chosen, "staff": staff})
    return request, late


def _keepable(last: Sequence[Trip], derived: PlanRequest, clamp: datetime,
              pinned: Mapping[str, Trip]) -> list[Trip]:
    """The last plan's unpublished trips that can still run unchanged: every rider still
    pending and able to ride them, the crew still free, and no group split."""
    workers = {w.id: w for w in derived.workers}
    staff = {s.id: s for s in derived.staff}
    serving = _server(derived)
    kept: list[Trip] = []
    for trip in last:
        if trip.departure < clamp or trip.id in pinned:
            continue
        if any(w not in workers or why_not_riding(workers[w], trip, derived, serving)
               for w in trip.passengers):
            continue
        crew = [staff.get(trip.escort), staff.get(trip.medic)]
        if any(p is None or p.available_from > trip.departure
               or p.available_until < trip.back_at_hub for p in crew):
            continue
        kept.append(trip)
    # feeders and their trains stand or fall together
    ids = {t.id for t in kept}
    legs: dict[str, set[str]] = defaultdict(set)
    for trip in last:
        for w in trip.passengers:
            legs[w].add(trip.id)
    while True:
        fallen = {t for w, trips in legs.items() if not trips <= ids for t in trips} & ids
        if not fallen:
            break
        ids -= fallen
    groups: dict[str, set[str]] = defaultdict(set)
    for worker in derived.workers:
        if worker.group:
            groups[worker.group].add(worker.id)
    trip_of = {w: t.id for t in kept if t.id in ids and not t.feeder for w in t.passengers}
    for members in groups.values():
        on = {trip_of.get(w) for w in members}
        if len(on) > 1:
            ids -= {t for t in on if t}
    return [t for t in kept if t.id in ids]


def _keeping(kept: Sequence[Trip], last_convoys: Sequence[Convoy], derived: PlanRequest,
             planner: Callable[[PlanRequest], Plan], county: Mapping[str, Any],
             records: Mapping[str, dict[str, Any]], clamp: datetime, plan_id: str,
             pinned: Mapping[str, Trip], published: Sequence[Trip], everyone: PlanRequest,
             ) -> tuple[Plan, list[Convoy], list[Unassigned]] | str:
    """The plan that keeps ``kept`` and plans the other pending workers around them, or
    the first rule the whole breaks. The others' request leaves out the kept riders;
    each bus type has fewer buses a day by the most the kept trips use on any day; a
    kept trip's escort or medic is available on the longer side of their kept trips
    (before the first, back and rested, or after the last)."""
    aboard = {w for t in kept for w in t.passengers}
    rest_time = timedelta(hours=derived.policy.staff_rest_hours)
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for trip in kept:
        for person in (trip.escort, trip.medic):
            spans[person].append((trip.departure, trip.back_at_hub + rest_time))
    staff = []
    for member in derived.staff:
        record = member.model_dump(mode="json")
        if member.id in spans:
            first = min(a for a, _ in spans[member.id]) - rest_time
            last = max(b for _, b in spans[member.id])
            before = first - member.available_from
            after = member.available_until - last
            if max(before, after) <= timedelta(0):
                continue
            if before >= after:
                record["available_until"] = first.isoformat(timespec="minutes")
            else:
                record["available_from"] = last.isoformat(timespec="minutes")
        staff.append(record)
    used = Counter((t.vehicle_type, t.departure.date()) for t in kept if t.mode == "bus")
    most = {kind: max(n for (k, _), n in used.items() if k == kind) for kind, _ in used}
    buses = [{**b.model_dump(mode="json"),
              "available_per_day": max(0, b.available_per_day - most.get(b.id, 0))}
             for b in derived.bus_types]
    rest = parse_request({**derived.model_dump(mode="json", by_alias=True),
                          "workers": [w.model_dump(mode="json") for w in derived.workers
                                      if w.id not in aboard],
                          "staff": staff, "bus_types": buses,
                          "hubs": _hubs_around(derived, kept)})
    around = planner(rest) if rest.workers else None
    kept_ids = {t.id for t in kept}
    convoys = [c.model_copy(update={"trips": tuple(t for t in c.trips if t in kept_ids)})
               for c in last_convoys if any(t in kept_ids for t in c.trips)]
    convoys = [c if c.leader in {t.escort for t in kept if t.id in c.trips} else
               c.model_copy(update={"leader": next(t.escort for t in kept if t.id in c.trips)})
               for c in convoys]
    # the others' trips and convoys are renamed apart from the kept ones first: the
    # planner numbers its trips afresh, so an id may be a kept trip's
    others, more_convoys = _unique_ids(list(around.trips) if around else [],
                                       list(around.convoys) if around else [],
                                       taken={*pinned, *kept_ids},
                                       convoy_taken={c.id for c in convoys})
    trips = [*kept, *others]
    unassigned = list(around.unassigned) if around else []
    request = parse_request({**derived.model_dump(mode="json", by_alias=True)})
    whole = _union_plan(request, sorted(trips, key=lambda t: (t.departure, t.id)),
                        convoys + more_convoys, unassigned, around, plan_id)
    broken = check_plan(request, whole)
    if broken:
        return f"breaks rule {broken[0].invariant} ({broken[0]})"
    return whole, convoys + more_convoys, unassigned


def _hubs_around(request: PlanRequest, kept: Sequence[Trip]) -> list[dict[str, Any]]:
    """The hubs as the others may use them around the kept trips: each opens at the
    first slot from which on no kept departures fill a slot on any day, and allows a
    slot what the kept trips leave in the fullest of those slots, so that together they
    stay within ``max_departures_per_slot`` (a hub whose every slot is full on some day
    stays as it is, and the check decides)."""
    zone = ZoneInfo(request.timezone)
    used: Counter[tuple[str, date, int]] = Counter()
    # each bus is a departure; a train's carriages (one trip each) are one
    departures = {(t.hub, t.vehicle_type, t.departure, t.id if t.mode == "bus" else ""): t
                  for t in kept}
    for trip in departures.values():
        hub = next(h for h in request.hubs if h.id == trip.hub)
        local = trip.departure.astimezone(zone)
        opening = datetime.combine(local.date(), hub.open, tzinfo=zone)
        used[hub.id, local.date(), int((local - opening).total_seconds() // 60)
             // hub.slot_minutes] += 1
    hubs = []
    for hub in request.hubs:
        record = hub.model_dump(mode="json")
        per_slot: dict[int, int] = defaultdict(int)
        for (hub_id, _, slot), count in used.items():
            if hub_id == hub.id:
                per_slot[slot] = max(per_slot[slot], count)
        minutes = (hub.close.hour * 60 + hub.close.minute) - (hub.open.hour * 60
                                                              + hub.open.minute)
        for first in range((minutes - 1) // hub.slot_minutes + 1):
            fullest = max((n for slot, n in per_slot.items() if slot >= first), default=0)
            if fullest < hub.max_departures_per_slot:
                start = hub.open.hour * 60 + hub.open.minute + first * hub.slot_minutes
                record["open"] = f"{start // 60:02d}:{start % 60:02d}"
                record["max_departures_per_slot"] = hub.max_departures_per_slot - fullest
                break
        hubs.append(record)
    return hubs


def _inherit_ids(trips: list[Trip], last: Sequence[Trip], avoid: AbstractSet[str],
                 ) -> tuple[list[Trip], dict[str, str]]:
    """New trips named after the last plan's trip they continue: same hub, mode, day
    and vehicle (or rail service), and more than half of the old trip's riders aboard;
    each old id goes to the new trip holding most of its riders (ties: earlier new trip
    by departure and id). A new trip that continues none keeps its planner-given id."""
    old_of: dict[tuple[object, ...], list[Trip]] = defaultdict(list)
    for trip in last:
        old_of[trip.hub, trip.mode, trip.vehicle_type, trip.departure.date(),
               trip.feeder].append(trip)
    pairs = []
    for trip in trips:
        riders = set(trip.passengers)
        for old in old_of.get((trip.hub, trip.mode, trip.vehicle_type, trip.departure.date(),
                               trip.feeder), []):
            shared = len(riders.intersection(old.passengers))
            if 2 * shared > len(old.passengers):
                pairs.append((-shared, trip.departure, trip.id, old.id))
    names: dict[str, str] = {}
    taken: set[str] = set()
    for _, _, new_id, old_id in sorted(pairs):
        if new_id not in names and old_id not in taken:
            names[new_id] = old_id
            taken.add(old_id)
    # a planner-given id that an inherited id displaces moves out of the way, to a name
    # no trip has (_unique_ids then gives it its final one)
    avoid = {*avoid, *taken, *(t.id for t in trips), *(t.id for t in last)}
    out = []
    for trip in trips:
        if trip.id in names:
            out.append(trip.model_copy(update={"id": names[trip.id]}))
        elif trip.id in taken:
            k = 2
            while f"{trip.id}.{k}" in avoid:
                k += 1
            avoid.add(f"{trip.id}.{k}")
            out.append(trip.model_copy(update={"id": f"{trip.id}.{k}"}))
        else:
            out.append(trip)
    renamed = {t.id: o.id for t, o in zip(trips, out, strict=True) if t.id != o.id}
    return out, renamed


def _worth_keeping(keeping: Plan, fresh: Plan) -> str | None:
    """None when keeping carries no fewer workers and costs at most 2 % more per rider;
    else what is wrong with it."""
    def per_rider(plan: Plan) -> float:
        riders = plan.summary.assigned
        return plan.summary.total_cost / riders if riders else 0.0
    if keeping.summary.assigned < fresh.summary.assigned:
        return (f"carries {fresh.summary.assigned - keeping.summary.assigned} "
                "fewer workers")
    ratio = per_rider(keeping) / per_rider(fresh) if per_rider(fresh) else 1.0
    if ratio > 1 + STABILITY_MARGIN + 1e-9:
        return f"costs {100 * (ratio - 1):.1f} % more per rider"
    return None


def _unique_ids(trips: list[Trip], convoys: list[Convoy], taken: AbstractSet[str],
                fixed: AbstractSet[str] = frozenset(),
                convoy_taken: AbstractSet[str] = frozenset(),
                ) -> tuple[list[Trip], list[Convoy]]:
    """Trips (other than ``fixed``) and convoys renamed where their planner-given id is
    already used in the ledger: ``<id>.2``, ``<id>.3``, …"""
    def fresh(name: str, used: set[str]) -> str:
        k, out = 2, name
        while out in used:
            out, k = f"{name}.{k}", k + 1
        used.add(out)
        return out

    used = set(taken) | set(fixed)
    renamed = {t.id: t.id if t.id in fixed else fresh(t.id, used) for t in trips}
    convoy_used = set(convoy_taken)
    convoy_names = {c.id: fresh(c.id, convoy_used) for c in convoys}
    out_trips = [t.model_copy(update={"id": renamed[t.id],
                                      "convoy": convoy_names.get(t.convoy or "", t.convoy)})
                 for t in trips]
    out_convoys = [c.model_copy(update={"id": convoy_names[c.id],
                                        "trips": tuple(renamed.get(t, t) for t in c.trips)})
                   for c in convoys]
    return out_trips, out_convoys


def _convoys_of(convoys: Sequence[Convoy], pinned: Mapping[str, Trip]) -> list[Convoy]:
    """Published convoys restricted to the published trips that still run; a leader
    whose trip no longer runs hands over to the escort of the convoy's first trip."""
    out = []
    for convoy in convoys:
        trips = tuple(t for t in convoy.trips if t in pinned)
        if not trips:
            continue
        escorts = [pinned[t].escort for t in trips]
        leader = convoy.leader if convoy.leader in escorts else escorts[0]
        out.append(convoy.model_copy(update={"trips": trips, "leader": leader}))
    return out


def _union_plan(request: PlanRequest, trips: list[Trip], convoys: list[Convoy],
                unassigned: list[Unassigned], fresh: Plan | None, plan_id: str) -> Plan:
    """One plan of ``trips`` with its summary counted afresh; its lower bound is the
    cost of the fixed trips plus the new plan's bound."""
    # a convoy names each trip's convoy; trips of convoys dropped lose theirs
    listed = {t: c.id for c in convoys for t in c.trips}
    trips = [t if t.convoy == listed.get(t.id) else
             t.model_copy(update={"convoy": listed.get(t.id)}) for t in trips]
    unassigned = sorted(unassigned, key=lambda u: u.worker)
    riders = sum(len(t.passengers) for t in trips if not t.feeder)
    cost = round(sum(t.cost for t in trips), 2)
    new_ids = {t.id for t in fresh.trips} if fresh else set()
    fixed_cost = sum(t.cost for t in trips if t.id not in new_ids)
    bound = round(min(cost, (fresh.summary.lower_bound_cost if fresh else 0.0) + fixed_cost), 2)
    reasons = Counter(u.reason.value for u in unassigned)
    status = (PlanStatus.PARTIAL if any(u.reason in SHORTAGES for u in unassigned)
              else fresh.status if fresh is not None else PlanStatus.FEASIBLE)
    draft = Plan(
        plan_id=plan_id, request_sha256=request_digest(request),
        seed=request.policy.seed, status=status, trips=tuple(trips),
        convoys=tuple(sorted(convoys, key=lambda c: c.id)), unassigned=tuple(unassigned),
        summary=Summary(
            workers=len(request.workers), assigned=riders, unassigned=len(unassigned),
            unassigned_by_reason=dict(sorted(reasons.items())),
            trips_by_mode=dict(sorted(Counter(t.mode for t in trips).items())),
            total_cost=cost, total_km=round(sum(t.distance_km for t in trips), 1),
            lower_bound_cost=bound,
            gap_pct=round(100 * (cost - bound) / bound, 2) if bound > 0 else 0.0,
            solve_seconds=fresh.summary.solve_seconds if fresh else 0.0,
            tables=report_tables(request, trips, unassigned)))
    summary = draft.summary.model_copy(update={"trains": tuple(train_uses(request, draft))})
    return draft.model_copy(update={"summary": summary})
