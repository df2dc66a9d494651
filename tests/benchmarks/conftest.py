"""The tiny generated request the benchmark adapters are tested on."""

from __future__ import annotations

import pytest

from charterplan import parse_request
from charterplan.model import PlanRequest
from charterplan.samples import generate_request


@pytest.fixture
def tiny_request() -> PlanRequest:
    """60 workers over 2 days (seed 7): a few buses from Xinhuang, some riders at
    township pickup points, some groups."""
    return parse_request(generate_request(60, 2, seed=7))
