"""Write a price table so that an interrupted or failed update never leaves a damaged file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml


def write_table_atomically(path: Path, key: str, rows: list[dict], header: str) -> None:
    """Write `{key: rows}` as YAML to a temporary file beside `path`, then rename it into place.

    The rename is atomic on POSIX and Windows file systems, so readers see
    either the old table or the new one, never a partial file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = header + yaml.safe_dump({key: rows}, sort_keys=False, allow_unicode=True, width=110)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
