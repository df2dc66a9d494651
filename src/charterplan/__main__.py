import os
import signal
import sys


def _stop_while_loading(number: int, frame: object) -> None:
    # Nothing is written while the command line loads: stop at once, with the status
    # and message cli.main gives once its own handlers are in place (SPEC §8).
    sys.stderr.write("interrupted; nothing was written\n")
    os._exit(128 + number)


_defaults = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
for _number, _default in _defaults.items():
    if _default is not signal.SIG_IGN:  # a signal ignored by our starter stays ignored
        signal.signal(_number, _stop_while_loading)

from charterplan.cli import main  # noqa: E402  (loading it takes a second or two)

for _number, _default in _defaults.items():  # main() handles them from here on
    signal.signal(_number, _default)

raise SystemExit(main())
