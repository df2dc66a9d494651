"""Does the test suite notice a broken checker? Switch off each family of checks in
``charterplan.check`` in turn and count the tests that fail.

    python -m benchmarks.mutate_check                    # the whole default suite
    python -m benchmarks.mutate_check --tests tests/check/test_families.py --family slots

Each family (by its name in ``charterplan.check.FAMILIES``) is replaced by a no-op
that finds nothing, in every Python process of a pytest run: a ``sitecustomize``
module on ``PYTHONPATH`` does it at start-up, so the command-line tests' ``check``
subprocesses run the broken checker too. The run is a fresh pytest process per
family, after one with nothing switched off, which must pass. By default it runs the
default suite, less this script's own test (which switches families off itself).
Switching a family off only takes violations away, so a test that asserts a plan is
sound cannot fail by it: ``--tests`` with the files that assert that ``check`` finds
something gives the same table much sooner (benchmarks/RESULTS.md names them).
Prints a Markdown table (family, failing tests, seconds); exits 1 when a family
breaks no test, or the unbroken run fails.

Where the families live is the one thing to adapt if ``charterplan.check`` changes
shape: :func:`rules` maps each family's name to the function that implements it, and
the no-op replaces that function wherever ``charterplan.check`` or a module under it
binds it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN_TEST = ROOT / "tests" / "benchmarks" / "test_mutate_check.py"
SWITCH = "CHARTERPLAN_CHECK_FAMILY_OFF"
"""The environment variable naming the family to switch off."""

SITECUSTOMIZE = f'''\
"""Written by benchmarks/mutate_check.py: switch off the family of checks that
the environment variable {SWITCH} names."""
import os

if os.environ.get("{SWITCH}"):
    from benchmarks.mutate_check import switch_off

    switch_off(os.environ["{SWITCH}"])
'''


def rules() -> dict[str, Callable[..., Iterator[object]]]:
    """Each family of checks by name, with the function that implements it."""
    from charterplan import check

    return dict(check._families())


def switch_off(family: str) -> None:
    """Replace the function of ``family`` by one that finds nothing, in every module
    of ``charterplan.check`` that binds it."""
    import charterplan.check

    target = rules()[family]

    def finds_nothing(*args: object, **kwargs: object) -> Iterator[object]:
        return iter(())

    for name, module in list(sys.modules.items()):
        if name == charterplan.check.__name__ or name.startswith(
                charterplan.check.__name__ + "."):
            for attribute, value in list(vars(module).items()):
                if value is target:
                    setattr(module, attribute, finds_nothing)


def run(tests: list[str], family: str | None, site: Path) -> tuple[int, int, float]:
    """Failing and passing test counts and seconds of one pytest run with ``family``
    switched off (None: nothing)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop(SWITCH, None)
    if family is not None:
        env[SWITCH] = family
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--ignore={OWN_TEST}", *tests], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (failed|passed|errors?)", tail)}
    if not counts:
        raise RuntimeError(f"pytest said nothing countable:\n{done.stdout}\n{done.stderr}")
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    return failed, counts.get("passed", 0), seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", action="append", metavar="PATH",
                        help="test files or folders to run (default: tests)")
    parser.add_argument("--family", action="append", metavar="NAME",
                        help="a family to switch off (default: each in turn)")
    args = parser.parse_args(argv)
    tests = args.tests or ["tests"]
    families = args.family or list(rules())
    unknown = set(families) - set(rules())
    if unknown:
        parser.error(f"unknown families {sorted(unknown)}; known: {', '.join(rules())}")
    print(f"tests: {' '.join(tests)}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="mutate-check-") as folder:
        site = Path(folder)
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        print("| family switched off | failing tests | s |\n|---|---|---|", flush=True)
        failed, passed, seconds = run(tests, None, site)
        print(f"| (none) | {failed} of {failed + passed} | {seconds:.0f} |")
        uncaught = ["(none) fails"] if failed else []
        for family in families:
            failed, passed, seconds = run(tests, family, site)
            print(f"| {family} | {failed} of {failed + passed} | {seconds:.0f} |", flush=True)
            if not failed:
                uncaught.append(family)
    if uncaught:
        print(f"not caught: {', '.join(uncaught)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
