"""Count tokens for a model: exactly with its public encoding, or as a labelled estimate."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tco.pricing.schema import TokenizerSpec
from tco.tokens.encodings import encoded_lengths, get_encoding
from tco.tokens.mistral import count_with_mistral, mistral_processor

# OpenAI's cookbook ("How to count tokens with tiktoken") counts chat framing
# for gpt-3.5-turbo-0613 and later models as 3 tokens per message, 1 more per
# `name` field, and 3 to prime the assistant's reply.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
TOKENS_TO_PRIME_REPLY = 3


# Sized for a split workload: tasks x templates x tokenizers distinct text lists, counted again in each sweep step.
@functools.lru_cache(maxsize=512)
def _mistral_lengths(version: str, texts: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(count_with_mistral(version, texts))


@functools.lru_cache(maxsize=512)
def _encoded_lengths(encoding_name: str, texts: tuple[str, ...]) -> np.ndarray:
    """Count tokens of each text with a verified encoding; repeated calls on the same texts are cached."""
    counts = np.asarray(encoded_lengths(get_encoding(encoding_name), list(texts)), dtype=np.int64)
    counts.flags.writeable = False
    return counts


@dataclass(frozen=True)
class TokenCounter:
    """A token counter that follows `spec` and labels how exact its count is."""

    spec: TokenizerSpec

    @property
    def uses_mistral(self) -> bool:
        return self.spec.mistral_common is not None and mistral_processor(self.spec.mistral_common) is not None

    @property
    def exact(self) -> bool:
        return self.uses_mistral or self.spec.exact

    @property
    def label(self) -> str:
        """A short description such as `o200k_base` or `estimate: o200k_base x 1.16`."""
        if self.uses_mistral:
            return f"mistral-common {self.spec.mistral_common}"
        if self.spec.chars_per_token is not None:
            label = f"estimate: {self.spec.chars_per_token:g} characters per token"
        elif self.spec.ratio is not None:
            label = f"estimate: {self.spec.encoding} x {self.spec.ratio:g}"
        else:
            return str(self.spec.encoding)
        if self.spec.mistral_common is not None:
            label += " (install the 'mistral' extra for an exact count)"
        return label

    @property
    def encoding_name(self) -> str | None:
        if self.uses_mistral:
            return f"mistral-common {self.spec.mistral_common}"
        return self.spec.encoding

    def count(self, texts: Sequence[str]) -> np.ndarray:
        """Return one token count per text; special-token strings are counted as ordinary text.

        Estimated counts are rounded to whole tokens per text.
        """
        if len(texts) == 0:
            return np.zeros(0, dtype=np.int64)
        # Prompts repeat: every row of a template shares its system message, and labels take few values.
        # Each distinct text is encoded once.
        distinct = dict.fromkeys(texts)
        if len(distinct) < len(texts):
            positions = {text: number for number, text in enumerate(distinct)}
            counts = self.count(list(distinct))
            return counts[np.fromiter(map(positions.__getitem__, texts), dtype=np.int64, count=len(texts))]
        if self.uses_mistral:
            return np.asarray(_mistral_lengths(self.spec.mistral_common, tuple(texts)), dtype=np.int64)
        if self.spec.chars_per_token is not None:
            lengths = np.fromiter((len(text) for text in texts), dtype=float, count=len(texts))
            return np.ceil(lengths / self.spec.chars_per_token).astype(np.int64)

        counts = _encoded_lengths(self.spec.encoding, tuple(texts))
        if self.spec.ratio is not None:
            return np.rint(counts * self.spec.ratio).astype(np.int64)
        return counts.copy()

    def count_one(self, text: str) -> int:
        return int(self.count([text])[0])

    def count_messages(self, messages: Sequence[dict[str, str]]) -> int:
        """Count a chat prompt with OpenAI's framing: per message, per name and to prime the reply."""
        total = TOKENS_TO_PRIME_REPLY
        for message in messages:
            total += TOKENS_PER_MESSAGE
            values = [str(value) for value in message.values()]
            total += int(self.count(values).sum())
            if "name" in message:
                total += TOKENS_PER_NAME
        return total


def counter_for_encoding(name: str) -> TokenCounter:
    """Return an exact counter for a tiktoken encoding name."""
    return TokenCounter(TokenizerSpec(encoding=name))
