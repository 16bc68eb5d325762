"""What the model remembers from one load of a project to the next, so that an edit costs
about one paragraph's work (the language server reloads the project on every change).

- The last scan of each file, with its text and macros: an edited text is scanned again
  only around the edit (``rescan``); an unchanged one is not scanned at all.
- The sentences of each block of the last load of each file, keyed by what they depend on:
  the file, the block's plain text and kind, and its map to the source relative to the
  block's start (looked up by place first, as a paragraph may occur twice). A block found
  again at the same place, under the same section and with the same ids, gets the very
  same ``Sentence`` objects; one that moved gets shifted copies. Only blocks of the latest
  load are kept.

Whatever is reused equals what a fresh load would compute (the tests compare them after
random edits). Both memories hold a bounded number of files; ``clear()`` forgets all.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from skeptic.latex.macros import Definition, Macros
from skeptic.latex.model import Sentence
from skeptic.latex.rescan import rescan
from skeptic.latex.scan import Block, FileScan, scan

MAX_FILES = 256

_BlockKey = tuple[str, str]  # kind, plain text (within one file)


@dataclass(frozen=True, slots=True)
class _Scanned:
    text: str
    macros: dict[str, Definition]
    scan: FileScan


@dataclass(frozen=True, slots=True)
class _Placed:
    """A block's sentences as last placed, under ``section``, with ``digests``."""

    block: Block
    section: int | None
    sentences: list[Sentence]
    digests: list[str]


def digest(file: str, text: str) -> str:
    """The hash part of a sentence id: of the file and the sentence text."""
    return hashlib.blake2b(f"{file}\0{text}".encode("utf-8", "surrogatepass"),
                           digest_size=6).hexdigest()


def number(digest_: str, seen: dict[str, int]) -> str:
    """A sentence id from its digest, numbered when the same digest was seen before."""
    count = seen.get(digest_, 0)
    seen[digest_] = count + 1
    return f"s{digest_}" if count == 0 else f"s{digest_}-{count}"


def _shifted(old: Block, new: Block) -> bool:
    """Whether ``new`` maps to the source as ``old`` does, shifted (same plain text given)."""
    if old is new:
        return True
    delta = new.source_starts[0] - old.source_starts[0]
    return (old.plain_starts == new.plain_starts and old.exact == new.exact
            and [s + delta for s in old.source_starts] == new.source_starts
            and [e + delta for e in old.source_ends] == new.source_ends)


def _moved(sentence: Sentence, sentence_id: str, delta: int, section: int | None) -> Sentence:
    claims, facts = sentence.claims, sentence.facts
    if delta:
        claims = tuple([c._replace(start=c.start + delta, end=c.end + delta) for c in claims])
        facts = tuple([f._replace(start=f.start + delta, end=f.end + delta) for f in facts])
    return Sentence(sentence_id, sentence.file, sentence.start + delta, sentence.end + delta,
                    sentence.text, section, sentence.block, claims, facts)


Fresh = Callable[[Block, str, int | None, dict[str, int]], list[tuple[Sentence, str]]]


class Memory:
    """Scans and placed sentences of the latest loads, per file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scans: OrderedDict[str, _Scanned] = OrderedDict()
        self._blocks: OrderedDict[str, dict[_BlockKey, dict[int, _Placed]]] = OrderedDict()

    def clear(self) -> None:
        with self._lock:
            self._scans.clear()
            self._blocks.clear()

    def scan(self, file: str, text: str, macros: Macros) -> FileScan:
        """``scan(text, macros)``, from the last scan of ``file`` where it can."""
        with self._lock:
            last = self._scans.get(file)
        if last is not None and last.macros == macros.definitions:
            result = rescan(last.scan, last.text, text, macros)
        else:
            result = scan(text, macros)
        with self._lock:
            _remember(self._scans, file, _Scanned(text, dict(macros.definitions), result))
        return result

    def placing(self, fresh: Fresh) -> Placing:
        """A load's placing of sentences, with ``fresh`` for blocks not seen before."""
        return Placing(self, fresh)

    def _recall(self, file: str) -> dict[_BlockKey, dict[int, _Placed]]:
        with self._lock:
            return self._blocks.get(file, {})

    def _keep(self, placed: dict[str, dict[_BlockKey, dict[int, _Placed]]]) -> None:
        with self._lock:
            for file, blocks in placed.items():
                _remember(self._blocks, file, blocks)


def _remember(memory: OrderedDict[str, object], file: str, value: object) -> None:
    memory[file] = value
    memory.move_to_end(file)
    while len(memory) > MAX_FILES:
        memory.popitem(last=False)


class Placing:
    """One load's sentences, block by block; ``done()`` keeps them for the next load."""

    def __init__(self, memory: Memory, fresh: Fresh) -> None:
        self._memory = memory
        self._fresh = fresh
        self._known: dict[str, dict[_BlockKey, dict[int, _Placed]]] = {}
        self._kept: dict[str, dict[_BlockKey, dict[int, _Placed]]] = {}

    def sentences(self, file: str, block: Block, section: int | None,
                  seen: dict[str, int]) -> list[Sentence]:
        """The sentences of ``block`` of ``file`` under ``section`` (ids numbered through
        ``seen``), placed again from the last load when it had this block."""
        if file not in self._known:
            self._known[file] = self._memory._recall(file)
            self._kept[file] = {}
        key = (block.kind, block.plain)
        kept = self._kept[file]
        base = block.source_starts[0]
        places = self._known[file].get(key) or kept.get(key) or {}
        last = next((p for p in (places.get(base), *places.values())
                     if p is not None and _shifted(p.block, block)), None)
        if last is None:
            made = self._fresh(block, file, section, seen)
            placed = _Placed(block, section, [s for s, _ in made], [d for _, d in made])
        else:
            placed = _place(last, block, section, seen)
        kept.setdefault(key, {})[base] = placed
        return placed.sentences

    def done(self) -> None:
        self._memory._keep(self._kept)


def _place(last: _Placed, block: Block, section: int | None, seen: dict[str, int]) -> _Placed:
    ids = [number(d, seen) for d in last.digests]
    delta = block.source_starts[0] - last.block.source_starts[0]
    if not delta and section == last.section and all(
            i == s.id for i, s in zip(ids, last.sentences, strict=True)):
        return last
    return _Placed(block, section, [_moved(s, i, delta, section)
                                    for s, i in zip(last.sentences, ids, strict=True)],
                   last.digests)


MEMORY = Memory()
