"""A constructed start for the assignment model: dispatch when forced, fill to
capacity, seat the units that dispatch stranded, then move riders between days onto
cheaper buses (:mod:`~charterplan.solvers._improve`).

CP-SAT receives it as a complete hint, so it is the plan's starting point and the
bound on how bad an area's answer can be.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from charterplan.solvers._improve import improve
from charterplan.solvers._problem import AssignmentProblem, Keys, Start, bus_cost
from charterplan.solvers._start_rail import construct_rail

__all__ = ["construct"]


@dataclass
class _Cover:
    """The pattern a constructed bus runs for the destination sets it carries: the one
    that is exactly them (or when a rider may ride only that), else the cheapest
    holding them all, among those with buses of the type in the wave. Patterns that
    board riders at several pickup points hold many sets, few of them exactly."""

    p: AssignmentProblem
    keys: Keys
    exact: dict[frozenset[str], int] = field(init=False)
    cheapest: list[int] = field(init=False)
    _found: dict[tuple[frozenset[str], int, int], int | None] = field(
        init=False, default_factory=dict)
    """Memo of the cheapest holding pattern: dispatch asks the same question of every
    bus type for every candidate it tries, and each answer scans the area's patterns."""

    def __post_init__(self) -> None:
        self.exact = {q: pi for pi, q in enumerate(self.p.patterns)}
        self.cheapest = sorted(range(len(self.p.patterns)), key=lambda pi: (
            self.p.pattern_km[pi] + self.p.pattern_extra[pi], pi))

    def __call__(self, dests: frozenset[str], w: int, kind: int, exact: bool) -> int | None:
        if exact or dests in self.exact:
            pi = self.exact.get(dests)
            return pi if (pi, w, kind) in self.keys.buses else None
        key = (dests, w, kind)
        if key not in self._found:
            self._found[key] = next((pi for pi in self.cheapest
                                     if (pi, w, kind) in self.keys.buses
                                     and dests <= self.p.patterns[pi]), None)
        return self._found[key]


def construct(p: AssignmentProblem, keys: Keys, *, rail_first: bool = False) -> (
        tuple[Start, dict[int, int]]):
    """Dispatch when forced, fill to capacity: wave by wave, a bus leaves for units that
    cannot wait any longer, filled with units that could also go later and, while seats
    remain, with units for nearby destinations (when a pattern allows them); then
    riders move between the buses of different days while that saves money. Returns
    the start and the units left per demand."""
    start = Start()
    left = {c: d.count for c, d in enumerate(p.demands)}
    last = {c: max(d.any_waves + d.direct_waves, default=-1) for c, d in enumerate(p.demands)}
    cover = _Cover(p, keys)
    used: dict[tuple[str, int], int] = defaultdict(int)
    per_day: dict[int, int] = defaultdict(int)
    construct_rail(p, keys, start, left, used, per_day, cover.exact, rail_first)
    by_size = sorted(range(len(p.bus_types)), key=lambda t: -p.bus_types[t].capacity)
    for w, day in enumerate(p.wave_day):
        ready = [c for c, d in enumerate(p.demands)
                 if left[c] and (w in d.any_waves or w in d.direct_waves)]
        ready.sort(key=lambda c: (last[c], -p.demands[c].size, c))
        while per_day[day] < p.slot_caps.get(day, 0):
            due = [c for c in ready if left[c] and last[c] == w]
            if not due:
                break
            first = max(due, key=lambda c: (p.demands[c].size * left[c], -c))
            home = p.demands[first].dests
            exact = w in p.demands[first].direct_waves
            kind, load = _cheapest_bus(p, w, [first, *ready], left, cover, [
                t for t in by_size if cover(home, w, t, exact) is not None
                and used[p.bus_types[t].id, day] < p.fleet_caps.get((p.bus_types[t].id, day), 0)])
            seated = sum(p.demands[c].size * n for c, n in load.items())
            if kind is None or seated < p.min_passengers:
                ready = [c for c in ready if not (c in due and p.demands[c].dests == home)]
                continue
            pi = _pattern(p, cover, w, kind, load)
            for c, n in load.items():
                left[c] -= n
                start.sent[c, w] += n
                start.seats[p.demands[c].dests, pi, w, kind] += n * p.demands[c].size
            start.buses[pi, w, kind] += 1
            used[p.bus_types[kind].id, day] += 1
            per_day[day] += 1
    _rescue(p, keys, start, left, used, per_day, cover.exact)
    buses, seats = improve(p, keys.buses, keys.seats, start.buses, start.seats, start.sent,
                           start.feeders)
    start.buses = defaultdict(int, buses)
    start.seats = defaultdict(int, seats)
    return start, left


def _rescue(p: AssignmentProblem, keys: Keys, start: Start, left: dict[int, int],
            used: dict[tuple[str, int], int], per_day: dict[int, int],
            pattern_of: dict[frozenset[str], int]) -> None:
    """Seat the units dispatch stranded: a lone unit whose last wave came after the
    units that could have kept it company had filled earlier buses. It takes a free
    seat on a bus of one of its waves, or a new bus of its own with one such companion
    moved off a bus that stays above the minimum, or off the train (when
    ``p.pair_stranded``). Either beats leaving it, which the objective prices above any
    bus."""
    for c in range(len(p.demands)):
        while left[c] and (_board(p, keys, start, c) or (
                p.pair_stranded and (_pair(p, keys, start, c, used, per_day, pattern_of)
                                     or _recall(p, keys, start, c, used, per_day,
                                                pattern_of)))):
            left[c] -= 1


def _may_ride(p: AssignmentProblem, keys: Keys, c: int, pi: int, w: int, t: int) -> bool:
    """Whether a unit of demand ``c`` may take a seat on pattern ``pi`` in wave ``w``
    on a bus of type ``t`` (a unit that may ride only its direct pattern rides it)."""
    d = p.demands[c]
    if w in d.direct_waves:
        return p.patterns[pi] == d.dests and (d.dests, pi, w, t) in keys.seats
    return w in d.any_waves and (d.dests, pi, w, t) in keys.seats


def _seated(start: Start, bus: tuple[int, int, int]) -> int:
    return sum(n for (_, *key), n in start.seats.items() if tuple(key) == bus)


def _move(p: AssignmentProblem, start: Start, c: int, bus: tuple[int, int, int], sign: int) -> None:
    """Seat (+1) or unseat (-1) one unit of demand ``c`` on the buses ``bus``."""
    pi, w, t = bus
    start.sent[c, w] += sign
    start.seats[p.demands[c].dests, pi, w, t] += sign * p.demands[c].size


def _board(p: AssignmentProblem, keys: Keys, start: Start, c: int) -> bool:
    """Seat a unit of ``c`` on a bus already running in one of its waves, if one has
    room."""
    size = p.demands[c].size
    for bus, n in start.buses.items():
        if n and _may_ride(p, keys, c, *bus) and (
                p.bus_types[bus[2]].capacity * n - _seated(start, bus) >= size):
            _move(p, start, c, bus, +1)
            return True
    return False


def _spare(p: AssignmentProblem, start: Start, e: int, bus: tuple[int, int, int]) -> bool:
    """Whether a unit of ``e`` may leave ``bus``: the buses keep their minimum, and the
    seats that destination set takes on shared patterns stay within its any-pattern
    units."""
    d = p.demands[e]
    pi, w, _ = bus
    if (start.sent[e, w] <= 0 or start.seats[d.dests, *bus] < d.size
            or _seated(start, bus) - d.size < p.min_passengers * start.buses[bus]):
        return False
    if p.patterns[pi] != d.dests or w not in d.any_waves:
        return True
    shared = sum(n for (q, pj, wj, _), n in start.seats.items()
                 if q == d.dests and wj == w and p.patterns[pj] != q)
    any_units = sum(p.demands[f].size * n for (f, wf), n in start.sent.items()
                    if wf == w and p.demands[f].dests == d.dests and w in p.demands[f].any_waves)
    return shared <= any_units - d.size


def _pair(p: AssignmentProblem, keys: Keys, start: Start, c: int, used: dict[tuple[str, int], int],
          per_day: dict[int, int], pattern_of: dict[frozenset[str], int]) -> bool:
    """Run a new bus for a unit of ``c`` and one companion moved off another bus."""
    d = p.demands[c]
    for w in sorted(d.any_waves + d.direct_waves):
        day = p.wave_day[w]
        if per_day[day] >= p.slot_caps.get(day, 0):
            continue
        for (q, *source), n in list(start.seats.items()):
            bus = (source[0], source[1], source[2])
            pi = pattern_of.get(d.dests | q)
            if not n or pi is None:
                continue
            for e, other in enumerate(p.demands):
                if (other.dests != q or d.size + other.size < p.min_passengers
                        or not _spare(p, start, e, bus)):
                    continue
                kind = _cheapest_fit(p, keys, pi, w, d.size + other.size, used, (c, e))
                if kind is None:
                    continue
                _move(p, start, e, bus, -1)
                _run(p, start, (pi, w, kind), (c, e), used, per_day)
                return True
    return False


def _recall(p: AssignmentProblem, keys: Keys, start: Start, c: int,
            used: dict[tuple[str, int], int],
            per_day: dict[int, int], pattern_of: dict[frozenset[str], int]) -> bool:
    """Run a new bus for a unit of ``c`` and one companion taken off the train: the
    start sends by rail the riders that could have kept a late unit company (its
    feeders keep their seats; the solver trims them)."""
    d = p.demands[c]
    for w in sorted(d.any_waves + d.direct_waves):
        day = p.wave_day[w]
        if per_day[day] >= p.slot_caps.get(day, 0):
            continue
        for (e, o), n in sorted(start.rail.items()):
            other = p.demands[e]
            pi = pattern_of.get(d.dests | other.dests)
            if (not n or pi is None or d.size + other.size < p.min_passengers
                    or w not in other.any_waves + other.direct_waves):
                continue
            kind = _cheapest_fit(p, keys, pi, w, d.size + other.size, used, (c, e))
            if kind is None:
                continue
            start.rail[e, o] -= 1
            _run(p, start, (pi, w, kind), (c, e), used, per_day)
            return True
    return False


def _run(p: AssignmentProblem, start: Start, bus: tuple[int, int, int], members: tuple[int, ...],
         used: dict[tuple[str, int], int], per_day: dict[int, int]) -> None:
    """One more bus ``bus`` (pattern, wave, type) with a unit of each of ``members``."""
    _, w, kind = bus
    for m in members:
        _move(p, start, m, bus, +1)
    start.buses[bus] += 1
    used[p.bus_types[kind].id, p.wave_day[w]] += 1
    per_day[p.wave_day[w]] += 1


def _cheapest_fit(p: AssignmentProblem, keys: Keys, pi: int, w: int, riders: int,
                  used: dict[tuple[str, int], int], members: tuple[int, ...]) -> int | None:
    """The cheapest bus type with a free vehicle that seats ``riders`` of ``members``
    on pattern ``pi`` in wave ``w``."""
    day = p.wave_day[w]
    fits = [t for t, k in enumerate(p.bus_types)
            if k.capacity >= riders and (pi, w, t) in keys.buses
            and used[k.id, day] < p.fleet_caps.get((k.id, day), 0)
            and all(_may_ride(p, keys, m, pi, w, t) for m in members)]
    return min(fits, default=None, key=lambda t: (
        bus_cost(p.bus_types[t], p.pattern_km[pi], p.pattern_extra[pi]), t))


def _pattern(p: AssignmentProblem, cover: _Cover, w: int, kind: int, load: dict[int, int]) -> int:
    """The pattern a bus of ``kind`` in wave ``w`` runs for ``load`` (:class:`_Cover`;
    :func:`_fill` only loads what some pattern covers)."""
    stops = frozenset().union(*(p.demands[c].dests for c in load))
    pi = cover(stops, w, kind, any(w in p.demands[c].direct_waves for c in load))
    assert pi is not None, "a load no pattern covers"
    return pi


def _cheapest_bus(p: AssignmentProblem, w: int, candidates: list[int], left: dict[int, int],
                  cover: _Cover, kinds: list[int]) -> tuple[int | None, dict[int, int]]:
    """The bus type, among ``kinds``, that carries its load at the least cost per rider,
    and that load: the largest type is dearer per seat on these requests, and a small
    load rides the cheapest type that fits it. Ties go to the earlier type in ``kinds``.
    """
    best: tuple[float, int | None, dict[int, int]] = (float("inf"), None, {})
    for t in kinds:
        load = _fill(p, w, t, candidates, left, cover)
        seated = sum(p.demands[c].size * n for c, n in load.items())
        if not seated:
            continue
        pi = _pattern(p, cover, w, t, load)
        per_rider = bus_cost(p.bus_types[t], p.pattern_km[pi], p.pattern_extra[pi]) / seated
        if per_rider < best[0]:
            best = (per_rider, t, load)
    return best[1], best[2]


def _fill(p: AssignmentProblem, w: int, kind: int, candidates: list[int], left: dict[int, int],
          cover: _Cover) -> dict[int, int]:
    """Units per demand for one bus of ``kind`` in wave ``w``, in candidate order.

    The bus starts with the first candidate's destinations and widens to another
    destination set only while some pattern with a variable in this wave holds the
    widened set and nobody aboard (or boarding) may ride the direct pattern only."""
    load: dict[int, int] = defaultdict(int)
    room = p.bus_types[kind].capacity
    stops = p.demands[candidates[0]].dests
    exclusive = False
    for c in candidates:
        d = p.demands[c]
        only_direct = w in d.direct_waves
        widened = stops | d.dests
        if widened != stops and (exclusive or only_direct
                                 or cover(widened, w, kind, False) is None):
            continue
        if only_direct and d.dests != stops:
            continue
        n = min(left[c] - load[c], room // d.size)
        if n <= 0:
            continue
        load[c] += n
        room -= n * d.size
        stops = widened
        exclusive = exclusive or only_direct
    return {c: n for c, n in load.items() if n}
