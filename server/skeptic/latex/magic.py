"""Magic comments: ``% !TEX root = main.tex`` and ``% skeptic: ...`` directives.

| comment | effect |
|---|---|
| ``% skeptic: off`` / ``% skeptic: on`` | no objections between them (or to the end of the file) |
| ``% skeptic: ignore-next-line`` | no objections on the next line |
| ``% skeptic: personas = a, b`` | run these personas for the project |
| ``% skeptic: disable = kind, kind`` | no objections of these kinds in this file |
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skeptic.latex.model import Directives

_TEX_ROOT = re.compile(
    r"(?i)(?<![^\r\n])[ \t]*%+[ \t]*!\s*tex\s+root\s*=\s*([^\r\n]+?)[ \t]*(?=[\r\n]|\Z)")
_KEYWORD = re.compile(r"%[ \t]*(?i:skeptic)\s*:[ \t]*([^\n\r]*)")
_LINE_END = re.compile(r"\r\n?|\n")


def tex_root(text: str) -> str | None:
    """The file named by a ``% !TEX root = ...`` comment near the top, if any."""
    m = _TEX_ROOT.search(text, 0, min(len(text), 8192))
    return m.group(1) if m else None


def _names(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[,\s]+", value) if part.strip())


def _comments(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, body) of each ``% skeptic: body`` comment; it starts at the first
    unescaped ``%`` of the run before the keyword (looked for from the run's last ``%``:
    trying every ``%`` of a long run would cost quadratic time)."""
    for m in _KEYWORD.finditer(text):
        first = last = m.start()
        while first > 0 and text[first - 1] == "%":
            first -= 1
        if first > 0 and text[first - 1] == "\\":
            first += 1
        if first <= last:
            yield first, m.end(), m.group(1)


def directives(text: str) -> tuple[Directives, list[tuple[str, int, int]]]:
    """The file's directives and, for each comment that could not be understood,
    (message, start, end)."""
    found = Directives()
    problems: list[tuple[str, int, int]] = []
    off_from: int | None = None
    for start, end, body in _comments(text):
        body = body.strip()
        word, _, value = body.partition("=")
        word = word.strip().lower()
        if word == "off" and not value:
            if off_from is None:
                off_from = start
        elif word == "on" and not value:
            if off_from is not None:
                found.off.append((off_from, end))
                off_from = None
        elif word == "ignore-next-line" and not value:
            line_end = _LINE_END.search(text, end)
            if line_end is not None:
                nxt = _LINE_END.search(text, line_end.end())
                found.ignore.append((line_end.end(), nxt.start() if nxt else len(text)))
        elif word == "personas" and value:
            found.personas = _names(value)
        elif word == "disable" and value:
            found.disable = found.disable + _names(value)
        else:
            problems.append((f"unknown skeptic directive: {body!r}", start, end))
    if off_from is not None:
        found.off.append((off_from, len(text)))
    return found, problems
