"""Mistral's own tokenizers, from the files the optional `mistral-common` package ships (the `mistral` extra).

mistral-common ships its tokenizer files inside its wheel, so loading them
reads no network. It is optional because it pins numpy below 2.4 on Python
3.12 and older and brings pillow, requests and jsonschema with it.

The SentencePiece versions are read with `sentencepiece`, the library
mistral-common itself wraps: its `encode(text, bos=False, eos=False)` is the
processor's `encode(text)`, so the ids are the same. Going to the file
directly skips importing mistral-common (about 0.7 s) and encodes a whole
list of texts in one call.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path

from tco.errors import EncodingIntegrityError

logger = logging.getLogger(__name__)

# The file of each tokenizer version in mistral_common/data, as MistralTokenizer.v1() to .v7() name them.
SENTENCEPIECE_FILES = {
    "v1": "tokenizer.model.v1",
    "v2": "mistral_instruct_tokenizer_240216.model.v2",
    "v3": "mistral_instruct_tokenizer_240323.model.v3",
    "v7": "mistral_instruct_tokenizer_241114.model.v7",
}


def tokenizer_file(version: str) -> Path | None:
    """Return the path of a version's tokenizer file in the installed mistral-common, or None without the package.

    The package is located without importing it.
    """
    spec = importlib.util.find_spec("mistral_common")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / SENTENCEPIECE_FILES[version]


@functools.lru_cache(maxsize=None)
def mistral_processor(version: str):
    """Return a SentencePiece processor for `version`, or None when the `mistral` extra is not installed."""
    path = tokenizer_file(version)
    try:
        import sentencepiece
    except ImportError:
        path = None
    if path is None:
        logger.info("mistral-common is not installed; Mistral token counts fall back to an estimate")
        return None
    if not path.is_file():
        raise EncodingIntegrityError(
            f"Mistral tokenizer file {path} is missing; reinstall the 'mistral' extra (pip install 'tco[mistral]')"
        )
    return sentencepiece.SentencePieceProcessor(model_file=str(path))


def count_with_mistral(version: str, texts: Sequence[str]) -> list[int] | None:
    """Count each text with Mistral's tokenizer `version`, without BOS or EOS, or return None when it is unavailable."""
    processor = mistral_processor(version)
    if processor is None:
        return None
    return [len(ids) for ids in processor.encode(list(texts))]
