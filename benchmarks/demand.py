"""Command line of the demand-table generator, :mod:`charterplan.samples.demand`.

    python -m benchmarks.demand --employers 60 --vacancies 1500 --seekers 300 --seed 2020 \
        --county data/sample/county.toml --demand data/sample/demand.xlsx \
        --seekers-out data/sample/job_seekers.xlsx

With ``--county`` a row outside the county whose city the county file knows leaves
纬度/经度 blank one time in three.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from charterplan.samples.demand import (
    DEMAND_HEADERS,
    SEEKER_HEADERS,
    demand_rows,
    seeker_rows,
    write_table,
)
from charterplan.tables import read_county

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Write a demand table and a job-seeker registry."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employers", type=int, default=60)
    parser.add_argument("--vacancies", type=int, default=1500)
    parser.add_argument("--seekers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--county", type=Path, help="county file whose cities rows may name")
    parser.add_argument("--demand", type=Path, required=True, help="demand workbook to write")
    parser.add_argument("--seekers-out", type=Path, help="job-seeker registry to write")
    args = parser.parse_args(argv)
    known: list[str] = []
    if args.county is not None:
        known = sorted({d["city"] for d in read_county(args.county).fields.get(
            "destinations", [])})
    write_table(args.demand, DEMAND_HEADERS,
                demand_rows(args.employers, args.vacancies, args.seed, known_cities=known),
                "企业用工需求")
    if args.seekers_out is not None:
        write_table(args.seekers_out, SEEKER_HEADERS, seeker_rows(args.seekers, args.seed),
                    "返岗需求")


if __name__ == "__main__":
    main()
