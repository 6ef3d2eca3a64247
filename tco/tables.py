"""Data files (CSV) read as columns of text, the form templates and traces use.

A scenario's data are prompts, labels and timestamps: text that templates
fill in as is. Reading them with the standard csv module keeps pandas, whose
import alone takes longer than pricing a scenario, out of `tco run`.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tco.errors import DataFileError

# Fields longer than csv's default limit of 128 KiB occur in document corpora.
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class Table:
    """Rows of a CSV file as columns of strings, in file order; an empty cell is an empty string."""

    columns: dict[str, list[str]]
    _positions: dict[str, dict[str, list[int]]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def column(self, name: str) -> list[str]:
        return self.columns[name]

    def take(self, positions: Iterable[int]) -> Table:
        """Keep the rows at `positions`, in that order."""
        positions = list(positions)
        return Table({name: [values[position] for position in positions] for name, values in self.columns.items()})

    def head(self, count: int) -> Table:
        return Table({name: values[:count] for name, values in self.columns.items()})

    def where(self, column: str, values: frozenset[str] | set[str]) -> Table:
        """Keep the rows whose `column` is one of `values`, in file order."""
        if column not in self._positions:
            # Built once per column, so splitting a table into many tasks reads the column once.
            index: dict[str, list[int]] = {}
            for position, value in enumerate(self.columns[column]):
                index.setdefault(value, []).append(position)
            self._positions[column] = index
        index = self._positions[column]
        return self.take(sorted(position for value in values for position in index.get(value, ())))

    def first_per_group(self, column: str, count: int) -> Table:
        """Keep the first `count` rows of each distinct value of `column`, in file order."""
        seen: dict[str, int] = {}
        positions = []
        for position, value in enumerate(self.columns[column]):
            if seen.get(value, 0) < count:
                seen[value] = seen.get(value, 0) + 1
                positions.append(position)
        return self.take(positions)

    def with_column(self, name: str, values: Sequence[str]) -> Table:
        return Table({**self.columns, name: list(values)})


def read_table(path: Path) -> Table:
    """Read a CSV file with a header row; raise DataFileError naming the file and row on a malformed one.

    Blank lines are skipped, a UTF-8 byte-order mark is dropped, and a row
    with fewer cells than the header is padded with empty cells. A file read
    before and unchanged since (same size and modification time) is not read
    again, so sweeps and sensitivity runs read their data once. Tables are
    never changed in place.
    """
    version = file_version(path)
    return _read_table(path) if version is None else _read_unchanged(*version)


def file_version(path: Path) -> tuple[str, int, int] | None:
    """Return (resolved path, modification time in ns, size) as a cache key for a file's content, or None if absent."""
    try:
        status = Path(path).stat()
    except OSError:
        return None
    return str(Path(path).resolve()), status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=32)
def _read_unchanged(path: str, _mtime_ns: int, _size: int) -> Table:
    return _read_table(Path(path))


def _read_table(path: Path) -> Table:
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            # Strict: an unclosed quote is an error, not a field that swallows the rest of the file.
            reader = csv.reader(file, strict=True)
            header = next(reader, None)
            if not header:
                raise DataFileError(f"{path}: not a readable CSV file (no header row)")
            duplicates = sorted({name for name in header if header.count(name) > 1})
            if duplicates:
                raise DataFileError(f"{path}: column(s) {', '.join(duplicates)} appear more than once in the header")
            width = len(header)
            rows = list(reader)
            if any(len(row) != width for row in rows):
                rows = _fit_rows(rows, width, path)
    except FileNotFoundError as error:
        raise DataFileError(f"{path}: data file not found") from error
    except csv.Error as error:
        raise DataFileError(
            f"{path} line {reader.line_num}: not a readable CSV file ({error}); check for a quote that is not closed"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a readable CSV file ({error})") from error
    columns = zip(*rows) if rows else ([] for _ in header)
    return Table({name: list(values) for name, values in zip(header, columns)})


def _fit_rows(rows: list[list[str]], width: int, path: Path) -> list[list[str]]:
    """Drop blank lines and pad short rows with empty cells; a row with too many cells is an error."""
    fitted = []
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) > width:
            raise DataFileError(f"{path} row {number}: {len(row)} cells but the header names {width} columns")
        fitted.append(row + [""] * (width - len(row)))
    return fitted


def require_columns(table: Table, columns: Sequence[str], path: Path) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}; the file has {', '.join(table.names)}")
