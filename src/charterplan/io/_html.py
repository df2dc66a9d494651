"""Printable pages: one self-contained HTML document, a section (and a page) per vehicle.

No script and no external asset; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["head_table", "page", "table"]

_STYLE = (
    "@page{size:A4 landscape;margin:12mm}"
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',SimSun,sans-serif;font-size:10pt}"
    "section{break-after:page;page-break-after:always}"
    "section:last-of-type{break-after:auto;page-break-after:auto}"
    "h1{font-size:14pt;margin:0 0 6px}h2{font-size:11pt;margin:10px 0 4px}"
    "table{border-collapse:collapse;width:100%}thead{display:table-header-group}"
    "td,th{border:1px solid #444;padding:2px 4px;text-align:left}th{background:#eee}"
    "table.head{width:auto}p.sign{margin-top:14px}"
)


def table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table with a header row that repeats on every printed page."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def head_table(pairs: Sequence[tuple[str, str]]) -> str:
    """A header block: one row per label and value."""
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in pairs)
    return f"<table class='head'>{rows}</table>"


def page(title: str, sections: Sequence[str], empty: str) -> str:
    """A whole document; ``sections`` are HTML already escaped, ``empty`` shows if none."""
    body = "\n".join(sections) or f"<p>{escape(empty)}</p>"
    return ("<!doctype html>\n<html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            "<body>\n" + body + "\n</body></html>\n")
