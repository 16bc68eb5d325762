"""Shared fixtures: paths to bundled examples and to the internal corpus (when present)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from skeptic.latex.files import MapReader
from skeptic.latex.model import Project
from skeptic.latex.project import load_project

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Servers and commands the tests start cache in a private folder, not the user's."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(folder))
    yield folder
    patch.undo()


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


@pytest.fixture(scope="session")
def reviewers():
    """The bundled personas, catalog and offline engine (loaded once)."""
    from skeptic.critique.pipeline import load_reviewers

    return load_reviewers()


def draft(body: str, preamble: str = "") -> Project:
    """A one-file project from a document body."""
    text = (f"\\documentclass{{article}}\n{preamble}\\newcommand{{\\sys}}{{TierKV}}\n"
            f"\\begin{{document}}\n\\title{{\\sys: A Test Draft}}\n{body}\n\\end{{document}}\n")
    return project_from({"main.tex": text})


def critique(reviewers, body: str, personas: list[str], **settings):
    """Objections of the named personas on a draft body, as (kind, sentence text) pairs
    plus the objections themselves."""
    from skeptic.critique.pipeline import critique_offline
    from skeptic.settings import Settings

    project = draft(body)
    result = critique_offline(project, reviewers, Settings(settings), pinned=personas)
    texts = {s.id: s.text for s in project.sentences}
    return [(o.kind, texts[o.sentence_id]) for o in result.objections], result
