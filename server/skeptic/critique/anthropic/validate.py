"""Model output is untrusted: keep only objections that name a known kind, a sentence of the
section, and words that sentence really contains.

Quotes are compared after folding both sides: LaTeX commands, braces and ``$`` removed,
typographic quotes, dashes and ``×`` mapped to ASCII, case and white space ignored. An
ellipsis in a quote matches any gap, as long as the pieces appear in order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from skeptic.latex.sentences import normalize
from skeptic.settings import KINDS

MAX_TEXT = 1200
MAX_PRIOR = 3
_ESCAPED = re.compile(r"\\([%&#_$])")
_COMMAND = re.compile(r"\\[A-Za-z@]+\*?|\\.")
_ELLIPSIS = re.compile(r"\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\]")
_SENTENCE_REF = re.compile(r"^\[?S?(\d{1,9})\]?$", re.IGNORECASE)
_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'",
                       "–": "-", "—": "-", "‐": "-", "−": "-", "×": "x", "~": " ",
                       "{": "", "}": "", "$": ""})


class MalformedOutput(ValueError):
    """The answer is not the tool input the schema asks for."""


@dataclass(frozen=True)
class Finding:
    """One validated objection of the model, anchored by its index in the passage."""

    index: int
    kind: str
    quote: str
    message: str
    question: str
    prior_work: tuple[str, ...]
    twist: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Finding:
        return cls(**{**raw, "prior_work": tuple(raw["prior_work"])})


def fold(text: str) -> str:
    """Text reduced to what a quote must match: no LaTeX, ASCII punctuation, lower case."""
    text = _COMMAND.sub(" ", _ESCAPED.sub(r"\1", unicodedata.normalize("NFKC", text)))
    return normalize(text.translate(_FOLD)).lower()


def quote_found(quote: str, sentence: str) -> bool:
    """True when every piece of ``quote`` (split at ellipses) occurs in order in
    ``sentence``."""
    pieces = [p.strip(" \"'.,;:") for p in _ELLIPSIS.split(fold(quote))]
    pieces = [p for p in pieces if p]
    haystack = fold(sentence)
    at = 0
    for piece in pieces:
        found = haystack.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return bool(pieces)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = normalize(value)
    return text[:MAX_TEXT] if text else None


def _sentence_number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and (m := _SENTENCE_REF.match(value.strip())):
        return int(m.group(1))
    return None


def _finding(raw: Any, sentences: Sequence[str]) -> Finding | str:
    """The finding, or why it is dropped."""
    if not isinstance(raw, dict):
        return "malformed"
    if raw.get("kind") not in KINDS:
        return "unknown kind"
    number = _sentence_number(raw.get("sentence"))
    if number is None or not 1 <= number <= len(sentences):
        return "sentence out of range"
    quote = raw.get("quote")
    if not isinstance(quote, str) or not quote_found(quote, sentences[number - 1]):
        return "quote not in sentence"
    message, question = _text(raw.get("message")), _text(raw.get("question"))
    if message is None or question is None:
        return "malformed"
    prior = raw.get("prior_work")
    names = [n for n in (_text(p) for p in prior) if n] if isinstance(prior, list) else []
    return Finding(number - 1, raw["kind"], normalize(quote), message, question,
                   tuple(dict.fromkeys(names))[:MAX_PRIOR], _text(raw.get("twist")))


def validate(answer: Any, sentences: Sequence[str]) -> tuple[list[Finding], Counter[str]]:
    """The findings worth keeping (one per sentence and kind), and how many were dropped
    for each reason. Raises :class:`MalformedOutput` when ``answer`` is not
    ``{"objections": [...]}``."""
    if not isinstance(answer, dict) or not isinstance(answer.get("objections"), list):
        raise MalformedOutput("the answer has no list of objections")
    kept: dict[tuple[int, str], Finding] = {}
    dropped: Counter[str] = Counter()
    for raw in answer["objections"]:
        result = _finding(raw, sentences)
        if isinstance(result, str):
            dropped[result] += 1
        elif (result.index, result.kind) in kept:
            dropped["duplicate"] += 1
        else:
            kept[result.index, result.kind] = result
    return list(kept.values()), dropped
