"""Printable A4 pages with fpdf2: sections (a trip, an employer) of titled blocks and
tables that run on over pages, each page headed by its section's label, a note (the
departure) and "第 k / 共 n 页" of that section.

Pages are laid out first, then drawn with fpdf2's plain text and line calls: its table
layout engine takes ten times as long for the same pages. Column widths come from an
estimate of the text's width (a CJK character is one em, others about half), and a text
that still does not fit its cell is cut with "…".
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from charterplan.io.office._fonts import subset_font

__all__ = ["Section", "Table", "render"]

_PAGE_W, _PAGE_H = 297.0, 210.0  # A4 landscape, mm
_MARGIN = 8.0
_WIDTH = _PAGE_W - 2 * _MARGIN
_HEAD_H = 8.5  # the running head of every page
_FOOT_H = 5.0
_BODY_TOP = _MARGIN + _HEAD_H
_BODY_BOTTOM = _PAGE_H - _MARGIN - _FOOT_H
_PT = 0.3528  # mm per point
_ROW = 3.8  # table row height, mm: 30 riders, a route of 3 stops and the crew fit a page
_SIZE = 7.3  # table text, pt
_GAP = 1.5
_STAMP = datetime(2020, 1, 1)  # a fixed creation date: same plan, same bytes
_FAMILY = "cjk"


@dataclass(frozen=True)
class Table:
    """A table: a heading above it, columns, rows of text."""

    heading: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


@dataclass
class Section:
    """What starts on a new page: a trip's manifest, an employer's hand-over list.

    ``label`` and ``note`` head every page of the section (e.g. the trip id and its
    departure); ``pairs`` are the header block; ``tables`` run on over pages with their
    column row repeated; ``signatures`` close the section.
    """

    label: str
    title: str
    note: str = ""
    pairs: Sequence[tuple[str, str]] = ()
    tables: Sequence[Table] = ()
    signatures: str = ""
    footer: str = ""

    def texts(self) -> Iterable[str]:
        """Every text the section prints (for the font subset)."""
        yield from (self.label, self.title, self.note, self.signatures, self.footer)
        for key, value in self.pairs:
            yield key
            yield value
        for table in self.tables:
            yield table.heading
            yield from table.columns
            for row in table.rows:
                yield from row


@dataclass(frozen=True)
class _Item:
    kind: str  # "title", "pairs", "heading", "columns", "row", "text"
    y: float
    texts: tuple[str, ...]
    widths: tuple[float, ...] = ()
    size: float = _SIZE


_ADVANCE: dict[str, float] = {}
"""Each character's advance width in ems, from the font of the documents being drawn
(:func:`render` fills it); a character not there counts as one em."""


_EMS: dict[str, float] = {}
"""The widths :func:`_em` measured with the current ``_ADVANCE`` (tables repeat their
dates, places and employers on every row)."""


def _em(text: str) -> float:
    """The width of ``text`` in ems."""
    ems = _EMS.get(text)
    if ems is None:
        ems = _EMS[text] = sum(_ADVANCE.get(c, 1.0) for c in text)
    return ems


def _width(text: str, size: float) -> float:
    return _em(text) * size * _PT


def _advances(font: bytes) -> dict[str, float]:
    from fontTools.ttLib import TTFont

    face = TTFont(io.BytesIO(font))
    metrics, units = face["hmtx"].metrics, face["head"].unitsPerEm
    return {chr(code): metrics[name][0] / units for code, name in face.getBestCmap().items()}


def _widths(table: Table) -> tuple[tuple[float, ...], float]:
    """Column widths (mm) filling at most the page, and the font size that fits them:
    smaller type first (down to 6 pt), then the widest columns are narrowed."""
    natural = [max([_em(c) for c in (col, *(r[i] for r in table.rows))])
               for i, col in enumerate(table.columns)]
    pad = 1.6 * len(natural)
    size = min(_SIZE, max(6.0, (_WIDTH - pad) / (sum(natural) * _PT)))
    widths = sorted(n * size * _PT + 1.6 for n in natural)
    # the cap on a column's width that makes them all fit
    cap, rest = widths[-1], _WIDTH
    for n, w in enumerate(widths):
        if w * (len(widths) - n) > rest:
            cap = rest / (len(widths) - n)
            break
        rest -= w
    # a column as wide as its widest text is marked negative: its cells are drawn
    # without measuring them again
    return tuple(-(n * size * _PT + 1.6) if n * size * _PT + 1.6 <= cap else cap
                 for n in natural), size


def _pair_rows(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, ...]]:
    """The header block as lines of ``key：value`` cells, three to a line; a long one
    takes a line of its own."""
    lines: list[tuple[str, ...]] = []
    line: list[str] = []
    for key, value in pairs:
        cell = f"{key}：{value}"
        if _width(cell, 8.5) > _WIDTH / 3 - 3:
            if line:
                lines.append(tuple(line))
                line = []
            lines.append((cell,))
            continue
        line.append(cell)
        if len(line) == 3:
            lines.append(tuple(line))
            line = []
    if line:
        lines.append(tuple(line))
    return lines


def _layout(section: Section) -> list[list[_Item]]:
    pages: list[list[_Item]] = [[]]
    y = _BODY_TOP

    def room(height: float) -> None:
        nonlocal y
        if y + height > _BODY_BOTTOM and pages[-1]:
            pages.append([])
            y = _BODY_TOP

    pages[-1].append(_Item("title", y, (section.title,), size=12))
    y += 6.5
    for line in _pair_rows(section.pairs):
        room(4.3)
        pages[-1].append(_Item("pairs", y, line, size=8.5))
        y += 4.3
    for table in section.tables:
        widths, size = _widths(table)
        y += _GAP
        room(4.8 + 2 * _ROW)  # a heading never ends a page
        pages[-1].append(_Item("heading", y, (table.heading,), size=9))
        y += 4.8
        pages[-1].append(_Item("columns", y, table.columns, widths, size))
        y += _ROW
        for row in table.rows:
            if y + _ROW > _BODY_BOTTOM:
                pages.append([_Item("heading", _BODY_TOP, (f"{table.heading}（续）",), size=9),
                              _Item("columns", _BODY_TOP + 4.8, table.columns, widths, size)])
                y = _BODY_TOP + 4.8 + _ROW
            pages[-1].append(_Item("row", y, row, widths, size))
            y += _ROW
    if section.signatures:
        y += 3.0
        room(6.0)
        pages[-1].append(_Item("text", y + 2.0, (section.signatures,), size=9.5))
    return pages


def _fit(text: str, width: float, size: float) -> str:
    """``text`` cut with "…" to fit ``width`` mm at ``size`` pt (estimated)."""
    if _width(text, size) <= width:
        return text
    while text and _width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _draw(pdf: object, section: Section, pages: list[list[_Item]]) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    for k, items in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font(_FAMILY, size=10)
        pdf.text(_MARGIN, _MARGIN + 4.5, section.label)
        right = "　".join(filter(None, [section.note, f"第 {k} / 共 {len(pages)} 页"]))
        pdf.text(_PAGE_W - _MARGIN - _width(right, 10), _MARGIN + 4.5, right)
        pdf.set_line_width(0.3)
        pdf.line(_MARGIN, _MARGIN + 6.5, _PAGE_W - _MARGIN, _MARGIN + 6.5)
        pdf.set_font(_FAMILY, size=7.5)
        foot = "　".join(filter(None, [section.footer, section.label,
                                       f"第 {k} / 共 {len(pages)} 页"]))
        pdf.text(_MARGIN, _PAGE_H - _MARGIN, foot)
        pdf.set_line_width(0.15)
        for item in items:
            _draw_item(pdf, item)


def _draw_item(pdf: object, item: _Item) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    if pdf.font_size_pt != item.size:
        pdf.set_font(_FAMILY, size=item.size)
    base = item.y + item.size * _PT * 0.9
    if item.kind in ("title", "heading", "text"):
        _text_run(pdf, base, [(_MARGIN, item.texts[0])])
        return
    if item.kind == "pairs":
        step = _WIDTH / 3
        room = step * (3 if len(item.texts) == 1 else 1) - 2
        _text_run(pdf, base, [(_MARGIN + n * step, _fit(cell, room, item.size))
                              for n, cell in enumerate(item.texts)])
        return
    x, right = _MARGIN, _MARGIN + sum(abs(w) for w in item.widths)
    if item.kind == "columns":
        pdf.set_fill_color(230, 230, 230)
        pdf.rect(_MARGIN, item.y, right - _MARGIN, _ROW, style="F")
    base = item.y + (_ROW + item.size * _PT * 0.75) / 2
    cells = []
    for text, width in zip(item.texts, item.widths, strict=True):
        if text:
            cells.append((x + 0.8, text if width < 0 else _fit(text, width - 1.6, item.size)))
        x += abs(width)
    _text_run(pdf, base, cells)
    pdf.line(_MARGIN, item.y + _ROW, right, item.y + _ROW)
    if item.kind == "columns":
        pdf.line(_MARGIN, item.y, right, item.y)


_ENCODED: dict[str, str] = {}
"""Each text drawn in the document being drawn, as fpdf2's font encodes it (``(…) Tj``);
:func:`render` empties it for each document, whose font subset numbers the glyphs."""


def _text_run(pdf: object, base: float, cells: Sequence[tuple[float, str]]) -> None:
    """Draw texts at (x mm, baseline ``base`` mm) in the current font as one PDF text
    object, as ``FPDF.text`` would draw each: one text object per table row instead of
    one per cell, and each text encoded once a document, halve the PDF's drawing time.

    It writes the page's content stream with fpdf2's own (private) calls, which is why
    pyproject.toml keeps fpdf2 below 3.
    """
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    if not cells:
        return
    font = pdf.current_font
    assert font is not None
    if not pdf.current_font_is_set_on_page:  # outside the q … Q below, which would undo it
        pdf._out(pdf._set_font_for_page(font, pdf.font_size_pt))
    ops = []
    k, y, at = pdf.k, (pdf.h - base) * pdf.k, 0.0
    for n, (x, text) in enumerate(cells):
        encoded = _ENCODED.get(text)
        if encoded is None:
            encoded = _ENCODED[text] = font.encode_text(text)
        ops.append(f"{x * k - at:.2f} {y if n == 0 else 0:.2f} Td {encoded}")
        at = x * k
    run = f"BT {' '.join(ops)} ET"
    if pdf.fill_color != pdf.text_color:  # text is filled: in the text colour, as text() does
        assert pdf.text_color is not None
        run = f"q {pdf.text_color.serialize().lower()} {run} Q"
    pdf._out(run)


def render(documents: Mapping[Path, Sequence[Section]], title: str) -> list[Path]:
    """Write each document (a path and its sections) as a PDF; return the paths.

    Each section starts a new page. All documents share one font subset cut to their
    characters. A document without sections gets one page that says so.
    """
    from fpdf import FPDF

    texts = [t for sections in documents.values() for s in sections for t in s.texts()]
    texts.append("本文件没有内容。")
    with tempfile.TemporaryDirectory(prefix="charterplan-font-") as folder:
        font = Path(folder) / "cjk.ttf"
        data = subset_font(texts)
        font.write_bytes(data)
        _ADVANCE.clear()
        _ADVANCE.update(_advances(data))
        _EMS.clear()
        for path, sections in documents.items():
            _ENCODED.clear()
            pdf = FPDF(orientation="L", unit="mm", format="A4")
            pdf.set_auto_page_break(False)
            pdf.set_creation_date(_STAMP)
            pdf.set_title(title)
            pdf.set_creator("charterplan")
            pdf.add_font(_FAMILY, "", str(font))
            # fpdf2 cuts the font again to the document's glyphs; recomputing every
            # glyph's bounding box there takes most of the time and changes nothing
            for face in pdf.fonts.values():
                face.ttfont.recalcBBoxes = False  # type: ignore[union-attr]
            for section in sections:
                _draw(pdf, section, _layout(section))
            if not sections:
                pdf.add_page()
                pdf.set_font(_FAMILY, size=12)
                pdf.text(_MARGIN, _BODY_TOP + 5, "本文件没有内容。")
            path.parent.mkdir(parents=True, exist_ok=True)
            pdf.output(str(path))
    return list(documents)
