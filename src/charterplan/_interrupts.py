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

__all__ = ["Interrupted", "Interrupts"]


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM came. A subclass, not KeyboardInterrupt itself: CPython
    remembers a KeyboardInterrupt that escaped an ``exec`` of a string (dataclasses and
    pydantic run those while modules load) and then ends the process by SIGINT at exit,
    whatever caught it meanwhile; it checks for the exact class."""


class Interrupts:
    """SIGINT and SIGTERM, turned into one clean way out.

    A signal raises :class:`Interrupted` in the main thread and wakes a thread that stops
    the CP-SAT searches under way, which would otherwise hold the main thread for their
    whole time limit (:mod:`charterplan._stop`). Python code run by the garbage
    collector or a finalizer swallows an exception raised in it, so until the command
    line has :meth:`caught` the interrupt, that thread raises it again each second, and
    :meth:`finishing` refuses to begin. After :meth:`finishing` signals are ignored:
    the output is being put in place, and then the run is over.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._caught = False
        self._late = False
        self._sending = threading.Lock()

    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process a signal ended."""
        return 128 + (self.received or signal.SIGINT)

    def caught(self) -> None:
        """The interrupt has reached the command line: raise it no more."""
        self._caught = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._late or self._caught:
            return
        if self.received is None:
            self.received = signum
        raise Interrupted(signum)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle the signals while the block runs (only the main thread can)."""
        self.received, self._caught, self._late = None, False, False
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        read, write = os.pipe()
        os.set_blocking(write, False)
        closing = threading.Event()
        waker = threading.Thread(target=self._wake, args=(read, closing), daemon=True,
                                 name="charterplan-interrupts")
        waker.start()
        # a signal ignored by whoever started us stays ignored, as Python does with
        # SIGINT: a shell script's `plan ... &` is not for the terminal's Ctrl-C
        before = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)
                  if signal.getsignal(s) is not signal.SIG_IGN}
        wakeup = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        try:
            yield
        finally:
            with self._sending:  # the thread signals no more once the handlers are gone
                closing.set()
            os.write(write, b"\0")
            waker.join()
            signal.set_wakeup_fd(wakeup)
            for number, handler in before.items():
                signal.signal(number, handler)
            os.close(write)
            os.close(read)

    def finishing(self) -> None:
        """From here on the command only finishes (it puts its output in place and
        says so): ignore signals. Raise :class:`Interrupted` instead if one came
        already (and was swallowed)."""
        self._late = True
        if self.received is not None:
            raise Interrupted(self.received)

    def _wake(self, wakeup: int, closing: threading.Event) -> None:
        """Woken by a byte on ``wakeup`` (a signal came): stop the searches, and again
        for a second, in case one was about to begin; then raise the interrupt again
        each second until it is caught. ``closing`` ends the thread."""
        from charterplan._stop import stop_searches

        if hasattr(signal, "pthread_sigmask"):  # the signals are for the main thread
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        main = threading.main_thread().ident
        while os.read(wakeup, 64) and not closing.is_set():
            for _ in range(20):
                stop_searches()
                if closing.wait(0.05):
                    return
            with self._sending:
                if (self.received is not None and not self._caught and not closing.is_set()
                        and main is not None and hasattr(signal, "pthread_kill")):
                    signal.pthread_kill(main, self.received)
