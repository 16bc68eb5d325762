"""Choosing personas for a draft: by relevance of their topics, unless the user pins them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from skeptic.personas.model import Persona

MIN_SCORE = 4.0
RELATIVE = 0.35
_REPEAT_BONUS = 0.25
_MAX_BONUS = 1.0


@dataclass(frozen=True)
class Choice:
    persona: Persona
    score: float
    selected: bool
    pinned: bool = False


def relevance(persona: Persona, counts: Mapping[str, int]) -> float:
    """Weighted topic terms the draft mentions; a term mentioned in several sentences
    counts a little more (up to twice)."""
    score = 0.0
    for term, weight in persona.topics.items():
        count = counts.get(term, 0)
        if count:
            score += weight * (1 + min(_REPEAT_BONUS * (count - 1), _MAX_BONUS))
    return round(score, 2)


def select(personas: Iterable[Persona], counts: Mapping[str, int], pinned: Iterable[str] = (),
           max_count: int = 3) -> tuple[list[Choice], list[str]]:
    """Every persona with its score and whether it runs; plus one message per unknown pin.

    Pinned ids run (in the order given) whatever their score. Otherwise the most relevant
    personas run: at most ``max_count``, each scoring at least ``MIN_SCORE`` and at least
    ``RELATIVE`` times the best score.
    """
    by_id = {p.id: p for p in personas}
    pins = [p for p in dict.fromkeys(pinned) if p]
    unknown = [f"unknown persona {pin!r} (known: {', '.join(sorted(by_id))})"
               for pin in pins if pin not in by_id]
    scored = sorted(((relevance(p, counts), p) for p in by_id.values()),
                    key=lambda item: (-item[0], item[1].id))
    known_pins = [pin for pin in pins if pin in by_id]
    if known_pins:
        chosen = known_pins
    else:
        top = scored[0][0] if scored else 0.0
        chosen = [p.id for score, p in scored
                  if score >= MIN_SCORE and score >= RELATIVE * top][:max_count]
    score_of = {p.id: score for score, p in scored}
    choices = [Choice(by_id[pid], score_of[pid], True, pid in known_pins) for pid in chosen]
    choices += [Choice(p, score, False) for score, p in scored if p.id not in chosen]
    return choices, unknown
