"""The offline critique keeps per-sentence results between runs: after any edit, a run with
those caches warm must equal a run of a fresh engine on the same project (objections,
their order and fingerprints, the personas chosen)."""

from __future__ import annotations

import pickle
import random
import re
import sys

import pytest

from skeptic.critique.pipeline import Critique, Reviewers, critique_offline
from skeptic.settings import Settings
from tests.conftest import REPO, project_from

sys.path.insert(0, str(REPO / "bench"))
from paper import generate

DRAFTS = ["kvcache", "quantaccel", "sparse24", "specdec", "wellscoped-serving"]
PERSONAS = ["distributed-training", "hw-training-codesign", "inference-accelerators",
            "kv-cache-memory", "speculative-decoding"]
WORDS = ["adaptively", "intelligently", "baseline", "PagedAttention", "vLLM", "we", "our",
         "[cite]", "2.4x", "12%", "faster", "reduces", "eviction", "block size", "instead of",
         "prefetching", "host memory", "batch size 1", "8 GPUs", "lines of", "existing",
         "future work", "outperforms", "quantization", "speculative", "tree", "tokens"]
SENTENCES = ["We propose a scheduler that adaptively evicts KV blocks to host memory.",
             "Unlike vLLM [cite], we use a larger block size of 64 tokens.",
             "Our design improves throughput by 2.1x over HuggingFace Transformers.",
             "We evaluate on 8 A100 GPUs with batch size 1.",
             "Existing systems typically offload the KV cache to CPU memory.",
             "This is left to future work.",
             "Medusa adds decoding heads, while vLLM pages the KV cache like PagedAttention."]
TITLES = ["Related Work", "Evaluation", "Design", "Limitations", "Background", "Overview"]


def _fresh(reviewers: Reviewers) -> Reviewers:
    """The same reviewers with nothing cached (the caches are not pickled)."""
    return pickle.loads(pickle.dumps(reviewers))


def _summary(result: Critique) -> tuple[object, ...]:
    return (result.objections, result.messages,
            [(c.persona.id, c.score, c.selected, c.pinned) for c in result.choices])


def _edit(text: str, rng: random.Random) -> str:
    """One random edit: a word replaced, a sentence added or removed, a heading renamed,
    a system name defined."""
    body = text.index("\\begin{document}")
    words = [m for m in re.finditer(r"(?<![\\{])\b[a-z]{3,}\b", text) if m.start() > body]
    stops = [m.end() for m in re.finditer(r"\.\s", text) if m.start() > body]
    headings = list(re.finditer(r"\\(?:sub)*section\*?\{([^}]*)\}", text))
    choice = rng.randrange(6)
    if choice == 1 and stops:
        at = rng.choice(stops)
        return text[:at] + rng.choice(SENTENCES) + " " + text[at:]
    if choice == 2 and len(stops) > 2:
        first = rng.randrange(len(stops) - 1)
        return text[:stops[first]] + text[stops[first + 1]:]
    if choice == 3 and headings:
        heading = rng.choice(headings)
        return text[:heading.start(1)] + rng.choice(TITLES) + text[heading.end(1):]
    if choice == 4:
        defined = re.search(r"\\newcommand\{\\sysx\}\{\w+\}\n", text)
        if defined:
            return text[:defined.start()] + text[defined.end():]
        name = rng.choice(["vLLM", "PagedAttention", "Medusa"])
        return text[:body] + f"\\newcommand{{\\sysx}}{{{name}}}\n" + text[body:]
    if choice == 5 and stops:
        at = rng.choice(stops)
        return text[:at] + "\n\n" + "\n".join(rng.sample(SENTENCES, 2)) + "\n\n" + text[at:]
    word = rng.choice(words)
    return text[:word.start()] + rng.choice(WORDS) + text[word.end():]


def _texts() -> list[tuple[str, str]]:
    found = [(name, (REPO / "bench" / "quality" / name / "main.tex").read_text("utf-8"))
             for name in DRAFTS]
    return [*found, ("generated", generate(12_000))]


@pytest.mark.parametrize(("name", "text"), _texts(), ids=[n for n, _ in _texts()])
def test_incremental_critique_equals_a_fresh_one(reviewers, name, text) -> None:
    rng = random.Random(name)
    warm = _fresh(reviewers)
    for step in range(30):
        text = _edit(text, rng)
        project = project_from({"main.tex": text})
        pinned = PERSONAS if step % 3 == 2 else ()
        settings = Settings({"maxPersonas": 1 + step % 3})
        again = critique_offline(project, warm, settings, pinned)
        fresh = critique_offline(project, _fresh(reviewers), settings, pinned)
        assert _summary(again) == _summary(fresh), f"{name}, edit {step + 1}"


def test_the_cache_is_bounded_and_not_pickled(reviewers) -> None:
    from skeptic.critique import context

    warm = _fresh(reviewers)
    critique_offline(project_from({"main.tex": generate(6_000)}), warm, Settings())
    assert warm.offline.index._cache
    assert not _fresh(warm).offline.index._cache
    assert context._CACHE_LIMIT <= 50_000


def test_an_evaluation_added_elsewhere_answers_a_kept_delta_audit(reviewers) -> None:
    """A design sentence's Delta finding is kept with the sentence; comparing against the
    system it resembles, in another section, must still withdraw it."""
    head = "\\documentclass{article}\\begin{document}\n\\section{Design}\n"
    design = ("We propose an allocator that stores the KV cache in fixed-size blocks mapped "
              "through a per-sequence block table, nearly removing fragmentation.\n\n")
    evaluation = ("\\section{Evaluation}\nWe compare against vLLM and PagedAttention on 8 A100 "
                  "GPUs with batch sizes from 1 to 64.\n")
    settings = Settings({"maxPersonas": 5})
    warm = _fresh(reviewers)
    results = []
    for text in (head + design, head + design + evaluation):
        project = project_from({"main.tex": text + "\\end{document}"})
        results.append(critique_offline(project, warm, settings))
        assert _summary(results[-1]) == _summary(
            critique_offline(project, _fresh(reviewers), settings))
    audits = [[o for o in r.objections if o.kind == "delta-audit"] for r in results]
    assert audits[0] and not audits[1]
