"""Offsets to (line, character) for reports: LSP line breaks, UTF-16 columns.

The language server converts through pygls's position codec instead (it honours the
encoding negotiated with the client); this is for the CLI's JSON and SARIF, which DESIGN.md
fixes to UTF-16.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class LineIndex:
    """Line starts of one text, for fast offset → position conversion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """0-based line and UTF-16 column of ``offset`` (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        text = self.text
        if offset > start and text[offset - 1] == "\r" and text[offset:offset + 1] == "\n":
            offset -= 1
        surrogates = bisect_right(self.astral, offset - 1) - bisect_right(self.astral, start - 1)
        return line, offset - start + surrogates

    def range(self, start: int, end: int) -> dict[str, dict[str, int]]:
        """An LSP range (as JSON-ready dicts) for the span ``[start, end)``."""
        (l0, c0), (l1, c1) = self.position(start), self.position(end)
        return {"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}}
