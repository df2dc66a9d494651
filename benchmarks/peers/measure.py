"""One measured peer run, meant to run in a fresh process.

``python -m benchmarks.peers.measure --peer NAME --workers N --days D --seed S
[--policy JSON]`` generates the same request as :mod:`benchmarks.measure`, plans it
with the peer and prints one JSON line: wall seconds, cost and riders in charterplan's
terms, and the plan's breaches of charterplan's policy. Peers ignore the drop-off
rules (but ``pyvrp-rules`` and ``pyvrp-horizon-rules``, told them): with those fields,
``--policy`` changes only the breaches counted for the others.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable
from typing import Any

from benchmarks.generate import add_policy_option, generate_request
from benchmarks.peers.common import PeerResult
from charterplan import parse_request

PEERS = {"clerk": "benchmarks.clerk:run", "ortools": "benchmarks.peers.ortools_routing:run",
         "pyvrp": "benchmarks.peers.pyvrp_peer:run",
         "pyvrp-rules": "benchmarks.peers.pyvrp_peer:run_with_rules",
         "pyvrp-horizon": "benchmarks.peers.pyvrp_horizon:run",
         "pyvrp-horizon-rules": "benchmarks.peers.pyvrp_horizon:run_with_rules",
         "vroom": "benchmarks.peers.vroom_peer:run"}
"""Peer name on the command line -> ``module:function``, a function
``(request, seed, jobs)`` returning a :class:`~benchmarks.peers.common.PeerResult`."""


def runner(peer: str) -> Callable[..., PeerResult]:
    """The function that plans a request as ``peer`` (a key of :data:`PEERS`)."""
    module, function = PEERS[peer].split(":")
    run: Callable[..., PeerResult] = getattr(importlib.import_module(module), function)
    return run


def measure(peer: str, workers: int, days: int, seed: int, jobs: int,
            policy: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plan a generated request once with ``peer``, with ``policy`` fields over
    the generated ones; return its figures."""
    request = parse_request(generate_request(workers, days, seed, policy=policy))
    result = runner(peer)(request, seed=0, jobs=jobs)
    return {"peer": result.name, "workers": workers, "days": days, "seed": seed,
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
