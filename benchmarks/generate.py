"""Command line of the request generator, :mod:`charterplan.samples` (which see).

    python -m benchmarks.generate --workers 2000 --days 14 --seed 2020 --out FILE
    python -m benchmarks.generate --workers 2000 --days 14 --seed 2020 --rail --out FILE
    python -m benchmarks.generate --workers 2000 --days 14 --seed 2020 --rail --registry \\
        --out data/sample/request.json

With ``--registry`` the workers get the ids the registry import gives, and the
registry table (``registry.xlsx``) and county file (``county.toml``) of the same
request are written beside ``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from charterplan.samples import (
    RAIL_LINES,
    Place,
    RailLine,
    generate_request,
    load_places,
    write_sample,
)

__all__ = ["RAIL_LINES", "Place", "RailLine", "add_policy_option", "generate_request",
           "load_places", "main"]


def add_policy_option(parser: argparse.ArgumentParser) -> None:
    """``--policy JSON``: policy fields over the generated ones (``args.policy``)."""
    parser.add_argument("--policy", type=json.loads, default={},
                        help='policy fields over the generated ones, e.g. '
                        '\'{"max_area_destinations": 12}\'')


def main() -> None:
    """Command line: write a generated request as JSON (and, with --registry, as tables)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--start", default="2020-02-20")
    parser.add_argument("--rail", action="store_true",
                        help="add Xinhuang West and its chartered carriages")
    parser.add_argument("--rail-share", type=float, default=None, metavar="SHARE",
                        help="send about this share (0-1) of the workers to employers "
                        "on a rail line")
    parser.add_argument("--staff-share", type=float, default=1.0, metavar="SHARE",
                        help="keep this share (0-1) of the county's escorts and medics")
    parser.add_argument("--registry", action="store_true",
                        help="registry ids, and write registry.xlsx and county.toml beside "
                        "--out")
    parser.add_argument("--employers", type=int, default=None,
                        help="how many employers (default one per 40 workers, 20 to 400)")
    add_policy_option(parser)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    try:
        request = generate_request(args.workers, args.days, args.seed, start=args.start,
                                   rail=args.rail, rail_share=args.rail_share,
                                   staff_share=args.staff_share, policy=args.policy,
                                   registry_ids=args.registry, employers=args.employers)
    except ValueError as error:
        parser.error(str(error))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(request, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    if args.registry:
        write_sample(request, args.out.parent)


if __name__ == "__main__":
    main()
