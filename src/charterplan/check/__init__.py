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

from charterplan.check._facts import Facts, Violation
from charterplan.check.consistency import check_consistency
from charterplan.check.dropoffs import check_boarding, check_dropoffs
from charterplan.check.passengers import check_everyone_once, check_groups
from charterplan.check.rail import check_rail
from charterplan.check.staff import check_crew, check_staff
from charterplan.check.vehicles import check_capacity, check_fleet, check_slots
from charterplan.check.windows import check_cleared, check_windows
from charterplan.model import Plan, PlanRequest

__all__ = ["Violation", "check_plan"]


def check_plan(request: PlanRequest, plan: Plan) -> list[Violation]:
    """Every violation of SPEC §5 and of the plan's own consistency, sorted.

    An empty list means the plan is sound for this request.
    """
    facts = Facts(request)
    found: list[Violation] = []
    for rule in (check_everyone_once, check_cleared, check_windows, check_capacity,
                 check_staff, check_crew, check_slots, check_fleet, check_groups,
                 check_dropoffs, check_boarding, check_rail, check_consistency):
        found.extend(rule(facts, plan))
    return sorted(set(found))
