"""The objection model shared by every engine (fixed by DESIGN.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import lru_cache

from skeptic.latex.sentences import normalize
from skeptic.settings import KINDS


@dataclass(frozen=True, slots=True)
class Related:
    """Another place an objection cites (shown as LSP relatedInformation)."""

    file: str
    start: int
    end: int
    note: str


@dataclass(frozen=True, slots=True)
class PriorWork:
    """A prior system named by an objection, with what it already does."""

    name: str
    year: int
    venue: str
    mechanism: str


@dataclass(frozen=True)
class Objection:
    """One objection of one persona, anchored on one sentence."""

    kind: str
    persona: str
    persona_name: str
    file: str
    start: int
    end: int
    sentence_id: str
    message: str
    question: str
    prior_work: tuple[PriorWork, ...] = ()
    twist: str | None = None
    related: tuple[Related, ...] = ()
    severity: str = "warning"
    engine: str = "offline"
    fingerprint: str = field(default="")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown objection kind {self.kind!r}")

    def with_fingerprint(self, sentence_text: str) -> Objection:
        """This objection with its fingerprint set (persona, kind, normalised sentence)."""
        return replace(self, fingerprint=fingerprint(self.persona, self.kind, sentence_text))

    @property
    def prior_names(self) -> list[str]:
        return [work.name for work in self.prior_work]


@lru_cache(maxsize=16384)
def fingerprint(persona: str, kind: str, sentence_text: str) -> str:
    """Stable across edits elsewhere: persona + kind + the sentence's normalised text."""
    key = f"{persona}\0{kind}\0{normalize(sentence_text).lower()}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]
