"""How often the planner's driving rules and the check's minute-by-minute crew disagree.

``python -m benchmarks.driving_agreement [--journeys 6000] [--seed 2]`` draws random
journeys as ``tests/shared/test_driving.py`` does (departure clock, one to four legs of
up to 15 h with dwells, one or two drivers, night ban and daily limit on or off) and
counts those whose arrivals differ between :class:`charterplan.shared.driving.
DrivingRules` and :func:`charterplan.check.driving.earliest_arrivals`.
"""

from __future__ import annotations

import argparse
import random

from charterplan.check.driving import Rules, earliest_arrivals
from charterplan.model import Policy
from charterplan.shared.driving import DrivingRules


def main(argv: list[str] | None = None) -> None:
    """Print how many of the drawn journeys the two implementations time differently."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    policies = {(ban, daily): Policy(night_driving_ban=ban, daily_driving_limit=daily)
                for ban in (False, True) for daily in (False, True)}
    differ = 0
    for _ in range(args.journeys):
        policy = policies[rng.random() < 0.5, rng.random() < 0.5]
        clock = rng.randrange(1440)
        legs = tuple((rng.randrange(15 * 60 + 1), rng.choice([0, 10, 20, 30]))
                     for _ in range(rng.randint(1, 4)))
        drivers = rng.choice([1, 2])
        planner = DrivingRules.of(policy).timeline(clock, legs, drivers)
        checker = earliest_arrivals(Rules.of(policy), clock, legs, drivers)
        differ += tuple(t - clock for t in planner) != checker
    print(f"{args.journeys} journeys, {differ} timed differently")


if __name__ == "__main__":
    main()
