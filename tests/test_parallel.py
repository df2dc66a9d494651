"""Runners: the plan is the same whichever executor solved the areas."""

from __future__ import annotations

import os
import time
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import psutil
import pytest

from charterplan import parse_request, plan
from charterplan.io.plan_json import dump_plan
from charterplan.parallel import process_runner
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


def _square_or_fail(x: int) -> int:
    if x == 3:
        raise ValueError("three is refused")
    if x == 5:
        os._exit(7)
    time.sleep(0.05 * x)
    return x * x


def _children(before: frozenset[int] = frozenset()) -> list[psutil.Process]:
    """This process's children but those in ``before`` (e.g. the resource tracker that
    Dask's test leaves for the session)."""
    return [p for p in psutil.Process().children(recursive=True) if p.pid not in before]


def _pids() -> frozenset[int]:
    return frozenset(p.pid for p in _children())


def test_process_runner_keeps_the_order_and_leaves_no_process() -> None:
    """Results come in the items' order whatever finishes first; the workers end."""
    before = _pids()
    run = process_runner(3)
    assert list(run(_square_or_fail, [4, 2, 0, 1])) == [16, 4, 0, 1]
    assert _children(before) == []


def test_worker_exception_is_raised_with_its_traceback() -> None:
    """An exception in a worker reaches the caller, the worker's traceback its cause."""
    before = _pids()
    with pytest.raises(ValueError, match="three is refused") as raised:
        list(process_runner(2)(_square_or_fail, [1, 3, 2]))
    assert "_square_or_fail" in str(raised.value.__cause__)
    assert psutil.wait_procs(_children(before), timeout=5)[1] == []


def test_dead_worker_breaks_the_run_promptly() -> None:
    """A worker that dies (here: exits, as the OOM killer would kill it) ends the run
    with BrokenProcessPool, not a hang, and leaves no worker behind."""
    before = _pids()
    with pytest.raises(BrokenProcessPool, match="ended abruptly"):
        list(process_runner(2)(_square_or_fail, [5, 1, 2]))
    assert psutil.wait_procs(_children(before), timeout=5)[1] == []


def test_abandoned_run_kills_its_workers() -> None:
    """A caller that stops reading (an interrupt, an error) kills the workers at once
    instead of waiting for the items under way."""
    before = _pids()
    results = iter(process_runner(2)(time.sleep, [0.0, 60.0, 60.0]))
    assert next(results) is None
    started = time.monotonic()
    results.close()  # what an exception in the caller's loop does to the generator
    assert time.monotonic() - started < 5
    assert psutil.wait_procs(_children(before), timeout=5)[1] == []
