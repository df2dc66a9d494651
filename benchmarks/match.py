"""Job matching at scale: generated seekers and employers, ``match`` timed (SPEC §11).

Seekers and vacancies come from :mod:`charterplan.samples.demand` (the sample county's shape:
Xinhuang's townships, employers near the cities of places.csv, 15 % 县内, 扶贫特岗),
built once; only :func:`charterplan.matching.match` is timed. Prints one JSON line a
run and the median.

    python -m benchmarks.match --seekers 100000 --employers 5000 --vacancies 120000 --repeat 3
    python -m benchmarks.match --seekers 100000 --employers 5000 --vacancies 120000 \\
        --group-share 0.05 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence

from charterplan.matching import match
from charterplan.samples.demand import demand_rows, seeker_rows, to_seekers, to_vacancies

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Time the match of generated seekers to generated vacancies."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seekers", type=int, default=100_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--vacancies", type=int, default=120_000)
    parser.add_argument("--group-share", type=float, default=0.0,
                        help="share of seekers who start a group of 2-4 (default 0)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    seekers = to_seekers(seeker_rows(args.seekers, args.seed, group_share=args.group_share))
    vacancies = to_vacancies(demand_rows(args.employers, args.vacancies, args.seed))
    seconds = []
    for run in range(args.repeat):
        started = time.perf_counter()
        result = match(seekers, vacancies)
        seconds.append(time.perf_counter() - started)
        print(json.dumps({"run": run, "seekers": len(seekers), "vacancies": args.vacancies,
                          "employers": args.employers, "group_share": args.group_share,
                          "status": result.status, "poor_matched": result.poor_matched,
                          "matched": result.matched, "cost_km": result.cost_km,
                          "bound": result.bound,
                          "seconds": round(seconds[-1], 2)}), flush=True)
    print(f"median {statistics.median(seconds):.2f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
