"""Sharing buses across areas: two buses of one hub whose riders fit on one bus, one
route and one departure become that bus; a bus whose riders fit in the free seats of
others (or in the seats of a larger type they swap for), on days they may leave on, is
dissolved.

Areas keep the assignment model small (at most ``max_area_destinations`` employers
each), so the model never sees that a half-empty bus of one area could take the
riders of a half-empty bus of the next area, whose employers lie a few km away. This
stage does. Per hub and cluster of neighbouring employers (a component of the areas'
neighbour graph), it merges the pair of buses that saves the most — the cost of both
on their own routes against one bus of the cheapest type that seats them all on the
shortest route over their drop-offs, on the day of one of the two — while

- the drop-offs stay a valid pattern: at most ``max_dropoffs_per_bus``, each pair
  within ``dropoff_radius_km`` (the areas' own neighbour test), nobody detoured beyond
  ``max_detour_km``;
- every rider can still leave in their window and arrive in time: some slot of that
  day meets every rider's earliest departure, latest departure and deadlines on the
  merged route;
- the type used has a bus left that day (``available_per_day``, counting the buses
  merged);

and repeats until no merge saves anything. Then, the emptiest first, a bus is
dissolved if each of its units fits on another bus, of any day the unit may leave on
(in its free seats, or on a larger type with a vehicle left that day; its route
extended to the unit's drop-off under the same rules), and the extensions cost less
than the bus. A unit no bus can take as it is may take the place of a host's riders
to one drop-off, whom a third bus takes (one going there already, or with a drop-off
to spare nearby), under the same rules for both. Buses with pickup points and
feeders are left as they are. The merged bus keeps the area and wave of the bus whose
day it takes, so it may join that area's convoy. Fewer buses never need more slots or
staff, yet a merged bus has a narrower window: :func:`charterplan.replan.merge_and_schedule` merges
a hub again, keeping apart the buses of riders the timetable would leave, if the
merges leave more of them than the hub's buses unmerged.

Hubs merge apart, each within its share of the fleet, so a runner may merge them in
worker processes or on a cluster (:func:`merge_buses`).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import networkx as nx

from charterplan.shared.context import Context, PlanMemo
from charterplan.shared.packing import Bus
from charterplan.shared.routes import RouteMemo
from charterplan.shared.runner import Runner, run_in_order
from charterplan.solvers._problem import apportion
from charterplan.stages.s5_merge.dissolving import dissolve
from charterplan.stages.s5_merge.hub import Hub, stops_of

__all__ = ["merge_buses", "merge_cluster"]


def merge_buses(context: Context, buses: Sequence[Bus],
                progress: Callable[[int, int], None] | None = None, *,
                run: Runner = run_in_order, running: Sequence[Bus] = ()) -> tuple[Bus, ...]:
    """The buses with pairs merged where that saves money; see the module docstring.

    Hubs merge apart, mapped by ``run`` (a worker process or a cluster's, as for the
    areas: at a province's scale, and with wide drop-off patterns, this stage took
    most of the time on one core). So that none waits on another, each hub gets its
    share of each type's daily fleet beforehand (:func:`_fleet_caps`); ``running``
    are buses that take vehicles but are not merged (feeders). The answer is the same
    whichever runner merged. ``progress(done, total)`` hears of each hub merged."""
    mergeable: dict[str, list[int]] = defaultdict(list)
    for n, bus in enumerate(buses):
        if bus.feeder is None and not bus.pattern.pickups and all(
                not u.pickups for u in bus.units):
            mergeable[bus.hub].append(n)
    hubs = [hub for hub in sorted(mergeable) if len(mergeable[hub]) >= 2]
    used, caps = _fleet_caps(context, [*buses, *running],
                             {hub: [buses[n] for n in mergeable[hub]] for hub in hubs})
    routes: dict[str, RouteMemo] = {hub: {} for hub in hubs}
    for key, route in context.memo.routes.items():
        if key[0] in routes:
            routes[key[0]][key] = route
    jobs = [_HubJob(_for_hub(context, routes[hub]), hub,
                    tuple(buses[n] for n in mergeable[hub]), used[hub], caps[hub])
            for hub in hubs]
    report = progress or (lambda done, total: None)
    report(0, len(jobs))
    out: list[Bus | None] = list(buses)
    for done, (job, merged) in enumerate(zip(jobs, run(_merge_hub, jobs), strict=True), 1):
        # a worker process returns copies: give back the plan's own units and rules
        same = {u: u for bus in job.buses for u in bus.units}
        for n, after in zip(mergeable[job.hub], merged, strict=True):
            out[n] = None if after is None else replace(
                after, units=tuple(same[u] for u in after.units),
                pattern=(after.pattern if after.pattern.journeys is context.memo.journeys
                         else replace(after.pattern, journeys=context.memo.journeys)))
        report(done, len(jobs))
    return tuple(b for b in out if b is not None)


@dataclass(frozen=True, slots=True)
class _HubJob:
    """What merging one hub's buses needs, picklable for a worker process: the
    context without what the stage never reads (:func:`_for_hub`), the hub's
    mergeable buses, and how many buses of each (type, day) it runs and may run."""

    context: Context
    hub: str
    buses: tuple[Bus, ...]
    used: dict[tuple[str, int], int]
    caps: dict[tuple[str, int], int]


def _merge_hub(job: _HubJob) -> list[Bus | None]:
    """The hub's buses, each merged one in the place of the first of its pair and None
    for those merged into others or dissolved."""
    merging = Hub(job.context, job.hub, job.buses, job.used, job.caps)
    # a bus's drop-offs are neighbours, so they lie in one cluster of the graph
    cluster = {d: min(c) for c in nx.connected_components(merging.graph) for d in c}
    groups: dict[str, list[int]] = defaultdict(list)
    for n, bus in enumerate(job.buses):
        groups[cluster[bus.units[0].destinations[0]]].append(n)
    out: list[Bus | None] = list(job.buses)
    for _, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        merged = merge_cluster(merging, [job.buses[n] for n in members])
        for n in members:
            out[n] = None
        for n, bus in zip(members, merged, strict=False):
            out[n] = bus
    return out


def _for_hub(context: Context, routes: RouteMemo) -> Context:
    """``context`` as one hub's merge reads it (a worker process is sent it): without
    the workers and staff, and with ``routes``, those built so far from that hub."""
    return replace(
        context, request=context.request.model_copy(update={"workers": (), "staff": ()}),
        destination_of={}, memo=PlanMemo(context.memo.journeys, routes))


def _fleet_caps(context: Context, running: Sequence[Bus],
                merging: Mapping[str, Sequence[Bus]]) -> tuple[
        dict[str, dict[tuple[str, int], int]], dict[str, dict[tuple[str, int], int]]]:
    """Per merging hub, the buses it runs and the most it may run of each (type, day):
    what it runs, and a share of what no hub runs of that day's fleet (of ``running``
    buses, every bus of the plan), in proportion to the buses it merges that day.
    Merges and dissolvings use fewer buses, and swaps for a larger type use the share."""
    used: dict[str, dict[tuple[str, int], int]] = {hub: defaultdict(int) for hub in merging}
    total: dict[tuple[str, int], int] = defaultdict(int)
    for bus in running:
        total[bus.bus_type, bus.day] += 1
        if bus.hub in used:
            used[bus.hub][bus.bus_type, bus.day] += 1
    caps = {hub: dict(counts) for hub, counts in used.items()}
    per_day = {hub: Counter(bus.day for bus in buses) for hub, buses in merging.items()}
    days = sorted({day for counts in per_day.values() for day in counts})
    for kind in sorted(context.request.bus_types, key=lambda k: k.id):
        for day in days:
            weights = {hub: per_day[hub][day] for hub in merging
                       if kind in context.bus_types_at.get(hub, ())}
            spare = kind.available_per_day - total[kind.id, day]
            for hub, share in apportion(spare, weights).items():
                if share:
                    caps[hub][kind.id, day] = used[hub][kind.id, day] + share
    return {hub: dict(counts) for hub, counts in used.items()}, caps


def merge_cluster(hub: Hub, buses: list[Bus]) -> list[Bus]:
    """Merge the best pair until no merge saves anything; buses keep their order,
    a merged bus takes the place of the first of its two."""
    cost = [hub.own_cost(b) for b in buses]
    stops = [frozenset(stops_of(b)) for b in buses]
    seats = [b.load for b in buses]
    days = [hub.days(b.units) for b in buses]
    most = hub.context.request.policy.max_dropoffs_per_bus
    alive = list(range(len(buses)))
    pairs: dict[tuple[int, int], tuple[float, Bus, float]] = {}  # saving, bus, its cost

    def consider(i: int, j: int) -> None:
        union = stops[i] | stops[j]
        if len(union) > most or (buses[i].day not in days[j]
                                 and buses[j].day not in days[i]):
            return
        bus = hub.merged(buses[i], buses[j], seats[i] + seats[j], tuple(sorted(union)))
        if bus is not None:
            price = hub.cost_of(bus)
            if cost[i] + cost[j] - price > 1e-6:
                pairs[i, j] = (cost[i] + cost[j] - price, bus, price)

    for i, j in itertools.combinations(alive, 2):
        consider(i, j)
    while pairs:
        (i, j), (_, bus, price) = max(pairs.items(), key=lambda kv: (
            kv[1][0], -kv[0][0], -kv[0][1]))
        before = {(buses[i].bus_type, buses[i].day), (buses[j].bus_type, buses[j].day)}
        hub.used[buses[i].bus_type, buses[i].day] -= 1
        hub.used[buses[j].bus_type, buses[j].day] -= 1
        hub.used[bus.bus_type, bus.day] += 1
        buses[i] = bus
        cost[i] = price
        stops[i] = stops[i] | stops[j]
        seats[i] += seats[j]
        days[i] = range(max(days[i].start, days[j].start), min(days[i].stop, days[j].stop))
        alive.remove(j)
        pairs = {k: v for k, v in pairs.items() if not {i, j} & set(k)}
        if (bus.bus_type, bus.day) not in before:
            # a pair that needed this type's last bus that day may no longer fit
            for pair, (_, other, _) in list(pairs.items()):
                if (other.bus_type, other.day) == (bus.bus_type, bus.day):
                    del pairs[pair]
                    consider(*pair)
        for k in alive:
            if k != i:
                consider(min(i, k), max(i, k))
    for a in sorted(alive, key=lambda i: (seats[i], i)):
        dissolve(hub, buses, cost, stops, seats, alive, a)
    return [buses[i] for i in alive]
