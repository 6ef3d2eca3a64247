"""The wheel lists every package of the source tree, so an installed tco imports what a checkout does."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_packaged():
    configured = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    in_tree = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "tco").rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    missing = in_tree - configured
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
