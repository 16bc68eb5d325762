"""User macros: ``\\newcommand{\\sys}{TierKV}`` makes ``\\sys{}`` read as "TierKV".

Definitions are collected from every file of a project before the scan, so a macro defined
in the preamble or in an ``\\input``-ed ``macros.tex`` expands everywhere. Argument-less
macros expand to the plain text of their body; for macros with arguments only the arity
is kept (their arguments stay prose when the body uses them, and vanish when it does not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skeptic.latex.files import uncommented

_NEWCOMMAND = re.compile(
    r"\\(?:re)?newcommand\*?|\\providecommand\*?|\\DeclareRobustCommand\*?"
    r"|\\(?:[gex]?def)(?=\s*\\)"
)
_NAME = re.compile(r"\s*(?:\{\s*\\([A-Za-z@]+)\s*\}|\\([A-Za-z@]+))")
_ARITY = re.compile(r"\s*\[\s*(\d)\s*\]")
_DEFAULT = re.compile(r"\s*\[[^\]]*\]")
_DEF_PARAMS = re.compile(r"[^{%]*")
_MAX_DEPTH = 16


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    arity: int
    body: str


@dataclass
class Macros:
    """The user macros of a project, expanded lazily to plain text."""

    definitions: dict[str, Definition] = field(default_factory=dict)
    _cache: dict[str, str] = field(default_factory=dict, repr=False)
    _active: set[str] = field(default_factory=set, repr=False)

    def add(self, definitions: list[Definition]) -> None:
        """Add definitions in order (a later one overrides an earlier one)."""
        for definition in definitions:
            self.definitions[definition.name] = definition
        self._cache.clear()

    def expansion(self, name: str) -> str | None:
        """Plain text of an argument-less macro, or None if ``name`` is not one."""
        definition = self.definitions.get(name)
        if definition is None or definition.arity:
            return None
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        if name in self._active or len(self._active) >= _MAX_DEPTH:
            return ""
        from skeptic.latex.scan import plain_text

        self._active.add(name)
        try:
            text = plain_text(definition.body, self)
        finally:
            self._active.discard(name)
        self._cache[name] = text
        return text

    def arity(self, name: str) -> tuple[int, bool] | None:
        """(number of arguments, whether the body uses them) for a macro with arguments."""
        definition = self.definitions.get(name)
        if definition is None or not definition.arity:
            return None
        return definition.arity, "#" in definition.body

    def as_dict(self) -> dict[str, str]:
        """Expansions of every argument-less macro."""
        return {
            name: text
            for name in self.definitions
            if (text := self.expansion(name)) is not None
        }


def _group_end(text: str, pos: int, known: dict[int, int | None]) -> int | None:
    """End of the brace group opening at ``pos``, or None; the ends of the groups opened
    inside are added to ``known`` on the way (repeated unterminated bodies stay linear)."""
    if pos in known:
        return known[pos]
    opened = [pos]
    i = pos + 1
    n = len(text)
    while i < n and pos not in known:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            opened.append(i)
        elif c == "}":
            known[opened.pop()] = i + 1
        i += 1
    for start in opened:
        known[start] = None
    return known[pos]


def collect(text: str) -> list[Definition]:
    """Every macro definition in ``text`` outside comments, in order."""
    found: list[Definition] = []
    ends: dict[int, int | None] = {}
    for m in uncommented(text, _NEWCOMMAND.finditer(text)):
        name_m = _NAME.match(text, m.end())
        if name_m is None:
            continue
        name = name_m.group(1) or name_m.group(2)
        pos = name_m.end()
        arity = 0
        if m.group().lstrip("\\") not in ("def", "gdef", "edef", "xdef"):
            arity_m = _ARITY.match(text, pos)
            if arity_m:
                arity = int(arity_m.group(1))
                pos = arity_m.end()
                default_m = _DEFAULT.match(text, pos)
                if default_m:
                    pos = default_m.end()
        else:
            params = _DEF_PARAMS.match(text, pos)
            arity = params.group().count("#") if params else 0
            pos = params.end() if params else pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if not text.startswith("{", pos):
            continue
        end = _group_end(text, pos, ends)
        if end is None:
            continue
        found.append(Definition(name, arity, text[pos + 1:end - 1]))
    return found
