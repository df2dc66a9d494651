"""The command line's progress bar draws one line and times each stage."""

from __future__ import annotations

import io

from charterplan._progress import ProgressBar


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


def test_silent_bar_still_times_stages() -> None:
    """With drawing off nothing is written, yet every stage gets its seconds."""
    stream = io.StringIO()
    bar = ProgressBar(stream, draw=False)
    for stage in ("eligibility", "assign", "timetable"):
        bar(stage, 0, 1)
        bar(stage, 1, 1)
    bar.finish()
    assert stream.getvalue() == ""
    assert list(bar.stage_seconds) == ["eligibility", "assign", "timetable"]
    assert all(seconds >= 0 for seconds in bar.stage_seconds.values())
