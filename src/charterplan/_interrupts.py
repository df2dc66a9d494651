"""SIGINT and SIGTERM for the command line: one clean way out (SPEC §8).

Only :mod:`charterplan.cli` installs these handlers; the library never touches signals.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Interrupts"]


class Interrupts:
    """SIGINT and SIGTERM, turned into one clean way out.

    The first signal raises KeyboardInterrupt in the main thread (later ones are
    ignored while that unwinds: the worker pool is killed, the staging folder removed)
    and wakes a thread that stops the CP-SAT searches under way, which would otherwise
    hold the main thread for their whole time limit (:mod:`charterplan._stop`). Inside
    :meth:`too_late` a signal is ignored: the output is being put in place.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._late = False

    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process a signal ended."""
        return 128 + (self.received or signal.SIGINT)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None or self._late:
            return
        self.received = signum
        raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle the signals while the block runs (only the main thread can)."""
        self.received = None
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        read, write = os.pipe()
        os.set_blocking(write, False)
        closing = threading.Event()
        waker = threading.Thread(target=_stop_searches_on_signal, args=(read, closing),
                                 daemon=True, name="charterplan-interrupts")
        waker.start()
        before = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        wakeup = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        try:
            yield
        finally:
            signal.set_wakeup_fd(wakeup)
            for number, handler in before.items():
                signal.signal(number, handler)
            closing.set()
            os.write(write, b"\0")
            waker.join(timeout=2)
            os.close(write)
            os.close(read)

    @contextmanager
    def too_late(self) -> Iterator[None]:
        """Ignore signals while the block runs: it finishes the command's work."""
        self._late = True
        try:
            yield
        finally:
            self._late = False


def _stop_searches_on_signal(wakeup: int, closing: threading.Event) -> None:
    """Each byte on ``wakeup`` is a signal's number: stop the searches, and again for a
    second, in case one was about to begin; ``closing`` ends the thread."""
    from charterplan._stop import stop_searches

    while os.read(wakeup, 64) and not closing.is_set():
        for _ in range(20):
            stop_searches()
            if closing.wait(0.05):
                return
