"""What a manifest says about a trip, as rows of text shared by the CSV and HTML writers.

Every phone and ID number here is masked; nothing else in ``charterplan.io`` reads a
worker's or staff member's personal data for output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from charterplan.io.masking import looks_like_mobile, mask_id_number, mask_phone
from charterplan.model import Destination, PlanRequest, Stop, Trip, Worker

__all__ = ["BUS_CONNECTION_COLUMNS", "CONNECTION_COLUMNS", "EMPLOYER_LEG", "HANDOVER_COLUMNS",
           "LAST_LEG", "PASSENGER_COLUMNS",
           "ROUTE_COLUMNS", "Roster", "Table", "carriage_name", "train_name"]

PASSENGER_COLUMNS = ("序号", "姓名", "性别", "身份证号", "电话", "乡镇", "村", "上车点",
                     "上车时间", "下车点", "务工单位", "城市", "企业联系人", "预计到达")
ROUTE_COLUMNS = ("站序", "上下车", "地点", "预计时间", "人数")
HANDOVER_COLUMNS = ("下车站", "到站时间", "务工单位", "城市", "人数", "接站联系人", "最后一程")
CONNECTION_COLUMNS = ("列车", "车厢", "乘车站", "开车时间", "到站截止", "人数")
BUS_CONNECTION_COLUMNS = ("车次", "换乘站", "发车时间", "人数")
EMPLOYER_LEG = "用工单位到站接站"
"""The last leg of a rail rider, from the alighting station to the employer, is the
employer's: every carriage and train manifest says so in these words."""
LAST_LEG = f"{EMPLOYER_LEG}：下车站至务工单位由用工单位负责，接站联系人见“到站接站”表"
"""The header line of a carriage's and a train's manifest that says so."""

Table = tuple[str, tuple[str, ...], list[tuple[str, ...]]]
"""A manifest's table: heading, columns, rows."""

_GENDER = {"male": "男", "M": "男", "男": "男", "female": "女", "F": "女", "女": "女"}
_KIND = {"pickup": "上车", "dropoff": "下车"}
_TRAIN_NUMBER = re.compile(r"[A-Z]?\d{1,5}")


def train_name(service_id: str) -> str:
    """A rail service as a railway prints it: a train number gets 次 (``G1234`` →
    ``G1234次``); any other id (``R-GZS-0222``) is printed as it is."""
    return f"{service_id}次" if _TRAIN_NUMBER.fullmatch(service_id) else service_id


def carriage_name(trip: Trip) -> str:
    """A rail trip's carriage: ``3号车厢``."""
    return f"{trip.carriage}号车厢"


def _by_number(text: str) -> tuple[int, str]:
    return len(text), text


class Roster:
    """A request's names and contacts as lookups, and the rows of each trip's manifest.

    ``trips`` are the plan's trips: they link a feeder bus to its riders' carriages and
    a carriage to the feeders that bring its riders (without them, neither is named).
    """

    def __init__(self, request: PlanRequest, trips: Sequence[Trip] = ()) -> None:
        self.zone = ZoneInfo(request.timezone)
        self.places = {key: place.name for key, place in request.places_by_id().items()}
        self.staff = {s.id: s for s in request.staff}
        self.workers = {w.id: w for w in request.workers}
        self.destinations = {d.id: d for d in request.destinations}
        self.bus_types = {b.id: b for b in request.bus_types}
        self.services = {s.id: s for s in request.rail_services}
        self.cutoff = timedelta(minutes=request.policy.rail_cutoff_minutes)
        self.door_to_door = request.door_to_door
        self.rail_of = {w: t for t in trips if t.mode == "rail" for w in t.passengers}
        self.feeder_of = {w: t for t in trips if t.feeder and not _feeds_hub(t)
                          for w in t.passengers}
        self.county_feeder_of = {w: t for t in trips if _feeds_hub(t) for w in t.passengers}
        self.bus_of = {w: t for t in trips if t.mode == "bus" and not _feeds_hub(t)
                       for w in t.passengers}
        self.onward_of = {w: t for t in trips if not t.feeder for w in t.passengers}

    def when(self, moment: datetime) -> str:
        """A time as the request's local ``YYYY-MM-DD HH:MM``."""
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def place(self, place_id: str) -> str:
        """The name of a hub, pickup point, destination or rail stop (its id if unknown)."""
        return self.places.get(place_id, place_id)

    def staff_text(self, staff_id: str) -> str:
        """A staff member's name and masked phone (the id if unknown)."""
        person = self.staff.get(staff_id)
        return f"{person.name} {mask_phone(person.phone)}".strip() if person else staff_id

    def worker_text(self, worker_id: str) -> str:
        """A worker's name and masked phone (the id if unknown)."""
        person = self.workers.get(worker_id)
        return f"{person.name} {mask_phone(person.phone)}".strip() if person else worker_id

    def _vehicle(self, trip: Trip) -> str:
        bus = self.bus_types.get(trip.vehicle_type)
        service = self.services.get(trip.vehicle_type)
        if trip.mode == "rail":
            text = "车厢"
            if service is not None:
                text += f"（{service.seats_per_carriage}座，限乘{service.carriage_capacity}人）"
        elif bus is not None:
            text = f"{bus.id}（{bus.seats}座，限乘{bus.capacity}人）"
        else:
            text = trip.vehicle_type
        return f"{text} 接驳车" if trip.feeder else text

    def title(self, trip: Trip) -> str:
        """The manifest's title: the trip, a carriage as ``G1234次 3号车厢``, a feeder marked."""
        if trip.mode == "rail":
            return f"乘车名单 {train_name(trip.vehicle_type)} {carriage_name(trip)}"
        return f"乘车名单 {trip.id}（接驳车）" if trip.feeder else f"乘车名单 {trip.id}"

    def header(self, trip: Trip) -> list[tuple[str, str]]:
        """The manifest's header block: label, value."""
        if trip.mode == "rail":
            head = [("车次", train_name(trip.vehicle_type)), ("车厢", carriage_name(trip)),
                    ("编号", trip.id)]
        else:
            head = [("车次", trip.id)]
        head += [("出发时间", self.when(trip.departure)), ("发车站", self.place(trip.hub)),
                 ("车型", self._vehicle(trip)), ("编组", trip.convoy or "")]
        if trip.mode == "bus":
            head.append(("驾驶员人数", str(trip.drivers)))
        head += [
            ("跟车干部", self.staff_text(trip.escort)), ("医务人员", self.staff_text(trip.medic)),
            ("车长", self.worker_text(trip.captain)),
            ("副车长", self.worker_text(trip.deputy_captain)),
            ("人数", str(len(trip.passengers))),
        ]
        if trip.feeder:
            head += self._feeder_lines(trip)
        if trip.mode == "rail":
            feeders = dict.fromkeys(self.feeder_of[w].id for w in trip.passengers
                                    if w in self.feeder_of)
            head += [("接驳车", "、".join(feeders) or "无"),
                     ("最后一程", LAST_LEG)]
        return head

    def _rails(self, trip: Trip) -> list[Trip]:
        rails = {r.id: r for w in trip.passengers if (r := self.rail_of.get(w)) is not None}
        return sorted(rails.values(), key=lambda r: (r.departure, r.vehicle_type,
                                                     r.carriage or 0))

    def _feeder_lines(self, trip: Trip) -> list[tuple[str, str]]:
        if _feeds_hub(trip):
            buses = [b for w in trip.passengers if (b := self.bus_of.get(w)) is not None]
            first = min((b.departure for b in buses), default=None)
            return [("接驳", f"县内接驳车：各集合点接人，送往{self.place(trip.hub)}换乘班车"),
                    ("首班换乘发车", self.when(first) if first else "计划中未找到")]
        drops = [s for s in trip.stops if s.kind == "dropoff"]
        station = self.place(drops[-1].place) if drops else ""
        rails = self._rails(trip)
        trains = "、".join(dict.fromkeys(train_name(r.vehicle_type) for r in rails))
        lines = [("接驳", f"接驳车：送往{station}换乘{trains or '列车（计划中未找到对应列车）'}")]
        if rails:
            lines.append(("到站截止", self.when(min(r.departure for r in rails) - self.cutoff)))
        return lines

    def route(self, trip: Trip) -> list[tuple[str, ...]]:
        """One row per stop, in order: number, boarding or alighting, place, ETA, count."""
        return [(str(n), _KIND[stop.kind], self.place(stop.place), self.when(stop.eta),
                 str(len(stop.workers))) for n, stop in enumerate(trip.stops, start=1)]

    def connections(self, trip: Trip) -> list[tuple[str, ...]]:
        """A feeder's riders by the carriage they change to (columns: CONNECTION_COLUMNS)."""
        rows: list[tuple[str, ...]] = []
        for rail in self._rails(trip):
            count = sum(self.rail_of.get(w) is rail for w in trip.passengers)
            rows.append((train_name(rail.vehicle_type), carriage_name(rail),
                         self.place(rail.hub), self.when(rail.departure),
                         self.when(rail.departure - self.cutoff), str(count)))
        lost = sum(w not in self.rail_of for w in trip.passengers)
        if lost:
            rows.append(("计划中未找到", "", "", "", "", str(lost)))
        return rows

    def bus_connections(self, trip: Trip) -> list[tuple[str, ...]]:
        """A county feeder's riders by the bus they change to at the hub (columns:
        BUS_CONNECTION_COLUMNS)."""
        buses = {b.id: b for w in trip.passengers if (b := self.bus_of.get(w)) is not None}
        return [(bus.id, self.place(bus.hub), self.when(bus.departure),
                 str(sum(self.bus_of.get(w) is bus for w in trip.passengers)))
                for bus in sorted(buses.values(), key=lambda b: (b.departure, b.id))]

    def contact(self, dest: Destination | None) -> str:
        """An employer's contact and phone; a mobile is masked, an office landline is not."""
        if dest is None:
            return ""
        phone = dest.contact_phone or ""
        return " ".join(filter(None, [
            dest.contact, mask_phone(phone) if looks_like_mobile(phone) else phone]))

    def handover(self, trips: Sequence[Trip], with_carriages: bool = False) -> (
            list[tuple[str, ...]]):
        """Where each employer meets its workers: one row per alighting station and
        employer, by arrival (columns: HANDOVER_COLUMNS, then the carriages if asked)."""
        found: dict[tuple[str, str], tuple[datetime, list[str]]] = {}
        for trip in trips:
            for stop in trip.stops:
                for w in stop.workers if stop.kind == "dropoff" else ():
                    worker = self.workers.get(w)
                    key = (stop.place, worker.destination if worker else "")
                    found.setdefault(key, (stop.eta, []))[1].append(str(trip.carriage or ""))
        rows: list[tuple[str, ...]] = []
        for (place, dest_id), (eta, cars) in sorted(found.items(), key=lambda i: i[1][0]):
            dest = self.destinations.get(dest_id)
            row: tuple[str, ...] = (
                self.place(place), self.when(eta), dest.name if dest else dest_id,
                dest.city if dest else "", str(len(cars)), self.contact(dest) or "未登记",
                EMPLOYER_LEG)
            if with_carriages:
                row += ("、".join(sorted(set(cars), key=_by_number)),)
            rows.append(row)
        return rows

    def boarding(self, trip: Trip, worker: Worker, up: Stop | None) -> str:
        """Where a bus rider boards. Door to door, a rider registered at a pickup point
        who boards at the hub says how they got there: by a county feeder
        (``新晃汽车站（接驳车 XH-0306-J01，凉伞镇集合点上车）``) or on their own, when
        nothing could collect them (``新晃汽车站（原集合点：凉伞镇集合点，自行到站）``)."""
        if up is None:
            return ""
        point = worker.pickup_point
        if self.door_to_door and point and trip.mode == "bus" and up.place != point:
            feeder = self.county_feeder_of.get(worker.id)
            if feeder is not None and feeder is not trip:
                return f"{self.place(up.place)}（接驳车 {feeder.id}，{self.place(point)}上车）"
            return f"{self.place(up.place)}（原集合点：{self.place(point)}，自行到站）"
        return self.place(up.place)

    def _row(self, n: int, trip: Trip, worker_id: str, up: Stop | None,
             down: Stop | None) -> tuple[str, ...]:
        w = self.workers.get(worker_id)
        if w is None:  # a plan that does not match its request: show what is known
            return (str(n), worker_id, *[""] * (len(PASSENGER_COLUMNS) - 2))
        dest = self.destinations.get(w.destination)
        return (
            str(n), w.name, _GENDER.get(w.gender or "", ""), mask_id_number(w.id_number),
            mask_phone(w.phone), w.township, w.village or "",
            self.boarding(trip, w, up), self.when(up.eta) if up else "",
            self.place(down.place) if down else "",
            dest.name if dest else "", dest.city if dest else "", self.contact(dest),
            self.arrival(trip, worker_id, down),
        )

    def arrival(self, trip: Trip, worker_id: str, down: Stop | None) -> str:
        """When a rider arrives: the drop-off's time; a feeder's rider arrives with the
        vehicle the feeder takes them to (the train, at its station:
        ``2020-02-20 14:00 广州南站``), not at the feeder's drop-off."""
        onward = self.onward_of.get(worker_id) if trip.feeder else None
        if onward is not None:
            drop = next((s for s in onward.stops
                         if s.kind == "dropoff" and worker_id in s.workers), None)
            if drop is not None:
                return f"{self.when(drop.eta)} {self.place(drop.place)}"
        return self.when(down.eta) if down else ""

    def passengers(self, trip: Trip) -> list[tuple[str, ...]]:
        """One row per passenger, in the trip's order (columns: PASSENGER_COLUMNS)."""
        boards = {w: s for s in trip.stops if s.kind == "pickup" for w in s.workers}
        alights = {w: s for s in trip.stops if s.kind == "dropoff" for w in s.workers}
        return [self._row(n, trip, w, boards.get(w), alights.get(w))
                for n, w in enumerate(trip.passengers, start=1)]

    def tables(self, trip: Trip) -> list[Table]:
        """The manifest's tables in order: route, a feeder's trains, a carriage's
        handover to the employers, passengers (on a feeder, with their carriage)."""
        tables: list[Table] = [("路线", ROUTE_COLUMNS, self.route(trip))]
        if _feeds_hub(trip):  # 接驳车: who changes to which bus at the hub
            tables.append(("换乘班车", BUS_CONNECTION_COLUMNS, self.bus_connections(trip)))
            rows = [(*row, self.bus_of[w].id if w in self.bus_of else "")
                    for row, w in zip(self.passengers(trip), trip.passengers, strict=True)]
            tables.append(("乘客", (*PASSENGER_COLUMNS, "换乘车次"), rows))
            return tables
        if trip.feeder:
            tables.append(("换乘列车", CONNECTION_COLUMNS, self.connections(trip)))
        if trip.mode == "rail":
            tables.append((f"到站接站（{EMPLOYER_LEG}）", HANDOVER_COLUMNS,
                           self.handover([trip])))
        if trip.feeder:  # who changes to which carriage
            rows = [(*row, self._carriage_of(w))
                    for row, w in zip(self.passengers(trip), trip.passengers, strict=True)]
            tables.append(("乘客", (*PASSENGER_COLUMNS, "换乘车厢"), rows))
        else:
            tables.append(("乘客", PASSENGER_COLUMNS, self.passengers(trip)))
        return tables

    def _carriage_of(self, worker_id: str) -> str:
        rail = self.rail_of.get(worker_id)
        return f"{train_name(rail.vehicle_type)} {carriage_name(rail)}" if rail else ""


def _feeds_hub(trip: Trip) -> bool:
    """A county feeder (接驳车): a feeder bus whose riders alight at its own hub."""
    return trip.feeder and trip.mode == "bus" and any(
        s.kind == "dropoff" and s.place == trip.hub for s in trip.stops)
