"""``skeptic outline``: the document model as JSON (fixed format) or as readable text."""

from __future__ import annotations

import json
from typing import Any

from skeptic.latex.model import Fact, Project
from skeptic.latex.positions import LineIndex


class Positions:
    """Line indexes of a project's files, built on first use."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._indexes: dict[str, LineIndex] = {}

    def index(self, file: str) -> LineIndex:
        if file not in self._indexes:
            source = self.project.files.get(file)
            self._indexes[file] = LineIndex(source.text if source else "")
        return self._indexes[file]

    def range(self, file: str, start: int, end: int) -> dict[str, dict[str, int]]:
        return self.index(file).range(start, end)

    def line_col(self, file: str, offset: int) -> str:
        line, column = self.index(file).position(offset)
        return f"{line + 1}:{column + 1}"


def _fact(fact: Fact, file: str, positions: Positions) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": fact.kind, "text": fact.text}
    if fact.value is not None:
        item["value"] = fact.value
    if fact.unit is not None:
        item["unit"] = fact.unit
    item["range"] = positions.range(file, fact.start, fact.end)
    return item


def outline_data(project: Project) -> dict[str, Any]:
    """The outline as DESIGN.md fixes it: version, root, files, sections, sentences."""
    positions = Positions(project)
    return {
        "version": 1,
        "root": project.root,
        "files": list(project.files),
        "sections": [
            {"title": s.title, "level": s.level, "file": s.file,
             "range": positions.range(s.file, s.start, s.end)}
            for s in project.sections
        ],
        "sentences": [
            {
                "id": sentence.id,
                "file": sentence.file,
                "range": positions.range(sentence.file, sentence.start, sentence.end),
                "text": sentence.text,
                "claims": [
                    {
                        "kind": claim.kind,
                        "text": claim.cue,
                        "range": positions.range(sentence.file, claim.start, claim.end),
                        "facts": [_fact(f, sentence.file, positions) for f in sentence.facts],
                    }
                    for claim in sentence.claims
                ],
            }
            for sentence in project.sentences
        ],
    }


def outline_json(project: Project) -> str:
    return json.dumps(outline_data(project), ensure_ascii=False, indent=1)


def outline_text(project: Project) -> str:
    """A readable outline: headings, then each sentence with its claims."""
    positions = Positions(project)
    lines = [
        f"{project.root}" + (f" — {project.title}" if project.title else ""),
        f"{len(project.files)} file(s), {len(project.sections)} section(s), "
        f"{len(project.sentences)} sentence(s)",
    ]
    by_section: dict[int | None, list[int]] = {}
    for index, sentence in enumerate(project.sentences):
        by_section.setdefault(sentence.section, []).append(index)
    for section_index in [None, *range(len(project.sections))]:
        if section_index is not None:
            section = project.sections[section_index]
            indent = "  " * max(0, section.depth - 2)
            where = positions.line_col(section.file, section.start)
            lines.append(f"\n{indent}{section.title}  [{section.level}, {section.file}:{where}]")
        for index in by_section.get(section_index, []):
            sentence = project.sentences[index]
            kinds = ", ".join(c.kind for c in sentence.claims)
            where = f"{sentence.file}:{positions.line_col(sentence.file, sentence.start)}"
            lines.append(f"  {where}  {'[' + kinds + '] ' if kinds else ''}{sentence.text}")
    return "\n".join(lines)
