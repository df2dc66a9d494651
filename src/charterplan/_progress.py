"""A one-line progress bar for the command line, and per-stage timings.

It writes only to the stream the command line hands it (standard error on a terminal);
nothing in the library creates one.
"""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """Times each stage; on a terminal, draws a one-line bar on ``stream``.

    The bar shows the stage, done/total, seconds since the start and the stage's ETA.
    A stage's time runs from the previous progress report to its own last report.
    """

    WIDTH = 20

    def __init__(self, stream: TextIO, draw: bool) -> None:
        self.stream, self.draw = stream, draw
        self.start = self._last = time.perf_counter()
        self.stage_seconds: dict[str, float] = {}
        self._begun: dict[str, float] = {}
        self._drawn = -1.0
        self._length = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        begun = self._begun.setdefault(stage, self._last)
        self._last = now
        self.stage_seconds[stage] = round(now - begun, 3)
        if self.draw and (done >= total or now - self._drawn >= 0.1):
            self._drawn = now
            filled = self.WIDTH * min(done, total) // max(total, 1)
            eta = f"eta {(now - begun) / done * (total - done):.1f}s" if 0 < done < total else ""
            # the whole stage name: "assign (shared fleet), round 2" must not read
            # "assign (shared"
            line = (f"{stage:<24} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                    f"{done}/{total}  {now - self.start:.1f}s  {eta}").rstrip()
            self.stream.write(f"\r{line:<{self._length}}")
            self._length = max(self._length, len(line))
            self.stream.flush()

    def finish(self) -> None:
        """Clear the bar's line, if one was drawn."""
        if self._drawn >= 0:
            self.stream.write("\r" + " " * self._length + "\r")
            self.stream.flush()
