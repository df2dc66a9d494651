"""Improving the constructed start by moving riders between days.

Dispatch fills each bus it sends to the type cheapest per rider, blind to the buses
that later days must send anyway: 22 riders leave on a 22-seat coach today though
six of them could have filled the half-empty 16-seat bus that leaves the day after,
and a 16-seat bus would have done today (benchmarks/RESULTS.md). With the days fixed
the dispatched buses are already the cheapest; what pays is moving riders.

A *group* is the buses of one pattern in one wave. Its cost depends only on the seats
it fills: the cheapest mix of the bus types running it that seats them all (every bus
at its minimum load), priced once per pattern and number of seats. A move takes
riders off one group onto another, in another wave they may leave in, whose pattern
already holds their destinations (moves within a wave gained 0.06 % on the areas and
lost 0.1 % on the plans: benchmarks/RESULTS.md). It is kept if it lowers the cost, or
leaves it equal while emptying the smaller group into the larger (which ends: the sum
of squared loads grows). Riders move as a prefix of the units that may go, demand by
demand, so that units of several demands can empty a bus together. Moves stay within
the fleet and departure slots of each day and the model's rules for shared patterns,
so the result is still a solution of the model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Sequence
from dataclasses import dataclass, field

from charterplan.solvers._problem import AssignmentProblem, bus_fen, typed_seats

__all__ = ["improve"]

ROUNDS = 8
"""Most passes over every group; a pass that moves nothing ends the search sooner (on
the 10,000-worker requests none needs more than four)."""

Group = tuple[int, int]
"""(pattern, wave): the buses running one pattern in one wave."""

Mix = tuple[int, tuple[int, ...]]
"""Cost in fen of a group's buses, and how many of each bus type it runs."""

NO_MIX: Mix = (-1, ())


@dataclass
class _Mixes:
    """The cheapest mix of bus types for a group's seats, per pattern and the types
    that may run it (a table over seat counts, built on first use)."""

    p: AssignmentProblem
    tables: dict[tuple[int, tuple[int, ...]], list[Mix]] = field(default_factory=dict)

    def __call__(self, pi: int, types: tuple[int, ...], seats: int) -> Mix:
        """The mix for ``seats`` riders; ``NO_MIX`` when none seats them (too few
        for one bus)."""
        if seats == 0:
            return 0, (0,) * len(self.p.bus_types)
        table = self.tables.setdefault((pi, types), [(0, (0,) * len(self.p.bus_types))])
        while len(table) <= seats:
            table.append(self._next(pi, types, table))
        cost, counts = table[seats]
        if cost < 0 or sum(counts) * self.p.min_passengers > seats:
            return NO_MIX
        return cost, counts

    def _next(self, pi: int, types: tuple[int, ...], table: list[Mix]) -> Mix:
        """The cheapest mix seating ``len(table)`` riders, from the smaller ones."""
        seats = len(table)
        best = NO_MIX
        for t in types:
            cost, counts = table[max(0, seats - self.p.bus_types[t].capacity)]
            if cost < 0:
                continue
            cost += bus_fen(self.p, pi, t)
            if best[0] < 0 or (cost, sum(counts)) < (best[0], sum(best[1])):
                best = (cost, tuple(n + (u == t) for u, n in enumerate(counts)))
        return best


@dataclass
class _State:
    """The start as groups: seats per (destination set, pattern, wave), units sent per
    (demand, wave), each group's seats and mix, and each day's buses in use."""

    p: AssignmentProblem
    sent: dict[tuple[int, int], int]
    seats: dict[tuple[frozenset[str], int, int], int]
    load: dict[Group, int]
    mix: dict[Group, Mix]
    used: dict[tuple[int, int], int]
    per_day: dict[int, int]

    def need_any(self, q: frozenset[str], w: int) -> int:
        """Seats the units of ``q`` that may ride any pattern in wave ``w`` take."""
        return sum(d.size * self.sent[c, w] for c, d in enumerate(self.p.demands)
                   if d.dests == q and w in d.any_waves)

    def shared(self, q: frozenset[str], w: int) -> int:
        """Seats ``q`` takes in wave ``w`` on patterns other than exactly ``q``."""
        return sum(n for (r, pi, v), n in self.seats.items()
                   if r == q and v == w and self.p.patterns[pi] != q)

    def fits(self, changes: Sequence[tuple[Group, Mix]]) -> bool:
        """Whether the groups may run the mixes ``changes`` gives them instead of
        their own, within each day's fleet and departure slots."""
        more: dict[tuple[int, int], int] = defaultdict(int)
        for group, mix in changes:
            for t, (was, now) in enumerate(zip(self.mix[group][1], mix[1], strict=True)):
                more[t, self.p.wave_day[group[1]]] += now - was
        days: dict[int, int] = defaultdict(int)
        for (t, day), n in more.items():
            days[day] += n
            if n > 0 and (self.used[t, day] + n
                          > self.p.fleet_caps.get((self.p.bus_types[t].id, day), 0)):
                return False
        return all(n <= 0 or self.per_day[day] + n <= self.p.slot_caps.get(day, 0)
                   for day, n in days.items())

    def set(self, group: Group, seats: int, mix: Mix) -> None:
        day = self.p.wave_day[group[1]]
        for t, (was, now) in enumerate(zip(self.mix[group][1], mix[1], strict=True)):
            self.used[t, day] += now - was
            self.per_day[day] += now - was
        self.load[group], self.mix[group] = seats, mix


def _state(p: AssignmentProblem, start_buses: dict[tuple[int, int, int], int],
           start_seats: dict[tuple[frozenset[str], int, int, int], int],
           sent: dict[tuple[int, int], int], feeders: dict[tuple[int, int], int]) -> _State:
    seats: dict[tuple[frozenset[str], int, int], int] = defaultdict(int)
    load: dict[Group, int] = defaultdict(int)
    for (q, pi, w, _), n in start_seats.items():
        if n:
            seats[q, pi, w] += n
            load[pi, w] += n
    counts: dict[Group, list[int]] = defaultdict(lambda: [0] * len(p.bus_types))
    used: dict[tuple[int, int], int] = defaultdict(int)
    per_day: dict[int, int] = defaultdict(int)
    for (pi, w, t), n in start_buses.items():
        counts[pi, w][t] += n
        used[t, p.wave_day[w]] += n
        per_day[p.wave_day[w]] += n
    for (o, t), n in feeders.items():
        day = p.rails[o].feeder_day
        assert day is not None
        used[t, day] += n
        per_day[day] += n
    mix = {g: (sum(bus_fen(p, g[0], t) * n for t, n in enumerate(c)), tuple(c))
           for g, c in counts.items()}
    return _State(p, sent, seats, load, mix, used, per_day)


def improve(p: AssignmentProblem, buses: Container[tuple[int, int, int]],
            seat_keys: Container[tuple[frozenset[str], int, int, int]],
            start_buses: dict[tuple[int, int, int], int],
            start_seats: dict[tuple[frozenset[str], int, int, int], int],
            sent: dict[tuple[int, int], int], feeders: dict[tuple[int, int], int]) -> (
        tuple[dict[tuple[int, int, int], int], dict[tuple[frozenset[str], int, int, int], int]]):
    """Move riders between the start's groups (module docstring); ``buses`` and
    ``seat_keys`` are the model's bus and typed seat variables. Updates ``sent`` in
    place and returns the buses and typed seats."""
    kinds = range(len(p.bus_types))
    types = {(pi, w): tuple(t for t in kinds if (pi, w, t) in buses)
             for pi in range(len(p.patterns)) for w in range(len(p.wave_day))}
    mixes = _Mixes(p)
    s = _state(p, start_buses, start_seats, sent, feeders)
    for _ in range(ROUNDS):
        if not _pass(p, s, mixes, types, seat_keys):
            break
    out_buses = {(pi, w, t): n for (pi, w), (_, counts) in s.mix.items()
                 for t, n in enumerate(counts) if n}
    return out_buses, typed_seats(p, out_buses, {k: n for k, n in s.seats.items() if n})


def _pass(p: AssignmentProblem, s: _State, mixes: _Mixes, types: dict[Group, tuple[int, ...]],
          seat_keys: Container[tuple[frozenset[str], int, int, int]]) -> bool:
    """One pass over the groups, emptiest first, each trying the groups of every other
    wave as targets; whether anything moved."""
    moved = False
    for source in sorted((g for g, n in s.load.items() if n), key=lambda g: (s.load[g], g)):
        for target in sorted(g for g, n in s.load.items() if n and g[1] != source[1]):
            if s.load[source]:
                moved |= _try(p, s, mixes, types, seat_keys, source, target)
    return moved


def _movable(p: AssignmentProblem, s: _State, types: dict[Group, tuple[int, ...]],
             seat_keys: Container[tuple[frozenset[str], int, int, int]], source: Group,
             target: Group) -> list[tuple[int, int]]:
    """(demand, units) that may move from ``source`` to ``target``, in demand order:
    units sent in the source's wave that may leave in the target's, on its pattern,
    within their destination set's seats on the source and, off its exact pattern, the
    model's rule that shared seats stay within the units that may ride any pattern."""
    (pi, w), (pj, v) = source, target
    out = []
    for q in sorted({r for (r, pk, u), n in s.seats.items() if n and pk == pi and u == w},
                    key=sorted):
        if not q <= p.patterns[pj] or not any((q, pj, v, t) in seat_keys
                                              for t in types[target]):
            continue
        room = s.seats[q, pi, w]
        allowance = (s.need_any(q, w) - s.shared(q, w) if p.patterns[pi] == q else room)
        for c, d in enumerate(p.demands):
            if (d.dests != q or not s.sent[c, w]
                    or (v not in d.any_waves
                        and not (v in d.direct_waves and p.patterns[pj] == q))):
                continue
            n = min(s.sent[c, w], room // d.size)
            if w in d.any_waves:
                n = min(n, allowance // d.size)
                allowance -= n * d.size
            if n > 0:
                out.append((c, n))
                room -= n * d.size
    return out


def _try(p: AssignmentProblem, s: _State, mixes: _Mixes, types: dict[Group, tuple[int, ...]],
         seat_keys: Container[tuple[frozenset[str], int, int, int]], source: Group,
         target: Group) -> bool:
    """Move the units from ``source`` to ``target`` (:func:`_movable`, taken in order)
    that lower the cost most, or at equal cost the most into a larger group; whether
    any moved."""
    movable = _movable(p, s, types, seat_keys, source, target)
    if not movable:
        return False
    (pi, _), (pj, _) = source, target
    here, there = s.load[source], s.load[target]
    before = s.mix[source][0] + s.mix[target][0]
    best: tuple[int, int, Mix, Mix] | None = None
    seats = 0
    for c, n in movable:
        for _ in range(n):
            seats += p.demands[c].size
            less = mixes(pi, types[source], here - seats)
            more = mixes(pj, types[target], there + seats)
            if less is NO_MIX or more is NO_MIX:
                continue
            delta = less[0] + more[0] - before
            if ((delta < 0 or (delta == 0 and there >= here))
                    and (best is None or (delta, -seats) < (best[0], -best[1]))
                    and s.fits(((source, less), (target, more)))):
                best = (delta, seats, less, more)
    if best is None:
        return False
    _, total, less, more = best
    s.set(source, here - total, less)
    s.set(target, there + total, more)
    for c, n in movable:
        d = p.demands[c]
        m = min(n, total // d.size)
        if m <= 0:
            break
        total -= m * d.size
        s.seats[d.dests, pi, source[1]] -= m * d.size
        s.seats[d.dests, pj, target[1]] += m * d.size
        s.sent[c, source[1]] -= m
        s.sent[c, target[1]] += m
    return True
