"""The word-level phrase matcher shared by claims, personas and the catalog."""

from __future__ import annotations

import pytest

from skeptic.phrases import PhraseIndex


def found(phrases: list[str], text: str) -> list[str]:
    index = PhraseIndex()
    for phrase in phrases:
        index.add(phrase, phrase)
    return [text[h.start:h.end] for h in index.find(text)]


@pytest.mark.parametrize(
    ("phrase", "text", "match"),
    [
        ("prefetch", "It prefetches experts.", "prefetches"),
        ("cache", "Caching helps.", "Caching"),
        ("memory", "host memories", "memories"),
        ("kv-cache", "the KV cache grows", "KV cache"),
        ("kv cache", "the kv-caches grow", "kv-caches"),
        ("gpu", "eight GPUs", "GPUs"),
        ("# gpus", "on 256 GPUs today", "256 GPUs"),
        ("we .. propose", "We hereby also propose X", "We hereby also propose"),
        ("per-channel", "per channel scales", "per channel"),
    ],
)
def test_matches(phrase: str, text: str, match: str) -> None:
    assert found([phrase], text) == [match]


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("gpu", "gpuless"),
        ("kv", "kvstore"),
        ("we .. propose", "we a b c d propose"),
        ("host memory", "host and memory"),
        ("cache", "cash"),
    ],
)
def test_non_matches(phrase: str, text: str) -> None:
    assert found([phrase], text) == []


def test_spans_survive_unicode_whose_lower_case_is_longer() -> None:
    assert found(["scale"], "İİ scales") == ["scales"]
