"""Every document of the internal corpus parses, with a plausible number of sentences.

The corpus (``../shared/corpus``) is for internal testing only: nothing from it is copied
into the project, and these tests skip when it is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skeptic.latex.project import load_from_disk
from tests.conftest import CORPUS

MAINS = (CORPUS / "mains.txt").read_text().split() if (CORPUS / "mains.txt").is_file() else []
_LATEX_LEFT = re.compile(r"\\[A-Za-z]{2,}|\\begin|\\end")


@pytest.mark.corpus
@pytest.mark.skipif(not MAINS, reason=f"internal corpus not present at {CORPUS}")
@pytest.mark.parametrize("main", MAINS)
def test_corpus_document_parses(main: str) -> None:
    path = CORPUS / main
    project = load_from_disk(path)
    size = sum(len(f.text.encode("utf-8")) for f in project.files.values())
    count = len(project.sentences)
    assert count >= max(10, size // 2500), f"only {count} sentences in {size} bytes"
    assert count <= size // 40, f"{count} sentences in {size} bytes: over-splitting"
    assert project.sections, "no sections found"
    assert not [p for p in project.problems if p.code.startswith("input-")], project.problems
    for sentence in project.sentences:
        text = project.files[sentence.file].text
        assert 0 <= sentence.start < sentence.end <= len(text)
        leftover = _LATEX_LEFT.search(sentence.text)
        assert leftover is None, f"LaTeX left in prose: {sentence.text!r}"


@pytest.mark.corpus
@pytest.mark.skipif(not MAINS, reason=f"internal corpus not present at {CORPUS}")
def test_corpus_multi_file_documents_span_their_files() -> None:
    projects = [load_from_disk(CORPUS / m) for m in MAINS]
    multi = [p for p in projects if len(p.files) > 1]
    spread = [p for p in multi if len({s.file for s in p.sentences}) > 1]
    assert len(multi) >= 5
    assert len(spread) >= 4, "prose of multi-file documents found in their root file only"


def test_corpus_is_not_copied_into_the_project() -> None:
    repo = Path(__file__).resolve().parents[2]
    if not MAINS:
        pytest.skip("corpus absent")
    names = {Path(m).name for m in MAINS} - {"main.tex", "report.tex", "paper.tex"}
    tracked = {p.name for p in repo.rglob("*.tex") if ".venv" not in p.parts}
    assert not names & tracked
