"""The mutation script switches off exactly the family it names."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks import mutate_check
from charterplan import check, parse_request
from charterplan.io.plan_json import parse_plan

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken"


def _families_found(name: str) -> set[str]:
    fixture = json.loads((BROKEN / f"{name}.json").read_text(encoding="utf-8"))
    return {v.family for v in check.check_plan(parse_request(fixture["request"]),
                                               parse_plan(json.dumps(fixture["plan"])))}


def test_switching_off_a_family_silences_it_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """With `slots` switched off, the Slot fixture passes; the Group fixture still fails."""
    for module_name, module in list(sys.modules.items()):  # restored after the test
        if module_name == check.__name__ or module_name.startswith(check.__name__ + "."):
            for name, rule in list(vars(module).items()):
                if callable(rule):
                    monkeypatch.setattr(module, name, rule)
    assert _families_found("Slot") == {"slots"}
    mutate_check.switch_off("slots")
    assert _families_found("Slot") == set()
    assert _families_found("Group") == {"groups"}


def test_the_script_knows_every_family_by_name() -> None:
    """Each name in FAMILIES has the function the script switches off."""
    assert list(mutate_check.rules()) == list(check.FAMILIES)
    assert all(callable(rule) for rule in mutate_check.rules().values())
