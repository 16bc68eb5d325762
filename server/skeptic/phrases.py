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
from functools import cache
from typing import NamedTuple

_WORD = re.compile(r"[\w×%µ]+(?:['.][\w]+|,(?=\d{3})\w+)*")
_SEPARATORS = re.compile(r"[\s\-/–—]+")
_MIN_STEM = 4
_GAP = 3
_MEMO_LIMIT = 200_000  # words remembered per index (vocabularies are far smaller)


class Hit(NamedTuple):
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


def starts(text: str, tokens: list[str], upto: int) -> list[int]:
    """Character offsets of ``tokens[:upto + 1]`` (the words of ``text``).

    Each word is the first occurrence of its text after the previous word: separators
    never contain word characters, so this finds exactly the word.
    """
    find = lower(text).find
    found: list[int] = []
    position = 0
    for token in tokens[:upto + 1]:
        position = find(token, position)
        found.append(position)
        position += len(token)
    return found


def _compile_one(word: str) -> str:
    if word in ("#", "..") or len(word) < _MIN_STEM:
        return word
    if len(word) > _MIN_STEM and word[-1] in "ey":
        word = word[:-1]
    return word + "*"


# One word of a phrase, compiled: (exact forms, prefixes, matches any number, is a gap).
# A plain tuple, not an object: indexes are pickled with the reviewers (see
# ``critique.compiled``), and tuples load several times faster than instances.
_Part = tuple[frozenset[str], tuple[str, ...], bool, bool]


@cache
def _compile(word: str) -> tuple[_Part, tuple[str, ...]]:
    """A phrase word compiled, with its alternatives as stored (``stem*``, short, ``#``)."""
    alternatives = tuple(_compile_one(w) for w in word.split("|") if w)
    exact = frozenset(f for a in alternatives if a[-1] != "*" and a not in ("#", "..")
                      for f in (a, a + "s", a + "es"))
    stems = tuple(a[:-1] for a in alternatives if a[-1] == "*")
    return (exact, stems, "#" in alternatives, alternatives == ("..",)), alternatives


def _walk(parts: tuple[_Part, ...], tokens: list[str], position: int, step: int) -> int | None:
    """Where ``parts`` end when matched word by word from token ``position`` in direction
    ``step`` (+1: the words after the anchor; -1: those before it, nearest first), or None."""
    count = len(tokens)
    reach = 1  # how many words the next part may look at: more after a gap
    for exact, stems, number, gap in parts:
        if gap:
            reach = _GAP + 1
            continue
        while True:
            position += step
            if not 0 <= position < count:
                return None
            word = tokens[position]
            if (word in exact or (stems and word.startswith(stems))
                    or (number and word[:1].isdigit())):
                break
            reach -= 1
            if not reach:
                return None
        reach = 1
    return position


# A phrase as indexed under its anchor word: the words before it (nearest first), the words
# after it, its tag, and its gate (words one of which the sentence must contain).
_Entry = tuple[tuple[_Part, ...], tuple[_Part, ...], Hashable, frozenset[str]]
# Gated phrases by gate word, each group with its rank (the order gates were met in).
_Candidates = tuple[tuple[Hashable, ...], tuple[_Entry, ...],
                    dict[str, tuple[int, list[_Entry]]]]
_NO_CANDIDATES: _Candidates = ((), (), {})


@dataclass
class PhraseIndex:
    """Phrases, each with a tag, to find in texts."""

    _exact: dict[str, list[_Entry]] = field(default_factory=dict)
    _stems: dict[str, list[_Entry]] = field(default_factory=dict)
    _numeric: list[_Entry] = field(default_factory=list)
    _longest_stem: int = 0
    _longest_part: int = 0
    _gate_stems: set[str] = field(default_factory=set)
    _memo: dict[str, _Candidates] = field(default_factory=dict)
    _prefix_memo: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _prefixed: set[str] = field(default_factory=set)  # the words of _prefix_memo with prefixes

    def add(self, phrase: str, tag: Hashable) -> None:
        """Index ``phrase`` under ``tag`` (the same tag may carry several phrases).

        The phrase is indexed under its most specific word (its anchor), so a common
        first word such as "we" in "we .. propose" costs nothing where "propose" is absent;
        it is also gated on its next most specific word (a set test per sentence), so it
        is only matched word by word where both occur.
        """
        compiled = [_compile(p) for p in _SEPARATORS.split(phrase.lower().strip()) if p]
        compiled = [(part, alternatives) for part, alternatives in compiled if alternatives]
        while compiled and compiled[0][0][3]:
            compiled.pop(0)
        while compiled and compiled[-1][0][3]:
            compiled.pop()
        if not compiled:
            return
        parts = tuple(part for part, _ in compiled)
        anchor = max((i for i, (part, _) in enumerate(compiled) if not part[3]),
                     key=lambda i: _specificity(compiled[i][1]))
        gates = [part for n, part in enumerate(parts)
                 if n != anchor and not part[2] and not part[3]]
        gate: frozenset[str] = frozenset()
        if gates:
            exact, stems, _, _ = min(gates, key=lambda part: len(part[0]) + 3 * len(part[1]))
            gate = exact | frozenset(stems)
            self._gate_stems.update(stems)
            self._longest_part = max([self._longest_part, *map(len, stems)])
        entry = (parts[:anchor][::-1], parts[anchor + 1:], tag, gate)
        self._memo.clear()
        self._prefix_memo.clear()
        self._prefixed.clear()
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
        singles: list[Hashable] = []
        open_: list[_Entry] = []
        gated: dict[str, list[_Entry]] = {}
        for entry in dict.fromkeys(entries):
            before, after, tag, gate = entry
            if not before and not after:
                singles.append(tag)
            elif not gate:
                open_.append(entry)
            else:
                for key in gate:
                    gated.setdefault(key, []).append(entry)
        ranked = {key: (rank, group) for rank, (key, group) in enumerate(gated.items())}
        found = (tuple(singles), tuple(open_), ranked) if entries else _NO_CANDIDATES
        if len(self._memo) < _MEMO_LIMIT:
            self._memo[word] = found
        return found

    def _keys(self, tokens: list[str]) -> set[str]:
        """The sentence's words and the gate stems they begin with."""
        memo = self._prefix_memo
        longest = self._longest_part
        stems = self._gate_stems
        keys = set(tokens)
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
            self._prefixed.clear()
        for word in keys.difference(memo):
            memo[word] = tuple(prefix for k in range(_MIN_STEM, min(len(word), longest) + 1)
                               if (prefix := word[:k]) in stems)
            if memo[word]:
                self._prefixed.add(word)
        for word in keys.intersection(self._prefixed):
            keys.update(memo[word])
        return keys

    def find(self, text: str, tokens: list[str] | None = None) -> list[Hit]:
        """Every occurrence of every phrase in ``text`` (overlaps included)."""
        tokens = words(text) if tokens is None else tokens
        found = self._matches(tokens)
        if not found:
            return []
        where = starts(text, tokens, max(last for _, _, last in found))
        return [Hit(tag, where[first], where[last] + len(tokens[last]))
                for tag, first, last in found]

    def first(self, text: str) -> dict[Hashable, str]:
        """Each phrase found in ``text`` (tag) → the words that matched it where :meth:`find`
        lists it first."""
        return {tag: text[start:end] for tag, (start, end) in self.first_spans(text).items()}

    def first_spans(self, text: str, tokens: list[str] | None = None
                    ) -> dict[Hashable, tuple[int, int]]:
        """Each phrase found in ``text`` (tag) → its span where :meth:`find` lists it first."""
        tokens = words(text) if tokens is None else tokens
        found: dict[Hashable, tuple[int, int]] = {}
        for tag, first, last in self._matches(tokens):
            if tag not in found:
                found[tag] = (first, last)
        if not found:
            return {}
        where = starts(text, tokens, max(last for _, last in found.values()))
        return {tag: (where[first], where[last] + len(tokens[last]))
                for tag, (first, last) in found.items()}

    def _matches(self, tokens: list[str]) -> list[tuple[Hashable, int, int]]:
        """(tag, first word, last word) of every occurrence of every phrase."""
        memo = self._memo
        found: list[tuple[Hashable, int, int]] = []
        keys: set[str] | None = None
        for i, word in enumerate(tokens):
            candidates = memo.get(word) or self._candidates(word)
            if candidates is _NO_CANDIDATES:
                continue
            singles, entries, gated = candidates
            for tag in singles:
                found.append((tag, i, i))
            if gated:
                if keys is None:
                    keys = self._keys(tokens)
                common = gated.keys() & keys
                if common:
                    # By rank, not in the set's order: hits must not vary with the hash seed.
                    active = sorted([gated[key] for key in common])
                    if len(active) == 1 and not entries:
                        entries = active[0][1]
                    else:
                        entries = (*entries,
                                   *dict.fromkeys(e for _, group in active for e in group))
            for before, after, tag, _ in entries:
                first = _walk(before, tokens, i, -1) if before else i
                if first is None:
                    continue
                last = _walk(after, tokens, i, 1) if after else i
                if last is not None:
                    found.append((tag, first, last))
        return found


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
