"""The text a person can read in an output file, whatever its format: the XML of a
workbook, the extracted text of a PDF, nothing of a picture, the text of anything else."""

from __future__ import annotations

import zipfile
from pathlib import Path


def readable_text(path: Path) -> str:
    """The text of ``path``: a workbook's XML parts, a PDF's page texts, a PNG's nothing."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(name).decode("utf-8") for name in book.namelist()
                             if name.endswith(".xml"))
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".png":
        return ""
    return path.read_text(encoding="utf-8")
