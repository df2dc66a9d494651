"""Timetable: convoys and staggered departure slots at each hub.

Buses of one hub, day, area and wave form convoys of at most ``max_trips_per_convoy``
(feeders: of one train); a convoy's buses leave in consecutive slots, one a slot.
Convoys are placed feeders first (their trains will not wait), then earliest deadline
first, each in the earliest run of slots (feeders: the latest) that suits every bus's
window and still has room (``max_departures_per_slot``). A convoy that finds no such
run is split in two and tried again (the half that leaves first goes first; of feeders,
the half that leaves last); a lone bus with no slot left is cancelled and its riders
are left with ``no_vehicle_capacity``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from charterplan.model import Reason, Unassigned
from charterplan.shared.bus_route import BusRoute
from charterplan.shared.context import DAY, HUB_TOKEN, Context, SlotGrid
from charterplan.shared.packing import Bus
from charterplan.shared.routes import best_route, route, too_long
from charterplan.shared.units import day_window, deadlines_of
from charterplan.shared.waves import latest_departure

__all__ = ["Scheduled", "Timetable", "schedule"]


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A bus with its actual route, departure minute and convoy number."""

    bus: Bus
    route: BusRoute
    departure: int
    convoy: int

    @property
    def back(self) -> int:
        """Minute the bus is back at its hub."""
        return self.route.back(self.departure)

    @property
    def arrivals(self) -> tuple[int, ...]:
        """Minute the bus reaches each stop of its route."""
        return self.route.arrivals(self.departure)


@dataclass(frozen=True, slots=True)
class Timetable:
    """Scheduled buses (by departure), each convoy's area id by number, cancelled riders."""

    trips: tuple[Scheduled, ...]
    convoy_areas: dict[int, str]
    left: tuple[Unassigned, ...]


@dataclass(slots=True)
class _Draft:
    """A bus before it has a slot: its route, its departure window [lo, hi] and the
    latest arrival its riders allow at each stop."""

    bus: Bus
    route: BusRoute
    lo: int
    hi: int
    deadlines: tuple[tuple[str, int], ...]

    def fits(self, minute: int) -> bool:
        """Whether leaving at ``minute`` gets every rider there in time."""
        return self.lo <= minute <= self.hi and self.route.in_time(minute, self.deadlines)


def _draft(context: Context, bus: Bus) -> _Draft:
    """The bus's route over the stops it really serves, and its departure window:
    within its day (the fleet was counted per day) and every rider's window.

    The route is the shortest over those stops if it detours nobody beyond
    ``max_detour_km`` and leaves some rider's window open; else the pattern's own
    order without the stops nobody rides to, which the assignment checked and timed
    (dropping stops never makes a call later nor a detour longer). With a wide
    ``dropoff_radius_km`` the shortest order can go round the other way: reach last
    the drop-off whose riders must arrive first, or the one nearest the hub after
    170 km of others."""
    wanted = {d for u in bus.units for d in u.destinations}
    points = {p for u in bus.units for p in u.pickups}
    stops = tuple(d for d in bus.pattern.stops if d in wanted)
    pickups = tuple(p for p in bus.pattern.pickups if p in points)
    kept = route(context, bus.hub, stops, pickups, bus.pattern.boarding)
    shortest = best_route(context, bus.hub, stops, pickups, bus.pattern.boarding)
    if shortest.calls != kept.calls and not too_long(
            context, shortest, any(HUB_TOKEN in u.boarding for u in bus.units)):
        draft = _timed(context, bus, shortest)
        if draft.lo <= draft.hi:
            return draft
    return _timed(context, bus, kept)


def _timed(context: Context, bus: Bus, actual: BusRoute) -> _Draft:
    """``bus`` on ``actual``, with its departure window."""
    grid = context.grids[bus.hub]
    lo, day_end = day_window(grid, bus.day, bus.units)
    hi = min(day_end, min(latest_departure(u, actual, grid) for u in bus.units))
    by_stop = deadlines_of(bus.units)
    deadlines = tuple((stop, by_stop[stop]) for stop in actual.stops)
    return _Draft(bus, actual, lo, hi, deadlines)


def _convoy_order(draft: _Draft) -> tuple[int, int, tuple[str, ...], str]:
    """Where a bus goes in its convoy, whose buses leave one a slot: those whose window
    closes later leave later, and of those closing together, those whose window opens
    later (a bus that cannot leave before the last slot must be the last)."""
    return draft.hi, draft.lo, draft.route.stops, draft.bus.bus_type


def _is_feeder(convoy: Sequence[_Draft]) -> bool:
    return all(d.bus.feeder is not None for d in convoy)


def _starts(grid: SlotGrid, convoy: list[_Draft]) -> Iterator[int]:
    """Slots a convoy may start in: earliest first, or latest first for feeders (whose
    riders should not wait at the station for their train). Feeders together try only
    the run that ends in their last slot: split, they can share the late slots, where
    walking back in one run would take the early slots that buses leaving before the
    feeders' trains need."""
    first = grid.first_at_or_after(min(d.lo for d in convoy))
    last = max(d.hi for d in convoy)
    if _is_feeder(convoy):
        start = grid.last_at_or_before(last)
        if len(convoy) > 1:
            yield start - (len(convoy) - 1) * grid.slot
            return
        while start >= first:
            yield start
            start = grid.last_at_or_before(start - 1)
        return
    start = first
    while start <= last:
        yield start
        start = grid.first_at_or_after(start + 1)


def _place(grid: SlotGrid, taken: dict[int, int], convoy: list[_Draft]) -> list[int] | None:
    """Departure minutes for a convoy in consecutive free slots, or None."""
    for start in _starts(grid, convoy):
        times = [start + j * grid.slot for j in range(len(convoy))]
        same_day = times[-1] // DAY == start // DAY
        # a run broken by the night ban is no convoy: it is not one slot apart
        if same_day and all(grid.is_slot(t) and taken[t] < grid.per_slot and d.fits(t)
                            for d, t in zip(convoy, times, strict=True)):
            return times
    return None


Convoy = tuple[str, str, list[_Draft]]
"""A hub, an area's name and the buses of one convoy, in the order they leave."""


def _urgency(convoy: Convoy) -> tuple[bool, int, int, str, str]:
    """Feeders first (their train will not wait, while a bus can usually leave later),
    then by the earliest close of a window; of feeders closing together, those with a
    window that opens latest, since they take the late slots first."""
    hub, area, members = convoy
    feeder = _is_feeder(members)
    opens = max(d.lo for d in members) if feeder else 0
    return not feeder, min(d.hi for d in members), -opens, hub, area


def _allot(grids: Mapping[str, SlotGrid], convoys: Sequence[Convoy]) -> (
        Iterator[tuple[str, str, list[_Draft], list[int] | None]]):
    """Departure minutes for each convoy, in :func:`_urgency` order. A convoy that
    finds no run of slots is split in two, which are placed on their own; a lone bus
    with no slot comes out with None."""
    taken: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    queue = sorted(convoys, key=_urgency)
    queue.reverse()
    while queue:
        hub, area, members = queue.pop()
        times = _place(grids[hub], taken[hub], members)
        if times is None and len(members) > 1:
            half = len(members) // 2
            halves = [members[half:], members[:half]]
            if _is_feeder(members):
                # feeders take slots latest first, so the half whose windows open later
                # goes first: else the others fill the last slot that alone suits it
                halves.reverse()
            queue += [(hub, area, m) for m in halves]
            continue
        for minute in times or ():
            taken[hub][minute] += 1
        yield hub, area, members, times


def schedule(context: Context, buses: tuple[Bus, ...]) -> Timetable:
    """Give every bus a departure slot and a convoy; see the module docstring."""
    limit = context.request.policy.max_trips_per_convoy
    families: dict[tuple[str, int, str, int], list[_Draft]] = defaultdict(list)
    for bus in buses:
        draft = _draft(context, bus)
        families[bus.hub, bus.day, bus.area, bus.wave].append(draft)
    convoys: list[Convoy] = []
    area_names: dict[int, str] = {}
    for (hub, _, area, _), drafts in sorted(families.items()):
        drafts.sort(key=_convoy_order)
        for i in range(0, len(drafts), limit):
            convoys.append((hub, area, drafts[i:i + limit]))
    placed: list[Scheduled] = []
    left: list[Unassigned] = []
    number = 0
    for hub, area, members, times in _allot(context.grids, convoys):
        if times is None:
            left += [Unassigned(worker=w, reason=Reason.NO_VEHICLE_CAPACITY,
                                detail=f"no free departure slot at {hub} in the window")
                     for d in members for u in d.bus.units for w in u.workers]
            continue
        number += 1
        area_names[number] = area
        placed += [Scheduled(d.bus, d.route, minute, number)
                   for d, minute in zip(members, times, strict=True)]
    placed.sort(key=lambda s: (s.departure, s.bus.hub, s.convoy, s.route.stops))
    return Timetable(trips=tuple(placed), convoy_areas=area_names, left=tuple(left))
