"""``match`` on tables: the output folder, and that import/plan read it directly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from charterplan.cli import main
from charterplan.matching.write import ANNEX3, ANNEX6
from charterplan.samples.demand import (
    DEMAND_HEADERS,
    SEEKER_HEADERS,
    demand_rows,
    seeker_rows,
    write_table,
)
from charterplan.tables import import_registry

SAMPLE = Path(__file__).parents[2] / "data" / "sample"
COUNTY = SAMPLE / "county.toml"


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A registry of 40 job seekers (groups included) and a demand table of 8 employers."""
    folder = tmp_path_factory.mktemp("tables")
    registry, demand = folder / "seekers.xlsx", folder / "demand.xlsx"
    write_table(registry, SEEKER_HEADERS, seeker_rows(40, 7, group_share=0.2), "返岗需求")
    write_table(demand, DEMAND_HEADERS, demand_rows(8, 45, 7, local_share=0.3), "需求")
    return registry, demand


@pytest.fixture(scope="module")
def matched(tables: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder ``match`` writes for the tables."""
    out = tmp_path_factory.mktemp("out") / "match"
    registry, demand = tables
    assert main(["match", str(registry), "--demand", str(demand), "--county", str(COUNTY),
                 "-o", str(out)]) == 0
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_seeker_is_matched_in_the_registry_or_listed_in_annex3(matched: Path) -> None:
    """Each row has 返岗单位 filled, or is in 附件3 with a reason; none is in both."""
    rows = _csv(matched / "matched.csv")
    assert len(rows) == 40
    filled = {n + 2 for n, row in enumerate(rows) if row["返岗单位"]}
    listed = {int(row["登记表行号"]) for row in _csv(matched / f"{ANNEX3}.csv")}
    assert filled | listed == set(range(2, 42)) and not filled & listed
    summary = json.loads((matched / "match.json").read_text(encoding="utf-8"))
    assert summary["matched"] == len(filled) and summary["unmatched"] == len(listed)


def test_matched_registry_imports_with_the_extended_county(matched: Path) -> None:
    """matched.xlsx with county.json imports: matched rows travel to their employer."""
    result = import_registry(matched / "matched.xlsx", matched / "county.json")
    names = {d.id: d.name for d in result.request.destinations}
    rows = _csv(matched / "matched.csv")
    assert [names[w.destination] for w in result.request.workers] == [
        row["返岗单位"] for row in rows if row["返岗单位"]]
    assert len(result.job_seekers) == sum(not row["返岗单位"] for row in rows)


def test_groups_go_to_one_employer_and_places_hold(matched: Path) -> None:
    """Members of a 同行组 share one employer or are all unmatched; no line overfilled."""
    rows = _csv(matched / "matched.csv")
    by_group: dict[str, set[str]] = {}
    for row in rows:
        if row["同行组"]:
            by_group.setdefault(row["同行组"], set()).add(row["返岗单位"])
    assert by_group and all(len(employers) == 1 for employers in by_group.values())
    annex6 = _csv(matched / f"{ANNEX6}.csv")
    for row in annex6[:-1]:
        assert 0 <= int(row["已匹配"]) <= int(row["用工人数"])
        assert int(row["缺员"]) == int(row["用工人数"]) - int(row["已匹配"])
    assert annex6[-1]["序号"] == "合计"
    assert int(annex6[-1]["已匹配"]) == sum(bool(row["返岗单位"]) for row in rows)


def test_people_read_masked_personal_data(matched: Path) -> None:
    """附件3 and 附件6 never hold a full ID number or phone."""
    for name in (ANNEX3, ANNEX6):
        for row in _csv(matched / f"{name}.csv"):
            for key in ("身份证号码", "联系方式", "联系电话"):
                assert "*" in row.get(key, "*") or not row.get(key)


def test_bad_demand_is_exit_2_with_cells_and_nothing_written(
        tables: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A demand table with a bad cell is refused, cell named, no folder written."""
    bad = tmp_path / "demand.csv"
    bad.write_text("企业名称,所在市,用工人数\n甲厂,东莞市,很多\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["match", str(tables[0]), "--demand", str(bad), "--county", str(COUNTY),
                 "-o", str(out)]) == 2
    assert "demand.csv!demand!C2 (用工人数)" in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_of_other_things_is_refused(tables: tuple[Path, Path], tmp_path: Path) -> None:
    """match never replaces a folder it did not write."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["match", str(tables[0]), "--demand", str(tables[1]), "--county",
                 str(COUNTY), "-o", str(tmp_path)]) == 2
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_plan_with_demand_matches_then_plans(tables: tuple[Path, Path], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """plan REGISTRY --county --demand writes the match folder and a plan of the matched."""
    monkeypatch.chdir(tmp_path)
    registry, demand = tables
    assert main(["plan", str(registry), "--county", str(COUNTY), "--demand", str(demand),
                 "--out", "plan", "--quiet", "--jobs", "1", "--time-limit", "5"]) == 0
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text(encoding="utf-8"))
    matched = sum(bool(r["返岗单位"]) for r in _csv(
        tmp_path / "charterplan-out" / "seekers-match" / "matched.csv"))
    assert plan["summary"]["workers"] == matched > 0


def test_a_gbk_csv_registry_comes_back_filled(tables: tuple[Path, Path], tmp_path: Path) -> None:
    """A registry saved as GB18030 CSV is matched and written back with every column."""
    rows = seeker_rows(12, 3)
    registry = tmp_path / "seekers.csv"
    with registry.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*SEEKER_HEADERS, "备注"])
        writer.writerows([*(row[h] if row[h] is not None else "" for h in SEEKER_HEADERS),
                          f"note {k}"] for k, row in enumerate(rows))
    out = tmp_path / "out"
    assert main(["match", str(registry), "--demand", str(tables[1]), "--county", str(COUNTY),
                 "-o", str(out)]) == 0
    back = _csv(out / "matched.csv")
    assert [row["备注"] for row in back] == [f"note {k}" for k in range(12)]
    assert [row["身份证号码"] for row in back] == [row["身份证号码"] for row in rows]
    assert any(row["返岗单位"] for row in back)
    result = import_registry(out / "matched.xlsx", out / "county.json")
    assert len(result.request.workers) == sum(bool(row["返岗单位"]) for row in back)
