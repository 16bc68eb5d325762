"""Shared fixtures: paths to bundled examples and to the internal corpus (when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skeptic.latex.files import MapReader
from skeptic.latex.model import Project
from skeptic.latex.project import load_project

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "mains.txt").is_file():
        pytest.skip(f"internal corpus not present at {CORPUS}")
    return CORPUS


def project_from(texts: dict[str, str], root: str = "main.tex") -> Project:
    """A project built from in-memory files."""
    return load_project(root, MapReader(texts))


def sentence_texts(project: Project) -> list[str]:
    return [s.text for s in project.sentences]


def slice_of(project: Project, sentence) -> str:
    """The source a sentence covers."""
    return project.files[sentence.file].text[sentence.start:sentence.end]
