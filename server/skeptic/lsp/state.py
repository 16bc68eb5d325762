"""What the server remembers: per project, its last model and run; per file, what is shown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from skeptic.critique.model import Objection
    from skeptic.latex.model import Problem, Project
    from skeptic.lsp.projects import Space


@dataclass
class Shown:
    """One file's objections and problems, with spans into ``text`` (kept in step with the
    editor's text by :meth:`edit` between runs)."""

    root: str
    text: str
    objections: list[Objection] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    version: int | None = None
    run: int = 0

    def edit(self, start: int, end: int, inserted: str) -> None:
        """Follow an edit: later objections move, touched ones are held back."""
        from skeptic.critique.anchors import shift

        self.objections = shift(self.objections, start, end, len(inserted))
        self.problems = shift(self.problems, start, end, len(inserted))
        self.text = self.text[:start] + inserted + self.text[end:]


@dataclass
class ProjectState:
    """One project: where it lives, its last model, and the runs in flight."""

    space: Space
    project: Project | None = None
    slow: list[Objection] = field(default_factory=list)
    engine: str = "offline"
    generation: int = 0
    runs: int = 0
    task: asyncio.Task | None = None
    uris: set[str] = field(default_factory=set)
    settled: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the newest run has shown its (offline) result, or ended without one."""

    def supersede(self) -> int:
        """Mark every run in flight as stale; return the new generation."""
        self.generation += 1
        self.settled.clear()
        if self.task is not None and not self.task.done():
            self.task.cancel()
        return self.generation

    def settle(self, generation: int) -> None:
        """The run of ``generation`` has a result to show, or none will come."""
        if generation == self.generation:
            self.settled.set()
