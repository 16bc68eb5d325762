"""Rules every skeptical reviewer applies, spoken by the most relevant persona."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from skeptic.critique.catalog import Catalog
from skeptic.critique.context import Draft, kept, lexicon
from skeptic.critique.offline.bars import gains
from skeptic.critique.offline.corners import corner_cases
from skeptic.critique.offline.delta import names_in
from skeptic.critique.offline.findings import GENERIC_RULE, Finding, fill, number
from skeptic.critique.offline.flags import red_flags
from skeptic.personas.model import CornerCase, Persona, RedFlag


@dataclass(frozen=True)
class GenericFlag:
    """A red flag of ``data/rules.toml``, with its generic-only conditions."""

    flag: RedFlag
    with_gain: bool = False
    with_baseline: bool = False


@cache
def generic_flags() -> tuple[GenericFlag, ...]:
    """The generic red flags of ``data/rules.toml``."""
    return tuple(
        GenericFlag(
            RedFlag(id=raw["id"], kind=raw["kind"], match=tuple(m.lower() for m in raw["match"]),
                    unless=tuple(u.lower() for u in raw["unless"]), when=(),
                    message=raw["message"], question=raw["question"],
                    absent=tuple(a.lower() for a in raw.get("absent", ()))),
            with_gain=bool(raw.get("with_gain", False)),
            with_baseline=bool(raw.get("with_baseline", False)),
        )
        for raw in lexicon()["generic"]["flags"]
    )


def about_baselines(draft: Draft, catalog: Catalog) -> set[int]:
    """Sentences about a baseline: they say so, or name a prior system or a baseline (and
    do not position the draft against prior work: "X [cite] does A; we do B")."""
    return {i for i in range(len(draft.sentences)) if _about_baseline(draft, i, catalog)}


def _about_baseline(draft: Draft, i: int, catalog: Catalog) -> bool:
    return kept(draft.locals[i].memo, "about-baseline", (catalog,),
                lambda: _about(draft, i, catalog))


def _about(draft: Draft, i: int, catalog: Catalog) -> bool:
    rules = lexicon()["delta"]
    hits = draft.hits[i]
    return bool((any(w in hits for w in rules["baseline_words"]) or names_in(draft, i, catalog)
                 or any(f.kind == "baseline" for f in draft.sentences[i].facts))
                and not any(w in hits for w in rules["positioning"]))


def batch_one_only(draft: Draft, persona: Persona) -> Iterator[Finding]:
    """Every batch size the draft reports is 1."""
    sizes = [(i, f) for i, f in draft.facts("batch-size") if f.value is not None]
    if not sizes or max(f.value for _, f in sizes) > 1:
        return
    rule = lexicon()["generic"]["batch"][0]
    i, fact = sizes[0]
    message = fill(rule["message"], persona, value=number(fact.value))
    yield Finding(rule["kind"], persona, i, message, fill(rule["question"], persona),
                  GENERIC_RULE)


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def short_runs(draft: Draft, persona: Persona) -> Iterator[Finding]:
    """A training draft whose own runs are shorter than the rule's ``max`` steps."""
    rule = lexicon()["generic"]["short_runs"][0]
    if not draft.has(rule["when"]):
        return
    for i, sentence in enumerate(draft.sentences):
        if draft.background[i] or not draft.own[i]:
            continue
        for m in _pattern(rule["pattern"]).finditer(sentence.text):
            steps = float(m.group("value").replace(",", "")) * (1000 if m.group("thousands")
                                                                 else 1)
            if 0 < steps < rule["max"]:
                values = {"value": number(steps)}
                yield Finding(rule["kind"], persona, i, fill(rule["message"], persona, **values),
                              fill(rule["question"], persona, **values), GENERIC_RULE)
                return


def cost_unstated(draft: Draft, persona: Persona) -> Iterator[Finding]:
    """The design adds a component (a predictor, a kernel, hardware) but no cost is stated."""
    rule = lexicon()["generic"]["cost"][0]
    if draft.has(rule["costs"]):
        return
    for i in range(len(draft.sentences)):
        match = draft.found(i, rule["components"]) if draft.own[i] else None
        if match is not None and not draft.background[i]:
            yield Finding(rule["kind"], persona, i, fill(rule["message"], persona, match=match),
                          fill(rule["question"], persona, match=match), GENERIC_RULE)
            return


@cache
def generic_cases() -> tuple[CornerCase, ...]:
    """The generic corner cases of ``data/rules.toml``."""
    cases = []
    for raw in lexicon()["generic"]["corner_cases"]:
        when = tuple(w.lower() for w in raw["when"])
        cases.append(CornerCase(
            id=raw["id"], title=raw["title"], when=when,
            anchor=tuple(a.lower() for a in raw.get("anchor", when)),
            addressed=tuple(a.lower() for a in raw["addressed"]),
            message=raw["message"], question=raw["question"]))
    return tuple(cases)


def generic(draft: Draft, persona: Persona, catalog: Catalog, system_names: set[str]
            ) -> Iterator[Finding]:
    """Every generic rule, spoken by ``persona``."""
    gain_sentences = {i for i, _, _ in gains(draft)}
    baseline_sentences = about_baselines(draft, catalog)
    for generic_flag in generic_flags():
        only = (gain_sentences if generic_flag.with_gain
                else baseline_sentences if generic_flag.with_baseline else None)
        yield from red_flags(draft, persona, [generic_flag.flag], GENERIC_RULE, only)
    yield from batch_one_only(draft, persona)
    yield from short_runs(draft, persona)
    yield from cost_unstated(draft, persona)
    yield from corner_cases(draft, persona, system_names, generic_cases(), GENERIC_RULE)
