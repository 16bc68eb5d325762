"""Split a block's plain text into sentences.

A boundary is a run of ``.``, ``!``, ``?`` or ``…`` (with closing quotes or brackets) that
is followed by ordinary white space and then something that can start a sentence. Ties
(``~``, kept as a no-break space) never end a sentence, nor do abbreviations such as
"e.g.", "et al.", "Fig.", "Sec.", "Eq." or "vs.", nor decimals ("1.3×"), which have no
space after the point. Paragraph breaks inside a block are hard boundaries, and so are
the CJK full stops 。！？ (no space follows them).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

# A Latin stop must be followed by ordinary white space and then a word that can start a
# sentence: an upper-case letter or digit anywhere in it ("vLLM"), or an opening bracket,
# quote or placeholder. A run of stops is tried from its first stop only (trying each
# stop of a long run would cost quadratic time).
# The leading look-ahead lets the engine skip to candidate characters at C speed (without
# it every position pays for the look-behind): 4x faster on prose.
_BOUNDARY = re.compile(
    r"(?=[.!?…。！？\r\n])"
    r"(?:(?<![.!?…])[.!?…]+[\"'”’)\]]*(?=[ \t\r\n][ \t\r\n\xa0]*(?:[^\s]*[A-Z0-9]|[\[(\"“‘'`$\\]))"
    r"|[。！？]+[」』”’）)]*|(?>\r\n?|\n){2})"
)
_WORD_WINDOW = 64
_HAS_WORD = re.compile(r"[^\W\d_]{2}")
# White space is in [\W]: listing \s apart would let a run of spaces match in exponentially
# many ways before a word fails the match ("1 2 3 … 40 ab").
_PLACEHOLDER_ONLY = re.compile(r"^(?:\[(?:math|cite|ref|url|code)\]|[\W\d_])*$")


@cache
def abbreviations() -> frozenset[str]:
    """Lower-case words (without their final point) that do not end a sentence."""
    raw = tomllib.loads(
        resources.files("skeptic.latex").joinpath("data/language.toml").read_text("utf-8")
    )
    return frozenset(word.lower().rstrip(".") for word in raw["abbreviations"]["words"])


@cache
def _final_letters() -> frozenset[str]:
    """The characters abbreviations end with, in either case: a stop after any other
    character cannot close an abbreviation."""
    return frozenset(c for word in abbreviations() if word for c in (word[-1], word[-1].upper()))


def _word_before(plain: str, dot: int) -> str:
    """The lower-cased word (dots kept, last dot dropped) that ends at ``dot``: at most its
    last ``_WORD_WINDOW`` characters (abbreviations are short; looking further back for
    each stop would take quadratic time in a block without spaces)."""
    window = max(0, dot - _WORD_WINDOW)
    start = max(plain.rfind(" ", window, dot), plain.rfind("\n", window, dot),
                plain.rfind("\r", window, dot), plain.rfind("\xa0", window, dot), window - 1)
    return plain[start + 1:dot].lstrip("([{\"'“‘").lower().rstrip(".")


def split(plain: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``plain``, white space trimmed."""
    spans: list[tuple[int, int]] = []
    abbrev = abbreviations()
    finals = _final_letters()
    start = 0
    for m in _BOUNDARY.finditer(plain):
        end = m.end()
        dot = m.start()
        if (plain[dot] == "." and plain[dot - 1:dot] in finals
                and _word_before(plain, dot) in abbrev):
            continue
        _append(plain, start, end, spans)
        start = end
    _append(plain, start, len(plain), spans)
    return spans


def _append(plain: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and plain[start].isspace():
        start += 1
    while end > start and plain[end - 1].isspace():
        end -= 1
    piece = plain[start:end]
    if _HAS_WORD.search(piece) and not _PLACEHOLDER_ONLY.match(piece):
        spans.append((start, end))


def normalize(text: str) -> str:
    """Collapse white space (ties, i.e. no-break spaces, included) to single spaces."""
    return " ".join(text.split())
