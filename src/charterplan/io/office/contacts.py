"""Contact sheets (``--with-contacts``): ``contacts/<staff id>.csv`` for every escort and
medic on a trip — their trips and times, each rider with their full phone, the other
crew and the employers' contacts — so an escort can call a missing passenger.

These are the only files that hold full phone numbers. Each is written with mode 0600
(the folder 0700), readable by its owner only; ID numbers stay masked even here.
"""

from __future__ import annotations

import os
from pathlib import Path

from charterplan.io._files import csv_text, file_name
from charterplan.io._roster import Roster
from charterplan.io.masking import mask_id_number
from charterplan.model import Plan, Trip

__all__ = ["CONTACT_COLUMNS", "write_contacts"]

CONTACT_COLUMNS = (
    "车次", "出发时间", "发车站", "到达时间", "本人职责", "序号", "乘客姓名", "乘客电话",
    "身份证号", "上车点", "下车点", "预计到达", "务工单位", "单位联系人", "单位电话",
    "跟车干部", "跟车干部电话", "医务人员", "医务人员电话", "车长", "车长电话",
    "副车长", "副车长电话")
"""One row per rider of each of the person's trips; the trip's crew on every row."""


def _person(roster: Roster, person: str) -> tuple[str, str]:
    staff = roster.staff.get(person)
    if staff is not None:
        return staff.name, staff.phone or ""
    worker = roster.workers.get(person)
    return (worker.name, worker.phone or "") if worker else (person, "")


def _rows(roster: Roster, staff_id: str, trips: list[Trip]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for trip in trips:
        role = "跟车干部" if trip.escort == staff_id else "医务人员"
        crew = [v for p in (trip.escort, trip.medic, trip.captain, trip.deputy_captain)
                for v in _person(roster, p)]
        boards = {w: s for s in trip.stops if s.kind == "pickup" for w in s.workers}
        alights = {w: s for s in trip.stops if s.kind == "dropoff" for w in s.workers}
        for n, w in enumerate(trip.passengers, start=1):
            worker = roster.workers.get(w)
            up, down = boards.get(w), alights.get(w)
            dest = roster.destinations.get(worker.destination) if worker else None
            rows.append((
                trip.id, roster.when(trip.departure), roster.place(trip.hub),
                roster.when(trip.arrival), role, str(n), worker.name if worker else w,
                (worker.phone or "") if worker else "",
                mask_id_number(worker.id_number) if worker else "",
                roster.place(up.place) if up else "", roster.place(down.place) if down else "",
                roster.arrival(trip, w, down), dest.name if dest else "",
                (dest.contact or "") if dest else "", (dest.contact_phone or "") if dest else "",
                *crew))
    return rows


def write_contacts(roster: Roster, plan: Plan, folder: Path) -> list[Path]:
    """Write ``contacts/<staff id>.csv`` (mode 0600) for every escort and medic on a trip."""
    trips: dict[str, list[Trip]] = {}
    for trip in plan.trips:
        for person in dict.fromkeys((trip.escort, trip.medic)):
            trips.setdefault(person, []).append(trip)
    root = folder / "contacts"
    root.mkdir(mode=0o700, exist_ok=True)
    os.chmod(root, 0o700)
    written: list[Path] = []
    for person, theirs in sorted(trips.items()):
        path = root / f"{file_name(person)}.csv"
        while path in written:  # two ids that differ only in unsafe characters
            path = path.with_name(f"{path.stem}_.csv")
        data = csv_text([CONTACT_COLUMNS, *_rows(roster, person, theirs)]).encode("utf-8")
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(data)
        os.chmod(path, 0o600)
        written.append(path)
    return written
