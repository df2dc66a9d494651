"""The public face of the package: what ``import charterplan`` gives."""

from __future__ import annotations

import charterplan
from charterplan.check import check_plan
from charterplan.io.output import write_outputs
from charterplan.io.plan_json import read_plan
from charterplan.pipeline import plan


def test_the_public_names_are_the_owning_modules_functions() -> None:
    """Each name in ``__all__`` is a plain attribute, the one its module defines."""
    assert all(hasattr(charterplan, name) for name in charterplan.__all__)
    assert charterplan.plan is plan
    assert charterplan.check_plan is check_plan
    assert charterplan.read_plan is read_plan
    assert charterplan.write_outputs is write_outputs
    assert not hasattr(charterplan, "__getattr__")


def test_the_version_is_the_installed_distributions() -> None:
    """``__version__`` comes from the package metadata, written once in pyproject.toml."""
    from importlib.metadata import version

    assert charterplan.__version__ == version("charterplan")
