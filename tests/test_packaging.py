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


def test_every_data_file_is_packaged():
    import fnmatch

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for folder, package in (("pricing", "tco.bundled.pricing"), ("scenarios", "tco.bundled.scenarios")):
        patterns = package_data[package]
        for path in (ROOT / folder).rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts or path.name == "__init__.py":
                continue
            relative = path.relative_to(ROOT / folder).as_posix()
            matched = any(
                fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern.replace("**/", ""))
                for pattern in patterns
            )
            assert matched, (
                f"{folder}/{relative} is not in the wheel: add a pattern for it to package-data of {package}"
            )
