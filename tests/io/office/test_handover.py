"""Hand-over lists: every rider in exactly one sheet, that of their employer, in the
workbook of the employer's city; a PDF page per employer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from charterplan.model import Plan, PlanRequest


def test_every_rider_is_in_exactly_one_sheet_of_their_employer(
        rail_folder: Path, rail_request: PlanRequest, rail_plan: Plan) -> None:
    """Across handover/*.xlsx each rider appears once, in the sheet titled with their
    employer, in the book of its city, on the vehicle they arrive on (not the feeder)."""
    workers = {w.id: w for w in rail_request.workers}
    dests = {d.id: d for d in rail_request.destinations}
    by_name = {w.name: w for w in rail_request.workers}
    seen: Counter[str] = Counter()
    for path in sorted((rail_folder / "handover").glob("*.xlsx")):
        for sheet in load_workbook(path).worksheets:
            title = str(sheet["A1"].value)
            for row in sheet.iter_rows(min_row=3, values_only=True):
                worker = by_name[str(row[1])]
                dest = dests[worker.destination]
                assert dest.name in title and path.stem == dest.city
                seen[worker.id] += 1
                trip = next(t for t in rail_plan.trips if t.id == row[6])
                assert not trip.feeder and worker.id in trip.passengers
    riders = {w for t in rail_plan.trips if not t.feeder for w in t.passengers}
    assert seen == Counter(riders)
    assert set(seen) <= set(workers)


def test_a_pdf_page_per_employer(rail_folder: Path, rail_request: PlanRequest,
                                 rail_plan: Plan) -> None:
    """handover/<city>.pdf has a page (at least) per employer arriving in that city."""
    dests = {d.id: d for d in rail_request.destinations}
    riders = {w for t in rail_plan.trips if not t.feeder for w in t.passengers}
    employers = {next(w.destination for w in rail_request.workers if w.id == r) for r in riders}
    for dest_id in employers:
        dest = dests[dest_id]
        pages = [p.extract_text() for p in PdfReader(
            rail_folder / "handover" / f"{dest.city}.pdf").pages]
        assert any(dest.name in text and "第 1 / 共" in text for text in pages)
