"""What a rule produces before objections are merged: a finding on one sentence."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

from skeptic.critique.model import PriorWork, Related
from skeptic.personas.model import Persona

PERSONA_RULE = 0
GENERIC_RULE = 1


@dataclass
class Finding:
    """One rule's objection to sentence ``index`` of the draft."""

    kind: str
    persona: Persona
    index: int
    message: str
    question: str
    priority: int = PERSONA_RULE
    prior: tuple[PriorWork, ...] = ()
    twist: str | None = None
    related: tuple[Related, ...] = ()


class _Lenient(string.Formatter):
    """``str.format`` that leaves unknown ``{placeholders}`` as they are."""

    def get_value(self, key, args, kwargs):  # Formatter's signature
        if isinstance(key, str) and key not in kwargs:
            return "{" + key + "}"
        return super().get_value(key, args, kwargs)


_FORMATTER = _Lenient()


def fill(template: str, persona: Persona, **values: object) -> str:
    """Fill a message template; ``{venue}`` is always the persona's venue."""
    return _filled(template, persona.venue, tuple((k, type(v), v) for k, v in values.items()))


@lru_cache(maxsize=4096)
def _filled(template: str, venue: str, values: tuple[tuple[str, type, object], ...]) -> str:
    """:func:`fill`, kept (the values' types are in the key: 2 and 2.0 print apart)."""
    try:
        return _FORMATTER.format(template, venue=venue, **{k: v for k, _, v in values})
    except (ValueError, IndexError):
        return template


def number(value: float) -> str:
    """A bar or fact value as people write it: 2 not 2.0, 1.15 as is."""
    return f"{value:g}"
