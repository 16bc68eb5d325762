"""Classify sentences into claims and extract their facts (numbers, GPUs, baselines, models).

Works on a sentence's plain text; offsets returned are offsets into that text, and the
project model maps them back to the source. Cues (phrases) and fact patterns (regular
expressions) live in ``data/claims.toml``. Results are cached by sentence text, so an edit
re-analyses only the sentences it touched.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from operator import attrgetter
from typing import NamedTuple

from skeptic.latex.model import CLAIM_KINDS
from skeptic.phrases import PhraseIndex, words

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8, "twelve": 12,
                 "sixteen": 16, "a single": 1, "single": 1}
_UNITS = {
    "×": "x", "x": "x", "X": "x", "times": "x", "fold": "x", "-fold": "x",
    "percent": "%", "µs": "us", "μs": "us", "sec": "s", "second": "s", "seconds": "s",
    "minute": "min", "minutes": "min", "hour": "h", "hours": "h", "tok/s": "tok/s",
    "tokens/s": "tok/s", "tokens per second": "tok/s", "bit": "bit", "bits": "bit",
}
_START_END = attrgetter("start", "end")
_NEWLINE = re.compile("\n")


class Found(NamedTuple):
    """A claim cue or a fact, with offsets into the sentence text."""

    kind: str
    text: str
    start: int
    end: int
    value: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class _Lexicon:
    cues: PhraseIndex
    number: re.Pattern[str]
    units: frozenset[str]
    gpu_count: re.Pattern[str]
    nodes: re.Pattern[str]
    each: re.Pattern[str]
    hardware: re.Pattern[str]
    batch_size: re.Pattern[str]
    baseline: re.Pattern[str]
    model: re.Pattern[str]
    triggers: dict[str, str]  # cue tag -> the fact kind it makes worth looking for


@cache
def _lexicon() -> _Lexicon:
    raw = tomllib.loads(
        resources.files("skeptic.latex").joinpath("data/claims.toml").read_text("utf-8")
    )
    cues = PhraseIndex()
    for kind in CLAIM_KINDS:
        cues.add_all(raw["cues"][kind], kind)
    triggers = {f"trigger:{kind}": kind for kind in raw["triggers"]}
    for tag, kind in triggers.items():
        cues.add_all(raw["triggers"][kind], tag)
    facts = raw["facts"]
    return _Lexicon(
        cues=cues,
        number=re.compile(facts["number"]),
        units=frozenset(facts["units"]),
        gpu_count=re.compile(facts["gpu_count"], re.IGNORECASE),
        nodes=re.compile(facts["nodes"], re.IGNORECASE),
        each=re.compile(facts["each"], re.IGNORECASE),
        hardware=re.compile(facts["hardware"]),
        batch_size=re.compile(facts["batch_size"], re.IGNORECASE),
        baseline=re.compile(facts["baseline"]),
        model=re.compile(facts["model"]),
        triggers=triggers,
    )


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return _WORD_NUMBERS.get(text.lower())


def _numbers(text: str, lex: _Lexicon, taken: list[tuple[int, int]]) -> list[Found]:
    """Numbers with a unit, outside the ``taken`` spans (in text order, not overlapping)."""
    found = []
    starts = [a for a, _ in taken]
    units = lex.units
    for m in lex.number.finditer(text):
        unit = m.group("unit")
        if unit not in units:
            continue
        start = m.start()
        before = text[start - 1:start]
        if (before and (before.isalnum() or before in "._")) or (
            taken and (k := bisect_right(starts, start)) and start < taken[k - 1][1]
        ):
            continue
        found.append(Found("number", m.group(), start, m.end(), _number(m.group("value")),
                           _UNITS.get(unit, _UNITS.get(unit.lower(), unit))))
    return found


def _machines(text: str, lex: _Lexicon) -> re.Match[str] | None:
    """The first "N nodes" with "each" or "per node" later on its line (one pass: a
    look-ahead from every candidate would take quadratic time)."""
    eaches = [m.start() for m in lex.each.finditer(text)]
    if not eaches:
        return None
    breaks = [*(m.start() for m in _NEWLINE.finditer(text)), len(text)]
    for m in lex.nodes.finditer(text):
        each = bisect_left(eaches, m.end())
        if each < len(eaches) and eaches[each] < breaks[bisect_left(breaks, m.end())]:
            return m
    return None


def facts(text: str, triggers: frozenset[str]) -> list[Found]:
    """Every fact in a sentence, in text order (``triggers``: fact kinds worth trying)."""
    lex = _lexicon()
    found: list[Found] = []
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    if "gpu" in lowered:
        machines = _machines(text, lex)
        for m in lex.gpu_count.finditer(text):
            taken.append(m.span())
            value = _number(m.group("value"))
            if machines and machines.end() <= m.start() and value is not None:
                value *= _number(machines.group("value")) or 1
            found.append(Found("gpu-count", m.group(), m.start(), m.end(), value, "GPU"))
    found.extend(_numbers(text, lex, taken))
    if "batch" in lowered:
        for m in lex.batch_size.finditer(text):
            for value in re.finditer(r"\d+", m.group("value")):
                offset = m.start("value") + value.start()
                found.append(Found("batch-size", m.group(), offset, offset + len(value.group()),
                                   float(value.group()), None))
    for kind, pattern in (("hardware", lex.hardware), ("baseline", lex.baseline),
                          ("model", lex.model)):
        if kind in triggers:
            found.extend([Found(kind, m.group(), m.start(), m.end())
                          for m in pattern.finditer(text)])
    found.sort(key=_START_END)
    return found


def claims(text: str, cues: dict[Hashable, tuple[int, int]],
           sentence_facts: list[Found]) -> list[Found]:
    """The claim kinds of a sentence, each with the span of the first cue that carries it
    (``cues``: cue tag → span of its first match)."""
    first = {kind: Found(kind, text[span[0]:span[1]], *span)
             for kind in CLAIM_KINDS if (span := cues.get(kind))}
    number = next((f for f in sentence_facts if f.kind == "number"), None)
    if number is None:
        first.pop("result", None)
    elif "result" not in first and number.unit in ("x", "%"):
        first["result"] = Found("result", number.text, number.start, number.end)
    if "setup" not in first:
        fact = next((f for f in sentence_facts
                     if f.kind in ("gpu-count", "hardware", "batch-size")), None)
        if fact is not None:
            first["setup"] = Found("setup", fact.text, fact.start, fact.end)
    return [first[kind] for kind in CLAIM_KINDS if kind in first]


@lru_cache(maxsize=65536)
def analyse(text: str) -> tuple[tuple[Found, ...], tuple[Found, ...]]:
    """(claims, facts) of a sentence's plain text."""
    lex = _lexicon()
    cues = lex.cues.first_spans(text, words(text))
    triggers = frozenset(kind for tag in cues if (kind := lex.triggers.get(tag)))
    found_facts = facts(text, triggers)
    return tuple(claims(text, cues, found_facts)), tuple(found_facts)
