"""The CJK font of the PDFs and figures: Noto Sans CJK SC (SIL Open Font License), as
the ``mplfonts`` package ships it, so a fresh ``pip install`` has it on any machine.

A PDF embeds only the glyphs it uses: :func:`subset_font` cuts the 16 MB font down to
the characters of a run's documents once and turns its outlines from CFF into TrueType
quadratics, so that fpdf2, which cuts the font again for each document, handles a small
TrueType font: with CFF outlines that second cut took about 0.15 s of CPU a document.

The cut (0.6 s of CPU) is kept in the user's cache folder (``platformdirs``; the
environment variable ``CHARTERPLAN_CACHE_DIR`` overrides it), named by a digest of the
font file, the characters and the way it is cut, so planning the same county again
reuses it and a changed font or cut never does. It is never written to an output folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = ["FontMissingError", "cjk_font", "subset_font"]

_FILE = "NotoSansCJKsc-Regular.otf"
_CUT = b"cut 1: no layout, no hinting, TrueType outlines"
"""Part of the cache key: change it when :func:`_cut` cuts differently."""
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
    """The CJK font cut down to the characters of ``texts`` (and ASCII), as TrueType
    bytes: from the cache folder when it was cut before, else cut now and kept there."""
    chars = set(_ALWAYS)
    for text in texts:
        chars.update(text)
    text = "".join(sorted(chars))
    key = hashlib.blake2b(_font_digest() + _CUT + text.encode("utf-8"), digest_size=16)
    cached = _cache_folder() / f"{key.hexdigest()}.ttf"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = _cut(text)
    _keep(cached, data)
    return data


def _cache_folder() -> Path:
    """Where cut fonts are kept between runs."""
    folder = os.environ.get("CHARTERPLAN_CACHE_DIR")
    if folder:
        return Path(folder) / "fonts"
    from platformdirs import user_cache_path

    return user_cache_path("charterplan", appauthor=False) / "fonts"


@cache
def _font_digest() -> bytes:
    """A digest of the font file's bytes (20 ms for its 16 MB)."""
    with cjk_font().open("rb") as file:
        return hashlib.file_digest(file, "blake2b").digest()


def _keep(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (a temporary file renamed into place), or not at
    all when the cache folder cannot be written: the cache only saves time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def _cut(text: str) -> bytes:
    """The CJK font cut down to the characters of ``text``, as TrueType bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

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
    subsetter.populate(text=text)
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
