"""parse_request lists every problem in one pass, briefly, without personal data."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from charterplan import RequestError, parse_request
from charterplan.errors import MAX_PROBLEMS
from tests.conftest import worker

MINIMAL = Path(__file__).parents[1] / "data" / "valid" / "minimal.json"


def _problems(data: Any) -> list[str]:
    with pytest.raises(RequestError) as caught:
        parse_request(data)
    return [str(p) for p in caught.value.problems]


def test_shape_range_and_reference_problems_are_listed_together(base: dict[str, Any]) -> None:
    """A load factor of 1.5 no longer hides an unknown destination of another element."""
    base["workers"] = [worker("W1"), worker("W2", destination="E-99")]
    base["bus_types"][0]["load_factor"] = 1.5
    problems = _problems(base)
    assert problems == [
        "workers[1].destination: unknown destination 'E-99'",
        "bus_types[0].load_factor: Input should be less than or equal to 1 (got 1.5)"]


def test_an_invalid_element_still_has_its_references_checked_by_others(
        base: dict[str, Any]) -> None:
    """A destination with a bad latitude is still known by id: no spurious 'unknown'."""
    base["destinations"][0]["lat"] = 123
    base["workers"] = [worker("W1", destination="DG1"), worker("W2", destination="NOWHERE")]
    assert _problems(base) == [
        "destinations[0].lat: Input should be less than or equal to 90 (got 123)",
        "workers[1].destination: unknown destination 'NOWHERE'"]


def test_at_most_fifty_problems_then_the_count_of_the_rest(base: dict[str, Any]) -> None:
    """120 bad workers: the first 50 problems in request order, then 'and 70 more'."""
    base["workers"] = [worker(f"W{i}", destination="E-99") for i in range(120)]
    with pytest.raises(RequestError) as caught:
        parse_request(base)
    error = caught.value
    assert len(error.problems) == MAX_PROBLEMS
    assert error.more == 70
    assert error.problems[0].path == "workers[0].destination"
    assert error.problems[-1].path == "workers[49].destination"
    assert str(error).startswith("the request has 120 problems\n")
    assert str(error).endswith("\n  and 70 more")


def test_a_huge_list_of_junk_stops_after_a_bounded_count(base: dict[str, Any]) -> None:
    """A million non-objects: 50 listed, reading stops after 100,000, quickly."""
    base["workers"] = [0] * 1_000_000
    with pytest.raises(RequestError) as caught:
        parse_request(base)
    assert len(caught.value.problems) == MAX_PROBLEMS
    assert caught.value.stopped
    assert "reading stopped there" in str(caught.value)


def test_ten_million_zeros_stay_under_a_gigabyte(tmp_path: Path) -> None:
    """The 20 MB request {"workers": [0, 0, …]} is refused (exit 2) within 1 GB of memory."""
    path = tmp_path / "zeros.json"
    path.write_text('{"workers": [' + ",".join(["0"] * 10_000_000) + "]}")
    result = subprocess.run(
        [sys.executable, "-c", "import resource, sys\n"
         "from charterplan.cli import main\n"
         "code = main(['plan', sys.argv[1], '--out', sys.argv[2]])\n"
         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
         "sys.exit(code)", str(path), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 2, result.stderr
    assert int(result.stdout) * 1024 < 2**30  # ru_maxrss is in KiB on Linux
    assert "workers: 10,000,000 items, more than the 2,000,000" in result.stderr
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


def test_required_lists_are_required(base: dict[str, Any]) -> None:
    """A request without workers, hubs or destinations is refused, not planned as empty."""
    for name in ("workers", "hubs", "destinations"):
        data = {k: v for k, v in base.items() if k != name}
        assert _problems(data) == [f"{name}: required field is missing"]


def test_a_rail_stop_may_not_share_a_destinations_id(base: dict[str, Any]) -> None:
    """Stops share ids across services, never with a hub, pickup point or destination."""
    stop = {"id": "CS", "name": "长沙南", "lat": 28.15, "lon": 113.06,
            "arrival": "2020-02-21T12:00"}
    base["hubs"].append({"id": "XHW", "name": "新晃西", "kind": "rail_station",
                         "lat": 27.4, "lon": 109.2})
    base["rail_services"] = [
        {"id": f"T{k}", "hub": "XHW", "departure": "2020-02-21T08:00", "stops": [stop],
         "carriages": 2, "cost_per_carriage": 20000} for k in range(2)]
    assert _problems(base) == [
        "rail_services[0].stops[0].id: id 'CS' is also the id of destinations[2]; hubs, "
        "pickup points, destinations and rail stops each need their own ids",
        "rail_services[1].stops[0].id: id 'CS' is also the id of destinations[2]; hubs, "
        "pickup points, destinations and rail stops each need their own ids"]


def test_numbers_and_mobiles_are_masked_in_every_message(base: dict[str, Any]) -> None:
    """ID numbers given as JSON numbers and mobiles inside text never appear in full."""
    base["workers"] = [
        worker("W1", id_number=431229199608313829),
        worker("W2", phone={"note": "13712345604（王经理）"}),
        worker("W3", destination="请联系 138-1234-5678"),
        worker("W4", phone="x" * 40)]
    text = "\n".join(_problems(base))
    for secret in ("431229199608313829", "13712345604", "138-1234-5678", "12345678"):
        assert secret not in text
    assert "137****5604（王经理）" in text
    assert "x" * 40 not in text  # long values are shortened too


def test_a_long_echo_is_shortened(base: dict[str, Any]) -> None:
    """A huge wrong value is echoed in a few dozen characters, not repeated whole."""
    base["plan_id"] = ["a" * 1000] * 1000
    (problem,) = _problems(base)
    assert problem.startswith("plan_id: expected an id")
    assert len(problem) < 200


def test_sample_file_reads_as_before() -> None:
    """The stricter reader still accepts the minimal request unchanged."""
    request = parse_request(MINIMAL.read_bytes())
    assert len(request.workers) == len(json.loads(MINIMAL.read_text("utf-8"))["workers"])
