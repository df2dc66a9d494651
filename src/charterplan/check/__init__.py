"""Re-verify a plan against its request: every invariant a plan holds, one module per
family. The numbers are those of the product specification's invariants (SPEC §5),
which every :class:`Violation` carries:

1. every worker exactly once, in a trip that is not a feeder or in ``unassigned``; a
   feeder's riders each on one rail trip after the feeder (:mod:`.passengers`);
2. every passenger cleared on the departure date (:mod:`.windows`);
3. no departure before ``earliest_departure``, at the destination by ``latest_arrival``,
   timed under the coach driving rules (:mod:`.windows`, :mod:`.driving`);
4. no trip over its seats (:mod:`.vehicles`; per carriage, :mod:`.rail`);
5. an escort and a medic per trip, available, never on overlapping trips (:mod:`.staff`);
6. captain and deputy, two passengers of the trip (:mod:`.staff`);
7. departures inside opening hours, no slot over its departures (:mod:`.vehicles`);
8. no bus type over its daily fleet, no train over its carriages (:mod:`.vehicles`,
   :mod:`.rail`);
9. a group on one trip, or all left with one reason (:mod:`.passengers`);
10. each passenger dropped at their destination, their train's stop or their train's
    station (:mod:`.dropoffs`);
0. the plan's own consistency: drivers, convoys, a summary that adds up
   (:mod:`.consistency`).

The package shares no code with the planner (``stages``, ``shared``, ``solvers``,
``geo``; an import-linter contract keeps it so): it reads the request and the plan and
checks them from first principles, with geopy's geodesic as the reference distance. A
plan it passes is sound whatever the planner did.
"""

from __future__ import annotations

from dataclasses import replace

from charterplan.check._facts import Facts, Rule, Violation
from charterplan.check.consistency import (
    check_consistency,
    check_convoys,
    check_driver_counts,
    check_summary,
)
from charterplan.check.dropoffs import check_boarding, check_dropoffs
from charterplan.check.passengers import check_everyone_once, check_feeders, check_groups
from charterplan.check.rail import check_rail
from charterplan.check.staff import check_crew, check_staff
from charterplan.check.vehicles import check_capacity, check_fleet, check_slots
from charterplan.check.windows import check_cleared, check_driving, check_night_ban, check_windows
from charterplan.model import Plan, PlanRequest

__all__ = ["FAMILIES", "Violation", "check_plan"]


def _families() -> tuple[tuple[str, Rule], ...]:
    """Each family of checks with its name, looked up when called (so that a test
    can switch one off: see benchmarks/mutate_check.py)."""
    return (
        ("everyone-once", check_everyone_once),   # 1
        ("feeders", check_feeders),               # 1
        ("cleared", check_cleared),               # 2
        ("windows", check_windows),               # 3
        ("driving", check_driving),               # 3
        ("night-ban", check_night_ban),           # 3
        ("capacity", check_capacity),             # 4
        ("staff", check_staff),                   # 5
        ("crew", check_crew),                     # 6
        ("slots", check_slots),                   # 7
        ("fleet", check_fleet),                   # 8
        ("groups", check_groups),                 # 9
        ("dropoffs", check_dropoffs),             # 10
        ("boarding", check_boarding),             # 10
        ("rail", check_rail),                     # 0 and 3
        ("consistency", check_consistency),       # 0
        ("drivers", check_driver_counts),         # 0
        ("convoys", check_convoys),               # 0
        ("summary", check_summary),               # 0
    )


def check_plan(request: PlanRequest, plan: Plan) -> list[Violation]:
    """Every violation of SPEC §5 and of the plan's own consistency, sorted, each
    with the name of the family of checks that found it.

    An empty list means the plan is sound for this request.
    """
    facts = Facts(request)
    found = {replace(violation, family=name)
             for name, rule in _families() for violation in rule(facts, plan)}
    return sorted(found)


FAMILIES: tuple[str, ...] = tuple(name for name, _ in _families())
"""The names of the families of checks, in the order :func:`check_plan` runs them."""
