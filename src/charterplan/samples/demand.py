"""Generated demand tables (附件5) and job seekers for Xinhuang county (SPEC §11).

Employers are fictional sites near the real cities of ``places.csv``, by the
same weights as the request generator's (Guangdong and Zhejiang first), plus small 县内
employers (2-8 places) at the county's townships (``local_share``), some of whose
places are 扶贫特岗 kept for poor households. A row outside the county whose city the county file
knows gives no 纬度/经度 one time in three (the reader then places it at the city).
Job seekers are registry rows (SPEC §9 columns) without 返岗单位 and with 就业意愿 是:
about a quarter poor households, 88 % health-cleared, wishes for a province or city
and a trade about half the time, a few groups of 2–4. Names, ID numbers (county code
431229, valid check digit) and phones are fake. Same arguments, same tables.

The command line is ``python -m benchmarks.demand`` (see there).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from charterplan.matching import Seeker, Vacancy
from charterplan.samples.generate import GIVEN, SURNAMES, TRADES, _id_number, load_places

__all__ = ["DEMAND_HEADERS", "SEEKER_HEADERS", "demand_rows", "seeker_rows", "to_seekers",
           "to_vacancies", "write_table"]

DEMAND_HEADERS = ("序号", "企业名称", "所在省", "所在市", "纬度", "经度", "用工人数", "开工日期",
                  "工种", "县内", "扶贫特岗", "联系人", "联系电话")
SEEKER_HEADERS = ("乡镇", "村（社区）", "姓名", "性别", "身份证号码", "电话号码", "是否贫困户",
                  "返岗单位", "最早出发日期", "最迟到岗日期", "健康状况", "同行组", "就业意愿",
                  "意向地区", "意向工种")
LOCAL_TRADES = ("农业合作社", "扶贫车间", "保洁", "护林员", "建筑工地", "食品厂")
START = date(2020, 2, 20)


def _near(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(0.3, km)
    return (round(lat + radius / 111.0 * math.sin(angle), 5),
            round(lon + radius / (111.0 * math.cos(math.radians(lat))) * math.cos(angle), 5))


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` places over ``parts`` employers, each at least 1, uneven as real ones."""
    weights = [rng.paretovariate(1.6) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for k in range(total - sum(counts)):
        counts[k % parts] += 1
    return counts


def demand_rows(num_employers: int, num_vacancies: int, seed: int = 0, *,
                local_share: float = 0.15, known_cities: Iterable[str] = ()
                ) -> list[dict[str, Any]]:
    """The demand table's rows (keys: :data:`DEMAND_HEADERS`), one employer a row."""
    rng = random.Random(seed)
    places = load_places()
    cities = [p for p in places if p.kind == "city"]
    townships = [p for p in places if p.kind == "township"]
    known = set(known_cities)
    rows: list[dict[str, Any]] = []
    # 县内 employers are small workshops (2-8 places); the others share the rest
    locals_ = [rng.random() < local_share for _ in range(num_employers)]
    small = [rng.randint(2, 8) if local else 0 for local in locals_]
    spread = iter(_split(rng, num_vacancies - sum(small), locals_.count(False))
                  if locals_.count(False) else [])
    counts = [s or next(spread) for s in small]
    for n, (count, local) in enumerate(zip(counts, locals_, strict=True)):
        if local:
            town = rng.choice(townships)
            lat, lon = _near(rng, town.lat, town.lon, 3.0)
            trade = rng.choice(LOCAL_TRADES)
            name = f"新晃{town.name[:2]}{rng.choice('华盛鑫隆泰达宏远')}{trade}"
            province, city = "湖南省", "怀化市"
        else:
            place = rng.choices(cities, weights=[c.weight for c in cities])[0]
            lat, lon = _near(rng, place.lat, place.lon, 6.0)
            trade = rng.choice(TRADES)
            name = f"{place.name}{rng.choice('华盛鑫隆泰达宏远')}{trade}"
            province, city = place.province, place.city
        blank_place = not local and city in known and rng.random() < 1 / 3
        rows.append({
            "序号": n + 1, "企业名称": f"{name}{n + 1:04d}", "所在省": province, "所在市": city,
            "纬度": None if blank_place else lat, "经度": None if blank_place else lon,
            "用工人数": count, "开工日期": START + timedelta(days=rng.randrange(0, 20)),
            "工种": trade, "县内": "是" if local else "否",
            "扶贫特岗": "是" if local and rng.random() < 0.4 else "否",
            "联系人": rng.choice(SURNAMES) + rng.choice(("经理", "主任", "老板")),
            "联系电话": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}"})
    return rows


def seeker_rows(count: int, seed: int = 0, *, group_share: float = 0.05
                ) -> list[dict[str, Any]]:
    """Registry rows of job seekers (keys: :data:`SEEKER_HEADERS`)."""
    rng = random.Random(seed)
    places = load_places()
    townships = [p for p in places if p.kind == "township"]
    cities = [p for p in places if p.kind == "city"]
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    group = 0
    while len(rows) < count:
        size = min(rng.choice((2, 2, 3, 4)) if rng.random() < group_share else 1,
                   count - len(rows))
        town = rng.choices(townships, weights=[t.weight for t in townships])[0]
        village = f"{town.name[:2]}{rng.choice('东南西北上下中新')}{rng.choice('村寨坪溪')}"
        wish = rng.random()
        place = rng.choices(cities, weights=[c.weight for c in cities])[0]
        region = (place.province if wish < 0.35 else place.city if wish < 0.5 else None)
        trade = rng.choice(TRADES) if rng.random() < 0.5 else None
        label = f"J{group:04d}" if size > 1 else None
        group += size > 1
        for _ in range(size):
            gender = rng.choice(("男", "男", "女"))
            number = _id_number(rng, START, gender, used)
            roll = rng.random()
            rows.append({
                "乡镇": town.name, "村（社区）": village,
                "姓名": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                "性别": gender, "身份证号码": number,
                "电话号码": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
                "是否贫困户": "是" if rng.random() < 0.25 else "否", "返岗单位": None,
                "最早出发日期": START + timedelta(days=rng.randrange(0, 10)),
                "最迟到岗日期": START + timedelta(days=rng.randrange(12, 20)),
                "健康状况": "健康" if roll < 0.88 else "隔离中" if roll < 0.94 else "未核验",
                "同行组": label, "就业意愿": "是", "意向地区": region, "意向工种": trade})
    return rows


def to_vacancies(rows: Sequence[dict[str, Any]]) -> list[Vacancy]:
    """Demand rows as vacancies (a row without coordinates at its city's places.csv row)."""
    at = {p.city: (p.lat, p.lon) for p in load_places() if p.kind == "city"}
    return [Vacancy(id=f"V{k}", employer=r["企业名称"], province=r["所在省"], city=r["所在市"],
                    lat=(r["纬度"] if r["纬度"] is not None else at[r["所在市"]][0]),
                    lon=(r["经度"] if r["经度"] is not None else at[r["所在市"]][1]),
                    count=r["用工人数"], trade=r["工种"], local=r["县内"] == "是",
                    poor_only=r["扶贫特岗"] == "是") for k, r in enumerate(rows)]


def to_seekers(rows: Sequence[dict[str, Any]]) -> list[Seeker]:
    """Seeker rows as seekers, gathering at their township's seat."""
    towns = {p.name: p for p in load_places() if p.kind == "township"}
    return [Seeker(id=f"R{k}", township=r["乡镇"], lat=towns[r["乡镇"]].lat,
                   lon=towns[r["乡镇"]].lon, poor=r["是否贫困户"] == "是",
                   cleared=r["健康状况"] == "健康", group=r["同行组"], region=r["意向地区"],
                   trade=r["意向工种"]) for k, r in enumerate(rows)]


def write_table(path: Path, headers: Sequence[str], rows: Sequence[dict[str, Any]],
                title: str) -> None:
    """Write rows as a workbook (one sheet named ``title``), ID numbers as text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
