"""The corner-case torture test: hard cases of the persona's domain the draft skips."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from skeptic.critique.context import Draft
from skeptic.critique.offline.findings import PERSONA_RULE, Finding, fill
from skeptic.personas.model import CornerCase, Persona

MAX_CASES = 5


def anchors(draft: Draft, case: CornerCase) -> list[int]:
    """Sentences the case may sit on, best first: the author's own sentences holding the
    case's first anchor term (claims before others), then those holding the next term,
    and so on; then other sentences (not about prior work) that make the case relevant."""
    ranked = []
    for term in case.anchor:
        found = [i for i in draft.where.get(term, ())
                 if draft.own[i] and not draft.background[i]]
        ranked.extend(sorted(found, key=lambda i: (not draft.claims(i), i)))
    relevant = sorted({i for term in case.when for i in draft.where.get(term, ())})
    return list(dict.fromkeys(ranked + [i for i in relevant if not draft.background[i]]))


def open_cases(draft: Draft, cases: Iterable[CornerCase], system_names: set[str],
               taken: set[int] | None = None) -> list[tuple[int, CornerCase]]:
    """The most relevant cases (at most ``MAX_CASES``) the draft leaves open, each on its
    own sentence where the draft allows (sentences in ``taken`` are avoided, and the ones
    chosen are added to it). A case is relevant when the author's own sentences (not
    background) mention it; naming a prior system, or prior work's handling of the case,
    does not count as addressing it."""
    ranked = []
    for order, case in enumerate(cases):
        strength = sum(1 for term in set(case.when) if any(
            draft.own[i] and not draft.background[i] for i in draft.where.get(term, ())))
        addressed = [term for term in case.addressed if term not in system_names]
        if not strength or any(not draft.background[i] for term in addressed
                               for i in draft.where.get(term, ())):
            continue
        places = anchors(draft, case)
        if places:
            ranked.append((-strength, order, places, case))
    used = taken if taken is not None else set()
    chosen = []
    for _, _, places, case in sorted(ranked, key=lambda item: item[:2])[:MAX_CASES]:
        i = next((p for p in places if p not in used), places[0])
        used.add(i)
        chosen.append((i, case))
    return chosen


def corner_cases(draft: Draft, persona: Persona, system_names: set[str],
                 cases: Iterable[CornerCase] | None = None, priority: int = PERSONA_RULE
                 ) -> Iterator[Finding]:
    """Findings for the open cases of ``persona`` (or ``cases``, spoken by the persona)."""
    for i, case in open_cases(draft, persona.corner_cases if cases is None else cases,
                              system_names):
        yield Finding("corner-case", persona, i, fill(case.message, persona),
                      fill(case.question, persona), priority, twist=case.twist)
