"""Red flags: phrases that make a persona object (weak baselines, vague mechanisms, ...)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from skeptic.critique.context import Draft, lexicon
from skeptic.critique.offline.delta import design_sentences
from skeptic.critique.offline.findings import Finding, fill
from skeptic.personas.model import Persona, RedFlag

_OWN_ONLY = ("mechanism", "evidence", "complexity-gain")


def _has_number(draft: Draft, i: int) -> bool:
    return any(f.kind == "number" for f in draft.sentences[i].facts)


def defused(draft: Draft, i: int, unless: Iterable[str]) -> bool:
    """True when sentence ``i`` holds one of the ``unless`` terms (``#``: any number)."""
    hits = draft.hits[i]
    return any(term in hits or (term == "#" and _has_number(draft, i)) for term in unless)


def _rules_only(unless: Iterable[str]) -> list[str]:
    comparators = set(lexicon()["mechanism"]["comparators"])
    return [term for term in unless if term not in comparators]


def red_flags(draft: Draft, persona: Persona, flags: Iterable[RedFlag], priority: int,
              only: Collection[int] | None = None) -> Iterator[Finding]:
    """Every sentence that contains a flag's phrase, unless the detail is given (for a
    vague mechanism, in that sentence or the next one of the paragraph; and a mechanism
    is only looked for in design sentences, not in setup or results); a flag applies
    to drafts that mention one of its ``when`` terms (if any) and none of its ``absent``
    ones. ``only`` restricts the flags to those sentences."""
    design = set(design_sentences(draft))
    for flag in flags:
        if (flag.when and not draft.has(flag.when)) or (flag.absent and draft.has(flag.absent)):
            continue
        for i in sorted({i for term in flag.match for i in draft.where.get(term, ())}):
            if draft.background[i] or (flag.kind in _OWN_ONLY and not draft.own[i]):
                continue
            if flag.kind == "mechanism" and i not in design:
                continue
            if only is not None and i not in only:
                continue
            if defused(draft, i, flag.unless) or (
                    flag.kind == "mechanism" and draft.continues(i)
                    and defused(draft, i + 1, _rules_only(flag.unless))):
                continue
            match = draft.found(i, flag.match)
            yield Finding(flag.kind, persona, i, fill(flag.message, persona, match=match),
                          fill(flag.question, persona, match=match), priority)
