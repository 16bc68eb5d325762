"""Fast matching of many short phrases against sentences, word by word.

Terms in the data files (claim cues, persona terms, catalog mechanism terms) are phrases
such as ``"prefetch"``, ``"host memory"`` or ``"we .. propose"``. Matching rules:

- case-insensitive; hyphens, slashes and spaces all separate words ("kv-cache" = "kv cache");
- a word of four or more letters also matches words it begins ("prefetch" matches
  "prefetches", "prefetching"; a final e or y may change: "cache" matches "caching",
  "memory" matches "memories"); a shorter word matches itself or its plural ("gpu", "gpus");
- ``#`` matches any number ("# gpus"); ``..`` skips up to three words ("we .. propose"
  matches "we also propose"); ``a|b`` matches either word ("we .. propose|present").

One index holds any number of phrases, each with a tag, and finds them all in a single pass
over a sentence's words: the cost is a few dictionary look-ups per word, whatever the number
of phrases.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[\w×%µ]+(?:['.][\w]+)*")
_SEPARATORS = re.compile(r"[\s\-/–—]+")
_MIN_STEM = 4
_GAP = 3


@dataclass(frozen=True, slots=True)
class Hit:
    """A phrase found in a text: its tag and character span."""

    tag: Hashable
    start: int
    end: int


def lower(text: str) -> str:
    """``text.lower()``, keeping any character whose lower case is longer (offsets stay put)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``, in order."""
    return _WORD.findall(lower(text))


def spans(text: str, tokens: list[str], upto: int) -> list[tuple[int, int]]:
    """Character spans of ``tokens[:upto + 1]`` (the words of ``text``).

    Each word is the first occurrence of its text after the previous word: separators
    never contain word characters, so this finds exactly the word.
    """
    lowered = lower(text)
    found: list[tuple[int, int]] = []
    position = 0
    for token in tokens[:upto + 1]:
        start = lowered.find(token, position)
        position = start + len(token)
        found.append((start, position))
    return found


def _compile_one(word: str) -> str:
    if word in ("#", "..") or len(word) < _MIN_STEM:
        return word
    if len(word) > _MIN_STEM and word[-1] in "ey":
        word = word[:-1]
    return word + "*"


@dataclass(frozen=True, slots=True, eq=False)
class _Part:
    """One word of a phrase, compiled: exact forms, prefixes, or any number. Compared and
    hashed by identity: the index never needs value equality, and it is a hot path."""

    exact: frozenset[str]
    stems: tuple[str, ...]
    number: bool = False
    gap: bool = False

    def matches(self, word: str) -> bool:
        return (word in self.exact or (bool(self.stems) and word.startswith(self.stems))
                or (self.number and word[:1].isdigit()))

    @property
    def testable(self) -> bool:
        """True when a set test can rule the part out for a sentence (no number, no gap)."""
        return not self.number and not self.gap


def _compile(word: str) -> tuple[_Part, tuple[str, ...]]:
    """A phrase word compiled, with its alternatives as stored (``stem*``, short, ``#``)."""
    alternatives = tuple(_compile_one(w) for w in word.split("|") if w)
    exact = frozenset(f for a in alternatives if a[-1] != "*" and a not in ("#", "..")
                      for f in (a, a + "s", a + "es"))
    stems = tuple(a[:-1] for a in alternatives if a[-1] == "*")
    return _Part(exact, stems, "#" in alternatives, alternatives == ("..",)), alternatives


_Entry = tuple[tuple[_Part, ...], int, Hashable, frozenset[str]]
_Candidates = tuple[tuple[Hashable, ...], tuple[_Entry, ...], dict[str, list[_Entry]]]
_NO_CANDIDATES: _Candidates = ((), (), {})


@dataclass
class PhraseIndex:
    """Phrases, each with a tag, to find in texts."""

    _exact: dict[str, list[_Entry]] = field(default_factory=dict)
    _stems: dict[str, list[_Entry]] = field(default_factory=dict)
    _numeric: list[_Entry] = field(default_factory=list)
    _longest_stem: int = 0
    _longest_part: int = 0
    _memo: dict[str, _Candidates] = field(default_factory=dict)
    _prefix_memo: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, phrase: str, tag: Hashable) -> None:
        """Index ``phrase`` under ``tag`` (the same tag may carry several phrases).

        The phrase is indexed under its most specific word (its anchor), so a common
        first word such as "we" in "we .. propose" costs nothing where "propose" is absent;
        it is also gated on its next most specific word (a set test per sentence), so it
        is only matched word by word where both occur.
        """
        compiled = [_compile(p) for p in _SEPARATORS.split(phrase.lower().strip()) if p]
        compiled = [(part, alternatives) for part, alternatives in compiled if alternatives]
        while compiled and compiled[0][0].gap:
            compiled.pop(0)
        while compiled and compiled[-1][0].gap:
            compiled.pop()
        if not compiled:
            return
        parts = tuple(part for part, _ in compiled)
        anchor = max((i for i, (part, _) in enumerate(compiled) if not part.gap),
                     key=lambda i: _specificity(compiled[i][1]))
        gates = [part for n, part in enumerate(parts) if n != anchor and part.testable]
        gate: frozenset[str] = frozenset()
        if gates:
            best = min(gates, key=lambda part: len(part.exact) + 3 * len(part.stems))
            gate = best.exact | frozenset(best.stems)
            self._longest_part = max([self._longest_part, *map(len, best.stems)])
        entry = (parts, anchor, tag, gate)
        self._memo.clear()
        self._prefix_memo.clear()
        for alternative in compiled[anchor][1]:
            if alternative == "#":
                self._numeric.append(entry)
            elif alternative[-1] == "*":
                stem = alternative[:-1]
                self._stems.setdefault(stem, []).append(entry)
                self._longest_stem = max(self._longest_stem, len(stem))
            else:
                for form in (alternative, alternative + "s", alternative + "es"):
                    self._exact.setdefault(form, []).append(entry)

    def add_all(self, phrases: Iterable[str], tag: Hashable) -> None:
        for phrase in phrases:
            self.add(phrase, tag)

    def _candidates(self, word: str) -> _Candidates:
        """Phrases anchored on ``word``: single words, phrases without a gate, and gated
        phrases by gate word (memoised: vocabularies are small)."""
        found = self._memo.get(word)
        if found is not None:
            return found
        entries = list(self._exact.get(word, ()))
        stems = self._stems
        for k in range(_MIN_STEM, min(len(word), self._longest_stem) + 1):
            hit = stems.get(word[:k])
            if hit:
                entries.extend(hit)
        if self._numeric and word[:1].isdigit():
            entries.extend(self._numeric)
        singles, open_, gated = [], [], {}
        for entry in dict.fromkeys(entries):
            parts, _, tag, gate = entry
            if len(parts) == 1:
                singles.append(tag)
            elif not gate:
                open_.append(entry)
            else:
                for key in gate:
                    gated.setdefault(key, []).append(entry)
        found = (tuple(singles), tuple(open_), gated) if entries else _NO_CANDIDATES
        if len(self._memo) < 200_000:
            self._memo[word] = found
        return found

    def _keys(self, tokens: list[str]) -> frozenset[str]:
        """The sentence's words and every prefix of them a gate stem could be."""
        memo = self._prefix_memo
        longest = self._longest_part
        for word in set(tokens).difference(memo):
            memo[word] = tuple(word[:k] for k in range(_MIN_STEM, min(len(word), longest) + 1))
        return frozenset(tokens).union(*(memo[word] for word in tokens))

    def find(self, text: str, tokens: list[str] | None = None) -> list[Hit]:
        """Every occurrence of every phrase in ``text`` (overlaps included)."""
        tokens = words(text) if tokens is None else tokens
        memo = self._memo
        for word in set(tokens).difference(memo):
            self._candidates(word)
        found: list[tuple[Hashable, int, int]] = []
        keys: frozenset[str] | None = None
        for i, word in enumerate(tokens):
            candidates = memo.get(word) or self._candidates(word)
            if candidates is _NO_CANDIDATES:
                continue
            singles, open_, gated = candidates
            for tag in singles:
                found.append((tag, i, i))
            entries: Iterable[_Entry] = open_
            if gated:
                if keys is None:
                    keys = self._keys(tokens)
                active = gated.keys() & keys
                if active:
                    entries = (*open_, *dict.fromkeys(e for key in active for e in gated[key]))
            for parts, anchor, tag, _ in entries:
                first = _match_before(parts, anchor, tokens, i)
                if first is None:
                    continue
                last = _match_after(parts, anchor, tokens, i)
                if last is not None:
                    found.append((tag, first, last))
        if not found:
            return []
        where = spans(text, tokens, max(last for _, _, last in found))
        return [Hit(tag, where[first][0], where[last][1]) for tag, first, last in found]


_STOPWORDS = frozenset([
    "a", "an", "the", "we", "our", "is", "are", "was", "were", "be", "of", "in", "on", "at",
    "to", "by", "for", "with", "over", "than", "this", "that", "it", "all", "same", "and",
    "or", "as", "per",
])


def _specificity(alternatives: tuple[str, ...]) -> tuple[int, int]:
    """How selective a word is as an anchor: no stop words first, then the longest."""
    plain = [a.rstrip("*") for a in alternatives]
    common = any(a in _STOPWORDS or a == "#" for a in plain)
    return (0 if common else 1, min(len(a) for a in plain))


def _match_after(parts: tuple[_Part, ...], anchor: int, tokens: list[str], i: int) -> int | None:
    """Index of the last token when ``parts[anchor + 1:]`` follow token ``i``, else None."""
    position = i
    gap = 0
    count = len(tokens)
    for part in parts[anchor + 1:]:
        if part.gap:
            gap = _GAP
            continue
        for j in range(position + 1, min(position + gap + 2, count)):
            if part.matches(tokens[j]):
                position = j
                break
        else:
            return None
        gap = 0
    return position


def _match_before(parts: tuple[_Part, ...], anchor: int, tokens: list[str], i: int) -> int | None:
    """Index of the first token when ``parts[:anchor]`` precede token ``i``, else None."""
    position = i
    gap = 0
    for part in reversed(parts[:anchor]):
        if part.gap:
            gap = _GAP
            continue
        for j in range(position - 1, max(position - gap - 2, -1), -1):
            if part.matches(tokens[j]):
                position = j
                break
        else:
            return None
        gap = 0
    return position
