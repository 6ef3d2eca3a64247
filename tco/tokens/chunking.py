"""Split documents into chunks of a fixed number of tokens, with overlap, as retrieval indexes them."""

from __future__ import annotations

import functools

from tco.errors import DataFileError
from tco.tokens.counter import TokenCounter
from tco.tokens.encodings import get_encoding


def chunk_documents(texts: list[str], counter: TokenCounter, chunk_tokens: int, overlap_tokens: int) -> list[str]:
    """Cut each text into windows of `chunk_tokens` tokens that start every chunk - overlap tokens.

    Windows are cut on the counter's own encoding and decoded back to text,
    so each chunk is exactly `chunk_tokens` embedding tokens (the last of a
    document may be shorter).
    """
    if counter.encoding_name not in ("o200k_base", "cl100k_base"):
        raise DataFileError(f"chunking needs a tiktoken encoding; the embedding model counts with {counter.label}")
    return list(_chunks(tuple(texts), counter.encoding_name, chunk_tokens, overlap_tokens))


# A sweep or sensitivity run chunks the same documents at every step.
@functools.lru_cache(maxsize=16)
def _chunks(texts: tuple[str, ...], encoding_name: str, chunk_tokens: int, overlap_tokens: int) -> tuple[str, ...]:
    encoding = get_encoding(encoding_name)
    step = chunk_tokens - overlap_tokens
    chunks = []
    for tokens in encoding.encode_ordinary_batch(texts, num_threads=4):
        for start in range(0, max(1, len(tokens) - overlap_tokens), step):
            window = tokens[start : start + chunk_tokens]
            if window:
                chunks.append(encoding.decode(window))
    return tuple(chunks)
