"""The Mirror: the persona's restatement of the core claim, on the main contribution."""

from __future__ import annotations

import re

from skeptic.critique.context import Draft, lexicon
from skeptic.critique.model import Related
from skeptic.critique.offline.bars import gains
from skeptic.critique.offline.findings import Finding, fill
from skeptic.personas.model import Persona

_PRONOUNS = [(r"\bWe\b", "you"), (r"\bwe\b", "you"), (r"\bOur\b", "your"), (r"\bour\b", "your"),
             (r"\bus\b", "you"), (r"\bThis paper\b", "the paper"), (r"\bthis paper\b", "the paper")]


def main_contribution(draft: Draft) -> int | None:
    """The first sentence where the author states their contribution (else a novelty claim)."""
    for kind in ("contribution", "novelty"):
        for i, sentence in enumerate(draft.sentences):
            if draft.own[i] and not draft.background[i] and kind in sentence.claim_kinds():
                return i
    return None


def _restate(text: str) -> str:
    for pattern, replacement in _PRONOUNS:
        text = re.sub(pattern, replacement, text)
    return text.rstrip(" .")


def _evidence(draft: Draft) -> tuple[str, list[int]]:
    claimed = gains(draft)
    if not claimed:
        return "", []
    i, fact, _ = max(claimed, key=lambda item: item[2])
    compared = [j for j in range(len(draft.sentences))
                if "comparison" in draft.claims(j) and draft.own[j]]
    baselines = [f.text for j in [i, *compared] for f in draft.sentences[j].facts
                 if f.kind == "baseline"]
    setup = [(j, f) for j, f in draft.facts("gpu-count") + draft.facts("batch-size")]
    template = lexicon()["mirror"]["evidence"]
    evidence = template.format(
        result=fact.text,
        baseline=f" over {baselines[0]}" if baselines else "",
        setup=f", measured with {setup[0][1].text}" if setup else "",
    )
    return evidence, [i, *(j for j, _ in setup[:1])]


def mirror(draft: Draft, persona: Persona) -> Finding | None:
    """The restatement finding, or None when the draft states no contribution."""
    i = main_contribution(draft)
    if i is None:
        return None
    rules = lexicon()["mirror"]
    evidence, cited = _evidence(draft)
    related = tuple(
        Related(draft.sentences[j].file, draft.sentences[j].start, draft.sentences[j].end,
                "the evidence for this claim")
        for j in dict.fromkeys(cited) if j != i
    )
    message = fill(rules["message"], persona, claim=_restate(draft.sentences[i].text),
                   evidence=evidence)
    return Finding("mirror", persona, i, message, fill(rules["question"], persona),
                   related=related)
