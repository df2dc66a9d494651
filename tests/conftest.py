"""Shared fixtures and the hypothesis profile."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "thorough", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Cut fonts go to a folder of the test session, not the user's cache (the CLI
    runs of the tests inherit it)."""
    os.environ["CHARTERPLAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))

BASE: dict[str, Any] = {
    "plan_id": "unit",
    "hubs": [{"id": "XH", "name": "新晃汽车站", "kind": "bus_station", "lat": 27.359,
              "lon": 109.174, "open": "06:00", "close": "18:00", "slot_minutes": 10,
              "max_departures_per_slot": 2}],
    "destinations": [
        {"id": "DG1", "name": "东莞电子厂", "city": "东莞市", "province": "广东省",
         "lat": 23.021, "lon": 113.752},
        {"id": "DG2", "name": "东莞鞋厂", "city": "东莞市", "province": "广东省",
         "lat": 22.960, "lon": 113.870},
        {"id": "CS", "name": "长沙机械厂", "city": "长沙市", "province": "湖南省",
         "lat": 28.228, "lon": 112.939},
    ],
    "workers": [],
    "bus_types": [{"id": "C45", "seats": 45, "fixed_cost": 2000, "cost_per_km": 7,
                   "available_per_day": 5}],
    "staff": [{"id": f"S{k}", "name": f"干部{k}", "roles": [role],
               "available_from": "2020-02-19", "available_until": "2020-03-31"}
              for k, role in enumerate(["escort", "medic"] * 4)],
}


def worker(ident: str, destination: str = "DG1", first: str = "2020-02-20",
           last: str = "2020-02-25", **extra: Any) -> dict[str, Any]:
    """A cleared worker bound for ``destination`` with the window [first, last]."""
    return {"id": ident, "name": f"工人{ident}", "township": "晃州镇",
            "destination": destination, "earliest_departure": first, "latest_arrival": last,
            "health": {"status": "cleared"}, **extra}


@pytest.fixture
def base() -> dict[str, Any]:
    """A fresh copy of a small valid request without workers."""
    return copy.deepcopy(BASE)
