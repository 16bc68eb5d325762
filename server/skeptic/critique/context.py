"""What the offline rules know about a draft: terms per sentence, own work vs background.

Every phrase any rule looks for (persona terms, catalog terms and names, the generic
lexicon) goes into one :class:`~skeptic.phrases.PhraseIndex`; each sentence is matched
once, and its hits are cached by sentence text, so an edit re-matches only what changed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from skeptic.latex.model import Project, Sentence
from skeptic.phrases import PhraseIndex

_CACHE_LIMIT = 50_000
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_NAME_LIKE = re.compile(r"^[A-Z][\w-]*[A-Za-z0-9]$|^[a-z]+[A-Z][\w-]*$")


@cache
def lexicon() -> dict[str, Any]:
    """The generic rules and vocabulary (``data/rules.toml``)."""
    text = resources.files("skeptic.critique").joinpath("data/rules.toml").read_text("utf-8")
    return tomllib.loads(text)


class TermIndex:
    """Finds which of a fixed set of phrases each sentence contains."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.index = PhraseIndex()
        for phrase in set(phrases):
            self.index.add(phrase, phrase)
        self._cache: dict[str, dict[str, str]] = {}

    def hits(self, text: str) -> dict[str, str]:
        """phrase → the words that matched it (first occurrence), for one sentence."""
        found = self._cache.get(text)
        if found is None:
            found = {}
            for hit in self.index.find(text):
                found.setdefault(hit.tag, text[hit.start:hit.end])
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[text] = found
        return found


@dataclass
class Draft:
    """One project as the rules see it."""

    project: Project
    sentences: list[Sentence]
    hits: list[dict[str, str]]
    own: list[bool]
    background: list[bool]
    names: set[str]
    where: dict[str, list[int]] = field(default_factory=dict)
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    """Results rules compute once per draft and share between personas."""
    kinds: list[set[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.kinds = [s.claim_kinds() for s in self.sentences]

    def has(self, terms: Iterable[str]) -> bool:
        """True when the draft mentions any of ``terms``."""
        return any(term in self.where for term in terms)

    def count(self, terms: Iterable[str]) -> int:
        """How many of ``terms`` the draft mentions."""
        return sum(1 for term in set(terms) if term in self.where)

    def found(self, i: int, terms: Iterable[str]) -> str | None:
        """The words of sentence ``i`` matching the first of ``terms`` it contains."""
        hits = self.hits[i]
        for term in terms:
            if term in hits:
                return hits[term]
        return None

    def facts(self, kind: str) -> list[tuple[int, Any]]:
        """(sentence index, fact) for every fact of ``kind`` in the draft."""
        return [(i, f) for i, s in enumerate(self.sentences) for f in s.facts if f.kind == kind]

    def claims(self, i: int) -> set[str]:
        """The claim kinds of sentence ``i``."""
        return self.kinds[i]

    def continues(self, i: int) -> bool:
        """True when sentence ``i + 1`` follows sentence ``i`` in the same paragraph."""
        if i + 1 >= len(self.sentences):
            return False
        this, after = self.sentences[i], self.sentences[i + 1]
        if this.file != after.file or after.start < this.end:
            return False
        gap = self.project.files[this.file].text[this.end:after.start]
        return _BLANK_LINE.search(gap) is None


def own_names(project: Project) -> set[str]:
    """Names the draft gives its own system: its macros and the title's lead word."""
    names = {text for text in project.macros.values() if _NAME_LIKE.match(text.strip())}
    lead = project.title.split(":")[0].strip()
    if ":" in project.title and _NAME_LIKE.match(lead):
        names.add(lead)
    return {name.lower() for name in names}


def _masked(text: str, masks: list[re.Pattern[str]]) -> str:
    """The sentence with the draft's own system names blanked out, so that "ExpertSwap"
    does not read as the term "expert"."""
    for mask in masks:
        text = mask.sub("[sys]", text)
    return text


def build_draft(project: Project, index: TermIndex) -> Draft:
    """Match every live sentence of ``project`` and classify it as own work or background.

    Own work: a sentence with an own-work phrase or the system's name, one in a section
    about the design or the experiments (unless it describes prior work), or one that
    goes on in the same paragraph from an own-work sentence (unless it describes prior
    work): "We present X. Its controller adaptively ..." is still about X. A sentence
    that acknowledges a limitation is never held against the work."""
    words = lexicon()
    own_phrases = set(words["own_work"]["phrases"])
    background_phrases = set(words["background"]["phrases"])
    section_words = tuple(words["own_sections"]["words"])
    limits = words["limitations"]
    names = own_names(project)
    sentences = [
        s for s in project.sentences
        if not project.files[s.file].directives.silences(s.start, s.end)
    ]
    masks = [re.compile(rf"(?i)\b{re.escape(name)}\b") for name in names]
    hits = [index.hits(_masked(s.text, masks)) for s in sentences]
    def headed(i: int, titles: Iterable[str]) -> bool:
        return any(w in heading.title.lower() for heading in project.section_path(i)
                   for w in titles)

    own_section = {i: headed(i, section_words) for i in range(len(project.sections))}
    limit_section = {i: headed(i, limits["sections"]) for i in range(len(project.sections))}
    prior_section = {i: headed(i, words["background"]["sections"])
                     for i in range(len(project.sections))}
    limit_phrases = set(limits["phrases"])
    own, background, acknowledged = [], [], []
    for sentence, found in zip(sentences, hits, strict=True):
        lowered = sentence.text.lower()
        mine = bool(own_phrases & found.keys()) or any(name in lowered for name in names)
        in_own_section = own_section.get(sentence.section, False)
        prior = not mine and (bool(background_phrases & found.keys()) or "[cite]" in lowered
                              or prior_section.get(sentence.section, False))
        acknowledged.append(limit_section.get(sentence.section, False)
                            or bool(limit_phrases & found.keys()))
        own.append((mine or (in_own_section and not prior)) and not acknowledged[-1])
        background.append(prior)
    draft = Draft(project, sentences, hits, own, background, names)
    for i in range(1, len(sentences)):
        if (own[i - 1] and not own[i] and not background[i] and not acknowledged[i]
                and draft.continues(i - 1)):
            own[i] = True
    for i, found in enumerate(hits):
        for term in found:
            draft.where.setdefault(term, []).append(i)
    return draft
