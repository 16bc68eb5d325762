"""The fuzzing kit shared by tests/unit/test_fuzz.py and bench/fuzz.py.

* seeds: the bundled examples and, when present, the internal corpus (read in place, never
  copied);
* mutations: truncations at every byte class, imbalance, deep nesting, odd line ends,
  characters from every Unicode plane (lone surrogates included), and byte-level damage
  (NUL, invalid UTF-8) that goes through the project's own decoder;
* invariant checks, each returning :class:`Violation` records instead of raising, so that
  the campaign can count them;
* :func:`work`, a deterministic measure of the work a call does, for linearity checks.
"""

from __future__ import annotations

import re
import signal
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from random import Random
from types import ModuleType

from lsprotocol import types
from pygls.workspace import PositionCodec

from skeptic import phrases
from skeptic.critique.model import Objection
from skeptic.critique.pipeline import Reviewers, critique_offline
from skeptic.latex import claims, files, macros, magic, mathtext, positions, roots, scan
from skeptic.latex import sentences as splitter
from skeptic.latex.files import MapReader, ReadError, decode
from skeptic.latex.memory import MEMORY
from skeptic.latex.model import Project
from skeptic.latex.project import load_from_disk, load_project
from skeptic.lsp import documents
from skeptic.lsp.documents import Document, Positions
from skeptic.lsp.state import Shown
from skeptic.settings import Settings

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
CORPUS = REPO.parent / "shared" / "corpus"
ENCODINGS = ("utf-16", "utf-8", "utf-32")


# ---------------------------------------------------------------------- seeds
@dataclass(frozen=True)
class Seed:
    """A project to mutate: its root file and the texts of every file it reads."""

    name: str
    root: str
    texts: Mapping[str, str]


def _seed(path: Path, name: str) -> Seed:
    project = load_from_disk(path)
    return Seed(name, project.root, {f: source.text for f, source in project.files.items()})


@cache
def example_seeds() -> tuple[Seed, ...]:
    return tuple(_seed(main, f"examples/{main.parent.name}")
                 for main in sorted(EXAMPLES.glob("*/main.tex")))


def corpus_mains() -> list[str]:
    mains = CORPUS / "mains.txt"
    return mains.read_text().split() if mains.is_file() else []


@cache
def corpus_seeds() -> tuple[Seed, ...]:
    """The corpus documents (none when the corpus is absent)."""
    return tuple(_seed(CORPUS / main, main) for main in corpus_mains())


# ---------------------------------------------------------------------- mutations
FRAGMENTS = (
    "We", " propose", " a", " cache", ".", " ", "\n", "\n\n", "\r\n", "\r", "e.g.", " 1.3",
    "×", "𝛾", "é", "\\", "{", "}", "$", "$$", "%", "~", "``", "''", "--", "[", "]", "&",
    "\\emph{", "\\cite{k}", "\\ref{x}", "\\footnote{", "\\caption{", "\\caption[",
    "\\section{", "\\section*[", "\\title{", "\\begin{itemize}", "\\end{itemize}", "\\item[",
    "\\begin{figure}", "\\end{figure}", "\\begin{equation}", "\\end{equation}",
    "\\begin{document}", "\\end{document}", "\\input{x}", "\\input ", "\\verb|a|", "\\verb",
    "\\(", "\\)", "\\[", "\\]", "\\'e", "\\'{", "\\\\", "\\\\[", "\\newcommand{\\s}{S}",
    "\\s{}", "\\def\\t{T}", "\\iffalse", "\\fi", "% skeptic: off\n", "% skeptic: on\n",
    "% skeptic: ignore-next-line\n", " 8 A100 GPUs", " batch size 32", " 2.4$\\times$",
)
# Characters that stress offsets: every plane, astral, combining, odd line and space
# separators, a BOM, NUL, and lone surrogates (valid in a Python str, not in UTF-8).
EXOTIC = (
    "\x00", "\ufeff", "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\u200d", "\u202e",
    "\u0301", "\xa0", "。", "！", "𝛾", "😀", "\U00020000", "\U000e0001", "\U0010fffd",
    "\udc80", "\ud83dx", "x\ude00",
)
STRUCTURE = ("{", "}", "\\begin{itemize}", "\\end{itemize}", "\\begin{figure}",
             "\\end{figure}", "\\end{document}", "$", "$$", "\\(", "\\[", "\\]", "\\verb",
             "[", "]", "\\iffalse", "\\fi", "\\footnote{", "\\section{", "\\item[", "%")
NESTS = (("{", "}"), ("\\begin{itemize}\\item ", "\\end{itemize}"), ("\\footnote{", "}"),
         ("\\emph{", "}"), ("\\begin{quote}", "\\end{quote}"), ("[", "]"))
TRUNCATIONS = ("\\", "{", "$", "%", "\\begin{", "\\verb", "\\(")
BAD_BYTES = (b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80",
             b"\xe2\x82", b"\x80")


def _at(text: str, rng: Random) -> int:
    return rng.randrange(len(text) + 1)


def truncate(text: str, rng: Random) -> str:
    """Cut the text right after a ``\\``, ``{``, ``$``, ``%``, inside ``\\begin{`` ..."""
    marker = rng.choice(TRUNCATIONS)
    hits = [m.end() for m in re.finditer(re.escape(marker), text)]
    cut = rng.choice(hits) if hits else _at(text, rng)
    if marker == "\\begin{":
        cut += rng.randrange(4)
    return text[:cut]


def unbalance(text: str, rng: Random) -> str:
    """Insert a structural token, or delete one brace, dollar or bracket."""
    if rng.random() < 0.5:
        at = _at(text, rng)
        return text[:at] + rng.choice(STRUCTURE) + text[at:]
    hits = [m.start() for m in re.finditer(r"[{}$\[\]]", text)]
    if not hits:
        return text
    at = rng.choice(hits)
    return text[:at] + text[at + 1:]


def nest(text: str, rng: Random, depth: int = 300) -> str:
    """Wrap a slice in up to ``depth`` levels of one construct, closers dropped at times."""
    opener, closer = rng.choice(NESTS)
    levels = rng.randrange(1, depth + 1)
    a, b = sorted((_at(text, rng), _at(text, rng)))
    closers = closer * levels if rng.random() < 0.5 else ""
    return text[:a] + opener * levels + text[a:b] + closers + text[b:]


def line_ends(text: str, rng: Random) -> str:
    """Turn the line feeds into CR LF or lone CR (all of them, or one in two)."""
    end = rng.choice(("\r\n", "\r"))
    if rng.random() < 0.5:
        return text.replace("\n", end)
    parts = text.split("\n")
    return "".join(p + (end if i % 2 else "\n") for i, p in enumerate(parts[:-1])) + parts[-1]


def exotic(text: str, rng: Random) -> str:
    """Insert characters from every plane, lone surrogates included."""
    for _ in range(rng.randrange(1, 6)):
        at = _at(text, rng)
        if rng.random() < 0.5:
            char = rng.choice(EXOTIC)
        else:
            char = chr(rng.randrange(17) * 0x10000 + rng.randrange(0x10000))
        text = text[:at] + char + text[at:]
    return text


def splice(text: str, rng: Random) -> str:
    """Copy a slice elsewhere, or delete one."""
    a, b = sorted((_at(text, rng), _at(text, rng)))
    if rng.random() < 0.5:
        return text[:a] + text[b:]
    at = _at(text, rng)
    return text[:at] + text[a:b] + text[at:]


def fragments(text: str, rng: Random) -> str:
    """Insert a few LaTeX fragments."""
    for _ in range(rng.randrange(1, 8)):
        at = _at(text, rng)
        text = text[:at] + rng.choice(FRAGMENTS) + text[at:]
    return text


MUTATIONS: tuple[Callable[[str, Random], str], ...] = (
    truncate, unbalance, nest, line_ends, exotic, splice, fragments,
)


def mutate(text: str, rng: Random, count: int) -> str:
    for _ in range(count):
        text = rng.choice(MUTATIONS)(text, rng)
    return text


def window(text: str, rng: Random, size: int) -> str:
    """A random slice of at most ``size`` characters (keeps big seeds cheap)."""
    if len(text) <= size:
        return text
    start = rng.randrange(len(text) - size)
    return text[start:start + size]


def damage(data: bytes, rng: Random) -> bytes:
    """Byte-level damage: cut inside a multibyte sequence, insert NUL or invalid UTF-8,
    add a BOM, or re-encode as UTF-16."""
    choice = rng.randrange(5)
    if choice == 0:
        leads = [i for i, byte in enumerate(data) if byte >= 0xC0]
        if leads:
            lead = rng.choice(leads)
            return data[:lead + 1 + rng.randrange(2)]
    if choice == 1:
        return b"\xef\xbb\xbf" + data
    if choice == 2:
        return data.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass")
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(BAD_BYTES) + data[at:]


@dataclass
class BytesReader:
    """A reader over raw file contents, decoded as the project decodes files on disk."""

    data: Mapping[str, bytes]
    max_bytes: int = 2_000_000

    def read(self, name: str) -> str:
        if name not in self.data:
            raise ReadError("missing", f"{name} does not exist")
        return decode(self.data[name], name, self.max_bytes)


def encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------- invariants
@dataclass(frozen=True)
class Violation:
    """A broken invariant: ``kind`` is out-of-range, lost-text, slice, split,
    invalid-position or edit-mismatch (the campaign adds crash and hang)."""

    kind: str
    detail: str


def _outside(kind: str, what: str, start: int, end: int, size: int) -> list[Violation]:
    if 0 <= start <= end <= size:
        return []
    return [Violation(kind, f"{what} [{start}, {end}) outside [0, {size}]")]


def split_violations(plain: str) -> list[Violation]:
    """Sentence spans are ordered, disjoint, trimmed, non-empty and inside the text."""
    found: list[Violation] = []
    last = 0
    for a, b in splitter.split(plain):
        if not last <= a < b <= len(plain):
            found.append(Violation("split", f"span [{a}, {b}) after {last} in {len(plain)}"))
        elif plain[a].isspace() or plain[b - 1].isspace():
            found.append(Violation("split", f"untrimmed span {plain[a:b]!r}"))
        last = max(last, b)
    return found


def _piece_violations(text: str, block: scan.Block) -> list[Violation]:
    """Every piece lies in the source, copied pieces equal it, pieces keep source order."""
    found: list[Violation] = []
    ends = [*block.plain_starts[1:], len(block.plain)]
    previous = 0
    for i, (start, end) in enumerate(zip(block.source_starts, block.source_ends, strict=True)):
        found += _outside("out-of-range", "block piece", start, end, len(text))
        piece = block.plain[block.plain_starts[i]:ends[i]]
        if block.exact[i] and piece != text[start:end]:
            found.append(Violation("lost-text", f"copied {piece!r} but source is "
                                   f"{text[start:end]!r} at {start}"))
        if start < previous:
            found.append(Violation("lost-text", f"piece at {start} reorders the source "
                                   f"(previous piece ended at {previous})"))
        previous = max(previous, end)
    if block.plain_starts[0] != 0 or block.plain_starts != sorted(block.plain_starts):
        found.append(Violation("lost-text", "plain offsets are not increasing from 0"))
    return found


def _sentence_slice_violations(text: str, block: scan.Block) -> list[Violation]:
    """A sentence's source slice covers every piece its plain text came from."""
    found: list[Violation] = []
    ends = [*block.plain_starts[1:], len(block.plain)]
    for a, b in splitter.split(block.plain):
        start, end = block.source_start(a), block.source_end(b)
        if not 0 <= start < end <= len(text):
            found.append(Violation("out-of-range", f"sentence [{start}, {end}) in {len(text)}"))
            continue
        first = bisect_right(block.plain_starts, a) - 1
        for i in range(first, len(ends)):
            p0, p1 = block.plain_starts[i], ends[i]
            if p0 >= b:
                break
            s0, s1 = block.source_starts[i], block.source_ends[i]
            if block.exact[i]:
                s0, s1 = s0 + max(a, p0) - p0, s0 + min(b, p1) - p0
            if not start <= s0 <= s1 <= end:
                found.append(Violation("slice", f"sentence [{start}, {end}) misses its "
                                       f"source [{s0}, {s1})"))
    return found


def scan_violations(text: str) -> list[Violation]:
    """The scanner's map back to the source, and the sentences of each block."""
    result = scan.scan(text)
    found: list[Violation] = []
    for event in result.events:
        if isinstance(event, scan.Block):
            found += _piece_violations(text, event)
            found += _sentence_slice_violations(text, event)
            found += split_violations(event.plain)
        else:
            found += _outside("out-of-range", type(event).__name__, event.start, event.end,
                              len(text))
    for problem in result.problems:
        found += _outside("out-of-range", f"problem {problem.code}", problem.start,
                          problem.end, len(text))
    return found


def prose_violations(text: str) -> list[Violation]:
    """Prose without LaTeX comes out whole: no word lost, none added, none moved."""
    if re.search(r"[\\{}$%~`'\-]", text):
        return []
    plain = " ".join(e.plain for e in scan.scan(text).events if isinstance(e, scan.Block))
    if plain.split() == text.split():
        return []
    return [Violation("lost-text", f"prose {text[:80]!r} came out as {plain[:80]!r}")]


def claim_violations(sentence: str) -> list[Violation]:
    """Claims and facts of a sentence lie in it and quote it."""
    found_claims, found_facts = claims.analyse(sentence)
    found: list[Violation] = []
    for item in (*found_claims, *found_facts):
        found += _outside("out-of-range", item.kind, item.start, item.end, len(sentence))
        if sentence[item.start:item.end] not in item.text:
            found.append(Violation("slice", f"{item.kind} {item.text!r} does not quote "
                                   f"{sentence[item.start:item.end]!r}"))
    return found


def project_violations(project: Project) -> list[Violation]:
    """Every sentence, claim, fact, section and problem lies inside its file."""
    found: list[Violation] = []
    sizes = {name: len(source.text) for name, source in project.files.items()}
    for sentence in project.sentences:
        size = sizes.get(sentence.file, -1)
        found += _outside("out-of-range", "sentence", sentence.start, sentence.end, size)
        if sentence.start == sentence.end or sentence.text != splitter.normalize(sentence.text):
            found.append(Violation("slice", f"sentence text {sentence.text!r}"))
        for item in (*sentence.claims, *sentence.facts):
            found += _outside("out-of-range", f"{item.kind} in its sentence",
                              item.start - sentence.start, item.end - sentence.start,
                              sentence.end - sentence.start)
    if len({s.id for s in project.sentences}) != len(project.sentences):
        found.append(Violation("slice", "two sentences share an id"))
    for item in (*project.sections, *project.problems):
        found += _outside("out-of-range", type(item).__name__, item.start, item.end,
                          sizes.get(item.file, -1))
    return found


def critique_all(project: Project, reviewers: Reviewers) -> list[Objection]:
    """The offline critique with every persona pinned (relevance alone would pick few)."""
    pinned = [persona.id for persona in reviewers.personas]
    return critique_offline(project, reviewers, Settings(), pinned=pinned).objections


def critique_violations(project: Project, objections: list[Objection]) -> list[Violation]:
    """Objections (and the places they cite) lie inside their files, on real sentences."""
    found: list[Violation] = []
    sizes = {name: len(source.text) for name, source in project.files.items()}
    ids = {s.id for s in project.sentences}
    for objection in objections:
        found += _outside("out-of-range", f"objection {objection.kind}", objection.start,
                          objection.end, sizes.get(objection.file, -1))
        for related in objection.related:
            found += _outside("out-of-range", "related place", related.start, related.end,
                              sizes.get(related.file, -1))
        if objection.sentence_id not in ids:
            found.append(Violation("slice", f"objection on unknown {objection.sentence_id}"))
    return found


# ---------------------------------------------------------------------- positions
_BREAK = re.compile(r"\r\n|\r|\n")


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the code units of ``encoding`` (lone surrogates count too)."""
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


class Reference:
    """LSP positions computed from the specification, independently of the server."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        self.ends = [*(m.start() for m in _BREAK.finditer(text)), len(text)]

    def offset_of(self, offset: int) -> int:
        """The offset a position can name: clamped into the text, never inside CR LF."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return min(offset, self.ends[line])

    def position(self, offset: int, encoding: str) -> types.Position:
        offset = self.offset_of(offset)
        line = bisect_right(self.starts, offset) - 1
        return types.Position(line=line, character=units(
            self.text[self.starts[line]:offset], encoding))

    def line_units(self, line: int, encoding: str) -> int:
        return units(self.text[self.starts[line]:self.ends[line]], encoding)


def position_violations(text: str, offsets: list[int], encoding: str) -> list[Violation]:
    """Server positions are valid (a line of the text, a column inside it on a character
    boundary), equal the specification's (and, in UTF-16, the CLI's), and lead back to the
    offset."""
    server = Positions(text, PositionCodec(encoding))
    reference = Reference(text)
    cli = positions.LineIndex(text)
    found: list[Violation] = []
    for offset in offsets:
        got = server.position(offset)
        want = reference.position(offset, encoding)
        if encoding == "utf-16" and cli.position(offset) != (want.line, want.character):
            found.append(Violation("invalid-position", f"CLI offset {offset} → "
                                   f"{cli.position(offset)}, not {want.line}:{want.character}"))
        if not (0 <= got.line < len(reference.starts)
                and 0 <= got.character <= reference.line_units(got.line, encoding)):
            found.append(Violation("invalid-position", f"{encoding} offset {offset} → "
                                   f"{got.line}:{got.character}, outside the text"))
        elif got != want:
            found.append(Violation("invalid-position", f"{encoding} offset {offset} → "
                                   f"{got.line}:{got.character}, not {want.line}:"
                                   f"{want.character}"))
        elif server.offset(got) != reference.offset_of(offset):
            found.append(Violation("invalid-position", f"{encoding} {got.line}:"
                                   f"{got.character} → {server.offset(got)}, not {offset}"))
    return found


def interesting_offsets(text: str, rng: Random, count: int = 40) -> list[int]:
    """Random offsets plus those next to line breaks, astral characters and the ends."""
    special = [m.start() for m in re.finditer(r"[\r\n\U00010000-\U0010ffff\ud800-\udfff]",
                                              text)]
    picks = [0, len(text), len(text) + 5, -3]
    for _ in range(count):
        if special and rng.random() < 0.5:
            picks.append(rng.choice(special) + rng.randrange(-1, 3))
        else:
            picks.append(rng.randrange(len(text) + 1))
    return picks


EDIT_TEXTS = ("", "x", "\n", "\r\n", "\r", "𝛾", "\udc80", "é\n", "\\begin{x}", "ab\r\ncd")


def _client_point(reference: Reference, rng: Random, encoding: str) -> tuple[int, int, int]:
    """(line, character, offset): a client position, at times past its line's end (which
    the LSP clamps to the line's end) or past the last line (the end of the text)."""
    offset = reference.offset_of(rng.choice(interesting_offsets(reference.text, rng, 4)))
    position = reference.position(offset, encoding)
    roll = rng.random()
    if roll < 0.15:
        line = position.line
        past = reference.line_units(line, encoding) + rng.randrange(1, 4)
        return line, past, reference.ends[line]
    if roll < 0.2:
        return len(reference.starts) + rng.randrange(3), rng.randrange(5), len(reference.text)
    return position.line, position.character, offset


def _change(start: tuple[int, int, int], end: tuple[int, int, int],
            new: str) -> types.TextDocumentContentChangePartial:
    """The client's change (a fresh one each time: pygls mutates positions)."""
    return types.TextDocumentContentChangePartial(range=types.Range(
        start=types.Position(line=start[0], character=start[1]),
        end=types.Position(line=end[0], character=end[1])), text=new)


def edit_violations(text: str, rng: Random, encoding: str, count: int = 5) -> list[Violation]:
    """Random incremental edits: pygls's document (with our line semantics) and the
    server's own bookkeeping (:class:`Positions` offsets and :meth:`Shown.edit`) both
    produce the text the specification says."""
    codec = PositionCodec(encoding)
    document = Document("file:///fuzz.tex", text, version=0, position_codec=codec)
    shown = Shown("file:///", text)
    found: list[Violation] = []
    for _ in range(count):
        current = shown.text
        reference = Reference(current)
        start, end = sorted((_client_point(reference, rng, encoding) for _ in range(2)),
                            key=lambda point: (point[2], point[:2]))
        new = rng.choice(EDIT_TEXTS)
        want = current[:start[2]] + new + current[end[2]:]
        document.apply_change(_change(start, end, new))
        server = Positions(current, codec)
        edit = _change(start, end, new)
        a = server.offset(edit.range.start)
        shown.edit(a, max(a, server.offset(edit.range.end)), new)
        for who, got in (("document", document.source), ("follow", shown.text)):
            if got != want:
                found.append(Violation("edit-mismatch", f"{encoding} {who}: replacing "
                                       f"{start[:2]}-{end[:2]} of {current[:60]!r} by "
                                       f"{new!r} gave {got[:60]!r}"))
        if found:
            break
    return found


def text_violations(text: str, rng: Random) -> list[Violation]:
    """Scanner, splitter, claims, a one-file project and positions in every encoding."""
    found = scan_violations(text) + prose_violations(text)
    project = load_project("main.tex", MapReader({"main.tex": text}))
    found += project_violations(project)
    for sentence in project.sentences:
        found += claim_violations(sentence.text)
    offsets = interesting_offsets(text, rng)
    offsets += [o for s in project.sentences[:50] for o in (s.start, s.end)]
    for encoding in ENCODINGS:
        found += position_violations(text, offsets, encoding)
    return found


# ---------------------------------------------------------------------- work
_count = [0]
_SCANNED = ("lower", "upper", "casefold", "replace", "split", "rsplit", "splitlines",
            "strip", "encode", "translate", "count")


def _span(size: int, start: int | None, end: int | None) -> tuple[int, int]:
    return slice(start, end).indices(size)[:2]


class Text(str):
    """A str whose searches, slices and whole-string methods add the characters they pass
    over to the work counter (one ``find`` may scan the whole text: a count of calls
    would not see it)."""

    def find(self, sub, start=None, end=None):
        found = str.find(self, sub, start, end)
        a, b = _span(len(self), start, end)
        _count[0] += max(0, (found + len(sub) if found >= 0 else b) - a)
        return found

    def rfind(self, sub, start=None, end=None):
        found = str.rfind(self, sub, start, end)
        a, b = _span(len(self), start, end)
        _count[0] += max(0, b - (found if found >= 0 else a))
        return found

    def __contains__(self, sub):
        _count[0] += len(self)
        return str.__contains__(self, sub)

    def __getitem__(self, key):
        piece = str.__getitem__(self, key)
        _count[0] += len(piece)
        return piece


def _whole(name: str) -> Callable:
    method = getattr(str, name)

    def counted(self, *args, **kwargs):
        _count[0] += len(self)
        return method(self, *args, **kwargs)

    return counted


for _name in _SCANNED:
    setattr(Text, _name, _whole(_name))


class _Pattern:
    """A compiled pattern whose searches add the characters they pass over to the work
    counter (backtracking inside one search stays invisible; see :func:`bounded`)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def __getattr__(self, name: str):
        return getattr(self.pattern, name)

    def search(self, string, pos=0, endpos=sys.maxsize):
        m = self.pattern.search(string, pos, endpos)
        _count[0] += max(0, (m.end() if m else min(endpos, len(string))) - pos)
        return m

    def match(self, string, pos=0, endpos=sys.maxsize):
        m = self.pattern.match(string, pos, endpos)
        _count[0] += max(1, m.end() - pos if m else 1)
        return m

    def fullmatch(self, string, pos=0, endpos=sys.maxsize):
        m = self.pattern.fullmatch(string, pos, endpos)
        _count[0] += max(1, m.end() - pos if m else 1)
        return m

    def finditer(self, string, pos=0, endpos=sys.maxsize):
        last = pos
        for m in self.pattern.finditer(string, pos, endpos):
            _count[0] += max(1, m.end() - last)
            last = m.end()
            yield m
        _count[0] += max(0, min(endpos, len(string)) - last)

    def findall(self, string, pos=0, endpos=sys.maxsize):
        _count[0] += max(0, min(endpos, len(string)) - pos)
        return self.pattern.findall(string, pos, endpos)


MEASURED: tuple[ModuleType, ...] = (scan, splitter, files, macros, magic, mathtext, claims,
                                     positions, roots, phrases, documents)


@contextmanager
def _counting_patterns() -> Iterator[None]:
    """Every module-level pattern of the measured modules, and the claim lexicon, count."""
    saved = [(module, name, value) for module in MEASURED
             for name, value in vars(module).items() if isinstance(value, re.Pattern)]
    lexicon = claims._lexicon()
    counted = replace(lexicon, **{f.name: _Pattern(getattr(lexicon, f.name))
                                  for f in fields(lexicon)
                                  if isinstance(getattr(lexicon, f.name), re.Pattern)})
    saved.append((claims, "_lexicon", claims._lexicon))
    try:
        for module, name, value in saved[:-1]:
            setattr(module, name, _Pattern(value))
        claims._lexicon = lambda: counted
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def clear_caches() -> None:
    claims.analyse.cache_clear()
    mathtext.math_text.cache_clear()
    MEMORY.clear()


def work(run: Callable[[], object]) -> int:
    """Deterministic work of ``run()``: Python lines executed plus characters scanned by
    regular expressions of the core and by :class:`Text` methods. Caches are cleared
    first, so repeated calls measure the same."""
    clear_caches()
    ticks = [0]

    def local(frame, event, arg):
        ticks[0] += 1
        return local

    def tracer(frame, event, arg):
        ticks[0] += 1
        return local

    previous = sys.gettrace()
    with _counting_patterns():
        _count[0] = 0
        sys.settrace(tracer)
        try:
            run()
        finally:
            sys.settrace(previous)
    return ticks[0] + _count[0]


def growth(make: Callable[[int], Callable[[], object]], n: int, factor: int = 8) -> float:
    """How much more work ``make(factor * n)`` does than ``make(n)``, beyond ``make(0)``:
    about ``factor`` when linear, ``factor ** 2`` when quadratic."""
    make(n)()  # warm up: tables, lexicons and compiled patterns load once
    base = work(make(0))
    small = work(make(n)) - base
    large = work(make(factor * n)) - base
    return large / max(small, 1)


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Raise TimeoutError if the block runs longer than ``seconds`` (main thread, Unix).

    Only for catastrophic blow-ups (exponential backtracking inside one regular
    expression), which no count of calls sees; budgets are orders of magnitude above the
    normal time, so this never flakes.
    """

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------- worst cases
def _load(text: str) -> Callable[[], object]:
    source = Text(text)
    return lambda: load_project("main.tex", MapReader({"main.tex": source}))


def _repeat(unit: str, prefix: str = "", suffix: str = "") -> Callable[[int], Callable]:
    return lambda n: _load(prefix + unit * n + suffix)


def _distinct_verbs(n: int) -> Callable[[], object]:
    return _load("".join(f"\\verb{chr(0x4E00 + i)}" for i in range(n)))


def _positions(unit: str, encoding: str) -> Callable[[int], Callable]:
    """Every offset of a one-line text of ``n`` units to a client position."""

    def make(n: int) -> Callable[[], object]:
        text = Text(unit * n)

        def run() -> None:
            positions = Positions(text, PositionCodec(encoding))
            for offset in range(0, len(text), len(unit)):
                positions.position(offset)

        return run

    return make


# Crafted inputs of ``n`` repeated units where a careless scanner, splitter, fact pattern
# or position conversion does quadratic (or worse) work.
WORST_CASES: dict[str, Callable[[int], Callable[[], object]]] = {
    "a.": _repeat("a."),
    "Ab. ": _repeat("Ab. "),
    "run without spaces": _repeat("xyz"),
    "{": _repeat("{"),
    "}": _repeat("}"),
    "{x}": _repeat("\\emph{", suffix="x"),
    "\\(": _repeat("\\("),
    "\\[": _repeat("\\["),
    "$": _repeat("$"),
    "a $b": _repeat("a $b"),
    "%": _repeat("%"),
    "\\begin{x}": _repeat("\\begin{x}"),
    "\\begin{itemize}": _repeat("\\begin{itemize}\\item "),
    "\\end{x}": _repeat("\\end{x}"),
    "\\begin{equation}": _repeat("\\begin{equation}"),
    "\\verb{, unterminated": _repeat("\\verb{"),
    "\\verb, distinct delimiters": _distinct_verbs,
    "[": _repeat("["),
    "\\item[": _repeat("\\item["),
    "\\\\[": _repeat("\\\\["),
    "\\caption[": _repeat("\\caption["),
    "\\title[": _repeat("\\title[", suffix="\\begin{document}x"),
    "\\usepackage[": _repeat("\\usepackage["),
    "\\'{": _repeat("\\'{"),
    "\\section{": _repeat("\\section{"),
    "\\footnote{": _repeat("\\footnote{"),
    "\\newcommand{": _repeat("\\newcommand{\\a}{"),
    "\\def": _repeat("\\def\\a{"),
    "\\sys{} expansions": _repeat("\\sys{} ", prefix="\\newcommand{\\sys}{TierKV}"),
    "\\input{": _repeat("\\input{"),
    "\\iffalse": _repeat("\\iffalse"),
    "% skeptic:": _repeat("% skeptic: x\n"),
    "blank lines": _repeat("\n"),
    "CR": _repeat("\r"),
    "\\": _repeat("\\"),
    "e.g.": _repeat("e.g. "),
    "stops": _repeat(".", suffix=" Ab"),
    "1 2 3 ... ab": _repeat("1 ", suffix="ab"),
    "digits, word": _repeat("1", suffix=" ab"),
    "[math] ... ab": _repeat("[math] ", suffix="ab"),
    "N nodes ... GPU": _repeat("2 nodes ", suffix="GPU"),
    "batch 1, 2, ...": _repeat("1, ", prefix="batch "),
    "positions, utf-16 line": _positions("Ab𝛾. ", "utf-16"),
    "positions, utf-8 line": _positions("好的。 ", "utf-8"),
}
