"""The independent check names each broken invariant, by the family of checks that
finds it: one broken-plan fixture per family (``tests/data/broken/``, rebuilt by
``build.py`` there), the night ban, and plan files with unfilled posts."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from charterplan import parse_request, plan
from charterplan.check import FAMILIES, Violation, check_plan
from charterplan.io.plan_json import PlanFileError, parse_plan

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "data" / "broken"
FIXTURES = sorted(BROKEN.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _check(request: dict[str, Any], plan_data: dict[str, Any]) -> list[Violation]:
    return check_plan(parse_request(request), parse_plan(json.dumps(plan_data)))


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_check_names_exactly_the_family_a_fixture_breaks(path: Path) -> None:
    """Each broken-plan fixture draws violations of its family and invariant only."""
    fixture = _load(path)
    found = _check(fixture["request"], fixture["plan"])
    assert found, fixture["breaks"]
    assert {v.family for v in found} == {fixture["family"]}, [str(v) for v in found]
    assert {v.invariant for v in found} == {fixture["invariant"]}, [str(v) for v in found]
    assert all(str(v).startswith(f"[{v.invariant} {v.family}] ") for v in found)


@pytest.mark.parametrize("name", ["bus", "rail"])
def test_the_plans_the_fixtures_break_are_sound(name: str) -> None:
    """The planner's plans of the two base requests, unbroken, draw no violation."""
    sound = _load(BROKEN / "sound" / f"{name}.json")
    assert _check(sound["request"], sound["plan"]) == []


def test_every_family_of_checks_has_a_fixture() -> None:
    """A family of checks no fixture breaks could stop checking unnoticed."""
    assert FAMILIES and set(FAMILIES) == {_load(p)["family"] for p in FIXTURES}


def test_the_fixtures_are_what_build_makes() -> None:
    """Each fixture is its sound pair with the one break ``build.py`` describes (so an
    edit by hand shows here; rebuild with ``python tests/data/broken/build.py``)."""
    sys.path.insert(0, str(BROKEN))
    try:
        import build
    finally:
        sys.path.remove(str(BROKEN))
    assert set(build.CASES) == {p.stem for p in FIXTURES}
    for path in FIXTURES:
        fixture = _load(path)
        base, family, invariant, breaks, breaker = build.CASES[path.stem]
        sound = _load(BROKEN / "sound" / f"{'bus' if base is build.BUS else 'rail'}.json")
        request, plan_data = copy.deepcopy(sound["request"]), copy.deepcopy(sound["plan"])
        breaker(request, plan_data)
        plan_data["request_sha256"] = fixture["plan"]["request_sha256"]
        assert (request, plan_data) == (fixture["request"], fixture["plan"]), path.stem
        assert (family, invariant, breaks) == (
            fixture["family"], fixture["invariant"], fixture["breaks"]), path.stem


def _night(departure: str | None = None, arrival: str | None = None,
           **policy: Any) -> list[str]:
    """The violations of the NightBan fixture's pair with T2 leaving at ``departure``
    and reaching Changsha at ``arrival`` (local times on 20 Feb) under ``policy``."""
    fixture = _load(BROKEN / "NightBan.json")
    request, plan_data = fixture["request"], fixture["plan"]
    request["policy"].update(policy)
    (trip,) = (t for t in plan_data["trips"] if t["id"] == "XH-0220-002")
    if departure is not None:
        trip["departure"] = f"2020-02-20T{departure}+08:00"
    if arrival is not None:  # the next day, for riders who may arrive then
        trip["stops"][-1]["eta"] = trip["arrival"] = f"2020-02-21T{arrival}+08:00"
        trip["back_at_hub"] = "2020-02-21T23:00+08:00"
        for worker in request["workers"]:
            worker["latest_arrival"] = "2020-02-22"
    return [str(v) for v in _check(request, plan_data)]


@pytest.mark.parametrize(("departure", "banned"), [
    ("01:59", False), ("02:00", True), ("03:00", True), ("04:59", True), ("05:00", False)])
def test_no_bus_leaves_inside_the_night_ban(departure: str, banned: bool) -> None:
    """With the ban on (02:00-05:00), a departure inside it is a violation even when
    the hub is open then; one at its end is not."""
    found = _night(departure)
    assert found == ([f"[3 night-ban] trip XH-0220-002: leaves XH at {departure}, inside "
                      "the night ban 02:00–05:00"] if banned else [])


def test_a_departure_in_the_night_passes_with_the_ban_off_or_moved() -> None:
    """The ban is the policy's: switched off, or set to other hours, 03:00 is allowed."""
    assert _night("03:00", night_driving_ban=False) == []
    assert _night("03:00", night_ban_from="00:00", night_ban_until="02:00") == []
    assert _night("01:00", night_ban_from="00:00", night_ban_until="02:00") != []


@pytest.mark.parametrize(("arrival", "banned"), [
    ("01:00", False), ("02:00", False), ("02:01", True), ("05:00", True), ("05:01", False)])
def test_no_bus_drives_into_a_stop_inside_the_night_ban(arrival: str, banned: bool) -> None:
    """A stop reached by road inside the ban (after its first minute, up to its last)
    means the coach ran in it; the bus may arrive as the ban starts, or stand in it."""
    found = _night("06:10", arrival)
    assert found == ([f"[3 night-ban] trip XH-0220-002: reaches CS at {arrival}, driving "
                      "inside the night ban 02:00–05:00"] if banned else [])


def test_the_planner_plans_no_departure_inside_the_night_ban() -> None:
    """Workers free from 02:30 at a hub open all night leave no earlier than 05:00."""
    request = copy.deepcopy(_load(BROKEN / "sound" / "bus.json")["request"])
    request["hubs"][0]["open"] = "00:00"
    for worker in request["workers"]:
        worker["earliest_departure"] = "2020-02-20T02:30"
    parsed = parse_request(request)
    result = plan(parsed)
    assert [str(v) for v in check_plan(parsed, result)] == []
    assert [u.worker for u in result.unassigned] == ["W6"]  # in quarantine, as at 06:00
    assert min(t.departure for t in result.trips).strftime("%H:%M") == "05:00"


POSTS = [("trips", 0, "captain", 6), ("trips", 0, "deputy_captain", 6),
         ("trips", 0, "escort", 5), ("trips", 0, "medic", 5), ("convoys", 0, "leader", 0)]


@pytest.mark.parametrize("unfilled", ["null", "absent", "empty"])
@pytest.mark.parametrize(("key", "index", "post", "invariant"), POSTS)
def test_an_unfilled_post_is_a_violation_not_a_malformed_file(
        key: str, index: int, post: str, invariant: int, unfilled: str) -> None:
    """A captain, deputy, escort, medic or convoy leader that is null, absent or empty
    reads as nobody, and check names the post as missing under its invariant."""
    sound = _load(BROKEN / "sound" / "bus.json")
    item = sound["plan"][key][index]
    if unfilled == "absent":
        del item[post]
    else:
        item[post] = None if unfilled == "null" else ""
    found = _check(sound["request"], sound["plan"])
    role = {"deputy_captain": "deputy"}.get(post, post)
    expected = [(invariant, f"{key[:-1]} {item['id']}", f"has no {role}")]
    if post == "escort":  # and the convoy's leader, its escort, escorts none of its trips
        expected.insert(0, (0, "convoy XH-0220-C01", "leader E1 escorts none of its trips"))
    assert [(v.invariant, v.subject, v.message) for v in found] == expected, found


@pytest.mark.parametrize(("change", "path"), [
    (lambda p: p["trips"][0].update(medic=7), "trips[0].medic"),
    (lambda p: p["trips"][0].update(medic=["M1"]), "trips[0].medic"),
    (lambda p: p["trips"][1].update(passengers=None), "trips[1].passengers"),
    (lambda p: p["trips"][1].update(departure="06:10"), "trips[1].departure"),
    (lambda p: p["trips"][0].pop("stops"), "trips[0].stops"),
    (lambda p: p["trips"][0].update(guard="E3"), "trips[0].guard"),
    (lambda p: p.update(trips={}), "trips"),
    (lambda p: p["convoys"][0].update(leader=False), "convoys[0].leader"),
])
def test_a_structure_of_the_wrong_shape_is_no_plan(change: Any, path: str) -> None:
    """A wrong type, a missing structural field or an unknown one makes a file no plan
    (exit 2 from check), with the path of the problem."""
    plan_data = _load(BROKEN / "sound" / "bus.json")["plan"]
    change(plan_data)
    with pytest.raises(PlanFileError) as raised:
        parse_plan(json.dumps(plan_data))
    assert path in str(raised.value)


def _cli_check(tmp_path: Path, request: dict[str, Any], plan_text: str
               ) -> subprocess.CompletedProcess[str]:
    (tmp_path / "request.json").write_text(json.dumps(request, ensure_ascii=False),
                                           encoding="utf-8")
    (tmp_path / "plan.json").write_text(plan_text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "charterplan", "check", "request.json",
                           "plan.json"], capture_output=True, text=True, encoding="utf-8",
                          cwd=tmp_path, timeout=120, check=False)


def test_the_command_exits_1_for_a_null_medic_and_2_for_no_plan(tmp_path: Path) -> None:
    """`check` exits 1 and names the post for a null medic; 2 for a medic of the wrong
    type and for text that is not JSON; 0 for the sound plan."""
    fixture = _load(BROKEN / "MissingMedic.json")
    request, plan_data = fixture["request"], fixture["plan"]
    result = _cli_check(tmp_path, request, json.dumps(plan_data))
    assert result.returncode == 1, result.stderr
    assert result.stdout == "[5 staff] trip XH-0220-001: has no medic\n"
    plan_data["trips"][0]["medic"] = 7
    result = _cli_check(tmp_path, request, json.dumps(plan_data))
    assert result.returncode == 2 and "trips[0].medic" in result.stderr, result.stderr
    assert _cli_check(tmp_path, request, '{"trips": [').returncode == 2
    sound = _load(BROKEN / "sound" / "bus.json")
    result = _cli_check(tmp_path, sound["request"], json.dumps(sound["plan"]))
    assert result.returncode == 0, result.stdout
