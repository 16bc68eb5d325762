"""Claim classification and fact extraction."""

from __future__ import annotations

import pytest

from skeptic.latex.claims import analyse


def kinds(text: str) -> set[str]:
    return {c.kind for c in analyse(text)[0]}


def facts(text: str) -> list[tuple[str, str, float | None, str | None]]:
    return [(f.kind, f.text, f.value, f.unit) for f in analyse(text)[1]]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We propose TierKV, a tiered KV cache.", {"contribution"}),
        ("This paper presents the first system to do X.", {"contribution", "novelty"}),
        ("TierKV is 2.4× faster than vLLM.", {"result", "comparison"}),
        ("Our allocator keeps hot blocks in HBM.", {"contribution", "mechanism"}),
        ("We evaluate on 8 A100 GPUs with batch size 32.", {"setup"}),
        ("Memory is scarce in long-context serving.", set()),
    ],
)
def test_claim_kinds(sentence: str, expected: set[str]) -> None:
    assert kinds(sentence) >= expected
    if not expected:
        assert kinds(sentence) == set()


def test_numbers_with_units() -> None:
    got = facts("It is 2.4× faster, 1.3x cheaper, cuts 15 µs and 30% memory, 4-bit weights, "
                "12 GB of HBM and 1,200 tok/s.")
    assert ("number", "2.4×", 2.4, "x") in got
    assert ("number", "1.3x", 1.3, "x") in got
    assert ("number", "15 µs", 15.0, "us") in got
    assert ("number", "30%", 30.0, "%") in got
    assert ("number", "4-bit", 4.0, "bit") in got
    assert ("number", "12 GB", 12.0, "GB") in got
    assert ("number", "1,200 tok/s", 1200.0, "tok/s") in got


def test_gpus_batch_sizes_baselines_and_models() -> None:
    got = facts("We run Llama-2-70B and Mixtral-8x7B on 64 H100 GPUs at batch sizes 1, 8 and 32 "
                "against PyTorch eager and TensorRT-LLM, not ResNet-50.")
    kinds_found = {(k, t) for k, t, _, _ in got}
    assert ("gpu-count", "64 H100 GPUs") in kinds_found
    assert ("hardware", "H100") in kinds_found
    assert {v for k, _, v, _ in got if k == "batch-size"} == {1.0, 8.0, 32.0}
    assert ("baseline", "PyTorch eager") in kinds_found
    assert ("baseline", "TensorRT-LLM") in kinds_found
    assert {t for k, t, _, _ in got if k == "model"} == {"Llama-2-70B", "Mixtral-8x7B",
                                                          "ResNet-50"}
    assert not any(k == "number" and t.endswith("B") for k, t, _, _ in got)


def test_single_gpu_and_model_sizes_are_not_numbers() -> None:
    got = facts("ExpertSwap serves Mixtral-8x7B on a single 24 GB GPU.")
    assert ("gpu-count", "a single 24 GB GPU", 1.0, "GPU") in got
    assert all(k != "number" for k, *_ in got)
