"""Figures with matplotlib in the CJK font: departures by day and mode, the seat fill of
the buses, and a map of the hubs, routes and destinations.

Drawn on ``matplotlib.figure.Figure`` objects (no pyplot, no global state) with the Agg
renderer; PNGs carry no software or date stamp, so the same plan draws the same bytes.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from charterplan.io._roster import Roster
from charterplan.io.office._content import capacity
from charterplan.io.office._fonts import cjk_font
from charterplan.model import Plan, PlanRequest

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURES", "write_figures"]

FIGURES = ("departures_by_day.png", "bus_fill.png", "map.png")
"""The files ``figures/`` holds."""

_COLOURS = {"汽车": "#3b6ea8", "接驳车": "#9fb9d9", "火车车厢": "#c0504d"}
_DPI = 110


@contextmanager
def _style() -> Iterator[None]:
    # matplotlib's first import on a machine builds its font cache and says so as a
    # warning; that is no news to someone planning buses
    quiet = logging.getLogger("matplotlib")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with _fonts():
            yield
    finally:
        quiet.setLevel(level)


@contextmanager
def _fonts() -> Iterator[None]:
    import matplotlib as mpl
    from matplotlib import font_manager

    path = str(cjk_font())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    with mpl.rc_context({"font.family": "sans-serif", "font.sans-serif": [name],
                         "axes.unicode_minus": False, "svg.hashsalt": "charterplan",
                         "axes.spines.top": False, "axes.spines.right": False}):
        yield


def _save(figure: Figure, path: Path) -> Path:
    # PNG level 1: a fifth of the encoding time for files a third larger
    figure.savefig(path, dpi=_DPI, metadata={"Software": None},
                   pil_kwargs={"compress_level": 1})
    return path


def _departures(roster: Roster, plan: Plan, path: Path) -> Path:
    from matplotlib.figure import Figure

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for trip in plan.trips:
        mode = "火车车厢" if trip.mode == "rail" else ("接驳车" if trip.feeder else "汽车")
        counts[mode][roster.when(trip.departure)[5:10]] += 1
    days = sorted({d for c in counts.values() for d in c})
    figure = Figure(figsize=(10, 4.5))
    figure.subplots_adjust(left=0.07, right=0.98, bottom=0.2, top=0.9)  # no layout engine:
    ax = figure.subplots()  # it measured every label a dozen times
    bottom = [0] * len(days)
    for mode, colour in _COLOURS.items():
        heights = [counts[mode][d] for d in days]
        if any(heights):
            ax.bar(days, heights, bottom=bottom, color=colour, label=mode, width=0.75)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_title(f"每日发车（按方式）　{plan.plan_id}")
    ax.set_xlabel("出发日期")
    ax.set_ylabel("发车数（辆 / 节）")
    ax.legend(frameon=False)
    ax.tick_params(axis="x", labelrotation=45 if len(days) > 10 else 0)
    return _save(figure, path)


def _fill(roster: Roster, plan: Plan, path: Path) -> Path:
    from matplotlib.figure import Figure

    buses = [t for t in plan.trips if t.mode == "bus"]
    figure = Figure(figsize=(10, 4.5))
    figure.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.9)
    ax = figure.subplots()
    riders = [len(t.passengers) for t in buses]
    limits = [capacity(roster, t) for t in buses]
    xs = list(range(1, len(buses) + 1))
    colours = [_COLOURS["接驳车" if t.feeder else "汽车"] for t in buses]
    ax.bar(xs, riders, color=colours, width=0.85)
    ax.scatter(xs, limits, marker="_", s=60, color="black", label="限乘人数", zorder=3)
    seats, used = sum(limits), sum(riders)
    share = f"{100 * used / seats:.1f} %" if seats else "—"
    ax.set_title(f"汽车载客：每车人数与限乘（{len(buses)} 车，座位利用 {share}）")
    ax.set_xlabel("车次（按出发时间）")
    ax.set_ylabel("人数")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=_COLOURS["汽车"], label="汽车"),
                       Patch(color=_COLOURS["接驳车"], label="接驳车"),
                       *ax.get_legend_handles_labels()[0]], frameon=False, loc="upper right",
              ncols=3)
    ax.set_ylim(0, max([*limits, *riders, 1]) * 1.2)  # room for the legend above the bars
    return _save(figure, path)


def _map(request: PlanRequest, roster: Roster, plan: Plan, path: Path) -> Path:
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    where = {key: (place.lon, place.lat) for key, place in request.places_by_id().items()}
    legs: dict[tuple[str, str, str], int] = Counter()
    for trip in plan.trips:
        if trip.feeder:
            continue
        aboard, here = 0, trip.hub
        for stop in trip.stops:
            if stop.place != here and aboard:
                legs[trip.mode, here, stop.place] += aboard
            aboard += len(stop.workers) if stop.kind == "pickup" else -len(stop.workers)
            here = stop.place
    figure = Figure(figsize=(9, 8))
    figure.subplots_adjust(left=0.08, right=0.97, bottom=0.07, top=0.94)
    ax = figure.subplots()
    top = max(legs.values(), default=1)
    for mode, colour, style in (("bus", _COLOURS["汽车"], "solid"),
                                ("rail", _COLOURS["火车车厢"], "dashed")):
        segs = [(where[a], where[b]) for (m, a, b) in legs if m == mode
                and a in where and b in where]
        widths = [0.6 + 6 * n / top for (m, a, b), n in legs.items() if m == mode
                  and a in where and b in where]
        if segs:
            ax.add_collection(LineCollection(segs, linewidths=widths, colors=colour,
                                             linestyles=style, alpha=0.7,
                                             label="汽车线路" if mode == "bus" else "火车线路"))
    dests = [where[d.id] for d in request.destinations]
    ax.scatter([p[0] for p in dests], [p[1] for p in dests], s=12, color="#555555",
               zorder=3, label="用工单位")
    hubs = [where[h.id] for h in request.hubs]
    ax.scatter([p[0] for p in hubs], [p[1] for p in hubs], s=160, marker="*",
               color="#e8a33d", edgecolors="black", zorder=4, label="发车站")
    for hub in request.hubs[:1]:
        ax.annotate(hub.name, (hub.lon, hub.lat), xytext=(6, -12), textcoords="offset points",
                    fontsize=10)
    cities: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for d in request.destinations:
        cities[d.city].append((d.lon, d.lat))
    for city, points in sorted(cities.items()):
        lon = sum(p[0] for p in points) / len(points)
        lat = sum(p[1] for p in points) / len(points)
        ax.annotate(city, (lon, lat), xytext=(4, 4), textcoords="offset points", fontsize=8)
    lats = [p[1] for p in where.values()]
    ax.set_aspect(1 / math.cos(math.radians(sum(lats) / max(len(lats), 1))))
    ax.autoscale_view()
    ax.margins(0.06)
    ax.set_xlabel("经度")
    ax.set_ylabel("纬度")
    ax.set_title(f"线路图（线宽按人数，最粗 {top} 人）　{plan.plan_id}")
    ax.legend(frameon=False, loc="best")
    return _save(figure, path)


def write_figures(request: PlanRequest, plan: Plan, folder: Path,
                  roster: Roster | None = None) -> list[Path]:
    """Write ``figures/departures_by_day.png``, ``bus_fill.png`` and ``map.png``."""
    roster = roster or Roster(request, plan.trips)
    root = folder / "figures"
    root.mkdir(parents=True, exist_ok=True)
    with _style():
        return [_departures(roster, plan, root / FIGURES[0]),
                _fill(roster, plan, root / FIGURES[1]),
                _map(request, roster, plan, root / FIGURES[2])]
