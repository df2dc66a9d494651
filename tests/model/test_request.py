"""Every number and date of a request has a documented range; time zones are safe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic.fields import FieldInfo

from charterplan import RequestError, parse_request
from charterplan.io.schema import json_schemas
from charterplan.model import (
    BusType,
    Destination,
    Hub,
    PickupPoint,
    Policy,
    RailService,
    RailStop,
    RoadLeg,
)
from tests.conftest import worker

DOCS = Path(__file__).parents[2] / "docs"


def _numbers(schema: dict[str, Any], defs: dict[str, Any], path: str) -> Iterator[
        tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        yield from _numbers(defs[schema["$ref"].rsplit("/", 1)[1]], defs, path)
        return
    for option in schema.get("anyOf", []):
        yield from _numbers(option, defs, path)
    if schema.get("type") in ("integer", "number"):
        yield path, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _numbers(sub, defs, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from _numbers(schema["items"], defs, f"{path}[]")


def test_every_numeric_field_has_a_range_in_the_schema() -> None:
    """Each integer or number of the request schema has a minimum and a maximum."""
    schema = json_schemas()["request"]
    numbers = dict(_numbers(schema, schema["$defs"], "request"))
    assert len(numbers) > 40
    unbounded = [path for path, rule in numbers.items()
                 if not ({"minimum", "exclusiveMinimum"} & set(rule)
                         and {"maximum", "exclusiveMaximum"} & set(rule))]
    assert unbounded == []


def _bound(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) or value != int(value) else f"{int(value):,}"


def range_text(info: FieldInfo) -> str:
    """A field's range in interval notation, ``[0, 100,000]`` or ``(0, 1]``."""
    rules = {name: getattr(rule, name) for rule in info.metadata
             for name in ("ge", "gt", "le", "lt") if getattr(rule, name, None) is not None}
    low = f"[{_bound(rules['ge'])}" if "ge" in rules else f"({_bound(rules['gt'])}"
    high = f"{_bound(rules['le'])}]" if "le" in rules else f"{_bound(rules['lt'])})"
    return f"{low}, {high}"


def range_rows() -> list[str]:
    """The rows of format.md's table of ranges: ``| `bus_types[].seats` | [1, 200] |``."""
    rows = []
    for list_name, model in [("hubs", Hub), ("pickup_points", PickupPoint),
                             ("destinations", Destination), ("bus_types", BusType),
                             ("rail_services", RailService),
                             ("rail_services[].stops", RailStop), ("roads", RoadLeg),
                             ("policy", Policy)]:
        for name, info in model.model_fields.items():
            if info.annotation in (int, float, int | None, float | None):
                where = list_name if list_name == "policy" else f"{list_name}[]"
                rows.append(f"| `{where}.{info.alias or name}` | {range_text(info)} |")
    return rows


def test_every_range_is_stated_in_format_md() -> None:
    """docs/format.md states the range of every numeric field, as the models enforce it."""
    text = (DOCS / "format.md").read_text(encoding="utf-8")
    missing = [row for row in range_rows() if row not in text]
    assert missing == []
    for limit in ("2000-01-01", "2099-12-31", "100 MB"):
        assert limit in text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("available_per_day", 2**63, "less than or equal to 100000"),
    ("fixed_cost", 1e18, "less than or equal to 100000"),
    ("cost_per_km", -1, "greater than or equal to 0"),
    ("seats", 0, "greater than or equal to 1"),
    ("reserved_seats", 10**6, "less than or equal to 200"),
])
def test_out_of_range_numbers_are_refused(base: dict[str, Any], field: str, value: object,
                                          message: str) -> None:
    """A number outside its range is one problem naming the field and the bound."""
    base["bus_types"][0][field] = value
    with pytest.raises(RequestError) as caught:
        parse_request(base)
    (problem,) = caught.value.problems
    assert problem.path == f"bus_types[0].{field}"
    assert message in problem.message


def _in_zone(base: dict[str, Any], zone: str, first: str, last: str) -> dict[str, Any]:
    base["timezone"] = zone
    base["workers"] = [worker("W1", first=first, last=last), worker("W2", first=first,
                                                                     last=last)]
    return base


def test_a_daylight_saving_change_in_the_plans_span_is_refused(base: dict[str, Any]) -> None:
    """New York's change of 2020-03-08 within a 3-day trip: refused, zone and date named."""
    with pytest.raises(RequestError) as caught:
        parse_request(_in_zone(base, "America/New_York", "2020-03-06", "2020-03-09"))
    (problem,) = caught.value.problems
    assert problem.path == "timezone"
    assert problem.message.startswith(
        "America/New_York changes its UTC offset from -05:00 to -04:00 on 2020-03-08 at 03:00")


def test_a_change_after_the_return_margin_is_no_problem(base: dict[str, Any]) -> None:
    """New York in February 2020, a month before the change: planned as usual."""
    request = parse_request(_in_zone(base, "America/New_York", "2020-02-01", "2020-02-05"))
    assert request.workers[0].earliest_departure.utcoffset().total_seconds() == -5 * 3600


def test_the_change_is_found_also_in_the_return_margin(base: dict[str, Any]) -> None:
    """Workers due by 03-05, buses back within a week: the 03-08 change is refused too."""
    with pytest.raises(RequestError, match="2020-03-08"):
        parse_request(_in_zone(base, "America/New_York", "2020-03-01", "2020-03-05"))


def test_zones_without_changes_work(base: dict[str, Any]) -> None:
    """Asia/Shanghai and Asia/Kolkata (+05:30) plan across any date in range."""
    for zone in ("Asia/Shanghai", "Asia/Kolkata"):
        parse_request(_in_zone(json.loads(json.dumps(base)), zone, "2020-03-01", "2020-12-31"))


def test_unknown_zone_is_named(base: dict[str, Any]) -> None:
    """An unknown zone is one clear problem at 'timezone'."""
    base["timezone"] = "Mars/Olympus"
    with pytest.raises(RequestError) as caught:
        parse_request(base)
    assert [str(p) for p in caught.value.problems] == [
        "timezone: not a known IANA time zone name such as 'Asia/Shanghai' "
        "(got 'Mars/Olympus')"]


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_dates_outside_2000_to_2099_are_refused(base: dict[str, Any], day: str) -> None:
    """Years the planner's arithmetic and the zone database are not trusted with."""
    base["workers"] = [worker("W1", first="2020-02-20", last=day)]
    with pytest.raises(RequestError, match="outside the years 2000–2099"):
        parse_request(base)


def test_places_by_id_names_every_place_once_and_a_shared_station_by_its_first_stop() -> None:
    """Hubs, pickup points, destinations and rail stops are all found by id; a station
    two services call at is the first service's stop (the lookup check, the roster and
    the map share)."""
    sample = json.loads((Path(__file__).parents[2] / "data" / "sample" / "request.json")
                        .read_text(encoding="utf-8"))
    request = parse_request(sample)
    places = request.places_by_id()
    listed = [*request.hubs, *request.pickup_points, *request.destinations]
    assert all(places[p.id] is p for p in listed)
    stops = [s for r in request.rail_services for s in r.stops]
    assert {s.id for s in stops} <= places.keys()
    first = {}
    for stop in stops:
        first.setdefault(stop.id, stop)
    assert all(places[k] is v for k, v in first.items() if k not in {p.id for p in listed})
    assert len(places) == len({p.id for p in listed} | {s.id for s in stops})


def test_a_bus_station_whose_every_slot_is_banned_is_refused(base: dict[str, Any]) -> None:
    """A bus station open only inside the night ban could send no coach: the request is
    refused at the hub, naming the ban; with the ban off, or for a rail station, or one
    slot left at the ban's end, it is not."""
    base["hubs"][0].update(open="02:00", close="04:50")
    with pytest.raises(RequestError) as caught:
        parse_request(base)
    assert [str(p) for p in caught.value.problems] == [
        "hubs[0]: every departure slot 02:00–04:50 falls in the night ban 02:00–05:00: "
        "no coach could leave"]
    base["hubs"][0]["close"] = "05:00"
    parse_request(base)
    base["hubs"][0]["close"] = "04:50"
    base["policy"] = {**base.get("policy", {}), "night_driving_ban": False}
    parse_request(base)
