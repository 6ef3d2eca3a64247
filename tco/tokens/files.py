"""Find the text files below a path and count their tokens, batch by batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tco.errors import DataFileError
from tco.tokens.counter import TokenCounter

BATCH_FILES = 256
_BINARY_PROBE_BYTES = 8192


@dataclass(frozen=True)
class FileCount:
    path: str
    tokens: int
    characters: int


def _read_text(path: Path) -> str | None:
    """Return a file's text, or None when it is binary or not UTF-8."""
    data = path.read_bytes()
    if b"\0" in data[:_BINARY_PROBE_BYTES]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def text_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Expand files and folders into (text files, skipped files), sorted per argument."""
    found: list[Path] = []
    candidates: list[Path] = []
    for path in paths:
        if path.is_dir():
            candidates.extend(sorted(child for child in path.rglob("*") if child.is_file()))
        elif path.is_file():
            if _read_text(path) is None:
                raise DataFileError(f"{path}: not a UTF-8 text file, so it has no tokens to count")
            candidates.append(path)
        else:
            raise DataFileError(f"{path}: no such file or folder")
    skipped = []
    for candidate in candidates:
        (found if _read_text(candidate) is not None else skipped).append(candidate)
    return found, skipped


def count_files(
    files: list[Path],
    counter: TokenCounter,
    as_message: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> list[FileCount]:
    """Count each file's text as ordinary text, or as one user chat message with `as_message`.

    Files are read and encoded in batches through tiktoken's batch API;
    `on_batch` is called with the number of files done in each batch.
    """
    results: list[FileCount] = []
    for start in range(0, len(files), BATCH_FILES):
        batch = files[start : start + BATCH_FILES]
        texts = [_read_text(path) or "" for path in batch]
        if as_message:
            counts = [counter.count_messages([{"role": "user", "content": text}]) for text in texts]
        else:
            counts = counter.count(texts).tolist()
        for path, text, tokens in zip(batch, texts, counts):
            results.append(FileCount(str(path), int(tokens), len(text)))
        if on_batch is not None:
            on_batch(len(batch))
    return results
