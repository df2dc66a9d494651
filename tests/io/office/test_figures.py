"""figures/*.png: departures by day and mode, bus fill, map — real PNG images."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from charterplan.io.office.figures import FIGURES


def test_the_figures_are_pictures(rail_folder: Path) -> None:
    """Each figure is a PNG of a sensible size with more than one colour."""
    for name in FIGURES:
        with Image.open(rail_folder / "figures" / name) as image:
            assert image.format == "PNG"
            assert 500 < image.size[0] < 2000 and 300 < image.size[1] < 2000
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or [0] * 99) > 3
