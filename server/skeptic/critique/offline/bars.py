"""Bars: a gain below what the persona accepts, or a scale below what it calls real."""

from __future__ import annotations

import re
from collections.abc import Iterator

from skeptic.critique.context import Draft, kept, lexicon
from skeptic.critique.offline.findings import Finding, fill, number
from skeptic.latex.model import Fact
from skeptic.personas.model import Bar, Persona

_SHARE = r"\s+of\b"  # after a percentage: a share, not a gain
_DIMENSION = r"\s*\d"  # after a ratio: a size ("128×128 array"), not a gain


def gains(draft: Draft) -> list[tuple[int, Fact, float]]:
    """(sentence, fact, improvement in %) for each gain the author claims for their work.

    A ratio (2.4×) counts as a gain in a result sentence; a percentage only in a
    sentence that speaks of a gain ("improves", "reduces", "faster", ...); neither when it
    is a size ("a 128×128 array") or a share ("only 1% of the entries").
    """
    if "gains" not in draft.memo:
        draft.memo["gains"] = [
            (i, fact, percent) for i in range(len(draft.sentences))
            if not draft.background[i] and draft.own[i]
            for fact, percent in sentence_gains(draft, i)]
    return draft.memo["gains"]


def sentence_gains(draft: Draft, i: int) -> list[tuple[Fact, float]]:
    """(fact, improvement in %) for each gain sentence ``i`` states (see :func:`gains`);
    kept with the sentence (the Delta audit asks too)."""
    facts = draft.sentences[i].facts
    return [(facts[n], percent) for n, percent in
            kept(draft.locals[i].memo, "gains", (), lambda: _sentence_gains(draft, i))]


def _sentence_gains(draft: Draft, i: int) -> list[tuple[int, float]]:
    """(index of the fact in the sentence, improvement in %) for each gain."""
    if "result" not in draft.claims(i):
        return []
    sentence = draft.sentences[i]
    speaks_of_gain = any(word in draft.hits[i] for word in lexicon()["gain"]["phrases"])
    found = []
    for n, fact in enumerate(sentence.facts):
        if fact.kind != "number" or fact.value is None:
            continue
        if (fact.unit == "x" and fact.value > 1
                and not re.search(re.escape(fact.text) + _DIMENSION, sentence.text)):
            found.append((n, (fact.value - 1) * 100))
        elif (fact.unit == "%" and speaks_of_gain and 0 < fact.value < 100
              and not re.search(re.escape(fact.text) + _SHARE, sentence.text)):
            found.append((n, fact.value))
    return found


def _largest(draft: Draft, kind: str) -> tuple[int, Fact] | None:
    facts = [(i, f) for i, f in draft.facts(kind) if f.value is not None]
    if not facts:
        return None
    return max(facts, key=lambda item: (item[1].value, -item[0]))


def bars(draft: Draft, persona: Persona) -> Iterator[Finding]:
    """A finding for each gain under a bar, and for a scale (GPUs, batch) under a bar."""
    for bar in persona.bars:
        if bar.when and not draft.has(bar.when):
            continue
        if bar.metric in ("speedup", "improvement"):
            yield from _gain_bar(persona, bar, gains(draft))
        else:
            largest = _largest(draft, "gpu-count" if bar.metric == "gpus" else "batch-size")
            if largest is not None and largest[1].value < bar.min:
                i, fact = largest
                value = number(fact.value) if bar.metric == "gpus" else (
                    f"batch size {number(fact.value)}")
                yield Finding(bar.kind, persona, i,
                              fill(bar.message, persona, value=value, bar=number(bar.min)),
                              fill(bar.question, persona, value=value, bar=number(bar.min)))


def _gain_bar(persona: Persona, bar: Bar, claimed: list[tuple[int, Fact, float]]
              ) -> Iterator[Finding]:
    reported: set[int] = set()
    for i, fact, percent in sorted(claimed, key=lambda item: item[2]):
        below = (1 + percent / 100 < bar.min) if bar.metric == "speedup" else percent < bar.min
        if below and i not in reported:
            reported.add(i)
            values = {"value": fact.text, "bar": number(bar.min)}
            yield Finding(bar.kind, persona, i, fill(bar.message, persona, **values),
                          fill(bar.question, persona, **values))
