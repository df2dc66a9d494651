"""The request generator: valid, deterministic, and the committed sample is its output."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from charterplan import parse_request
from charterplan.geo import great_circle_km
from charterplan.samples import (
    RAIL_LINES,
    county_toml,
    generate_request,
    load_places,
    registry_rows,
)
from charterplan.tables import parse_id_number, worker_id

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
# sha256 of what the planner reads of generate_request(...) (_planned below), taken
# before ID numbers were made to agree with 性别 and staff names lost their role: the
# requests the figures in benchmarks/RESULTS.md were measured on; the rail one since
# 新晃西站 moved from the bus station's coordinates to its own (the rail rows of the grid
# were measured again: RESULTS.md, "Feeders that drive")
PLANNED_SHA256 = {
    (2000, False): "51319935e578ea12ba3e9b2feee8e5b491baa8f37750dbde5b97034050c9dad7",
    (2000, True): "7b0ec53658252657bb79693fca767d1f5cfaad038b3240e554259165ab61a1fc",
    (20000, False): "c9cdce0ffb5ded2807afde1c266aab39713ac9e4f56ff44aafe1b843e0787204",
}


def _text(request: dict[str, object]) -> str:
    return json.dumps(request, ensure_ascii=False, indent=1) + "\n"


def test_generated_request_is_valid() -> None:
    """A generated request passes validation and has the asked number of workers."""
    request = parse_request(generate_request(300, 7, seed=1))
    assert len(request.workers) == 300
    assert {w.health.status.value for w in request.workers} >= {"cleared", "quarantine"}


def test_same_seed_same_request_other_seed_other_request() -> None:
    """The generator depends on its arguments only."""
    assert generate_request(200, 7, seed=3) == generate_request(200, 7, seed=3)
    assert generate_request(200, 7, seed=3) != generate_request(200, 7, seed=4)


def _planned(request: dict[str, Any]) -> str:
    """sha256 of the request without ID numbers and staff names, which no plan reads."""
    data = json.loads(json.dumps(request))
    for worker in data["workers"]:
        worker.pop("id_number")
    for person in data["staff"]:
        person.pop("name")
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True)
                          .encode("utf-8")).hexdigest()


def test_committed_sample_is_the_generator_output() -> None:
    """data/sample/ holds a fresh generation with its recorded command (``--workers 2000
    --days 14 --seed 2020 --rail --registry``): the request byte for byte, the county
    file byte for byte, and the registry workbook cell for cell."""
    from python_calamine import CalamineWorkbook

    fresh = generate_request(2000, 14, 2020, rail=True, registry_ids=True)
    assert (SAMPLE / "request.json").read_text(encoding="utf-8") == _text(fresh)
    assert (SAMPLE / "county.toml").read_text(encoding="utf-8") == county_toml(fresh)
    with CalamineWorkbook.from_path(SAMPLE / "registry.xlsx") as book:
        cells = book.get_sheet_by_index(0).to_python()[1:]
    assert [[v if v != "" else None for v in row] for row in cells] == registry_rows(fresh)


@pytest.mark.parametrize(("workers", "rail"), sorted(PLANNED_SHA256))
def test_what_the_planner_reads_is_as_measured(workers: int, rail: bool) -> None:
    """The benchmark requests plan as before: only ID numbers and staff names changed."""
    assert _planned(generate_request(workers, 14, 2020, rail=rail)) == PLANNED_SHA256[
        workers, rail]


def test_id_numbers_are_valid_unique_and_agree_with_gender() -> None:
    """Every ID number passes GB 11643, its gender digit agrees with 性别, its holder is
    18 to 60 on the first day, and no two workers share one (at 20,000 random draws
    would clash)."""
    request = generate_request(20000, 14, 2020, registry_ids=True)
    assert len({w["id_number"] for w in request["workers"]}) == 20000
    for worker in request["workers"]:
        checked = parse_id_number(worker["id_number"], date(2020, 2, 20))
        assert checked.gender == worker["gender"]
        assert 18 <= (date(2020, 2, 20) - checked.born).days / 365 <= 60
        assert worker["id"] == worker_id(worker["id_number"])


def test_staff_names_are_names() -> None:
    """A staff member's name is a name; the role is in ``roles``, not in the name."""
    for person in generate_request(2000, 14, 2020, rail=True)["staff"]:
        assert 2 <= len(person["name"]) <= 3
        assert not person["name"].endswith(("干部", "医生"))


def test_policy_fields_go_over_the_generated_ones_and_change_nothing_else() -> None:
    """``policy`` overrides what it names (the seed too) and leaves the rest alone."""
    plain = generate_request(200, 7, seed=3)
    wide = generate_request(200, 7, seed=3, policy={"dropoff_radius_km": 150, "seed": 9})
    assert wide["policy"] == {"seed": 9, "dropoff_radius_km": 150}
    assert {**wide, "policy": plain["policy"]} == plain
    assert parse_request(wide).policy.dropoff_radius_km == 150


def test_rail_adds_a_station_services_and_staff_and_changes_nothing_else() -> None:
    """With rail: a valid request whose bus part equals the request without rail; the
    services leave Xinhuang West daily or every other day with stops in time order."""
    plain, data = generate_request(300, 7, seed=5), generate_request(300, 7, seed=5, rail=True)
    request = parse_request(data)
    station = [h for h in request.hubs if h.kind == "rail_station"]
    assert [h.id for h in station] == ["XHW"]
    assert {s.hub for s in request.rail_services} == {"XHW"}
    assert {s.id[:5] for s in request.rail_services} == {line.code for line in RAIL_LINES}
    assert len(request.rail_services) == 7 + 4  # daily, and every other day over 7 days
    for service in request.rail_services:
        assert 6 <= service.carriages <= 18 and service.carriage_capacity == 59
        assert station[0].open <= service.departure.time() <= station[0].close
        arrivals = [stop.arrival for stop in service.stops]
        assert service.departure < arrivals[0] and arrivals == sorted(arrivals)
        assert 118 * 200 <= service.cost_per_carriage <= 118 * 300
    rail_staff = [p for p in request.staff if p.hub == "XHW"]
    assert {r for p in rail_staff for r in p.roles} == {"escort", "medic"}
    named = [d for d in request.destinations if d.rail_station is not None]
    assert named and len(named) < len(request.destinations)
    stops = {stop.id: stop for s in request.rail_services for stop in s.stops}
    for dest in named:
        stop = stops[str(dest.rail_station)]
        assert great_circle_km(dest.lat, dest.lon, stop.lat, stop.lon) < 10
    assert data["plan_id"] == plain["plan_id"] + "-rail"
    for key in ("workers", "pickup_points", "bus_types", "policy"):
        assert data[key] == plain[key]
    assert data["hubs"][:-1] == plain["hubs"]
    assert data["staff"][:len(plain["staff"])] == plain["staff"]
    assert [{k: v for k, v in d.items() if k != "rail_station"}
            for d in data["destinations"]] == plain["destinations"]


@pytest.mark.parametrize("share", [0.2, 0.5, 0.8])
def test_rail_share_sends_that_share_of_workers_near_a_stop(share: float) -> None:
    """About ``rail_share`` of the workers go to employers within 50 km of a rail stop."""
    request = parse_request(generate_request(2000, 7, seed=2, rail=True, rail_share=share))
    stops = [stop for s in request.rail_services for stop in s.stops]
    place = {d.id: d for d in request.destinations}
    near = sum(1 for w in request.workers if min(
        great_circle_km(place[w.destination].lat, place[w.destination].lon, s.lat, s.lon)
        for s in stops) <= 50)
    assert abs(near / len(request.workers) - share) < 0.05


def test_rail_share_outside_0_1_is_refused() -> None:
    """A share is a fraction."""
    with pytest.raises(ValueError, match="rail_share"):
        generate_request(10, 1, rail_share=1.5)


def test_places_name_their_source_and_lie_in_china() -> None:
    """Every place row has a source and coordinates inside China's extent."""
    for place in load_places():
        assert 18 < place.lat < 54 and 73 < place.lon < 135, place
    text = (ROOT / "src" / "charterplan" / "samples" / "places.csv").read_text(
        encoding="utf-8")
    rows = [line for line in text.splitlines()[1:] if line and not line.startswith("#")]
    assert all("GeoNames" in row for row in rows[1:])


def test_the_rail_station_is_a_few_km_from_the_bus_station() -> None:
    """新晃西站 stands apart from the bus station (2-8 km), so a rail feeder drives a
    real distance instead of 0 km."""
    places = {p.key: p for p in load_places()}
    bus, rail = places["XH"], places["XHW"]
    assert 2 < float(great_circle_km(bus.lat, bus.lon, rail.lat, rail.lon)) < 8


def test_a_million_workers_find_a_county_station_per_ten_thousand() -> None:
    """A national campaign's request gets its 100 stations (one per 10,000 workers), each
    with its own key, so no station has to take more workers than its slots allow."""
    places = load_places()
    counties = [p for p in places if p.kind == "county"]
    assert len(counties) >= 99
    assert len({p.key for p in places}) == len(places)


def test_staff_share_keeps_that_share_of_the_countys_escorts_and_medics() -> None:
    """Half of the county's single-role escorts and medics stay, the first ones; staff
    holding both roles and the rail station's staff all stay."""
    full = generate_request(2000, 14, seed=2020, rail=True)["staff"]
    short = generate_request(2000, 14, seed=2020, rail=True, staff_share=0.5)["staff"]

    def county(staff: list[dict[str, object]], roles: list[str]) -> list[str]:
        return [s["id"] for s in staff if s["roles"] == roles and s["id"][1] != "R"]

    for roles in (["escort"], ["medic"]):
        assert county(short, roles) == county(full, roles)[:len(county(full, roles)) // 2]
    assert county(short, ["escort", "medic"]) == county(full, ["escort", "medic"])
    assert [s for s in short if s["id"].startswith("SR")] == [
        s for s in full if s["id"].startswith("SR")]
    with pytest.raises(ValueError, match="staff_share"):
        generate_request(10, 1, staff_share=-0.1)
