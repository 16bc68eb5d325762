"""Offline rule families, each with sentences that must and must not trigger it."""

from __future__ import annotations

import pytest

from tests.conftest import critique


def kinds_on(found: list[tuple[str, str]], needle: str) -> set[str]:
    return {kind for kind, text in found if needle in text}


@pytest.mark.parametrize(
    ("sentence", "persona"),
    [
        ("We compare \\sys{} against PyTorch eager mode on one GPU.", "inference-accelerators"),
        ("Our baseline is the HuggingFace Transformers default KV cache.", "kv-cache-memory"),
        ("The baseline is DDP without mixed precision or clipping.", "hw-training-codesign"),
    ],
)
def test_weak_baseline_is_flagged(reviewers, sentence: str, persona: str) -> None:
    found, _ = critique(reviewers, sentence, [persona])
    assert "hidden-baseline" in kinds_on(found, sentence.split()[1])


def test_strong_baseline_is_not_flagged(reviewers) -> None:
    body = "We compare \\sys{} against TensorRT-LLM and vLLM, both tuned, on the same GPUs."
    found, _ = critique(reviewers, body, ["inference-accelerators"])
    assert "hidden-baseline" not in kinds_on(found, "compare")


@pytest.mark.parametrize(
    "sentence",
    [
        "Our scheduler adaptively picks the tile size for every layer.",
        "A small learned predictor decides which blocks to keep.",
        "The runtime intelligently places pages across HBM and host memory.",
    ],
)
def test_vague_mechanism_is_flagged(reviewers, sentence: str) -> None:
    found, _ = critique(reviewers, f"\\section{{Design}}\n{sentence}", ["inference-accelerators"])
    assert "mechanism" in kinds_on(found, sentence[:20])


@pytest.mark.parametrize(
    "sentence",
    [
        "Our scheduler picks the tile size with a greedy rule on the modeled latency of Eq. 2, "
        "which costs 3 µs per layer.",
        "Prior systems adaptively evict tokens [cite] to save memory.",
    ],
)
def test_concrete_or_prior_mechanism_is_not_flagged(reviewers, sentence: str) -> None:
    found, _ = critique(reviewers, sentence.replace("[cite]", "\\cite{x}"),
                        ["inference-accelerators"])
    assert "mechanism" not in kinds_on(found, sentence[:20])


def test_gain_below_the_persona_bar(reviewers) -> None:
    body = ("We propose \\sys{}, a tree-based speculative decoding engine with a draft model.\n"
            "\\sys{} is 1.3$\\times$ faster than autoregressive decoding.")
    found, _ = critique(reviewers, body, ["speculative-decoding"])
    assert "complexity-gain" in kinds_on(found, "1.3×")
    found, _ = critique(reviewers, body.replace("1.3", "2.6"), ["speculative-decoding"])
    assert "complexity-gain" not in kinds_on(found, "2.6×")


def test_toy_scale_for_distributed_training(reviewers) -> None:
    body = ("We propose \\sys{}, an asynchronous pipeline-parallel training schedule.\n"
            "We train GPT-3 with data and pipeline parallelism on 8 GPUs.")
    found, _ = critique(reviewers, body, ["distributed-training"])
    assert "hidden-baseline" in kinds_on(found, "8 GPUs")
    found, _ = critique(reviewers, body.replace("8 GPUs", "512 GPUs"), ["distributed-training"])
    assert "hidden-baseline" not in kinds_on(found, "512 GPUs")


def test_batch_size_one_only(reviewers) -> None:
    body = ("We propose \\sys{}, which offloads cold KV blocks to host memory.\n"
            "All results use batch size 1.")
    found, _ = critique(reviewers, body, ["kv-cache-memory"])
    assert kinds_on(found, "batch size 1") & {"hidden-baseline", "corner-case"}
    swept = body.replace("batch size 1", "batch sizes 1, 8, 32 and 64")
    found, _ = critique(reviewers, swept, ["kv-cache-memory"])
    assert "hidden-baseline" not in kinds_on(found, "batch sizes")


def test_parity_without_evidence(reviewers) -> None:
    body = "We propose \\sys{}. \\sys{} matches the accuracy of the FP16 model."
    found, _ = critique(reviewers, body, ["inference-accelerators"])
    assert "evidence" in kinds_on(found, "matches the accuracy")
    shown = body.replace("model.", "model (perplexity 5.47 vs 5.46 on WikiText, per-task "
                                   "MMLU within 0.2 points).")
    found, _ = critique(reviewers, shown, ["inference-accelerators"])
    assert "evidence" not in kinds_on(found, "matches the accuracy")


def test_delta_audit_names_the_prior_system_by_mechanism(reviewers) -> None:
    body = ("\\section{Design}\nWe keep the heavy hitters, the tokens with the highest "
            "accumulated attention scores, and evict the others once the KV cache budget is full.")
    _, result = critique(reviewers, body, ["kv-cache-memory"])
    delta = [o for o in result.objections if o.kind == "delta-audit"]
    assert delta and "H2O" in delta[0].prior_names
    assert "H2O" in delta[0].message


def test_parameter_change_of_a_named_system_is_a_config_change(reviewers) -> None:
    body = "\\section{Design}\nWe use a block size of 32 tokens where vLLM uses 16."
    found, result = critique(reviewers, body, ["kv-cache-memory"])
    delta = [o for o in result.objections if o.kind == "delta-audit"]
    assert delta, found
    assert "not a" in delta[0].message or "configuration" in delta[0].message


def test_background_sentence_gets_no_delta(reviewers) -> None:
    body = ("H2O keeps heavy hitters and evicts the rest of the KV cache~\\cite{h2o}.\n"
            "We study when that helps.")
    found, _ = critique(reviewers, body, ["kv-cache-memory"])
    assert "delta-audit" not in kinds_on(found, "H2O keeps")


def test_corner_case_raised_unless_addressed(reviewers) -> None:
    body = ("We propose \\sys{}, which compresses the KV cache of long prompts.\n"
            "\\sys{} evicts tokens with low attention scores.")
    found, _ = critique(reviewers, body, ["kv-cache-memory"])
    cases = [text for kind, text in found if kind == "corner-case"]
    assert cases
    addressed = body + ("\nWe evaluate prefix caching, needle-in-a-haystack retrieval at 128K "
                        "tokens, bursty traffic, multi-turn conversations and beam search forks.")
    _, result = critique(reviewers, addressed, ["kv-cache-memory"])
    messages = " ".join(o.message.lower() for o in result.objections if o.kind == "corner-case")
    for topic in ("prefix", "needle", "burst"):
        assert topic not in messages


def test_one_mirror_on_the_main_contribution(reviewers) -> None:
    body = ("Memory limits serving.\nWe propose \\sys{}, which tiers the KV cache.\n"
            "We also propose a scheduler.\n\\sys{} is 2.5$\\times$ faster than vLLM.")
    _, result = critique(reviewers, body, ["kv-cache-memory", "inference-accelerators"])
    mirrors = [o for o in result.objections if o.kind == "mirror"]
    assert len(mirrors) == 1
    assert "tiers the KV cache" in mirrors[0].message
    assert "2.5×" in mirrors[0].message and mirrors[0].severity == "hint"
    assert mirrors[0].related


def test_same_kind_same_sentence_from_two_personas_is_one_objection(reviewers) -> None:
    body = "We compare \\sys{} against PyTorch eager mode on HuggingFace Transformers."
    _, result = critique(reviewers, body, ["kv-cache-memory", "inference-accelerators"])
    keys = [(o.sentence_id, o.kind) for o in result.objections]
    assert len(keys) == len(set(keys))


def test_every_objection_is_concrete(reviewers) -> None:
    body = ("We propose \\sys{}, which adaptively quantizes the KV cache to 2 bits.\n"
            "We compare against PyTorch eager with batch size 1.\n"
            "\\sys{} is 1.1$\\times$ faster and matches the quality of FP16.")
    _, result = critique(reviewers, body, ["kv-cache-memory"])
    assert result.objections
    for objection in result.objections:
        assert objection.message.strip() and objection.question.strip().endswith("?")
        assert "{" not in objection.message and "{" not in objection.question
