"""Scan one LaTeX file into prose blocks, each with an exact map back to the source.

The scanner is a single left-to-right pass driven by one compiled regular expression that
jumps from one special character to the next, so the work is proportional to the number of
LaTeX tokens, not characters. Prose between tokens is copied as one piece. Every piece of
plain text records the source span it came from: copied text maps character by character,
replaced text (``\\'e`` → é, a macro's expansion, a ``[cite]`` placeholder) maps as a whole.

Nothing here raises on bad input: unbalanced braces, unterminated environments and stray
``$`` are recorded as problems and the scan goes on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from heapq import heappop, heappush
from itertools import accumulate
from operator import itemgetter

from skeptic.latex.files import on_uncommented_line
from skeptic.latex.macros import Macros
from skeptic.latex.mathtext import math_text
from skeptic.latex.tables import Tables, tables

# The leading look-ahead on the characters a token can start with lets the regex engine skip
# prose at C speed (a third faster than trying each alternative at every position).
TOKEN = re.compile(
    r"(?=[\\%\r\n$}{~`'-])(?:"
    r"\\(?:[A-Za-z@]+\*?|[^A-Za-z@]|\Z)"  # control word (with star) or control symbol
    r"|%"  # comment
    r"|(?>\r\n?|\n)(?:[ \t]*(?>\r\n?|\n))+"  # blank line(s): paragraph break
    r"|\$\$?|[{}~]|``|''|`|---?)"
)
_BRACE = re.compile(r"[{}%\\]")
_SIMPLE_GROUP = re.compile(r"\{[^{}%\\]*\}")  # a group with nothing inside to match
_SPACE_START = " \t\r\n"  # "" (the end of the text) is in it too
_BRACKET = re.compile(r"[\[\]{}%\\]")
# Atomic line breaks: CR LF is one break, never CR then LF (that would be a blank line).
_PARAGRAPH = re.compile(r"(?=[\r\n])(?>\r\n?|\n)[ \t]*(?>\r\n?|\n)")
_SPACE = re.compile(r"[ \t]*(?:(?:\r\n?|\n)[ \t]*)?")
_NAME_ARG = re.compile(r"\s*\{([^{}\\%]*)\}")
_BARE_INPUT = re.compile(r"[ \t]*([^\s{}%\\]+)")
_LINE_END = re.compile(r"\r\n?|\n")
_BEGIN_DOCUMENT = re.compile(r"\\begin\s*\{document\}")
# An optional argument stops at the next [ too: many unclosed "\title[" stay linear.
_TITLE = re.compile(r"\\title\s*(?:\[[^\[\]]*\])?\s*\{")
_FI = re.compile(r"\\fi(?![A-Za-z@])")
_VERB = re.compile(r"\\(?:verb|lstinline|mintinline)\*?")
# An accent over a brace group longer than this leaves the group as it is (it is no letter,
# and reading it again for each nested accent would take quadratic time and deep recursion).
_MAX_ACCENT_GROUP = 32
# How far to look for the delimiter closing a \verb (LaTeX ends it with its line anyway):
# each unterminated \verb with a new delimiter would otherwise scan to the paragraph's end.
_MAX_VERB = 1000
_POSITION = itemgetter(0, 1)
# Categories a user macro of the same name may not override.
_STRUCTURAL = frozenset({"heading", "include", "define", "footnote", "caption", "break", "title"})


@dataclass(slots=True)
class Block:
    """A run of prose (a paragraph, a caption, a footnote) and its map to the source.

    Piece ``i`` of the plain text starts at ``plain_starts[i]`` and came from source
    ``[source_starts[i], source_ends[i])``; ``exact[i]`` says it was copied verbatim.
    """

    kind: str
    plain: str
    plain_starts: list[int]
    source_starts: list[int]
    source_ends: list[int]
    exact: list[bool]

    def source_start(self, offset: int) -> int:
        """Source offset of the plain character at ``offset``."""
        i = bisect_right(self.plain_starts, offset) - 1
        if self.exact[i]:
            return self.source_starts[i] + offset - self.plain_starts[i]
        return self.source_starts[i]

    def source_end(self, offset: int) -> int:
        """Source offset just after the plain character at ``offset - 1``."""
        i = bisect_right(self.plain_starts, offset - 1) - 1
        if self.exact[i]:
            return self.source_starts[i] + offset - self.plain_starts[i]
        return self.source_ends[i]

    @property
    def start(self) -> int:
        return self.source_starts[0]


@dataclass(frozen=True, slots=True)
class Heading:
    level: str
    title: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Include:
    """An ``\\input``-like command: ``target`` as written, ``directory`` for ``\\import``."""

    command: str
    target: str
    start: int
    end: int
    directory: str = ""


@dataclass(frozen=True, slots=True)
class ScanProblem:
    code: str
    message: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A paragraph break at the top level of the body, where the scan is in a clean state:
    nothing scanned before ``pos`` depended on the text after it, and the scan after it
    depends on nothing before it. ``events`` and ``problems`` count those before ``pos``."""

    pos: int
    events: int
    problems: int
    title: str
    title_at: int


@dataclass(slots=True)
class FileScan:
    """What one file contributes, in source order: blocks, headings and includes.

    ``title_at`` is where the title was last set (-1: in the preamble, or never);
    ``checkpoints`` are where a scan of an edited text may start again (see ``rescan``);
    ``body`` is where the document body starts (0: the file has no ``\\begin{document}``).
    """

    events: list[Block | Heading | Include]
    problems: list[ScanProblem]
    title: str = ""
    title_at: int = -1
    checkpoints: list[Checkpoint] = field(default_factory=list)
    body: int = 0


class _Builder:
    """Accumulates the pieces of one block: their text and (source start, end, exact)."""

    __slots__ = ("kind", "parts", "spans")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.parts: list[str] = []
        self.spans: list[tuple[int, int, bool]] = []

    def add(self, piece: str, start: int, end: int, exact: bool) -> None:
        self.parts.append(piece)
        self.spans.append((start, end, exact))

    def build(self) -> Block | None:
        """The block so far (None when it holds no prose); the builder starts afresh."""
        plain = "".join(self.parts)
        block = None
        if plain.strip():
            offsets = list(accumulate(map(len, self.parts), initial=0))
            offsets.pop()
            starts, ends, exact = zip(*self.spans, strict=True)
            block = Block(self.kind, plain, offsets, list(starts), list(ends), list(exact))
        self.__init__(self.kind)
        return block


@dataclass(slots=True)
class _Frame:
    """An open brace group or environment, and what to do when it closes."""

    kind: str  # group | env | title | side | heading
    start: int
    saved: _Builder | None
    name: str = ""
    builder: _Builder | None = None
    extra: str = ""


@dataclass(slots=True)
class _Scanner:
    text: str
    macros: Macros
    t: Tables = field(default_factory=tables)
    main: _Builder = field(default_factory=lambda: _Builder("text"))
    sink: _Builder | None = None
    frames: list[_Frame] = field(default_factory=list)
    events: list[tuple[int, int, Block | Heading | Include]] = field(default_factory=list)
    problems: list[ScanProblem] = field(default_factory=list)
    title: str = ""
    title_at: int = -1
    par_cache: tuple[int, int] = (-1, -1)
    # Checkpoints, until a search that failed may have depended on text beyond the next one
    # (``tainted``); a run stops at a checkpoint whose position is in ``resync``.
    checkpoints: list[Checkpoint] = field(default_factory=list)
    tainted: bool = False
    resync: frozenset[int] = frozenset()
    stopped: int | None = None
    # Memos that keep repeated searches linear: group ends by (position, stop), the stretch
    # where a string is known to be absent, open environments by name.
    brace_ends: dict[tuple[int, int], int | None] = field(default_factory=dict)
    bracket_ends: dict[tuple[int, int], int | None] = field(default_factory=dict)
    misses: dict[str, tuple[int, int]] = field(default_factory=dict)
    open_envs: Counter[str] = field(default_factory=Counter)

    # ----------------------------------------------------------------- output
    def emit(self, piece: str, start: int, end: int) -> None:
        if self.sink is not None and piece:
            self.sink.add(piece, start, end, False)

    def copy(self, start: int, end: int) -> None:
        if self.sink is not None:
            self.sink.add(self.text[start:end], start, end, True)

    def event(self, position: int, item: Block | Heading | Include) -> None:
        self.events.append((position, len(self.events), item))

    def finish(self, builder: _Builder) -> None:
        block = builder.build()
        if block is not None:
            self.event(block.start, block)

    def paragraph(self) -> None:
        """End the main-flow block; inside a footnote or caption, insert a hard break."""
        sink = self.sink
        if sink is None or sink is self.main:
            self.finish(self.main)
        elif sink.parts:
            last = sink.spans[-1][1]
            sink.add("\n\n", last, last, False)

    def problem(self, code: str, message: str, start: int, end: int) -> None:
        self.problems.append(ScanProblem(code, message, start, end))

    def result(self, body: int) -> FileScan:
        self.events.sort(key=_POSITION)
        return FileScan([item for _, _, item in self.events], self.problems, self.title,
                        self.title_at, self.checkpoints, body)

    # ----------------------------------------------------------------- helpers
    def paragraph_end(self, pos: int) -> int:
        """Offset of the next blank line at or after ``pos`` (cached: linear overall)."""
        lo, hi = self.par_cache
        if lo <= pos < hi:
            return hi
        m = _PARAGRAPH.search(self.text, pos)
        end = m.start() if m else len(self.text)
        self.par_cache = (pos, end)
        return end

    def find(self, sub: str, start: int, stop: int) -> int:
        """``text.find(sub, start, stop)``, remembering the stretch where ``sub`` is known to
        be absent: a search starting inside it looks only beyond it (repeated unterminated
        ``\\(`` or ``\\verb`` stay linear)."""
        a, b = self.misses.get(sub, (0, -1))
        beyond = b - len(sub) + 1  # where an occurrence not inside [a, b) can start
        if a <= start <= beyond:
            if stop <= b:
                return -1
            found = self.text.find(sub, beyond, stop)
        else:
            a, b = start, stop
            found = self.text.find(sub, start, stop)
        if found < 0:
            self.misses[sub] = (a, max(b, stop))
        return found

    def match_brace(self, pos: int, limit: int | None = None) -> int | None:
        """End (exclusive) of the brace group opening at ``pos``; None if unterminated.

        The ends of the groups opened inside are remembered on the way, so that matching
        them later (nested or repeated unterminated arguments) costs nothing.
        """
        text = self.text
        stop = len(text) if limit is None else limit
        simple = _SIMPLE_GROUP.match(text, pos, stop)
        if simple:
            return simple.end()
        known = self.brace_ends
        if (pos, stop) in known:
            return known[pos, stop]
        opened = [pos]
        i = pos + 1
        search = _BRACE.search
        while (pos, stop) not in known:
            m = search(text, i, stop)
            if m is None:
                break
            j = m.start()
            c = text[j]
            if c == "\\":
                i = j + 2
            elif c == "%":
                nl = _LINE_END.search(text, j, stop)
                if nl is None:
                    break
                i = nl.end()
            elif c == "{":
                opened.append(j)
                i = j + 1
            else:
                known[opened.pop(), stop] = j + 1
                i = j + 1
        for start in opened:
            known[start, stop] = None
        if limit is None and known[pos, stop] is None:
            self.tainted = True
        return known[pos, stop]

    def match_bracket(self, pos: int) -> int | None:
        """End of the ``[...]`` optional argument opening at ``pos`` (braces nest).

        Like :meth:`match_brace`, it remembers the ends of the ``[`` met on the way: each
        ends at the first ``]`` at or below its brace depth.
        """
        text = self.text
        stop = self.paragraph_end(pos)
        known = self.bracket_ends
        if (pos, stop) in known:
            return known[pos, stop]
        waiting = [(0, pos)]  # (-depth, position) of the [ not yet ended, deepest first
        depth = 0
        i = pos + 1
        while (pos, stop) not in known:
            m = _BRACKET.search(text, i, stop)
            if m is None:
                break
            j = m.start()
            c = text[j]
            if c == "\\":
                i = j + 2
            elif c == "%":
                nl = _LINE_END.search(text, j, stop)
                if nl is None:
                    break
                i = nl.end()
            else:
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                elif c == "]":
                    while waiting and -waiting[0][0] >= depth:
                        known[heappop(waiting)[1], stop] = j + 1
                else:
                    heappush(waiting, (-depth, j))
                i = j + 1
        if (pos, stop) not in known:
            for _, start in waiting:
                known[start, stop] = None
        return known[pos, stop]

    def skip_space(self, pos: int) -> int:
        """Skip spaces and at most one newline (never a paragraph break)."""
        if self.text[pos:pos + 1] not in _SPACE_START:
            return pos
        return _SPACE.match(self.text, pos).end()

    def skip_args(self, spec: str, pos: int, keep_last: bool = False) -> tuple[int, int | None]:
        """Consume arguments per ``spec``; return the new position and, with ``keep_last``,
        the position of the last mandatory argument's ``{`` (None when absent)."""
        text = self.text
        last_mandatory = spec.rfind("{") if keep_last else -1
        for index, kind in enumerate(spec):
            probe = self.skip_space(pos)
            if kind == "*":
                if text.startswith("*", probe):
                    pos = probe + 1
            elif kind == "[":
                if text.startswith("[", probe):
                    end = self.match_bracket(probe)
                    if end is None:
                        self.problem("unterminated-argument", "unterminated [ argument",
                                     probe, probe + 1)
                        return probe + 1, None
                    pos = end
            elif text.startswith("{", probe):
                if index == last_mandatory:
                    return probe, probe
                end = self.match_brace(probe, self.paragraph_end(probe))
                if end is None:
                    self.problem("unbalanced-braces", "unterminated { argument",
                                 probe, probe + 1)
                    return probe + 1, None
                pos = end
            elif index == last_mandatory:
                return pos, None
            elif probe < len(text) and text[probe] not in "}%":
                pos = self.single_token_end(probe)
        return pos, None

    def single_token_end(self, pos: int) -> int:
        """End of a one-token argument: ``\\name`` or one character."""
        if self.text.startswith("\\", pos):
            m = TOKEN.match(self.text, pos)
            return m.end() if m else pos + 1
        return pos + 1

    def group_text(self, start: int, end: int) -> str:
        """Plain text of a source fragment, scanned with the same macros."""
        return plain_text(self.text[start:end], self.macros)

    def open_frame(self, kind: str, start: int, brace: int, builder: _Builder | None,
                   name: str = "", extra: str = "") -> int:
        self.frames.append(_Frame(kind, start, self.sink, name, builder, extra))
        if kind in ("title", "side", "heading"):
            self.sink = builder
        return brace + 1

    # ----------------------------------------------------------------- main loop
    def run(self, start: int, end: int) -> None:
        text = self.text
        pos = start
        search = TOKEN.search
        self.sink = self.main
        while pos < end:
            m = search(text, pos, end)
            if m is None:
                self.copy(pos, end)
                break
            at = m.start()
            if at > pos:
                self.copy(pos, at)
            token = m.group()
            first = token[0]
            if first == "\\":
                pos = self.control(m, end)
                if pos < 0:
                    break
            elif first == "%":
                pos = self.comment(at)
            elif first == "{":
                self.frames.append(_Frame("group", at, self.sink))
                pos = at + 1
            elif first == "}":
                self.close_group(at)
                pos = at + 1
            elif first == "$":
                pos = self.dollar(at, token)
            elif first == "~":
                self.emit("\xa0", at, at + 1)
                pos = at + 1
            elif first == "-":
                self.emit("—" if len(token) == 3 else "–", at, m.end())
                pos = m.end()
            elif first in "`'":
                self.emit({"``": "“", "''": "”", "`": "‘"}[token], at, m.end())
                pos = m.end()
            else:
                self.paragraph()
                pos = m.end()
                if not self.frames and not self.tainted:
                    self.checkpoints.append(Checkpoint(pos, len(self.events), len(self.problems),
                                                       self.title, self.title_at))
                    if pos in self.resync:
                        self.stopped = pos
                        break
        self.close_all(end)

    def comment(self, at: int) -> int:
        text = self.text
        line_end = _LINE_END.search(text, at)
        if line_end is None:
            return len(text)
        eol = line_end.start()
        after = _SPACE.match(text, eol).end()
        nxt = text[after:after + 1]
        if nxt in ("\n", "\r") or after == eol:
            return eol
        return after

    def close_group(self, at: int) -> None:
        while self.frames:
            frame = self.frames[-1]
            if frame.kind == "env":
                break
            self.frames.pop()
            self.end_frame(frame, at + 1)
            return
        self.problem("unbalanced-braces", "unmatched }", at, at + 1)

    def end_frame(self, frame: _Frame, end: int) -> None:
        self.sink = frame.saved
        if frame.kind == "title":
            self.title = _squash("".join(frame.builder.parts)) if frame.builder else ""
            self.title_at = frame.start
        elif frame.kind == "heading" and frame.builder is not None:
            title = _squash("".join(frame.builder.parts))
            self.event(frame.start, Heading(frame.name, title, frame.start, end))
        elif frame.kind == "side" and frame.builder is not None:
            self.finish(frame.builder)

    def close_all(self, end: int) -> None:
        while self.frames:
            frame = self.frames.pop()
            if frame.kind == "env":
                self.problem("unterminated-environment",
                             f"\\begin{{{frame.name}}} is never ended", frame.start,
                             frame.start + len(frame.name) + 8)
            else:
                self.problem("unbalanced-braces", "{ is never closed", frame.start,
                             frame.start + 1)
            self.end_frame(frame, end)
        self.sink = self.main
        self.finish(self.main)

    # ----------------------------------------------------------------- math
    def dollar(self, at: int, token: str) -> int:
        text = self.text
        stop = self.paragraph_end(at)
        if token == "$$":
            close = text.find("$$", at + 2, stop)
            if close < 0:
                self.problem("unterminated-math", "$$ is never closed", at, at + 2)
                return stop
            self.emit(self.t.placeholders["math"], at, close + 2)
            return close + 2
        i = at + 1
        while True:
            close = text.find("$", i, stop)
            if close < 0:
                self.problem("unterminated-math", "$ is never closed", at, at + 1)
                self.emit(self.t.placeholders["math"], at, stop)
                return stop
            if text[close - 1] != "\\":
                break
            i = close + 1
        self.inline_math(text[at + 1:close], at, close + 1)
        return close + 1

    def inline_math(self, content: str, start: int, end: int) -> None:
        rendered = math_text(content)
        self.emit(rendered if rendered is not None else self.t.placeholders["math"], start, end)

    def delimited_math(self, at: int, closer: str, display: bool) -> int:
        stop = self.paragraph_end(at) if not display else len(self.text)
        close = self.find(closer, at + 2, stop)
        if close < 0:
            self.problem("unterminated-math", f"{self.text[at:at + 2]} is never closed",
                         at, at + 2)
            self.tainted = self.tainted or display
            return at + 2
        if display:
            self.emit(self.t.placeholders["math"], at, close + 2)
        else:
            self.inline_math(self.text[at + 2:close], at, close + 2)
        return close + 2

    # ----------------------------------------------------------------- commands
    def control(self, m: re.Match[str], end: int) -> int:
        text = self.text
        at = m.start()
        token = m.group()
        if len(token) == 1:
            return at + 1
        name = token[1:]
        if not (name[0].isalpha() or name[0] == "@"):
            return self.control_symbol(name, at, m.end())
        base = name[:-1] if name.endswith("*") else name
        entry = self.t.category.get(base)
        if entry is not None and entry[0] in _STRUCTURAL:
            return self.categorised(entry, base, at, m.end(), end)
        expansion = self.macros.expansion(base)
        if expansion is not None:
            stop = m.end()
            if text.startswith("{}", stop):
                stop += 2
            self.emit(expansion, at, stop)
            return stop
        if entry is not None:
            return self.categorised(entry, base, at, m.end(), end)
        if base == "begin":
            return self.begin(at, m.end())
        if base == "iffalse":
            close = _FI.search(self.text, m.end())
            return close.end() if close else len(self.text)
        if base == "end":
            return self.end_env(at, m.end())
        if base in self.t.accents:
            return self.accent(base, at, m.end())
        symbol = self.t.symbols.get(base)
        if symbol is not None:
            self.emit(symbol, at, m.end())
            return m.end()
        if _VERB.fullmatch(token):
            return self.verb(at, m.end())
        spec = self.t.fallback_args.get(base)
        if spec is not None:
            return self.skip_args(spec, m.end())[0]
        arity = self.macros.arity(base)
        if arity is not None and not arity[1]:
            return self.skip_args("{" * arity[0], m.end())[0]
        return m.end()

    def control_symbol(self, name: str, at: int, stop: int) -> int:
        if name in self.t.accents:
            return self.accent(name, at, stop)
        if name == "(":
            return self.delimited_math(at, "\\)", display=False)
        if name == "[":
            return self.delimited_math(at, "\\]", display=True)
        if name == "\\":
            self.emit(" ", at, stop)
            return self.skip_args("*[", stop)[0]
        self.emit(self.t.symbols.get(name, ""), at, stop)
        return stop

    def accent(self, command: str, at: int, stop: int) -> int:
        text = self.text
        probe = self.skip_space(stop) if command[0].isalpha() else stop
        if text.startswith("{", probe):
            limit = self.paragraph_end(probe)
            close = self.match_brace(probe, min(limit, probe + _MAX_ACCENT_GROUP))
            if close is None:
                return probe if self.match_brace(probe, limit) else probe + 1
            base = self.group_text(probe + 1, close - 1)
            self.emit(self.t.accent(command, base), at, close)
            return close
        if probe < len(text) and text[probe] == "\\":
            m = TOKEN.match(text, probe)
            inner = m.group()[1:] if m else ""
            base = {"i": "i", "j": "j"}.get(inner, self.t.symbols.get(inner, ""))
            close = m.end() if m else probe + 1
            self.emit(self.t.accent(command, base), at, close)
            return close
        if probe < len(text) and not text[probe].isspace():
            self.emit(self.t.accent(command, text[probe]), at, probe + 1)
            return probe + 1
        return probe

    def verb(self, at: int, stop: int) -> int:
        text = self.text
        pos = stop
        if text.startswith("{", pos) and text[at + 1:stop].startswith("mintinline"):
            pos = self.skip_args("{", pos)[0]
        if pos >= len(text):
            return pos
        delimiter = "}" if text[pos] == "{" else text[pos]
        close = self.find(delimiter, pos + 1, min(self.paragraph_end(pos), pos + _MAX_VERB))
        if close < 0:
            self.problem("unterminated-verb", "\\verb is never closed", at, stop)
            return pos + 1
        self.emit(self.t.placeholders["code"], at, close + 1)
        return close + 1

    def categorised(self, entry: tuple[str, str], base: str, at: int, stop: int,
                    end: int) -> int:
        category, spec = entry
        if category == "keep":
            pos, brace = self.skip_args(spec, stop, keep_last=True)
            if brace is not None:
                self.frames.append(_Frame("group", at, self.sink))
                return brace + 1
            return pos
        if category in ("drop", "define"):
            if category == "define" and base in ("def", "gdef", "edef", "xdef"):
                return self.skip_def(stop)
            return self.skip_args(spec, stop)[0]
        if category in ("cite", "ref", "url"):
            pos = self.skip_args(spec, stop)[0]
            self.emit(self.t.placeholders[category], at, pos)
            return pos
        if category in ("footnote", "caption"):
            pos, brace = self.skip_args(spec, stop, keep_last=True)
            if brace is None:
                return pos
            return self.open_frame("side", at, brace, _Builder(category))
        if category == "heading":
            self.paragraph()
            pos, brace = self.skip_args("*[{", stop, keep_last=True)
            if brace is None:
                return pos
            return self.open_frame("heading", at, brace, _Builder("title"),
                                   name=self.t.heading_level[base])
        if category == "title":
            pos, brace = self.skip_args(spec, stop, keep_last=True)
            if brace is None or base != "title":
                return self.skip_args("{", pos)[0] if brace is not None else pos
            return self.open_frame("title", at, brace, _Builder("title"))
        if category == "include":
            return self.include(base, spec, at, stop)
        self.paragraph()
        return self.skip_args(spec, stop)[0]

    def skip_def(self, stop: int) -> int:
        """``\\def\\name<params>{body}``: skip it all (the macro pass read it)."""
        text = self.text
        m = TOKEN.match(text, self.skip_space(stop))
        pos = m.end() if m else stop
        brace = self.find("{", pos, self.paragraph_end(pos))
        if brace < 0:
            return pos
        close = self.match_brace(brace)
        return close if close is not None else brace + 1

    def include(self, base: str, spec: str, at: int, stop: int) -> int:
        text = self.text
        self.paragraph()
        args: list[str] = []
        pos = stop
        for kind in spec:
            probe = self.skip_space(pos)
            if kind == "*":
                if text.startswith("*", probe):
                    pos = probe + 1
                continue
            m = _NAME_ARG.match(text, probe, self.paragraph_end(probe))
            if m is None:
                break
            args.append(m.group(1).strip())
            pos = m.end()
        if not args and base == "input":
            bare = _BARE_INPUT.match(text, stop)
            if bare:
                args, pos = [bare.group(1)], bare.end()
        if not args or not args[-1]:
            self.problem("bad-include", f"\\{base} without a file name", at, max(pos, stop))
            return max(pos, stop)
        directory = args[0] if len(args) == 2 else ""
        self.event(at, Include(base, args[-1], at, pos, directory))
        return pos

    # ----------------------------------------------------------------- environments
    def begin(self, at: int, stop: int) -> int:
        m = _NAME_ARG.match(self.text, stop, self.paragraph_end(stop))
        if m is None:
            self.problem("bad-environment", "\\begin without {name}", at, stop)
            return stop
        name = m.group(1).strip()
        pos = m.end()
        kind = self.t.environments.get(name, "")
        if kind == "math":
            close = self.environment_end(name, pos)
            self.emit(self.t.placeholders["math"], at, close)
            return close
        if kind == "skip":
            self.paragraph()
            return self.environment_end(name, pos)
        if kind == "document":
            return pos
        self.paragraph()
        pos = self.skip_args(self.t.environment_args.get(name, ""), pos)[0]
        while True:
            probe = self.skip_space(pos)
            if not self.text.startswith("[", probe):
                break
            close = self.match_bracket(probe)
            if close is None:
                break
            pos = close
        self.frames.append(_Frame("env", at, self.sink, name, extra=kind))
        self.open_envs[name] += 1
        if kind == "abstract":
            self.event(at, Heading("abstract", "Abstract", at, m.end()))
        elif kind == "float":
            self.sink = None
        return pos

    def environment_end(self, name: str, pos: int) -> int:
        """Skip to just after the matching ``\\end{name}`` (nesting counted)."""
        pattern = re.compile(r"\\(begin|end)\s*\{" + re.escape(name) + r"\}")
        depth = 1
        for m in pattern.finditer(self.text, pos):
            depth += 1 if m.group(1) == "begin" else -1
            if depth == 0:
                return m.end()
        self.problem("unterminated-environment", f"\\begin{{{name}}} is never ended",
                     pos, pos)
        return len(self.text)

    def end_env(self, at: int, stop: int) -> int:
        m = _NAME_ARG.match(self.text, stop, self.paragraph_end(stop))
        if m is None:
            return stop
        name = m.group(1).strip()
        if name == "document":
            return -1
        if not self.open_envs[name]:
            self.problem("unmatched-end", f"\\end{{{name}}} without \\begin{{{name}}}",
                         at, m.end())
            return m.end()
        while True:
            frame = self.frames.pop()
            ended = frame.kind == "env" and frame.name == name
            if frame.kind == "env":
                self.open_envs[frame.name] -= 1
                if not ended:
                    self.problem("unterminated-environment",
                                 f"\\begin{{{frame.name}}} is never ended", frame.start,
                                 frame.start + len(frame.name) + 8)
            self.end_frame(frame, at)
            if ended:
                break
        self.paragraph()
        return m.end()


def _squash(text: str) -> str:
    return " ".join(text.split())


def document_body(text: str) -> tuple[int, int]:
    """Span of the document body: after the first ``\\begin{document}`` that no ``%`` before
    it on its line comments out, when the file has one."""
    m = on_uncommented_line(text, _BEGIN_DOCUMENT, "\\begin")
    return (m.end(), len(text)) if m else (0, len(text))


def scan(text: str, macros: Macros | None = None) -> FileScan:
    """Scan a whole file: its body becomes blocks, headings and includes, in source order."""
    scanner = _Scanner(text, macros or Macros())
    start, end = document_body(text)
    if start:
        title = _TITLE.search(text, 0, start)
        if title:
            close = scanner.match_brace(title.end() - 1)
            if close is not None:
                scanner.title = _squash(scanner.group_text(title.end(), close - 1))
                scanner.tainted = close > start
    scanner.run(start, end)
    return scanner.result(start)


def scan_from(text: str, macros: Macros, body: int, checkpoint: Checkpoint,
              resync: frozenset[int]) -> tuple[FileScan, int | None]:
    """Scan ``text``, whose body starts at ``body``, from ``checkpoint``, taken by a scan of a
    text that reads the same up to it, until a checkpoint at a position in ``resync``.
    Returns what was found after ``checkpoint.pos`` (checkpoint counts start from zero
    there) and where the scan stopped (None: at the end of the file)."""
    scanner = _Scanner(text, macros)
    scanner.title, scanner.title_at, scanner.resync = checkpoint.title, checkpoint.title_at, resync
    scanner.run(checkpoint.pos, len(text))
    return scanner.result(body), scanner.stopped


def plain_text(fragment: str, macros: Macros | None = None) -> str:
    """The prose of a LaTeX fragment, all blocks joined by spaces."""
    scanner = _Scanner(fragment, macros or Macros())
    scanner.run(0, len(fragment))
    scanner.events.sort(key=lambda item: (item[0], item[1]))
    return _squash(" ".join(e.plain for _, _, e in scanner.events if isinstance(e, Block)))
