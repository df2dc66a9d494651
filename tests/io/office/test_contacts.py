"""Personal data: without --with-contacts no output file holds a full ID number or
phone; with it, contacts/<staff id>.csv (mode 0600) give escorts and medics the riders'
phones."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

from charterplan.model import Plan, PlanRequest
from tests.readable import readable_text


def _secrets(request: PlanRequest) -> list[str]:
    found = [w.id_number for w in request.workers] + [w.phone for w in request.workers]
    found += [s.phone for s in request.staff]
    found += [d.contact_phone for d in request.destinations
              if d.contact_phone and d.contact_phone.startswith("1")]  # mobiles
    return [s for s in found if s]


def test_no_file_holds_a_full_id_number_or_phone(rail_folder: Path,
                                                 rail_request: PlanRequest) -> None:
    """Every file but plan.json (ids only), read as a person would — workbook cells, PDF
    text, CSV — holds no full ID number or mobile phone; there is no contacts folder."""
    assert not (rail_folder / "contacts").exists()
    secrets = _secrets(rail_request)
    files = [p for p in rail_folder.rglob("*") if p.is_file() and p.name != "plan.json"]
    assert any(p.suffix == ".pdf" for p in files) and any(p.suffix == ".xlsx" for p in files)
    for path in files:
        text = readable_text(path)
        for secret in secrets:
            assert secret[-8:] not in text, (path.name, "holds a full number")


def test_contacts_are_written_0600_with_full_phones(
        contacts_folder: Path, rail_request: PlanRequest, rail_plan: Plan) -> None:
    """With contacts, each escort and medic on a trip gets contacts/<id>.csv, mode 0600,
    listing their trips' riders with full phones; ID numbers stay masked."""
    staff = {p for t in rail_plan.trips for p in (t.escort, t.medic)}
    files = {p.stem: p for p in (contacts_folder / "contacts").glob("*.csv")}
    assert set(files) == staff
    workers = {w.name: w for w in rail_request.workers}
    for person, path in files.items():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        trips = {t.id for t in rail_plan.trips if person in (t.escort, t.medic)}
        assert {r["车次"] for r in rows} == trips
        for row in rows:
            worker = workers[row["乘客姓名"]]
            assert row["乘客电话"] == worker.phone
            assert worker.id_number and worker.id_number not in path.read_text("utf-8-sig")
    assert stat.S_IMODE((contacts_folder / "contacts").stat().st_mode) == 0o700
