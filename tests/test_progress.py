"""The command line's progress bar draws one line and times each stage; the library
reports progress through a callback, never by printing."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from charterplan import _progress, parse_request, plan
from charterplan._progress import ProgressBar
from charterplan.samples import generate_request


def test_bar_redraws_one_line_and_clears_it() -> None:
    """Reports redraw a single line with carriage returns; finish() blanks it."""
    stream = io.StringIO()
    bar = ProgressBar(stream, draw=True)
    bar("assign", 1, 4)
    bar("assign", 4, 4)
    bar.finish()
    text = stream.getvalue()
    assert "\n" not in text
    assert "assign" in text and "1/4" in text and "eta" in text and "4/4" in text
    assert "[" + "#" * ProgressBar.WIDTH + "]" in text
    assert text.endswith("\r")


def test_silent_bar_still_times_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    """With drawing off nothing is written, yet every stage gets its seconds: from the
    report before its first (the start, for the first stage) to its last."""
    clock = iter([100.0,                 # the bar starts
                  100.5, 101.0,          # eligibility 0/1, 1/1
                  101.25, 102.0, 103.0,  # assign 0/2, 1/2, 2/2
                  103.5, 104.5])         # timetable 0/1, 1/1
    monkeypatch.setattr(_progress, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    stream = io.StringIO()
    bar = ProgressBar(stream, draw=False)
    for stage, total in (("eligibility", 1), ("assign", 2), ("timetable", 1)):
        for done in range(total + 1):
            bar(stage, done, total)
    bar.finish()
    assert stream.getvalue() == ""
    assert bar.stage_seconds == {"eligibility": 1.0, "assign": 2.0, "timetable": 1.5}


def test_the_library_reports_each_stage_through_its_callback_and_prints_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``plan(progress=...)`` hears every stage in order, the merge hub by hub, each
    stage ending at its total; the library itself writes nothing."""
    heard: list[tuple[str, int, int]] = []
    plan(parse_request(generate_request(1000, 7, seed=3)),
         progress=lambda stage, done, total: heard.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _, _ in heard))
    assert stages[0] == "eligibility" and stages[-2:] == ["merge", "timetable"]
    assert "assign" in stages
    for stage in stages:
        reports = [(done, total) for s, done, total in heard if s == stage]
        assert all(0 <= done <= total for done, total in reports)
        assert reports[-1][0] == reports[-1][1]
    hubs = [total for s, _, total in heard if s == "merge"]
    assert hubs[0] >= 1 and len(hubs) == hubs[0] + 1  # 0 of n, then each hub
    assert capsys.readouterr() == ("", "")
