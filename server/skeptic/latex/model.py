"""The document model: files, sections, sentences, claims and problems.

Every span is a pair of Python string offsets ``(start, end)`` into one file's text,
end exclusive. Files are named by their POSIX path relative to the root file's folder
(``sections/intro.tex``); positions for editors are computed at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

CLAIM_KINDS = ("contribution", "novelty", "result", "comparison", "mechanism", "setup")
SECTION_LEVELS = (
    "part",
    "chapter",
    "section",
    "subsection",
    "subsubsection",
    "paragraph",
    "subparagraph",
)
ABSTRACT = "abstract"


class Fact(NamedTuple):
    """A fact extracted from a sentence: a number with its unit, a GPU, a named system.

    ``kind`` is one of ``number``, ``gpu-count``, ``hardware``, ``batch-size``,
    ``baseline``, ``model``. ``unit`` is normalised (``x``, ``%``, ``us``, ``ms``, ``s``,
    ``GB``, ``MB``, ``tok/s`` ...).
    """

    kind: str
    text: str
    start: int
    end: int
    value: float | None = None
    unit: str | None = None


class Claim(NamedTuple):
    """A sentence's claim: its kind and the span of the words that carry it."""

    kind: str
    cue: str
    start: int
    end: int


@dataclass(slots=True)
class Sentence:
    """One prose sentence with its exact source span in ``file``."""

    id: str
    file: str
    start: int
    end: int
    text: str
    section: int | None
    block: str = "text"
    claims: tuple[Claim, ...] = ()
    facts: tuple[Fact, ...] = ()

    def claim_kinds(self) -> set[str]:
        return {claim.kind for claim in self.claims}


@dataclass(frozen=True, slots=True)
class Section:
    """A heading (``\\section{...}`` and friends, or the abstract environment)."""

    title: str
    level: str
    file: str
    start: int
    end: int

    @property
    def depth(self) -> int:
        if self.level == ABSTRACT:
            return SECTION_LEVELS.index("section")
        return SECTION_LEVELS.index(self.level)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the project that the user should know: never raised."""

    code: str
    message: str
    file: str
    start: int = 0
    end: int = 0
    severity: str = "warning"


@dataclass(slots=True)
class Directives:
    """What ``% skeptic: ...`` magic comments in one file ask for."""

    personas: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    off: list[tuple[int, int]] = field(default_factory=list)
    ignore: list[tuple[int, int]] = field(default_factory=list)

    def silences(self, start: int, end: int) -> bool:
        """True when the span lies in an ``off`` region or touches an ignored line."""
        return any(a <= start < b for a, b in self.off) or any(
            start < b and a < end for a, b in self.ignore
        )


@dataclass(slots=True)
class SourceFile:
    """A file of the project, the chain of ``\\input`` commands that reached it."""

    name: str
    text: str
    chain: tuple[tuple[str, int, int], ...] = ()
    directives: Directives = field(default_factory=Directives)


@dataclass(slots=True)
class Project:
    """A LaTeX project: its files in document order and what was read from them."""

    root: str
    files: dict[str, SourceFile]
    sections: list[Section]
    sentences: list[Sentence]
    problems: list[Problem]
    title: str = ""
    macros: dict[str, str] = field(default_factory=dict)
    _enclosing: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    def personas_directive(self) -> tuple[str, ...]:
        """Persona ids pinned by ``% skeptic: personas = ...`` (first file that says so)."""
        for source in self.files.values():
            if source.directives.personas:
                return source.directives.personas
        return ()

    def section_of(self, sentence: Sentence) -> Section | None:
        return None if sentence.section is None else self.sections[sentence.section]

    def section_path(self, index: int | None) -> list[Section]:
        """The section at ``index`` and the headings that enclose it, innermost first."""
        if len(self._enclosing) != len(self.sections):
            self._enclosing = enclosing(self.sections)
        path: list[Section] = []
        while index is not None and index >= 0:
            path.append(self.sections[index])
            index = self._enclosing[index]
        return path


def enclosing(sections: list[Section]) -> list[int]:
    """For each section, the index of the nearest earlier one of lower depth (-1: none)."""
    found: list[int] = []
    chain: list[int] = []  # the sections enclosing the current one, outermost first
    for i, section in enumerate(sections):
        while chain and sections[chain[-1]].depth >= section.depth:
            chain.pop()
        found.append(chain[-1] if chain else -1)
        chain.append(i)
    return found
