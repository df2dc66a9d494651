"""manifests.pdf: every trip starts a page, every page names its trip, departure and
page k / n; a bus of 30 riders fits one A4 page; the pages render."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from charterplan.io.office._content import manifest_sections, request_roster
from charterplan.io.office._pdf import render
from charterplan.model import Plan, PlanRequest, Stop

PAGE = re.compile(r"第 (\d+) / 共 (\d+) 页")


def _pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_every_trip_starts_a_page_and_every_page_names_its_trip(
        rail_folder: Path, rail_plan: Plan) -> None:
    """There is exactly one first page per trip, in plan order, and each of a trip's
    pages shows its id and "第 k / 共 n 页"."""
    pages = _pages(rail_folder / "manifests.pdf")
    firsts = [text for text in pages if (m := PAGE.search(text)) and m[1] == "1"]
    assert len(firsts) == len(rail_plan.trips)
    at = 0
    for trip in rail_plan.trips:
        first = PAGE.search(pages[at])
        assert first is not None
        total = int(first[2])
        for k in range(1, total + 1):
            assert trip.id in pages[at] and f"第 {k} / 共 {total} 页" in pages[at]
            assert "出发 2020-02-" in pages[at]
            at += 1
    assert at == len(pages)


def test_the_manifest_page_has_crew_route_and_signatures(rail_folder: Path) -> None:
    """A bus manifest shows escort, medic, captain, deputy, the route with ETAs and the
    signature lines."""
    text = _pages(rail_folder / "manifests.pdf")[0]
    for label in ("跟车干部", "医务人员", "车长", "副车长", "路线", "预计时间", "签字"):
        assert label in text


def test_a_bus_of_thirty_fits_one_page_and_a_longer_one_runs_on(
        rail_request: PlanRequest, rail_plan: Plan, tmp_path: Path) -> None:
    """A bus with 30 riders and three stops prints on one page; with 60 riders on two,
    each with the trip id and its page number."""
    bus = rail_plan.trips[0]
    pages = {}
    for riders in (30, 60):
        ids = tuple(f"X{n}" for n in range(riders))
        trip = bus.model_copy(update={
            "passengers": ids,
            "stops": (Stop(kind="pickup", place="XH", eta=bus.departure, workers=ids),
                      Stop(kind="dropoff", place="CS", eta=bus.arrival, workers=ids[:10]),
                      Stop(kind="dropoff", place="DG1", eta=bus.arrival, workers=ids[10:]))})
        plan = rail_plan.model_copy(update={"trips": (trip,)})
        path = tmp_path / f"{riders}.pdf"
        render({path: manifest_sections(request_roster(rail_request, plan), plan)}, "t")
        pages[riders] = _pages(path)
    assert len(pages[30]) == 1
    assert len(pages[60]) == 2
    assert all(bus.id in text for text in pages[60])
    assert "第 2 / 共 2 页" in pages[60][1]


def test_the_font_is_embedded(rail_folder: Path) -> None:
    """The PDF embeds its CJK font (a subset), so it prints the same anywhere."""
    reader = PdfReader(rail_folder / "manifests.pdf")
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) missing")
def test_a_page_renders_to_an_image(rail_folder: Path, tmp_path: Path) -> None:
    """pdftoppm renders the first page to a PNG with ink on it."""
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1",
                    str(rail_folder / "manifests.pdf"), str(tmp_path / "page")], check=True)
    [png] = tmp_path.glob("page*.png")
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        assert grey.size[0] > grey.size[1]  # landscape
        dark = sum(grey.histogram()[:128])
    assert dark > 500
