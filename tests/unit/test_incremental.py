"""The model's memory of earlier loads: an edited file is scanned again only around the edit,
known blocks keep their sentences, and the result always equals a fresh load."""

from __future__ import annotations

import sys
from pathlib import Path
from random import Random

import pytest

from skeptic.latex import memory as memory_module
from skeptic.latex import rescan as rescan_module
from skeptic.latex.files import MapReader
from skeptic.latex.macros import Macros, collect
from skeptic.latex.memory import MEMORY, Memory
from skeptic.latex.project import load_project
from skeptic.latex.rescan import common_ends, rescan
from skeptic.latex.scan import scan
from tests import fuzzing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from paper import generate

EDITS = (*fuzzing.FRAGMENTS, "x", " ", "\n\n", "\n  \n", " \t", "}", "{", "word. Next one",
         "\\title{T}", "\\def\\x{", "\\begin{verbatim}", "\\end{verbatim}", "\\begin{", "\t")


def edit(text: str, rng: Random) -> str:
    """One editor-like change: a fragment typed, a stretch deleted, or both, anywhere."""
    at = rng.randrange(len(text) + 1)
    cut = rng.choice((0, 0, 1, 2, 5, 40, 400))
    typed = rng.choice(EDITS) if rng.random() < 0.85 else ""
    return text[:at] + typed + text[at + cut:]


def texts() -> dict[str, str]:
    """Every example and corpus file (corpus ones cut to 30 KB), and a generated paper."""
    found = {f"{seed.name}/{name}": text for seed in fuzzing.example_seeds()
             for name, text in seed.texts.items()}
    found["generated"] = generate(20_000, seed=3)
    found.update({f"{seed.name}/{name}": fuzzing.window(text, Random(name), 30_000)
                  for seed in fuzzing.corpus_seeds() for name, text in seed.texts.items()})
    return found


TEXTS = texts()


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_rescan_equals_a_fresh_scan_after_random_edits(name: str) -> None:
    text = TEXTS[name]
    rng = Random(name)
    macros = Macros()
    macros.add(collect(text))
    previous, old = scan(text, macros), text
    for _ in range(25):
        new = edit(old, rng) if rng.random() < 0.9 else fuzzing.mutate(old, rng, 1)
        fresh = scan(new, macros)
        assert rescan(previous, old, new, macros) == fresh, (name, new[:200])
        previous, old = fresh, new


def test_a_one_word_edit_scans_one_paragraph_and_keeps_the_rest(monkeypatch) -> None:
    text = generate(40_000, seed=5)
    macros = Macros()
    macros.add(collect(text))
    previous = scan(text, macros)
    at = text.index(" reduces ", len(text) // 2)
    new = text[:at] + " slashes " + text[at + len(" reduces "):]
    scanned: list[int] = []
    real = rescan_module.scan_from

    def spy(text, macros, body, checkpoint, resync):
        result, stopped = real(text, macros, body, checkpoint, resync)
        scanned.append((stopped or len(text)) - checkpoint.pos)
        return result, stopped

    monkeypatch.setattr(rescan_module, "scan_from", spy)
    result = rescan(previous, text, new, macros)
    assert result == scan(new, macros)
    assert len(scanned) == 1 and scanned[0] < 2_000  # one paragraph, not 40 KB
    paragraph = text.rfind("\n\n", 0, at)
    before = [e for e in previous.events if e.start < paragraph]
    assert len(before) > 10
    assert all(a is b for a, b in zip(before, result.events, strict=False))


def test_common_ends() -> None:
    assert common_ends("abcXdef", "abcYYdef") == (3, 3)
    assert common_ends("aaaa", "aaaaa") == (4, 0)
    assert common_ends("", "x") == (0, 0)
    assert common_ends("same", "same") == (4, 0)


def project_state(project):
    return (project.files, project.sections, project.sentences, project.problems,
            project.title, project.macros)


@pytest.mark.parametrize("seed", [*fuzzing.example_seeds(), *fuzzing.corpus_seeds()[:4]],
                         ids=lambda seed: seed.name)
def test_a_load_from_memory_equals_a_fresh_load_after_random_edits(seed) -> None:
    rng = Random(seed.name)
    texts = dict(seed.texts)
    MEMORY.clear()
    load_project(seed.root, MapReader(texts))
    for _ in range(30):
        name = rng.choice(sorted(texts))
        texts[name] = edit(texts[name], rng)
        remembered = load_project(seed.root, MapReader(dict(texts)))
        MEMORY.clear()
        fresh = load_project(seed.root, MapReader(dict(texts)))
        assert project_state(remembered) == project_state(fresh), name


def test_memory_keeps_sentence_objects_of_unchanged_blocks_and_shifts_the_rest() -> None:
    text = generate(20_000, seed=7)
    MEMORY.clear()
    first = load_project("p.tex", MapReader({"p.tex": text}))
    at = text.index(" reduces ", len(text) // 2)
    new = text[:at] + " slashes " + text[at + len(" reduces "):]
    second = load_project("p.tex", MapReader({"p.tex": new}))
    before = [s for s in first.sentences if s.end <= text.rfind("\n\n", 0, at)]
    after = [s for s in first.sentences if s.start > text.find("\n\n", at)]
    assert before and after
    assert all(a is b for a, b in zip(before, second.sentences, strict=False))
    shifted = second.sentences[-len(after):]
    assert [(s.start, s.text) for s in shifted] == [(s.start, s.text) for s in after]
    assert [s.id for s in shifted] == [s.id for s in after]


def test_memory_holds_a_bounded_number_of_files(monkeypatch) -> None:
    monkeypatch.setattr(memory_module, "MAX_FILES", 3)
    memory = Memory()
    for n in range(10):
        memory.scan(f"f{n}.tex", f"text {n}", Macros())
    assert len(memory._scans) == 3


@pytest.mark.parametrize(("text", "old", "new"), [
    # typed right after the spaces that follow a paragraph break: the break now runs on
    ("A one.\n\n  B two.\n\nC three.", "  B", "  \nB"),
    # an unterminated \def body, then closed after later paragraphs: they become its body
    ("\\def\\x{abc\n\nA one.\n\nB two.\n\nC three.", "C three", "C} three"),
    # an unterminated \[, then closed after later paragraphs: they become display math
    ("\\[ x\n\nA one.\n\nB two.\n\nC three.", "C three", "C \\] three"),
    # a heading typed in place of as many characters: later blocks stay, in a new section
    ("\\section{A}\n\nOne two three.\n\nFour five six.", "One two three.", "\\section{B} Xy"),
    # the same prose from other markup: its sentences must map to the new source
    ("A \\emph{one} x.\n\nB two.", "\\emph{one}", "{one}"),
    # a title set in the body, before and after the edit
    ("A one.\n\nB two.\n\n\\title{T}\n\nC three.\n\nD four.", "\\title{T}", "\\title{V}"),
    ("A one.\n\n\\title{T}\n\nB two.\n\n\\title{U}\n\nC three.", "B two", "B too"),
])
def test_edits_that_reach_beyond_their_paragraph(text: str, old: str, new: str) -> None:
    edited = text.replace(old, new)
    assert len(edited) != len(text) or old != new
    macros = Macros()
    assert rescan(scan(text, macros), text, edited, macros) == scan(edited, macros)
    MEMORY.clear()
    load_project("main.tex", MapReader({"main.tex": text}))
    remembered = load_project("main.tex", MapReader({"main.tex": edited}))
    MEMORY.clear()
    assert project_state(remembered) == project_state(
        load_project("main.tex", MapReader({"main.tex": edited})))
