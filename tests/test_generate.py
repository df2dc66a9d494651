"""The request generator: valid, deterministic, and the committed sample is its output."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.generate import generate_request, load_places
from charterplan import parse_request

ROOT = Path(__file__).resolve().parents[1]


def test_generated_request_is_valid() -> None:
    """A generated request passes validation and has the asked number of workers."""
    request = parse_request(generate_request(300, 7, seed=1))
    assert len(request.workers) == 300
    assert {w.health.status.value for w in request.workers} >= {"cleared", "quarantine"}


def test_same_seed_same_request_other_seed_other_request() -> None:
    """The generator depends on its arguments only."""
    assert generate_request(200, 7, seed=3) == generate_request(200, 7, seed=3)
    assert generate_request(200, 7, seed=3) != generate_request(200, 7, seed=4)


def test_committed_sample_is_the_generator_output() -> None:
    """data/sample/request.json equals a fresh generation with its recorded command."""
    fresh = json.dumps(generate_request(2000, 14, 2020), ensure_ascii=False, indent=1) + "\n"
    assert (ROOT / "data" / "sample" / "request.json").read_text(encoding="utf-8") == fresh


def test_places_name_their_source_and_lie_in_china() -> None:
    """Every place row has a source and coordinates inside China's extent."""
    for place in load_places():
        assert 18 < place.lat < 54 and 73 < place.lon < 135, place
    text = (ROOT / "benchmarks" / "places.csv").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines()[1:] if line and not line.startswith("#")]
    assert all("GeoNames" in row for row in rows[1:])
