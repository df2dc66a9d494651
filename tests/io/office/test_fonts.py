"""The cut CJK font: kept in the cache folder between runs, the same bytes cut or
read back, and a cache folder that cannot be written only costs time."""

from __future__ import annotations

from pathlib import Path

import pytest

from charterplan.io.office import _fonts
from charterplan.io.office._pdf import Section, Table, render

TEXTS = ["乘车名单 XH-0220-001", "新晃汽车站", "东莞电子厂"]


def _documents(folder: Path) -> dict[Path, list[Section]]:
    section = Section("XH-0220-001", "乘车名单 XH-0220-001", note="出发 2020-02-20 07:50",
                      pairs=[("车次", "XH-0220-001")],
                      tables=[Table("乘客", ("序号", "姓名"), [("1", "杨帅国"), ("2", "向志")])])
    return {folder / "manifests.pdf": [section]}


def test_the_cut_is_kept_in_the_cache_folder_and_read_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first cut is written to CHARTERPLAN_CACHE_DIR/fonts; the second is read from
    there without cutting again, and both are the same bytes."""
    monkeypatch.setenv("CHARTERPLAN_CACHE_DIR", str(tmp_path))
    first = _fonts.subset_font(TEXTS)
    [kept] = (tmp_path / "fonts").glob("*.ttf")
    assert kept.read_bytes() == first

    def no_cut(text: str) -> bytes:
        raise AssertionError("cut again")

    monkeypatch.setattr(_fonts, "_cut", no_cut)
    assert _fonts.subset_font(reversed(TEXTS)) == first


def test_other_characters_are_cut_anew(tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A text with a character the kept cut lacks gets a cut of its own."""
    monkeypatch.setenv("CHARTERPLAN_CACHE_DIR", str(tmp_path))
    _fonts.subset_font(TEXTS)
    _fonts.subset_font([*TEXTS, "鼎"])
    assert len(list((tmp_path / "fonts").glob("*.ttf"))) == 2


def test_an_unwritable_cache_folder_still_gives_the_font(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder that cannot be made (here a file is in its way) is passed over."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CHARTERPLAN_CACHE_DIR", str(blocker))
    assert _fonts.subset_font(TEXTS)[:4] == b"\x00\x01\x00\x00"  # TrueType


def test_the_pdf_is_the_same_bytes_with_a_cold_or_a_warm_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing with a font cut now and with the one read from the cache gives the same
    PDF, and nothing but the PDF lands in the output folder."""
    monkeypatch.setenv("CHARTERPLAN_CACHE_DIR", str(tmp_path / "cache"))
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    render(_documents(cold), "乘车名单")
    render(_documents(warm), "乘车名单")
    assert (cold / "manifests.pdf").read_bytes() == (warm / "manifests.pdf").read_bytes()
    assert [p.name for p in warm.iterdir()] == ["manifests.pdf"]
