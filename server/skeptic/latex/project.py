"""Build a :class:`Project` from a root file: follow includes, scan, split, classify.

1. Find every file with a cheap pass over ``\\input``-like commands (``files.quick_includes``)
   so that macros defined anywhere are known before any file is scanned.
2. Collect the user macros (from local ``.sty`` packages, then every file, in order).
3. Scan each file once and walk the scans in document order, inlining included files at
   their ``\\input`` and numbering sections as they come. ``memory.MEMORY`` makes a reload
   after an edit redo only the paragraphs around it.

Read failures, ``\\input`` cycles and LaTeX that does not balance become problems on the
offending command; nothing here raises.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from skeptic.latex import claims as claim_lexicon
from skeptic.latex import sentences as splitter
from skeptic.latex.files import (
    DiskReader,
    Reader,
    ReadError,
    candidates,
    include_base,
    local_packages,
    quick_includes,
)
from skeptic.latex.macros import Macros, collect
from skeptic.latex.magic import directives
from skeptic.latex.memory import MEMORY, Placing, digest, number
from skeptic.latex.model import (
    Claim,
    Fact,
    Problem,
    Project,
    Section,
    Sentence,
    SourceFile,
)
from skeptic.latex.scan import Block, FileScan, Heading, Include

MAX_FILES = 500
MAX_DEPTH = 64


@dataclass
class _Loader:
    reader: Reader
    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, ReadError] = field(default_factory=dict)

    def read(self, names: list[str]) -> tuple[str | None, ReadError | None]:
        """The first of ``names`` that reads; else the most telling error."""
        errors: list[ReadError] = []
        for name in names:
            if name in self.texts:
                return name, None
            if name not in self.errors:
                try:
                    self.texts[name] = self.reader.read(name)
                    return name, None
                except ReadError as error:
                    self.errors[name] = error
            errors.append(self.errors[name])
        telling = [error for error in errors if error.code != "missing"]
        return None, (telling or errors or [None])[0]


def _discover(loader: _Loader, root: str) -> list[str]:
    """Every file reachable from ``root`` through include commands, in discovery order."""
    order = [root]
    seen = {root}
    bases = {root: ""}
    index = 0
    while index < len(order) and len(order) < MAX_FILES:
        name = order[index]
        index += 1
        for command, target, directory in quick_includes(loader.texts[name]):
            found, _ = loader.read(candidates(command, target, bases[name], directory))
            if found is not None and found not in seen:
                seen.add(found)
                order.append(found)
                bases[found] = include_base(command, found, bases[name], directory)
    return order


def _macros(loader: _Loader, order: list[str]) -> Macros:
    macros = Macros()
    for package in local_packages(loader.texts[order[0]]):
        name, _ = loader.read([package])
        if name is not None:
            macros.add(collect(loader.texts[name]))
    for name in order:
        macros.add(collect(loader.texts[name]))
    return macros


def _clean(text: str) -> str:
    return splitter.normalize(text) if "\n" in text or "\xa0" in text or "  " in text else text


def block_sentences(block: Block, file: str, section: int | None,
                    seen: dict[str, int]) -> list[tuple[Sentence, str]]:
    """The sentences of one block, with their claims and facts mapped to the source, each
    with the digest of its id (ids are numbered through ``seen``)."""
    plain = block.plain
    source_start, source_end = block.source_start, block.source_end
    analyse, kind = claim_lexicon.analyse, block.kind
    found = []
    for start, end in splitter.split(plain):
        raw = plain[start:end]
        text = splitter.normalize(raw)
        found_claims, found_facts = analyse(raw)
        hashed = digest(file, text)
        found.append((Sentence(
            number(hashed, seen), file, source_start(start), source_end(end), text,
            section, kind,
            tuple([Claim(c.kind, _clean(c.text), source_start(start + c.start),
                         source_end(start + c.end)) for c in found_claims]),
            tuple([Fact(f.kind, _clean(f.text), source_start(start + f.start),
                        source_end(start + f.end), f.value, f.unit) for f in found_facts]),
        ), hashed))
    return found


@dataclass
class _Assembler:
    loader: _Loader
    macros: Macros
    scans: dict[str, FileScan] = field(default_factory=dict)
    files: dict[str, SourceFile] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    title: str = ""
    placing: Placing = field(default_factory=lambda: MEMORY.placing(block_sentences))

    def file_scan(self, name: str) -> FileScan:
        if name not in self.scans:
            text = self.loader.texts[name]
            self.scans[name] = MEMORY.scan(name, text, self.macros)
            found, bad = directives(text)
            self.files[name].directives = found
            self.problems.extend(
                Problem("bad-directive", message, name, start, end, "information")
                for message, start, end in bad
            )
            self.problems.extend(
                Problem(p.code, p.message, name, p.start, p.end, "information")
                for p in self.scans[name].problems
            )
        return self.scans[name]

    def walk(self, name: str, base: str, chain: tuple[tuple[str, int, int], ...]) -> None:
        self.files[name] = SourceFile(name, self.loader.texts[name], chain)
        result = self.file_scan(name)
        if result.title and not self.title:
            self.title = result.title
        for event in result.events:
            if isinstance(event, Block):
                section = len(self.sections) - 1 if self.sections else None
                self.sentences.extend(self.placing.sentences(name, event, section, self.ids))
            elif isinstance(event, Heading):
                self.sections.append(Section(event.title, event.level, name, event.start,
                                             event.end))
            else:
                self.include(name, base, chain, event)

    def include(self, name: str, base: str, chain: tuple[tuple[str, int, int], ...],
                event: Include) -> None:
        where = (name, event.start, event.end)
        found, error = self.loader.read(candidates(event.command, event.target, base,
                                                   event.directory))
        if found is None:
            assert error is not None
            self.problems.append(Problem(f"input-{error.code}", error.message, name,
                                         event.start, event.end))
            return
        ancestors = [link[0] for link in chain] + [name]
        if found in ancestors:
            cycle = " → ".join([*ancestors[ancestors.index(found):], found])
            self.problems.append(Problem("input-cycle", f"\\{event.command} cycle: {cycle}",
                                         name, event.start, event.end))
            return
        if found in self.files:
            return
        if len(chain) >= MAX_DEPTH or len(self.files) >= MAX_FILES:
            self.problems.append(Problem("input-too-deep", f"{found}: too many nested files",
                                         name, event.start, event.end))
            return
        child_base = include_base(event.command, found, base, event.directory)
        self.walk(found, child_base, (*chain, where))


def load_project(root: str, reader: Reader) -> Project:
    """Read, scan and analyse the project whose root file is ``root``."""
    root = posixpath.normpath(root)
    loader = _Loader(reader)
    found, error = loader.read([root])
    if found is None:
        message = error.message if error else f"{root} could not be read"
        code = f"root-{error.code}" if error else "root-unreadable"
        return Project(root, {root: SourceFile(root, "")}, [], [],
                       [Problem(code, message, root, 0, 0, "error")])
    order = _discover(loader, root)
    assembler = _Assembler(loader, _macros(loader, order))
    assembler.walk(root, "", ())
    assembler.placing.done()
    return Project(
        root=root,
        files=assembler.files,
        sections=assembler.sections,
        sentences=assembler.sentences,
        problems=assembler.problems,
        title=assembler.title,
        macros=assembler.macros.as_dict(),
    )


def load_from_disk(root: Path, workspace: Path | None = None, *, allow_outside: bool = False,
                   max_bytes: int = 2_000_000) -> Project:
    """Load the project whose root file is ``root`` from disk.

    Names are relative to the root's folder; nothing outside ``workspace`` (default: the
    root's folder) is read unless ``allow_outside``.
    """
    root = root.resolve()
    reader = DiskReader(root.parent, (workspace or root.parent).resolve(),
                        allow_outside=allow_outside, max_bytes=max_bytes)
    return load_project(root.name, reader)
