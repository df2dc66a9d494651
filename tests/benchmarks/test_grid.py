"""The grid of requests changes are judged on, and its comparison table."""

from __future__ import annotations

import io

from benchmarks.grid import compare, run


def test_grid_plans_each_request_with_the_policy_given() -> None:
    """A one-request grid yields its figures; a policy that forbids sharing a bus
    between employers never makes the plan cheaper."""
    grid = [(120, 3, 7, False)]
    shared = next(run({}, grid, jobs=1))
    alone = next(run({"max_dropoffs_per_bus": 1}, grid, jobs=1))
    assert (shared["workers"], shared["days"], shared["seed"]) == (120, 3, 7)
    assert 0 < shared["carried"] <= 120 and shared["cost_per_worker"] > 0
    assert alone["cost_per_worker"] * alone["carried"] > 0
    assert shared["cost_per_worker"] <= alone["cost_per_worker"] or (
        shared["carried"] > alone["carried"])


def test_compare_reports_each_change_and_the_mean() -> None:
    """10 % dearer on one request and 10 % cheaper on the other average to 0, in the
    ratio of the summed times."""
    key = {"days": 7, "seed": 1, "rail": False}
    before = [{"workers": 1000, **key, "s": 1.0, "carried": 900, "cost_per_worker": 100.0},
              {"workers": 2000, **key, "s": 3.0, "carried": 1800, "cost_per_worker": 200.0}]
    after = [{**before[0], "s": 2.0, "cost_per_worker": 110.0},
             {**before[1], "s": 2.0, "cost_per_worker": 180.0}]
    out = io.StringIO()
    assert abs(compare(before, after, out)) < 1e-9
    text = out.getvalue()
    assert "| +10.0 % |" in text and "| -10.0 % |" in text
    assert "in 1.00 times the time" in text
