"""The public face of the package: what ``import charterplan`` gives."""

from __future__ import annotations

import subprocess
import sys

import charterplan
from charterplan.check import check_plan
from charterplan.io.output import write_outputs
from charterplan.io.plan_json import read_plan

HEAVY = ("ortools", "geopy", "networkx", "matplotlib", "sqlalchemy", "alembic", "pandas",
         "numpy", "openpyxl", "fpdf", "PIL")
"""Libraries that only planning, checking or writing files needs."""


def test_the_public_names_are_the_owning_modules_functions() -> None:
    """Each name in ``__all__`` is a plain attribute, the one its module defines (``plan``
    is the package's own: it loads the pipeline when first called)."""
    assert all(hasattr(charterplan, name) for name in charterplan.__all__)
    assert charterplan.plan.__module__ == "charterplan"
    assert charterplan.check_plan is check_plan
    assert charterplan.read_plan is read_plan
    assert charterplan.write_outputs is write_outputs
    assert not hasattr(charterplan, "__getattr__")


def test_the_version_is_the_installed_distributions() -> None:
    """``__version__`` comes from the package metadata, written once in pyproject.toml."""
    from importlib.metadata import version

    assert charterplan.__version__ == version("charterplan")


def test_importing_the_package_or_the_command_line_loads_no_heavy_library() -> None:
    """``import charterplan`` (and the CLI module, which refuses bad input before
    planning) stays cheap: none of the solver, geometry, plotting, office or database
    libraries is loaded, so bad input is reported at once."""
    code = ("import sys, charterplan, charterplan.cli\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
