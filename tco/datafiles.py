"""Read YAML data files and turn validation failures into readable errors."""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from tco.errors import DataFileError

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
# PyYAML's wheels bundle libyaml; its loader parses the price tables about ten times faster than the Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader, in C where PyYAML was built with libyaml."""
    return yaml.load(text, Loader=_LOADER)


def read_yaml(path: Traversable | Path, error_type: type[DataFileError] = DataFileError) -> Any:
    """Parse a YAML file, raising `error_type` that names the file on any failure."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise error_type(f"{path}: file not found") from error
    except (OSError, UnicodeDecodeError) as error:
        raise error_type(f"{path}: cannot be read ({error})") from error
    try:
        return parse_yaml(text)
    except yaml.YAMLError as error:
        raise error_type(f"{path}: invalid YAML: {error}") from error


def describe_location(data: Any, location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location such as `models[3].input_usd_per_mtok`.

    Where a list item has a `name` or `model` key, it is shown too, so a
    reader finds the row without counting.
    """
    parts: list[str] = []
    node = data
    for key in location:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
                if isinstance(node, dict):
                    row_name = node.get("name") or node.get("model")
                    if row_name is not None:
                        label += f" ({row_name})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def validate(
    model_type: type[ModelT],
    data: Any,
    path: Traversable | Path,
    error_type: type[DataFileError] = DataFileError,
) -> ModelT:
    """Validate `data` read from `path`; every failure names the file, field and value."""
    try:
        return model_type.model_validate(data)
    except pydantic.ValidationError as error:
        lines = []
        for item in error.errors():
            where = describe_location(data, item["loc"])
            value = item.get("input")
            shown = "" if isinstance(value, (dict, list)) else f" (value: {value!r})"
            lines.append(f"  field {where}: {item['msg']}{shown}")
        raise error_type(f"{path}: invalid data\n" + "\n".join(lines)) from error


def load(
    model_type: type[ModelT],
    path: Traversable | Path,
    error_type: type[DataFileError] = DataFileError,
) -> ModelT:
    """Read and validate one YAML file as `model_type`."""
    return validate(model_type, read_yaml(path, error_type), path, error_type)
