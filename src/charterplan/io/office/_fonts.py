"""The CJK font of the PDFs and figures: Noto Sans CJK SC (SIL Open Font License), as
the ``mplfonts`` package ships it, so a fresh ``pip install`` has it on any machine.

A PDF embeds only the glyphs it uses: :func:`subset_font` cuts the 16 MB font down to
the characters of a run's documents once and turns its outlines from CFF into TrueType
quadratics, so that fpdf2, which cuts the font again for each document, handles a small
TrueType font: with CFF outlines that second cut took about 0.15 s of CPU a document.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = ["FontMissingError", "cjk_font", "subset_font"]

_FILE = "NotoSansCJKsc-Regular.otf"
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "…—·：，。（）／第共页续"


class FontMissingError(RuntimeError):
    """The CJK font is not installed (``pip install mplfonts``)."""


@cache
def cjk_font() -> Path:
    """The path of Noto Sans CJK SC Regular inside the installed ``mplfonts`` package.

    ``mplfonts`` is located without importing it (importing it loads matplotlib).

    Raises:
        FontMissingError: ``mplfonts`` or its font file is missing.
    """
    spec = importlib.util.find_spec("mplfonts")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / "fonts" / _FILE
        if path.is_file():
            return path
    raise FontMissingError(f"the CJK font {_FILE} is missing: pip install mplfonts")


def subset_font(texts: Iterable[str]) -> bytes:
    """The CJK font cut down to the characters of ``texts`` (and ASCII), as TrueType bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = set(_ALWAYS)
    for text in texts:
        chars.update(text)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    # vertical metrics and OpenType layout are never used; decoding them for 65,000
    # glyphs costs more than the cut itself
    options.drop_tables += ["vhea", "vmtx", "VORG", "GSUB", "GPOS", "GDEF", "BASE"]
    font = TTFont(cjk_font(), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    _to_truetype(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _to_truetype(font: TTFont) -> None:
    """Replace the font's CFF outlines by TrueType ones (cubic curves approximated by
    quadratics within one font unit), in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
                  "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\x00\x01\x00\x00"
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font["head"].glyphDataFormat = 0
    font.recalcBBoxes = True  # TrueType glyph bounds are cheap, and glyf needs them
