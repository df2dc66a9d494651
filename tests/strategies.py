"""Hypothesis strategies: random valid planning requests, as dicts.

Requests are small (a few destinations and dozens of workers) so that each plan solves
in well under a second, yet they cover what makes planning hard: health mixes,
windows of a few hours to several days, groups, tight fleets, hub slots, short
staff rosters, and trains with few carriages to some of the destinations.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from charterplan.model import BusType, Staff
from charterplan.solvers.assignment import AssignmentProblem, Demand, RailChoice
from charterplan.solvers.staffing import Duty, Person

START = date(2020, 2, 20)

# Real places: Xinhuang county seat, and employer cities near and far from it.
HUBS = [("XH", 27.359, 109.174), ("HH", 27.550, 109.998)]
CITIES = [
    ("东莞市", "广东省", 23.021, 113.752),
    ("深圳市", "广东省", 22.543, 114.058),
    ("长沙市", "湖南省", 28.228, 112.939),
    ("杭州市", "浙江省", 30.274, 120.155),
    ("怀化市", "湖南省", 27.550, 109.998),
]


STATION = ("XHW", 27.40, 109.20)
"""A rail station a few km from the first hub."""


def _day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


@st.composite
def rail_services(draw: st.DrawFn, days: int) -> list[dict[str, Any]]:
    """Trains from the station to some of the cities, with their timetables."""
    services = []
    for k in range(draw(st.integers(1, 3))):
        day = draw(st.integers(0, days - 1))
        hour = draw(st.integers(7, 12))
        calls = draw(st.lists(st.sampled_from(CITIES[:4]), min_size=1, max_size=3,
                              unique=True))
        stops, at = [], hour
        for city, _, lat, lon in calls:
            at += draw(st.integers(1, 5))
            stops.append({"id": f"R-{city}", "name": f"{city}站", "lat": lat + 0.02,
                          "lon": lon + 0.02,
                          "arrival": f"{_day(day + at // 24)}T{at % 24:02d}:30"})
        services.append({"id": f"T{k}", "hub": STATION[0],
                         "departure": f"{_day(day)}T{hour:02d}:00", "stops": stops,
                         "carriages": draw(st.integers(1, 3)),
                         "seats_per_carriage": draw(st.sampled_from([10, 30, 118])),
                         # cheap enough per seat to beat a bus now and then
                         "load_factor": draw(st.sampled_from([0.5, 1.0])),
                         "cost_per_carriage": draw(st.integers(200, 6000))})
    return services


@st.composite
def health(draw: st.DrawFn, days: int) -> dict[str, Any]:
    """A health record: mostly cleared, some quarantined, a few not cleared."""
    status = draw(st.sampled_from(
        ["cleared"] * 6 + ["quarantine", "quarantine", "unverified", "symptomatic"]))
    record: dict[str, Any] = {"status": status}
    if status == "quarantine" or draw(st.integers(0, 9)) == 0:
        record["quarantine_until"] = _day(draw(st.integers(-1, days)))
    if draw(st.integers(0, 4)) == 0:
        record["certificate_valid_until"] = _day(draw(st.integers(0, days + 2)))
    return record


@st.composite
def requests(draw: st.DrawFn, max_workers: int = 40) -> dict[str, Any]:
    """A random valid request dict."""
    days = draw(st.integers(1, 5))
    num_hubs = draw(st.integers(1, 2))
    hubs = [{"id": h, "name": h, "kind": "bus_station", "lat": lat, "lon": lon,
             "open": "06:00", "close": draw(st.sampled_from(["07:00", "12:00", "18:00"])),
             "slot_minutes": draw(st.sampled_from([10, 30, 60])),
             "max_departures_per_slot": draw(st.integers(1, 3))}
            for h, lat, lon in HUBS[:num_hubs]]
    cities = draw(st.lists(st.sampled_from(CITIES), min_size=1, max_size=4, unique=True))
    destinations = []
    for i, (city, province, lat, lon) in enumerate(cities):
        for j in range(draw(st.integers(1, 2))):
            destinations.append({"id": f"D{i}{j}", "name": f"{city}企业{j}", "city": city,
                                 "province": province, "lat": lat + 0.05 * j,
                                 "lon": lon - 0.04 * j})
    pickups = [{"id": f"P{k}", "name": f"集合点{k}", "township": "ABC"[k % 3],
                "lat": HUBS[0][1] + draw(st.sampled_from([0.0, 0.1, 0.25, -0.3])),
                "lon": HUBS[0][2] + draw(st.sampled_from([0.0, 0.15, -0.2]))}
               for k in range(draw(st.integers(0, 4)))]
    workers = []
    for n in range(draw(st.integers(0, max_workers))):
        first = draw(st.integers(0, days - 1))
        hours = draw(st.sampled_from([None, 8, 20, 30]))
        worker: dict[str, Any] = {
            "id": f"W{n:03d}", "name": f"工人{n}", "township": draw(st.sampled_from("ABC")),
            "destination": draw(st.sampled_from(destinations))["id"],
            "earliest_departure": _day(first),
            "latest_arrival": (_day(first + draw(st.integers(0, 4))) if hours is None else
                               f"{_day(first + hours // 24)}T{hours % 24:02d}:00"),
            "health": draw(health(days)),
            "poverty_registered": draw(st.booleans()),
            "captain_volunteer": draw(st.integers(0, 9)) == 0,
        }
        if num_hubs > 1:
            worker["hub"] = draw(st.sampled_from(HUBS[:num_hubs]))[0]
        if pickups and draw(st.booleans()):
            worker["pickup_point"] = draw(st.sampled_from(pickups))["id"]
        if draw(st.integers(0, 5)) == 0:
            worker["group"] = f"G{draw(st.integers(0, 3))}"
        workers.append(worker)
    bus_types = [{"id": f"B{k}", "seats": draw(st.sampled_from([8, 20, 45])),
                  "load_factor": draw(st.sampled_from([0.5, 1.0])),
                  "reserved_seats": draw(st.integers(0, 1)),
                  "fixed_cost": draw(st.integers(500, 3000)),
                  "cost_per_km": draw(st.integers(3, 9)),
                  "available_per_day": draw(st.integers(0, 4)),
                  **({"hub": "XH"} if k == 1 else {})}
                 for k in range(draw(st.integers(1, 2)))]
    staff = [{"id": f"S{k}", "name": f"干部{k}",
              "roles": draw(st.sampled_from([["escort"], ["medic"], ["escort", "medic"]])),
              "available_from": _day(draw(st.integers(-1, days - 1))),
              "available_until": _day(draw(st.integers(days, days + 10))),
              **({"hub": draw(st.sampled_from(HUBS[:num_hubs]))[0]}
                 if draw(st.integers(0, 3)) == 0 else {})}
             for k in range(draw(st.integers(0, 8)))]
    rail = draw(rail_services(days)) if draw(st.booleans()) else []
    if rail:
        hubs.append({"id": STATION[0], "name": "新晃西", "kind": "rail_station",
                     "lat": STATION[1], "lon": STATION[2], "open": "06:00", "close": "22:00",
                     "slot_minutes": 10, "max_departures_per_slot": 2})
        stops = sorted({stop["id"] for service in rail for stop in service["stops"]})
        for dest in destinations:
            if draw(st.integers(0, 3)) == 0:
                dest["rail_station"] = draw(st.sampled_from(stops))
        staff += [{"id": f"SR{k}", "name": f"站员{k}", "roles": ["escort", "medic"],
                   "hub": STATION[0], "available_from": _day(-1),
                   "available_until": _day(days + 10)} for k in range(draw(st.integers(0, 4)))]
    return {
        "plan_id": "property", "hubs": hubs, "pickup_points": pickups,
        "destinations": destinations, "rail_services": rail,
        "workers": workers, "bus_types": bus_types, "staff": staff,
        "policy": {"seed": draw(st.integers(0, 3)),
                   "min_passengers_per_bus": draw(st.integers(2, 3)),
                   "dropoff_radius_km": draw(st.sampled_from([0, 10, 50])),
                   "max_trips_per_convoy": draw(st.integers(1, 3)),
                   "staff_rest_hours": draw(st.sampled_from([0, 8, 24])),
                   "door_to_door": draw(st.booleans()),
                   "pickup_fallback_to_hub": draw(st.booleans()),
                   "max_pickups_per_bus": draw(st.integers(1, 3)),
                   "max_detour_km": draw(st.sampled_from([30.0, 100.0])),
                   "night_driving_ban": draw(st.booleans()),
                   "daily_driving_limit": draw(st.booleans()),
                   "rail_radius_km": draw(st.sampled_from([0.0, 20.0, 50.0])),
                   "rail_cutoff_minutes": draw(st.sampled_from([0, 60])),
                   "solver_effort": 0.2},
    }



def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def night_requests(draw: st.DrawFn, max_workers: int = 25) -> dict[str, Any]:
    """A random valid request under a random night ban (up to 6 h, at times across
    midnight), with bus stations that open in the night and workers free from night
    hours, so that slots inside and around the ban are in play."""
    data = draw(requests(max_workers=max_workers))
    opens = draw(st.integers(0, 10)) * 30
    start = (opens + draw(st.integers(-2, 8)) * 30) % (24 * 60)  # mostly in opening hours
    end = (start + draw(st.integers(1, 12)) * 30) % (24 * 60)
    data["policy"].update(night_driving_ban=True, night_ban_from=_clock(start),
                          night_ban_until=_clock(end))
    for hub in data["hubs"]:
        if hub["kind"] == "bus_station":
            hub["open"] = _clock(opens)
            slots = range(opens, int(hub["close"][:2]) * 60 + 1, hub["slot_minutes"])
            if all(start <= c < end if start <= end else c >= start or c < end
                   for c in slots):  # a station whose every slot is banned is refused
                hub["close"] = "23:59"
    for worker in data["workers"]:
        if draw(st.integers(0, 3)):  # before any latest_arrival the generator draws (08:00)
            worker["earliest_departure"] += f"T{_clock(draw(st.integers(0, 15)) * 30)}"
    return data

# Job matching (SPEC §11): townships of Xinhuang, and vacancies near and far.
TOWNSHIPS = [("晃州镇", 27.374, 109.134), ("波洲镇", 27.379, 109.278),
             ("中寨镇", 27.195, 109.269)]
TRADES = ["电子厂", "建筑工地", "鞋业"]


@st.composite
def match_instances(draw: st.DrawFn, max_seekers: int = 6, max_vacancies: int = 3,
                    groups: bool = True) -> tuple[list[Any], list[Any], Any]:
    """Seekers, vacancies and a policy, small enough to enumerate every assignment.

    Mixes poor households, seekers not health-cleared, wishes for a region or trade,
    groups of two or three (when ``groups``), 县内 vacancies, 扶贫特岗 kept for poor
    households, empty vacancy lines and
    a distance limit, so that every aim and rule is exercised.
    """
    from charterplan.matching import MatchPolicy, Seeker, Vacancy

    seekers = []
    for k in range(draw(st.integers(0, max_seekers))):
        township, lat, lon = draw(st.sampled_from(TOWNSHIPS))
        seekers.append(Seeker(
            id=f"S{k}", township=township, lat=lat, lon=lon, poor=draw(st.booleans()),
            cleared=draw(st.integers(0, 3)) > 0,
            group=draw(st.sampled_from([None, None, "G1", "G2"])) if groups else None,
            region=draw(st.sampled_from([None, "广东省", "湖南省", "长沙市"])),
            trade=draw(st.sampled_from([None, *TRADES]))))
    cities = [*((c, p, lat, lon, False) for c, p, lat, lon in CITIES),
              ("怀化市", "湖南省", 27.41, 109.18, True)]
    vacancies = []
    for k in range(draw(st.integers(0, max_vacancies))):
        city, province, lat, lon, local = draw(st.sampled_from(cities))
        vacancies.append(Vacancy(
            id=f"V{k}", employer=f"E{k}", province=province, city=city,
            lat=lat + draw(st.integers(0, 9)) / 100, lon=lon, count=draw(st.integers(0, 3)),
            trade=draw(st.sampled_from([None, *TRADES])), local=local,
            poor_only=local and draw(st.booleans())))
    policy = MatchPolicy(max_km=draw(st.sampled_from([None, None, 600.0])),
                         region_penalty_km=draw(st.sampled_from([0, 300])),
                         trade_penalty_km=draw(st.sampled_from([0, 200, 5000])))
    return seekers, vacancies, policy


# Values a person or an attacker might put anywhere in a request.
ODD_NUMBERS = ["9" * 5000, "-1", str(2**63), "1e18", "1e309", "-0.0", "NaN", "Infinity",
               "-Infinity", "0.5", "431229199608313829"]
ODD_STRINGS = ["", " ", "\ud800", "13712345604（王经理）", "X" * 10_000, "2020-02-30",
               "9999-12-31T23:59", "0001-01-01", "24:00", "../../etc/passwd", "\x00",
               "America/New_York", "Asia/Shanghai", "Mars/Olympus", "XH", "DG1"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "gbk", "gb18030", "latin-1"]


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value (object member or list item) inside ``value``."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(
        value, list) else ()
    for key, item in items:
        found.append((*path, key))
        found.extend(_places(item, (*path, key)))
    return found


@st.composite
def mutated_requests(draw: st.DrawFn, request: dict[str, Any]) -> bytes:
    """``request`` (a valid one) with one to three mutations, as the bytes of a file:
    a member deleted or given twice, a value replaced by another type, an odd number
    or string, or deep nesting, and the whole maybe in another encoding."""
    import copy
    import json

    data = copy.deepcopy(request)
    raw: dict[str, str] = {}  # placeholders for text JSON cannot produce from a dict
    for k in range(draw(st.integers(1, 3))):
        places = _places(data)
        path = draw(st.sampled_from(places))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if path[-1] not in (parent if isinstance(parent, dict) else range(len(parent))):
            continue  # an earlier mutation removed it
        kind = draw(st.sampled_from(["delete", "duplicate", "type", "number", "string",
                                     "nesting"]))
        mark = f"\u0001mark{k}\u0001"
        if kind == "delete":
            del parent[path[-1]]
        elif kind == "duplicate" and isinstance(parent, dict):
            raw[json.dumps(mark)] = f'{json.dumps(parent[path[-1]])}, {json.dumps(path[-1])}: 0'
            parent[path[-1]] = mark
        elif kind == "type":
            parent[path[-1]] = draw(st.one_of(
                st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                     st.integers(), max_size=2)))
        elif kind == "number":
            raw[json.dumps(mark)] = draw(st.sampled_from(ODD_NUMBERS))
            parent[path[-1]] = mark
        elif kind == "string":
            parent[path[-1]] = draw(st.sampled_from(ODD_STRINGS) | st.text(max_size=20))
        else:
            depth = draw(st.sampled_from([2, 50, 900, 5000, 100_000]))
            raw[json.dumps(mark)] = "[" * depth + "]" * depth
            parent[path[-1]] = mark
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    for mark, replacement in raw.items():
        text = text.replace(mark, replacement)
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else
                       "replace")


def county_requests() -> st.SearchStrategy[dict[str, Any]]:
    """Generated county requests (:mod:`charterplan.samples`) of 1-60 workers over 1-14
    days, with or without rail, their workers holding the registry import's ids: what a
    registry table and a county file can hold."""
    from charterplan.samples import generate_request

    return st.builds(generate_request, st.integers(1, 60), st.integers(1, 14),
                     st.integers(0, 2**31 - 1), rail=st.booleans(),
                     registry_ids=st.just(True))


STAFF_HUBS = ("A", "B")
"""Hubs of the staffing strategies."""


@st.composite
def staff_people(draw: st.DrawFn) -> list[Person]:
    """Up to a dozen people of either role or both, of a hub or none, with random
    availability (minutes)."""
    people = []
    for n in range(draw(st.integers(0, 12))):
        roles = draw(st.sampled_from([["escort"], ["medic"], ["escort", "medic"]]))
        start = draw(st.integers(0, 3000))
        end = start + draw(st.integers(0, 6000))
        hub = draw(st.sampled_from((None, *STAFF_HUBS)))
        staff = Staff(id=f"S{n:02d}", name=f"S{n}", roles=roles,
                      available_from="2020-02-01", available_until="2020-02-09")
        people.append(Person(staff, start, end, hub))
    return people


@st.composite
def duties(draw: st.DrawFn) -> list[Duty]:
    """Up to 25 trips from the hubs, with random departures and returns (minutes)."""
    duties = []
    for _ in range(draw(st.integers(0, 25))):
        departure = draw(st.integers(0, 6000))
        back = departure + draw(st.integers(1, 1500))
        duties.append(Duty(draw(st.sampled_from(STAFF_HUBS)), departure, back, 0, 1))
    return duties


def bus_type(type_id: str, capacity: int, fixed_cost: float, cost_per_km: float) -> BusType:
    """A bus type of ``capacity`` passengers (every seat usable, none reserved)."""
    return BusType(id=type_id, seats=capacity, load_factor=1.0, fixed_cost=fixed_cost,
                   cost_per_km=cost_per_km, available_per_day=10)


BIG = bus_type("B22", 22, 2000.0, 7.0)
SMALL = bus_type("B16", 16, 1600.0, 6.0)
ONE = frozenset({"D"})
A, B = frozenset({"A"}), frozenset({"B"})


def assignment_problem(demands: tuple[Demand, ...], bus_types: tuple[BusType, ...] = (BIG,),
             waves: tuple[int, ...] = (0, 1), fleet: int = 5,
             patterns: tuple[frozenset[str], ...] = (ONE,)) -> AssignmentProblem:
    """An assignment problem of ``demands`` on ``patterns`` (100 km and up), one
    ``fleet`` cap per type and wave day, ten slots a day."""
    return AssignmentProblem(patterns=patterns,
                             pattern_km=tuple(100.0 + i for i in range(len(patterns))),
                   pattern_extra=(0.0,) * len(patterns), bus_types=bus_types, wave_day=waves,
                   demands=demands,
                   fleet_caps={(k.id, d): fleet for k in bus_types for d in waves},
                   slot_caps=dict.fromkeys(waves, 10), min_passengers=2, effort=1.0, seed=0,
                   time_limit_s=10.0)


@st.composite
def assignment_problems(draw: st.DrawFn) -> AssignmentProblem:
    """Two destinations that may share a bus, over three waves, with random windows,
    sizes and direct-only waves, on one or two bus types and a tight fleet and
    departure slots."""
    demands = []
    for _ in range(draw(st.integers(1, 8))):
        waves = sorted(draw(st.sets(st.integers(0, 2), min_size=1)))
        direct = draw(st.sets(st.sampled_from(waves))) if draw(st.booleans()) else set()
        demands.append(Demand(draw(st.sampled_from([A, B, A | B])), draw(st.integers(1, 4)),
                              draw(st.integers(0, 1)), draw(st.integers(1, 12)),
                              tuple(w for w in waves if w not in direct), tuple(sorted(direct))))
    bus_types = draw(st.sampled_from([(BIG,), (SMALL, BIG), (BIG, SMALL)]))
    problem = dataclasses.replace(
        assignment_problem(tuple(demands), bus_types=bus_types, waves=(0, 1, 2),
                           fleet=draw(st.integers(0, 3)), patterns=(A, B, A | B)),
        slot_caps=dict.fromkeys((0, 1, 2), draw(st.integers(1, 4))))
    trains = draw(st.integers(0, 2))
    if not trains:
        return problem
    rails = tuple(RailChoice(f"T{o}", draw(st.sampled_from([50.0, 400.0])),
                             draw(st.sampled_from([None, 0, 1, 2]))) for o in range(trains))
    return dataclasses.replace(
        problem, rails=rails,
        seat_caps={r.service: draw(st.integers(0, 40)) for r in rails},
        demands=tuple(dataclasses.replace(d, rails=tuple(sorted(draw(st.sets(
            st.integers(0, trains - 1)))))) for d in demands))
