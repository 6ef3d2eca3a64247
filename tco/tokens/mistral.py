"""Mistral's own tokenizers, from the optional `mistral-common` package (the `mistral` extra).

mistral-common ships its tokenizer files inside its wheel, so loading them
reads no network. It is optional because it pins numpy below 2.4 on Python
3.12 and older and brings pillow, requests and jsonschema with it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=None)
def mistral_encoder(version: str) -> Callable[[str], list[int]] | None:
    """Return a function encoding text without BOS/EOS, or None when mistral-common is not installed."""
    try:
        from mistral_common.tokens.tokenizers.mistral import MistralTokenizer
    except ImportError:
        logger.info("mistral-common is not installed; Mistral token counts fall back to an estimate")
        return None

    tokenizer = getattr(MistralTokenizer, version)().instruct_tokenizer.tokenizer

    def encode(text: str) -> list[int]:
        return tokenizer.encode(text, bos=False, eos=False)

    return encode


def count_with_mistral(version: str, texts: Sequence[str]) -> list[int] | None:
    """Count each text with Mistral's tokenizer `version`, or return None when it is unavailable."""
    encode = mistral_encoder(version)
    if encode is None:
        return None
    return [len(encode(text)) for text in texts]
