"""The hand-made request and plans of tests/io, and their output folders written once
per session (the office files take a few seconds to write)."""

from __future__ import annotations

from pathlib import Path

import pytest

from charterplan.io.output import write_outputs
from charterplan.model import Plan, PlanRequest
from tests.io.conftest import hand_plan, rail_plan, rail_request, request_

__all__ = ["hand_plan", "rail_plan", "rail_request", "request_"]


@pytest.fixture(scope="session")
def rail_folder(rail_request: PlanRequest, rail_plan: Plan,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of the rail plan (a bus, a feeder, two carriages), no contacts."""
    return write_outputs(rail_request, rail_plan, tmp_path_factory.mktemp("rail") / "out", {})


@pytest.fixture(scope="session")
def contacts_folder(rail_request: PlanRequest, rail_plan: Plan,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of the rail plan written with contacts."""
    return write_outputs(rail_request, rail_plan, tmp_path_factory.mktemp("contacts") / "out",
                         {}, with_contacts=True)
