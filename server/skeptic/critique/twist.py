"""Where and how "Apply Twist suggestion" inserts a persona's twist into the draft.

The twist goes after the paragraph that holds the sentence, as ``\\todo[inline]{...}`` when
the document loads todonotes, else as ``%`` comment lines. It is only ever an insertion:
nothing the author wrote is changed.
"""

from __future__ import annotations

import re
import textwrap

_TODONOTES = re.compile(r"(?m)^[^%\n]*\\usepackage\s*(?:\[[^\]]*\])?\s*\{[^}]*\btodonotes\b")
_STRUCTURE = re.compile(
    r"\s*\\(?:(?:sub)*section|chapter|part|paragraph|subparagraph|begin|end|item|"
    r"input|include|caption|label|maketitle|\[)\b|\s*\\\[|\s*\$\$"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
    "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
WIDTH = 90


def uses_todonotes(text: str) -> bool:
    """True when the document loads the todonotes package."""
    return _TODONOTES.search(text) is not None


def paragraph_end(text: str, offset: int) -> int:
    """Offset of the end (before its line break) of the paragraph's last line at ``offset``."""
    lines = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]
    end = next((start for start, _ in lines if start >= offset), len(text))
    for start, stop in lines:
        if start < end:
            continue
        following = _LINE_BREAK.search(text, stop)
        line = text[stop:following.start() if following else len(text)]
        if not line.strip() or _STRUCTURE.match(line) or line.lstrip().startswith("%"):
            break
        end = following.start() if following else len(text)
    return end


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in text)


def render(twist: str, persona: str, kind: str, style: str, newline: str = "\n") -> str:
    """The inserted text (it starts with a line break): a todo note or comment lines."""
    label = f"Skeptic twist ({persona}, {kind})"
    if style == "todo":
        return f"{newline}\\todo[inline]{{{_escape(label)}: {_escape(twist)}}}"
    lines = textwrap.wrap(f"{label}: {twist}", WIDTH - 2, break_long_words=False,
                          break_on_hyphens=False)
    return "".join(f"{newline}% {line}" for line in lines)


def insertion(text: str, offset: int, twist: str, persona: str, kind: str, style: str
              ) -> tuple[int, str]:
    """(offset, text to insert there) for a twist on the sentence ending at ``offset``."""
    at = paragraph_end(text, offset)
    newline = "\r\n" if "\r\n" in text[:at] else "\n"
    return at, render(twist, persona, kind, style, newline)
