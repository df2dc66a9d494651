"""What the office files say, as rows: trips, riders, each rider's last vehicle, and the
manifests and hand-over lists as printable sections. Shared by the workbook, the PDFs,
the hand-over lists and the contact sheets.

Phones and ID numbers are masked unless a caller asks for contacts (``unmasked``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from charterplan.io._roster import Roster, carriage_name, train_name
from charterplan.io.masking import mask_id_number, mask_phone
from charterplan.io.office._pdf import Section, Table
from charterplan.model import HealthStatus, Plan, PlanRequest, Trip, Worker

__all__ = ["HANDOVER_COLUMNS", "TRIP_COLUMNS", "Arrival", "arrivals", "handover_rows",
           "handover_sections", "manifest_sections", "trip_rows", "vehicle"]

_LINE = "____________"
SIGNATURES = f"跟车干部签字：{_LINE}　医务人员签字：{_LINE}　车长签字：{_LINE}　日期：{_LINE}"
HANDOVER_SIGNATURES = f"移交人（跟车干部）签字：{_LINE}　接收人签字：{_LINE}　交接时间：{_LINE}"

TRIP_COLUMNS = ("车次", "方式", "车辆", "发车站", "出发时间", "到达时间", "终点", "人数", "限乘",
                "跟车干部", "医务人员", "车长", "副车长", "编组", "里程（公里）", "费用（元）")
"""The 车次 sheet: one row per trip; 人数, 里程 and 费用 are numbers summed in 合计."""

HANDOVER_COLUMNS = ("序号", "姓名", "性别", "身份证号", "电话", "乡镇", "车次", "车辆",
                    "下车站", "预计到达", "跟车干部", "医务人员", "健康状况", "健康证明有效期至")
"""A hand-over sheet's columns: one row per rider of the employer."""

_HEALTH = {HealthStatus.CLEARED: "健康", HealthStatus.QUARANTINE: "隔离期满",
           HealthStatus.SYMPTOMATIC: "有症状", HealthStatus.UNVERIFIED: "未核验"}
_GENDER = {"male": "男", "M": "男", "男": "男", "female": "女", "F": "女", "女": "女"}


def vehicle(roster: Roster, trip: Trip) -> str:
    """A trip's vehicle as people name it: ``C53（53座）``, ``G1234次 3号车厢``."""
    if trip.mode == "rail":
        return f"{train_name(trip.vehicle_type)} {carriage_name(trip)}"
    bus = roster.bus_types.get(trip.vehicle_type)
    text = f"{trip.vehicle_type}（{bus.seats}座）" if bus else trip.vehicle_type
    return f"{text} 接驳车" if trip.feeder else text


def capacity(roster: Roster, trip: Trip) -> int:
    """How many may ride the trip's vehicle (0 if its type is unknown)."""
    if trip.mode == "rail":
        service = roster.services.get(trip.vehicle_type)
        return service.carriage_capacity if service else 0
    bus = roster.bus_types.get(trip.vehicle_type)
    return bus.capacity if bus else 0


def _name(roster: Roster, person: str, unmasked: bool) -> str:
    staff = roster.staff.get(person)
    if staff is not None:
        return " ".join(filter(None, [staff.name, staff.phone if unmasked
                                      else mask_phone(staff.phone)]))
    worker = roster.workers.get(person)
    if worker is not None:
        return " ".join(filter(None, [worker.name, worker.phone if unmasked
                                      else mask_phone(worker.phone)]))
    return person


def trip_rows(roster: Roster, plan: Plan) -> list[tuple[object, ...]]:
    """One row per trip (columns: ``TRIP_COLUMNS``), phones masked."""
    rows: list[tuple[object, ...]] = []
    for trip in plan.trips:
        mode = "火车" if trip.mode == "rail" else ("接驳车" if trip.feeder else "汽车")
        last = trip.stops[-1].place if trip.stops else ""
        rows.append((
            trip.id, mode, vehicle(roster, trip), roster.place(trip.hub),
            roster.when(trip.departure), roster.when(trip.arrival), roster.place(last),
            len(trip.passengers), capacity(roster, trip),
            _name(roster, trip.escort, False), _name(roster, trip.medic, False),
            _name(roster, trip.captain, False), _name(roster, trip.deputy_captain, False),
            trip.convoy or "", round(trip.distance_km, 1), round(trip.cost, 2)))
    return rows


@dataclass(frozen=True)
class Arrival:
    """How a rider reaches their employer's city: the vehicle they arrive on (a bus,
    or the carriage a feeder took them to), where they alight and when."""

    worker: Worker
    trip: Trip
    place: str
    eta: str


def arrivals(roster: Roster, plan: Plan) -> list[Arrival]:
    """Every rider's arrival, in the plan's trip order (feeders are not arrivals)."""
    found: list[Arrival] = []
    for trip in plan.trips:
        if trip.feeder:
            continue
        for stop in trip.stops:
            if stop.kind != "dropoff":
                continue
            for w in stop.workers:
                worker = roster.workers.get(w)
                if worker is not None:
                    found.append(Arrival(worker, trip, roster.place(stop.place),
                                         roster.when(stop.eta)))
    return found


def _health(worker: Worker, roster: Roster) -> tuple[str, str]:
    health = worker.health
    cert = health.certificate_valid_until
    return _HEALTH.get(health.status, health.status.value), roster.when(cert)[:10] if cert else ""


def handover_rows(roster: Roster, riders: Sequence[Arrival],
                  unmasked: bool = False) -> list[tuple[str, ...]]:
    """One row per rider (columns: ``HANDOVER_COLUMNS``); the ID number is always
    masked, phones unless ``unmasked``."""
    rows: list[tuple[str, ...]] = []
    for n, a in enumerate(riders, start=1):
        w = a.worker
        state, cert = _health(w, roster)
        rows.append((
            str(n), w.name, _GENDER.get(w.gender or "", ""), mask_id_number(w.id_number),
            (w.phone or "") if unmasked else mask_phone(w.phone), w.township, a.trip.id,
            vehicle(roster, a.trip), a.place, a.eta,
            _name(roster, a.trip.escort, unmasked), _name(roster, a.trip.medic, unmasked),
            state, cert))
    return rows


def by_employer(riders: Sequence[Arrival]) -> dict[str, list[Arrival]]:
    """Riders by their employer's id, in arrival order within each."""
    groups: dict[str, list[Arrival]] = {}
    for a in sorted(riders, key=lambda a: (a.eta, a.trip.id)):
        groups.setdefault(a.worker.destination, []).append(a)
    return groups


def handover_sections(roster: Roster, riders: Sequence[Arrival], plan: Plan,
                      unmasked: bool = False) -> list[Section]:
    """A hand-over page (人员交接单) per employer of ``riders``."""
    sections: list[Section] = []
    for dest_id, group in sorted(by_employer(riders).items()):
        dest = roster.destinations.get(dest_id)
        name = dest.name if dest else dest_id
        contact = ((" ".join(filter(None, [dest.contact, dest.contact_phone])) if unmasked
                    else roster.contact(dest)) if dest else "")
        trips = dict.fromkeys(f"{a.trip.id}（{a.eta}）" for a in group)
        sections.append(Section(
            label=f"人员交接单 {name}", title=f"返岗人员交接单　{name}",
            note=f"{dest.city if dest else ''} {len(group)}人",
            pairs=[("接收单位", name), ("城市", f"{dest.province} {dest.city}" if dest else ""),
                   ("单位联系人", contact or "未登记"), ("人数", str(len(group))),
                   ("输出地", roster.place(group[0].trip.hub)), ("计划", plan.plan_id),
                   ("车次（预计到达）", "、".join(trips))],
            tables=[Table("人员名单", HANDOVER_COLUMNS, handover_rows(roster, group, unmasked))],
            signatures=HANDOVER_SIGNATURES, footer=plan.plan_id))
    return sections


def manifest_sections(roster: Roster, plan: Plan) -> list[Section]:
    """A manifest (乘车名单) per trip: header, route with ETAs, passengers, signatures."""
    sections = []
    for trip in plan.trips:
        departure = roster.when(trip.departure)
        sections.append(Section(
            label=trip.id if trip.mode == "bus" else f"{trip.id}（{vehicle(roster, trip)}）",
            title=roster.title(trip), note=f"出发 {departure}",
            pairs=roster.header(trip),
            tables=[Table(heading, columns, rows)
                    for heading, columns, rows in roster.tables(trip)],
            signatures=SIGNATURES, footer=f"计划 {plan.plan_id}"))
    return sections


def request_roster(request: PlanRequest, plan: Plan) -> Roster:
    """The request's names and contacts, linked to the plan's feeders and carriages."""
    return Roster(request, plan.trips)
