"""One measured peer run, meant to run in a fresh process.

``python -m benchmarks.peers.measure --peer NAME --workers N --days D --seed S
[--policy JSON]`` generates the same request as :mod:`benchmarks.measure`, plans it
with the peer and prints one JSON line: wall seconds, cost and riders in charterplan's
terms, and the plan's breaches of charterplan's policy. Peers ignore the drop-off
rules: with those fields, ``--policy`` changes only the breaches counted.
"""

from __future__ import annotations

import argparse
import importlib
import json
from typing import Any

from benchmarks.generate import add_policy_option, generate_request
from charterplan import parse_request

PEERS = {"clerk": "benchmarks.clerk", "ortools": "benchmarks.peers.ortools_routing",
         "pyvrp": "benchmarks.peers.pyvrp_peer", "vroom": "benchmarks.peers.vroom_peer"}
"""Peer name on the command line -> module with ``NAME`` and ``run(request, seed, jobs)``."""


def measure(peer: str, workers: int, days: int, seed: int, jobs: int,
            policy: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plan a generated request once with ``peer``, with ``policy`` fields over
    the generated ones; return its figures."""
    module = importlib.import_module(PEERS[peer])
    request = parse_request(generate_request(workers, days, seed, policy=policy))
    result = module.run(request, seed=0, jobs=jobs)
    return {"peer": module.NAME, "workers": workers, "days": days, "seed": seed,
            "seconds": round(result.seconds, 3), "buses": result.buses,
            "riders": result.riders, "cost": round(result.cost_yuan, 2),
            "cost_per_worker": round(result.cost_yuan / max(result.riders, 1), 2),
            "violations": result.violations}


def main() -> None:
    """Command line: print one measurement as a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer", choices=sorted(PEERS), required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    add_policy_option(parser)
    args = parser.parse_args()
    print(json.dumps(measure(args.peer, args.workers, args.days, args.seed, args.jobs,
                             args.policy),
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
