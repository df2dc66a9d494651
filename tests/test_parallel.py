"""Runners: the plan is the same whichever executor solved the areas."""

from __future__ import annotations

from typing import Any

import pytest

from charterplan import parse_request, plan
from charterplan.io.plan_json import dump_plan
from tests.conftest import worker


def _request(base: dict[str, Any]) -> Any:
    base["workers"] = [worker(f"W{i:02d}", ["DG1", "DG2", "CS"][i % 3],
                              first=f"2020-02-{20 + i % 3}") for i in range(45)]
    return parse_request(base)


def test_process_pool_gives_the_same_plan(base: dict[str, Any]) -> None:
    """Solving areas in two worker processes gives the same plan.json bytes."""
    request = _request(base)
    assert dump_plan(plan(request, jobs=2)) == dump_plan(plan(request))


def test_dask_cluster_gives_the_same_plan(base: dict[str, Any]) -> None:
    """A real distributed.LocalCluster over TCP on 127.0.0.1 gives the same bytes."""
    distributed = pytest.importorskip("distributed")
    request = _request(base)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", protocol="tcp",
                                  dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        on_cluster = plan(request, scheduler=cluster.scheduler_address)
    assert dump_plan(on_cluster) == dump_plan(plan(request))


def test_hubs_merged_in_worker_processes_give_the_same_plan(base: dict[str, Any]) -> None:
    """Each of two hubs merges the half-empty buses its areas ran to two employers
    13 km apart, in a worker process of its own: the same plan.json bytes."""
    base["hubs"].append({**base["hubs"][0], "id": "FH", "name": "芙蓉汽车站",
                         "lat": 27.560, "lon": 109.350})
    base["workers"] = [worker(f"{hub}-{dest}-{k}", dest, "2020-02-20", "2020-02-21", hub=hub)
                       for hub in ("XH", "FH") for dest in ("DG1", "DG2") for k in range(3)]
    base["policy"] = {"max_area_destinations": 1}
    request = parse_request(base)
    local = plan(request)
    assert sorted((t.hub, sorted(s.place for s in t.stops if s.kind == "dropoff"))
                  for t in local.trips) == [("FH", ["DG1", "DG2"]), ("XH", ["DG1", "DG2"])]
    assert dump_plan(plan(request, jobs=2)) == dump_plan(local)
