"""What a manifest says about a trip, as rows of text shared by the CSV and HTML writers.

Every phone and ID number here is masked; nothing else in ``charterplan.io`` reads a
worker's or staff member's personal data for output.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from charterplan.io.masking import looks_like_mobile, mask_id_number, mask_phone
from charterplan.model import PlanRequest, Stop, Trip, Worker

__all__ = ["PASSENGER_COLUMNS", "ROUTE_COLUMNS", "Roster"]

PASSENGER_COLUMNS = ("序号", "姓名", "性别", "身份证号", "电话", "乡镇", "村", "上车点",
                     "上车时间", "下车点", "务工单位", "城市", "企业联系人", "预计到达")
ROUTE_COLUMNS = ("站序", "上下车", "地点", "预计时间", "人数")

_GENDER = {"male": "男", "M": "男", "男": "男", "female": "女", "F": "女", "女": "女"}
_KIND = {"pickup": "上车", "dropoff": "下车"}


class Roster:
    """A request's names and contacts as lookups, and the rows of each trip's manifest."""

    def __init__(self, request: PlanRequest) -> None:
        self.zone = ZoneInfo(request.timezone)
        self.places: dict[str, str] = {}
        for items in (request.hubs, request.pickup_points, request.destinations):
            for item in items:
                self.places.setdefault(item.id, item.name)
        for service in request.rail_services:
            for stop in service.stops:
                self.places.setdefault(stop.id, stop.name)
        self.staff = {s.id: s for s in request.staff}
        self.workers = {w.id: w for w in request.workers}
        self.destinations = {d.id: d for d in request.destinations}
        self.bus_types = {b.id: b for b in request.bus_types}

    def when(self, moment: datetime) -> str:
        """A time as the request's local ``YYYY-MM-DD HH:MM``."""
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def place(self, place_id: str) -> str:
        """The name of a hub, pickup point, destination or rail stop (its id if unknown)."""
        return self.places.get(place_id, place_id)

    def _staff(self, staff_id: str) -> str:
        person = self.staff.get(staff_id)
        return f"{person.name} {mask_phone(person.phone)}".strip() if person else staff_id

    def _worker(self, worker_id: str) -> str:
        person = self.workers.get(worker_id)
        return f"{person.name} {mask_phone(person.phone)}".strip() if person else worker_id

    def _vehicle(self, trip: Trip) -> str:
        bus = self.bus_types.get(trip.vehicle_type)
        if trip.mode == "rail":
            text = f"{trip.vehicle_type} 第{trip.carriage}车厢"
        elif bus is not None:
            text = f"{bus.id}（{bus.seats}座，限乘{bus.capacity}人）"
        else:
            text = trip.vehicle_type
        return f"{text} 接驳车" if trip.feeder else text

    def header(self, trip: Trip) -> list[tuple[str, str]]:
        """The manifest's header block: label, value."""
        return [
            ("车次", trip.id), ("出发时间", self.when(trip.departure)),
            ("发车站", self.place(trip.hub)), ("车型", self._vehicle(trip)),
            ("编组", trip.convoy or ""), ("驾驶员人数", str(trip.drivers)),
            ("跟车干部", self._staff(trip.escort)), ("医务人员", self._staff(trip.medic)),
            ("车长", self._worker(trip.captain)),
            ("副车长", self._worker(trip.deputy_captain)),
            ("人数", str(len(trip.passengers))),
        ]

    def route(self, trip: Trip) -> list[tuple[str, ...]]:
        """One row per stop, in order: number, boarding or alighting, place, ETA, count."""
        return [(str(n), _KIND[stop.kind], self.place(stop.place), self.when(stop.eta),
                 str(len(stop.workers))) for n, stop in enumerate(trip.stops, start=1)]

    def _contact(self, worker: Worker) -> str:
        dest = self.destinations.get(worker.destination)
        if dest is None:
            return ""
        phone = dest.contact_phone or ""
        return " ".join(filter(None, [
            dest.contact, mask_phone(phone) if looks_like_mobile(phone) else phone]))

    def _row(self, n: int, worker_id: str, up: Stop | None, down: Stop | None) -> (
            tuple[str, ...]):
        w = self.workers.get(worker_id)
        if w is None:  # a plan that does not match its request: show what is known
            return (str(n), worker_id, *[""] * (len(PASSENGER_COLUMNS) - 2))
        dest = self.destinations.get(w.destination)
        return (
            str(n), w.name, _GENDER.get(w.gender or "", ""), mask_id_number(w.id_number),
            mask_phone(w.phone), w.township, w.village or "",
            self.place(up.place) if up else "", self.when(up.eta) if up else "",
            self.place(down.place) if down else "",
            dest.name if dest else "", dest.city if dest else "", self._contact(w),
            self.when(down.eta) if down else "",
        )

    def passengers(self, trip: Trip) -> list[tuple[str, ...]]:
        """One row per passenger, in the trip's order (columns: PASSENGER_COLUMNS)."""
        boards = {w: s for s in trip.stops if s.kind == "pickup" for w in s.workers}
        alights = {w: s for s in trip.stops if s.kind == "dropoff" for w in s.workers}
        return [self._row(n, w, boards.get(w), alights.get(w))
                for n, w in enumerate(trip.passengers, start=1)]
