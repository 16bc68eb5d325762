"""What the offline rules know about a draft: terms per sentence, own work vs background.

Every phrase any rule looks for (persona terms, catalog terms and names, the generic
lexicon) goes into one :class:`~skeptic.phrases.PhraseIndex`; each sentence is matched
once. What a sentence holds apart from its place in the draft (its hits, and results rules
keep for it) is a :class:`Local`, cached by everything it depends on (text, own names,
claim kinds, facts), so an edit re-does only the sentences it changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from skeptic.latex.model import Project, Sentence
from skeptic.phrases import PhraseIndex

_CACHE_LIMIT = 50_000
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_NAME_LIKE = re.compile(r"^[A-Z][\w-]*[A-Za-z0-9]$|^[a-z]+[A-Z][\w-]*$")
_lexicon: list[dict[str, Any]] = []
T = TypeVar("T")


def lexicon() -> dict[str, Any]:
    """The generic rules and vocabulary (``data/rules.toml``)."""
    if not _lexicon:
        import tomllib

        text = resources.files("skeptic.critique").joinpath("data/rules.toml").read_text("utf-8")
        _lexicon.append(tomllib.loads(text))
    return _lexicon[0]


def adopt_lexicon(rules: dict[str, Any]) -> None:
    """Use ``rules`` (:func:`lexicon` as read by this version of Skeptic, kept with the
    built reviewers) rather than parsing ``data/rules.toml`` again."""
    if not _lexicon:
        _lexicon.append(rules)


def kept(memo: dict[Hashable, Any], name: Hashable, depends: tuple[Any, ...],
         compute: Callable[[], T]) -> T:
    """``compute()``, kept in ``memo`` under ``name`` for as long as what else it depends on
    (``depends``, compared with ``==``: the same objects compare at once) is unchanged."""
    entry = memo.get(name)
    if entry is None or entry[0] != depends:
        entry = memo[name] = (depends, compute())
    return entry[1]


class Local:
    """One sentence apart from its place: the phrases it contains (phrase → the words that
    matched it, first occurrence), whether they make it own work, background or an
    acknowledged limitation, and ``memo``: results rules keep for it, by rule (and by
    whatever else a result depends on: the persona, a draft-wide fact)."""

    __slots__ = ("hits", "limit", "memo", "mine", "prior")

    def __init__(self, hits: dict[str, str], mine: bool, prior: bool, limit: bool) -> None:
        self.hits = hits
        self.mine = mine
        self.prior = prior
        self.limit = limit
        self.memo: dict[Hashable, Any] = {}


class TermIndex:
    """Finds which of a fixed set of phrases each sentence contains; keeps each sentence's
    :class:`Local` (at most ``_CACHE_LIMIT``)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.index = PhraseIndex()
        for phrase in set(phrases):
            self.index.add(phrase, phrase)
        self._cache: dict[Hashable, Local] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_cache": {}}

    def local(self, sentence: Sentence, names: frozenset[str], masks: list[re.Pattern[str]]
              ) -> Local:
        """The sentence's :class:`Local` (cached by text, ``names``, claims and facts)."""
        facts = tuple([(f.kind, f.text, f.value, f.unit) for f in sentence.facts])
        key = (sentence.text, names, facts, tuple([c.kind for c in sentence.claims]))
        found = self._cache.get(key)
        if found is None:
            found = self._new(sentence.text, names, masks)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _new(self, text: str, names: frozenset[str], masks: list[re.Pattern[str]]) -> Local:
        own, background, limits = _classes()
        hits = self.index.first(_masked(text, masks))  # phrase → the words that matched it
        lowered = text.lower()
        return Local(hits, not own.isdisjoint(hits) or any(name in lowered for name in names),
                     not background.isdisjoint(hits) or "[cite]" in lowered,
                     not limits.isdisjoint(hits))


@cache
def _classes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The phrases that make a sentence own work, background, an acknowledged limit."""
    words = lexicon()
    return (frozenset(words["own_work"]["phrases"]), frozenset(words["background"]["phrases"]),
            frozenset(words["limitations"]["phrases"]))


@dataclass
class Draft:
    """One project as the rules see it."""

    project: Project
    sentences: list[Sentence]
    locals: list[Local]
    own: list[bool]
    background: list[bool]
    names: frozenset[str]
    where: dict[str, list[int]] = field(default_factory=dict)
    memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    """Results rules compute once per draft and share between personas."""
    hits: list[dict[str, str]] = field(init=False, repr=False)
    kinds: list[set[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.hits = [local.hits for local in self.locals]
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
        key = ("facts", kind)
        if key not in self.memo:
            self.memo[key] = [(i, f) for i, s in enumerate(self.sentences) if s.facts
                              for f in s.facts if f.kind == kind]
        return self.memo[key]

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


def _live(project: Project) -> list[Sentence]:
    """The sentences no ``% skeptic:`` directive silences."""
    quiet = {name for name, source in project.files.items()
             if source.directives.off or source.directives.ignore}
    if not quiet:
        return project.sentences
    return [s for s in project.sentences if s.file not in quiet
            or not project.files[s.file].directives.silences(s.start, s.end)]


def build_draft(project: Project, index: TermIndex) -> Draft:
    """Match every live sentence of ``project`` and classify it as own work or background.

    Own work: a sentence with an own-work phrase or the system's name, one in a section
    about the design or the experiments (unless it describes prior work), or one that
    goes on in the same paragraph from an own-work sentence (unless it describes prior
    work): "We present X. Its controller adaptively ..." is still about X. A sentence
    that acknowledges a limitation is never held against the work."""
    words = lexicon()
    section_words = tuple(words["own_sections"]["words"])
    limits = words["limitations"]
    names = frozenset(own_names(project))
    sentences = _live(project)
    masks = [re.compile(rf"(?i)\b{re.escape(name)}\b") for name in names]
    locals_ = [index.local(s, names, masks) for s in sentences]

    paths = [[heading.title.lower() for heading in project.section_path(i)]
             for i in range(len(project.sections))]

    def headed(words: Iterable[str]) -> dict[int, bool]:
        return {i: any(w in title for title in path for w in words)
                for i, path in enumerate(paths)}

    own_section = headed(section_words)
    limit_section = headed(limits["sections"])
    prior_section = headed(words["background"]["sections"])
    own, background, acknowledged = [], [], []
    for sentence, local in zip(sentences, locals_, strict=True):
        section = sentence.section
        mine = local.mine
        prior = not mine and (local.prior or prior_section.get(section, False))
        limited = local.limit or limit_section.get(section, False)
        acknowledged.append(limited)
        own.append((mine or (not prior and own_section.get(section, False))) and not limited)
        background.append(prior)
    draft = Draft(project, sentences, locals_, own, background, names)
    for i in range(1, len(sentences)):
        if (own[i - 1] and not own[i] and not background[i] and not acknowledged[i]
                and draft.continues(i - 1)):
            own[i] = True
    where = draft.where
    for i, local in enumerate(locals_):
        for term in local.hits:
            if term in where:
                where[term].append(i)
            else:
                where[term] = [i]
    return draft
