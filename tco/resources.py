"""Locations of the data that ships with `tco`: price tables and scenarios.

In an installed wheel the top-level `pricing/` and `scenarios/` folders are
the packages `tco.bundled.pricing` and `tco.bundled.scenarios`, read through
`importlib.resources`. Run from a source checkout without installing, the
same folders are read beside the `tco` package.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


def _bundled(folder: str) -> Traversable:
    try:
        return importlib.resources.files(f"tco.bundled.{folder}")
    except ModuleNotFoundError:
        return _CHECKOUT_ROOT / folder


def pricing_dir() -> Traversable:
    """Return the folder of bundled price, GPU and model tables."""
    return _bundled("pricing")


def scenarios_dir() -> Traversable:
    """Return the folder of bundled scenarios."""
    return _bundled("scenarios")
