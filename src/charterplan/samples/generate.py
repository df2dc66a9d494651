"""Generated county requests: Xinhuang county's townships sending workers to employers.

Places come from ``places.csv`` beside this module (real coordinates, GeoNames, each
row with its source). Employers are fictional sites placed within a few km of a real
city, in proportion to where western Hunan's migrant workers went in 2020 (Guangdong
and Zhejiang first). Names, ID numbers and phones are fake; an ID number is valid by
GB 11643 (county code 431229, a birth date 18 to 60 years before the start, the
gender digit agreeing with 性别, the check digit). The same arguments always give the
same request, byte for byte. With ``registry_ids`` a worker's id is the one the
registry import gives the row (:func:`charterplan.tables.worker_id`), so the request
can also be written as a registry table and a county file (:mod:`.registry`).

With ``rail`` (``--rail``) the request also has the high-speed rail station 新晃西站
(Xinhuang West, id ``XHW``, a few km north-east of the bus station; its places.csv
row says where the coordinate comes from) and chartered carriages
on two lines over the horizon (:data:`RAIL_LINES`): daily at 08:30 to Guangzhou South
(14:00), Humen for Dongguan (14:40) and Shenzhen North (15:10), and every other day at
09:00 to Hangzhou East (15:30) and Ningbo (16:30). Each stop is placed at its city's
places.csv row (not at the station itself). Carriages seat 118 at load factor 0.5 and
cost 118 full-carriage fares (230 and 280 yuan); a train has 6-18 carriages, sized to
its line's workers; the station has its own escorts and medics, two of each per
carriage a day expected. Employers within a few km of a stop's city name that stop as
their ``rail_station``; the others rely on the policy's ``rail_radius_km``. The bus
part of the request is the same as without ``rail`` (the rail part draws from its own
random stream). ``rail_share`` (``--rail-share``) instead sends about that share of the
workers to employers within 50 km of a stop (the default ``rail_radius_km``), the
others elsewhere.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from charterplan.tables.idcard import check_character, worker_id

__all__ = ["RAIL_LINES", "Place", "RailLine", "generate_request", "load_places"]

PLACES = Path(__file__).with_name("places.csv")
SURNAMES = "杨吴姚龙田张李王刘陈蒲舒彭向谭姜粟唐滕袁"
GIVEN = "明华军勇芳秀英兰红平建国志强海燕玲丽春梅桂林云霞文斌涛伟"
TRADES = ("电子厂", "鞋业", "服装厂", "五金厂", "玩具厂", "家具厂", "建筑工地", "物流园",
          "纺织厂", "塑胶厂", "食品厂", "机械厂")
RAIL_HUB = "XHW"
RAIL_RADIUS_KM = 50.0  # the policy's default rail_radius_km
SEATS_PER_CARRIAGE = 118
RAIL_LOAD_FACTOR = 0.5


@dataclass(frozen=True)
class Place:
    """A row of places.csv."""

    key: str
    kind: str
    name: str
    province: str
    city: str
    weight: int
    lat: float
    lon: float


@dataclass(frozen=True)
class RailLine:
    """A line of chartered carriages leaving Xinhuang West every ``every_days`` days.

    ``stops`` are (places.csv city key, stop id, stop name, arrival "HH:MM" on the day of
    departure); ``fare`` is one seat's fare in yuan, so a carriage costs 118 fares.
    """

    code: str
    departure: str
    every_days: int
    fare: int
    stops: tuple[tuple[str, str, str, str], ...]


RAIL_LINES = (
    RailLine("R-GZS", "08:30", 1, 230, (("广州", "ST-GZN", "广州南站", "14:00"),
                                        ("东莞", "ST-HUM", "东莞虎门站", "14:40"),
                                        ("深圳", "ST-SZN", "深圳北站", "15:10"))),
    RailLine("R-HZN", "09:00", 2, 280, (("杭州", "ST-HZE", "杭州东站", "15:30"),
                                        ("宁波", "ST-NGB", "宁波站", "16:30"))),
)


def load_places(path: Path = PLACES) -> list[Place]:
    """The places table, comment lines skipped."""
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return [Place(r["key"], r["kind"], r["name"], r["province"], r["city"],
                      int(r["weight"]), float(r["lat"]), float(r["lon"])) for r in rows]


def _id_number(rng: random.Random, start: date, gender: str, used: set[str]) -> str:
    """A valid ID number of someone 18-60 at ``start``, not in ``used`` (then added to
    it): the sequence's last digit is odd for a man, even for a woman. It draws two
    numbers whatever the gender or a clash (a clash takes the next free sequence)."""
    born = start - timedelta(days=rng.randrange(18 * 365, 60 * 365))
    sequence = rng.randrange(1000) // 2 * 2 + (gender == "男")
    while (body := f"431229{born:%Y%m%d}{sequence:03d}") + check_character(body) in used:
        sequence = (sequence + 2) % 1000
    used.add(body + check_character(body))
    return body + check_character(body)


def _employers(rng: random.Random, cities: list[Place], count: int) -> list[dict[str, Any]]:
    """``count`` fictional employers near real cities, by the cities' weights."""
    picks = rng.choices(cities, weights=[c.weight for c in cities], k=count)
    out = []
    for n, city in enumerate(picks):
        angle, radius_km = rng.uniform(0, 2 * math.pi), rng.uniform(0.5, 6.0)
        out.append({
            "id": f"E{n + 1:03d}",
            "name": f"{city.name}{rng.choice('华盛鑫隆泰达宏远')}{rng.choice(TRADES)}",
            "city": city.city, "province": city.province,
            "lat": round(city.lat + radius_km / 111.0 * math.sin(angle), 5),
            "lon": round(city.lon + radius_km / (111.0 * math.cos(math.radians(city.lat)))
                         * math.cos(angle), 5),
            "contact": rng.choice(SURNAMES) + "经理",
            "contact_phone": f"0{rng.randrange(200, 999)}-8{rng.randrange(10**6, 10**7)}",
        })
    return out


def _health(rng: random.Random, first: date, last: date) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.88:
        record: dict[str, Any] = {"status": "cleared"}
        if rng.random() < 0.3:
            record["certificate_valid_until"] = str(first + timedelta(days=rng.randrange(2, 12)))
        return record
    if roll < 0.94:
        ends = first + timedelta(days=rng.randrange(-3, (last - first).days + 4))
        return {"status": "quarantine", "quarantine_until": str(ends)}
    return {"status": "unverified" if roll < 0.98 else "symptomatic"}


def _workers(rng: random.Random, count: int, days: int, start: date,
             townships: list[Place], employers: list[dict[str, Any]],
             starts: dict[str, date], counties: list[Place],
             rail_share: tuple[float, list[dict[str, Any]], list[dict[str, Any]]] | None = None,
             registry_ids: bool = False) -> list[dict[str, Any]]:
    """Workers in groups of 1-5; with ``counties``, each group belongs to Xinhuang or to
    one of them (gathering at that county's station, its seat as their township).
    With ``rail_share`` (share, employers on a rail line, the others) a group goes to
    the first list with that probability."""
    workers: list[dict[str, Any]] = []
    used: set[str] = set()
    group = 0
    while len(workers) < count:
        size = rng.choice((2, 2, 3, 3, 4, 5)) if rng.random() < 0.04 else 1
        size = min(size, count - len(workers))
        county = rng.randrange(len(counties) + 1) if counties else 0
        town = (rng.choices(townships, weights=[t.weight for t in townships])[0] if not county
                else counties[county - 1])
        village = f"{town.name[:2]}{rng.choice('东南西北上下中新')}{rng.choice('村寨坪溪')}"
        if rail_share is None:
            employer = rng.choice(employers)
        else:
            share, on_line, off_line = rail_share
            employer = rng.choice((on_line if rng.random() < share else off_line) or employers)
        arrive = starts[employer["id"]] + timedelta(days=rng.choice((0, 0, 1, 2)))
        first = max(start, arrive - timedelta(days=rng.randrange(1, 7)))
        first = min(first, start + timedelta(days=days - 1))
        arrive = max(arrive, first + timedelta(days=1))
        exact = rng.random() < 0.08
        name_group = f"G{group:04d}" if size > 1 else None
        group += size > 1
        for _ in range(size):
            n = len(workers)
            # drawn in this order, whatever the order of the fields: the same seed gives
            # the same workers as before the fields were reordered
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            gender = rng.choice(("男", "男", "女"))
            id_number = _id_number(rng, start, gender, used)
            phone = f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}"
            earliest = f"{first}T{rng.choice(('08', '13'))}:00" if exact else str(first)
            health = _health(rng, first, arrive)
            poor, captain = rng.random() < 0.2, rng.random() < 0.05
            worker: dict[str, Any] = {
                "id": worker_id(id_number) if registry_ids else f"W{n + 1:06d}",
                "name": name, "gender": gender, "id_number": id_number, "phone": phone,
                "township": town.name, "village": village,
            }
            if county:
                worker["hub"] = town.key
            elif rng.random() < 0.5:
                worker["pickup_point"] = f"P-{town.key}"
            worker |= {"destination": employer["id"], "earliest_departure": earliest,
                       "latest_arrival": str(arrive), "health": health,
                       "poverty_registered": poor}
            if name_group:
                worker["group"] = name_group
            worker["captain_volunteer"] = captain
            workers.append(worker)
    return workers


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle km (haversine on the mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _rail_stops(places: list[Place]) -> list[tuple[RailLine, str, Place]]:
    """Every stop of :data:`RAIL_LINES` as (line, stop id, its city's place)."""
    by_key = {p.key: p for p in places}
    return [(line, stop_id, by_key[key]) for line in RAIL_LINES
            for key, stop_id, _, _ in line.stops]


def _serving_stop(employer: dict[str, Any], stops: list[tuple[RailLine, str, Place]]
                  ) -> tuple[RailLine, str, float] | None:
    """The nearest stop within :data:`RAIL_RADIUS_KM` of ``employer`` (line, id, km)."""
    km, line, stop_id = min((_km(employer["lat"], employer["lon"], city.lat, city.lon),
                             line.code, stop_id) for line, stop_id, city in stops)
    if km > RAIL_RADIUS_KM:
        return None
    return next(ln for ln in RAIL_LINES if ln.code == line), stop_id, km


def _add_rail(request: dict[str, Any], places: list[Place], first_day: date, num_days: int,
              seed: int) -> dict[str, Any]:
    """``request`` with the rail station, its services and staff (module docstring)."""
    rng = random.Random(f"{seed}:rail")  # its own stream: the bus part stays as it was
    station = next(p for p in places if p.kind == "rail_station")
    by_key = {p.key: p for p in places}
    stops = _rail_stops(places)
    serving = {e["id"]: _serving_stop(e, stops) for e in request["destinations"]}
    destinations = []
    for employer in request["destinations"]:
        served = serving[employer["id"]]
        if served is None or served[2] > 8.0:  # not within a few km of a stop's city
            destinations.append(employer)
            continue
        items = list(employer.items())
        at = [k for k, _ in items].index("lon") + 1
        destinations.append(dict([*items[:at], ("rail_station", served[1]), *items[at:]]))
    riders = {line.code: 0 for line in RAIL_LINES}
    for worker in request["workers"]:
        served = serving[worker["destination"]]
        if served is not None:
            riders[served[0].code] += 1
    capacity = math.floor(SEATS_PER_CARRIAGE * RAIL_LOAD_FACTOR)
    services, carriages_a_day = [], 0.0
    for line in RAIL_LINES:
        per_service = riders[line.code] / max(num_days, 1) * line.every_days
        carriages = min(18, max(6, math.ceil(per_service * 1.5 / capacity)))
        carriages_a_day += math.ceil(per_service / capacity) / line.every_days
        for k in range(0, max(num_days, 1), line.every_days):
            day = first_day + timedelta(days=k)
            services.append((day, {
                "id": f"{line.code}-{day:%m%d}", "hub": station.key,
                "departure": f"{day}T{line.departure}",
                "stops": [{"id": stop_id, "name": name, "lat": by_key[key].lat,
                           "lon": by_key[key].lon, "arrival": f"{day}T{arrival}"}
                          for key, stop_id, name, arrival in line.stops],
                "carriages": carriages, "seats_per_carriage": SEATS_PER_CARRIAGE,
                "load_factor": RAIL_LOAD_FACTOR,
                "cost_per_carriage": SEATS_PER_CARRIAGE * line.fare,
            }))
    crew = max(2, math.ceil(2 * carriages_a_day))
    first_staff = request["staff"][0]
    staff = [{"id": f"SR{n + 1:03d}", "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
              "roles": [kind], "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
              "hub": station.key, "available_from": first_staff["available_from"],
              "available_until": first_staff["available_until"]}
             for n, kind in enumerate(["escort"] * crew + ["medic"] * crew)]
    hub = {"id": station.key, "name": station.name, "kind": "rail_station",
           "lat": station.lat, "lon": station.lon, "open": "06:00", "close": "22:00",
           "slot_minutes": 30, "max_departures_per_slot": 1}
    out: dict[str, Any] = {}
    for key, value in request.items():
        if key == "hubs":
            value = [*value, hub]
        elif key == "destinations":
            value = destinations
        elif key == "staff":
            out["rail_services"] = [service for _, service in
                                    sorted(services, key=lambda s: (s[0], s[1]["id"]))]
            value = [*value, *staff]
        out[key] = value
    return out


def generate_request(num_workers: int, num_days: int = 14, seed: int = 0, *,
                     start: str = "2020-02-20", rail: bool = False,
                     rail_share: float | None = None, staff_share: float = 1.0,
                     policy: Mapping[str, Any] | None = None,
                     registry_ids: bool = False, employers: int | None = None,
                     ) -> dict[str, Any]:
    """A realistic county request as a dict (see the module docstring).

    ``rail`` adds the rail station, its services and staff; ``rail_share`` (0-1) sends
    about that share of the workers to employers within reach of a rail stop;
    ``staff_share`` (0-1) keeps that share of the county's escorts and of its medics
    (the first ones; those holding both roles and the station's staff stay), for a
    short roster; ``policy`` fields go over the generated ones (only the seed);
    ``registry_ids`` gives each worker the id the registry import would; ``employers``
    how many employers (default: one per 40 workers, 20 to 400), for thinner flows.
    """
    for name, share in (("rail_share", rail_share), ("staff_share", staff_share)):
        if share is not None and not 0 <= share <= 1:
            raise ValueError(f"{name} {share} is not between 0 and 1")
    rng = random.Random(seed)
    first_day = date.fromisoformat(start)
    places = load_places()
    hub = next(p for p in places if p.kind == "hub")
    townships = [p for p in places if p.kind == "township"]
    cities = [p for p in places if p.kind == "city"]
    # a province: one more county bus station per 10,000 workers beyond the first
    counties = [p for p in places if p.kind == "county"][:max(0, -(-num_workers // 10000) - 1)]
    sites = _employers(rng, cities, employers or max(20, min(400, num_workers // 40)))
    starts = {e["id"]: first_day + timedelta(days=rng.randrange(1, num_days + 1))
              for e in sites}
    split = None
    if rail_share is not None:
        stops = _rail_stops(places)
        on_line = [e for e in sites if _serving_stop(e, stops) is not None]
        split = (rail_share, on_line, [e for e in sites if e not in on_line])
    workers = _workers(rng, num_workers, num_days, first_day, townships, sites, starts,
                       counties, split, registry_ids)
    per_day = num_workers / max(num_days, 1) / 20
    fleet = max(3, math.ceil(per_day * 1.5))
    crew = max(6, math.ceil(per_day * 4.5))
    last = first_day + timedelta(days=num_days + 10)
    staff = [{"id": f"S{n + 1:04d}", "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
              "roles": roles, "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
              "available_from": str(first_day - timedelta(days=1)), "available_until": str(last)}
             for n, roles in enumerate(
                 [["escort"]] * crew + [["medic"]] * crew
                 + [["escort", "medic"]] * max(1, crew // 10))]
    kept = int(crew * staff_share)
    staff = staff[:kept] + staff[crew:crew + kept] + staff[2 * crew:]
    plan_id = f"xinhuang-{num_workers}-{num_days}d-{seed}"
    if rail:
        plan_id += "-rail"
    if rail_share is not None:
        plan_id += f"-share{round(rail_share * 100)}"
    if staff_share < 1:
        plan_id += f"-staff{round(staff_share * 100)}"
    request = {
        "plan_id": plan_id,
        "timezone": "Asia/Shanghai",
        "hubs": [{"id": h.key, "name": h.name, "kind": "bus_station", "lat": h.lat,
                  "lon": h.lon, "open": "06:00", "close": "18:00", "slot_minutes": 10,
                  "max_departures_per_slot": 2} for h in [hub, *counties]],
        "pickup_points": [{"id": f"P-{t.key}", "name": f"{t.name}集合点", "township": t.name,
                           "lat": t.lat, "lon": t.lon} for t in townships],
        "destinations": sites,
        "workers": workers,
        "bus_types": [
            {"id": "C45", "seats": 45, "load_factor": 0.5, "fixed_cost": 2400,
             "cost_per_km": 7.5, "available_per_day": fleet},
            {"id": "C33", "seats": 33, "load_factor": 0.5, "fixed_cost": 1800,
             "cost_per_km": 6.0, "available_per_day": fleet},
            {"id": "C53", "seats": 53, "load_factor": 0.5, "reserved_seats": 2,
             "fixed_cost": 2800, "cost_per_km": 8.5, "available_per_day": max(1, fleet // 2)},
        ],
        "staff": staff,
        "policy": {"seed": seed, **(policy or {})},
    }
    return _add_rail(request, places, first_day, num_days, seed) if rail else request
