"""The project model: includes, root detection, confinement, problems."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skeptic.latex.files import DiskReader, ReadError, decode
from skeptic.latex.project import load_from_disk, load_project
from skeptic.latex.roots import find_root
from tests.conftest import project_from, slice_of


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


MAIN = """\\documentclass{article}
\\newcommand{\\sys}{TierKV}
\\begin{document}
\\section{Intro}
Root sentence one.
\\input{sections/a}
Root sentence two.
\\include{chapters/b}
\\subfile{c.tex}
\\import{parts/}{d}
\\end{document}
"""


def test_multi_file_sentences_once_each_on_the_right_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tex": MAIN,
        "sections/a.tex": "\\section{A}\n\\sys{} in file a.\n",
        "chapters/b.tex": "In file b.\n",
        "c.tex": "In file c.\n",
        "parts/d.tex": "In file d.\n\\input{e}\n",
        "parts/e.tex": "In file e, imported relative to parts.\n",
    })
    project = load_from_disk(tmp_path / "main.tex")
    assert list(project.files) == ["main.tex", "sections/a.tex", "chapters/b.tex", "c.tex",
                                   "parts/d.tex", "parts/e.tex"]
    located = [(s.file, s.text) for s in project.sentences]
    assert located == [
        ("main.tex", "Root sentence one."),
        ("sections/a.tex", "TierKV in file a."),
        ("main.tex", "Root sentence two."),
        ("chapters/b.tex", "In file b."),
        ("c.tex", "In file c."),
        ("parts/d.tex", "In file d."),
        ("parts/e.tex", "In file e, imported relative to parts."),
    ]
    for sentence in project.sentences:
        assert slice_of(project, sentence).replace("\\sys{}", "TierKV") == sentence.text
    assert [s.title for s in project.sections] == ["Intro", "A"]
    assert [project.sections[s.section].title for s in project.sentences[:3]] == [
        "Intro", "A", "A"]
    assert project.problems == []
    assert project.files["parts/e.tex"].chain[-1][0] == "parts/d.tex"


def test_input_cycle_and_missing_file_are_problems_at_the_input() -> None:
    texts = {
        "main.tex": "\\begin{document}\nMain.\n\\input{a}\n\\input{missing}\n\\end{document}",
        "a.tex": "In a.\n\\input{main}\n",
    }
    project = project_from(texts)
    codes = {p.code: p for p in project.problems}
    assert set(codes) == {"input-cycle", "input-missing"}
    cycle = codes["input-cycle"]
    assert cycle.file == "a.tex"
    assert texts["a.tex"][cycle.start:cycle.end] == "\\input{main}"
    assert "main.tex → a.tex → main.tex" in cycle.message
    missing = codes["input-missing"]
    assert texts["main.tex"][missing.start:missing.end] == "\\input{missing}"
    assert "missing.tex" in missing.message
    assert [s.text for s in project.sentences] == ["Main.", "In a."]


def test_outside_workspace_is_refused_and_named(tmp_path: Path) -> None:
    outside = tmp_path / "secret.tex"
    outside.write_text("Secret words.\n")
    work = tmp_path / "paper"
    write(work, {"main.tex": "\\begin{document}\nOk.\n\\input{../secret}\n"
                             "\\input{/etc/passwd}\n\\end{document}"})
    (work / "link.tex").symlink_to(outside)
    (work / "main.tex").write_text((work / "main.tex").read_text().replace(
        "\\end{document}", "\\input{link}\n\\end{document}"))
    project = load_from_disk(work / "main.tex")
    refused = [p for p in project.problems if p.code == "input-outside-workspace"]
    assert len(refused) == 3
    assert any("../secret.tex" in p.message for p in refused)
    assert any("/etc/passwd" in p.message for p in refused)
    assert all("Secret" not in s.text for s in project.sentences)
    allowed = load_from_disk(work / "main.tex", allow_outside=True)
    assert "Secret words." in [s.text for s in allowed.sentences]


def test_size_limit_and_binary_files(tmp_path: Path) -> None:
    write(tmp_path, {"main.tex": "\\begin{document}\n\\input{big}\n\\input{bin}\nOk.\n"
                                 "\\end{document}"})
    (tmp_path / "big.tex").write_text("word " * 1000)
    (tmp_path / "bin.tex").write_bytes(b"\x00\x01binary\x00")
    project = load_from_disk(tmp_path / "main.tex", max_bytes=2000)
    assert {p.code for p in project.problems} == {"input-too-large", "input-binary"}
    assert [s.text for s in project.sentences] == ["Ok."]


def test_decode_falls_back_to_latin1() -> None:
    assert decode("café".encode("latin-1"), "x.tex", 100) == "café"
    with pytest.raises(ReadError):
        decode(b"a\x00b", "x.tex", 100)


def test_root_detection(tmp_path: Path) -> None:
    write(tmp_path, {
        "paper.tex": "\\documentclass{article}\\begin{document}\\input{sec/x}\\end{document}",
        "sec/x.tex": "% !TEX root = ../paper.tex\nText.",
        "notes.tex": "Just notes.",
    })
    assert find_root(tmp_path / "sec" / "x.tex") == (tmp_path / "paper.tex").resolve()
    assert find_root(tmp_path) == (tmp_path / "paper.tex").resolve()
    assert find_root(tmp_path / "notes.tex") == (tmp_path / "notes.tex").resolve()


def test_unreadable_root_is_a_problem_not_an_exception() -> None:
    project = load_project("nope.tex", DiskReader(Path("/nonexistent"), Path("/nonexistent")))
    assert project.sentences == []
    assert project.problems[0].code in ("root-outside-workspace", "root-missing")


def test_directives_are_parsed_per_file() -> None:
    text = ("% skeptic: personas = kv-cache-memory, speculative-decoding\n"
            "% skeptic: disable = mirror\n\\begin{document}\nAa.\n% skeptic: off\nBb.\n"
            "% skeptic: on\n% skeptic: ignore-next-line\nCc.\nDd.\n% skeptic: bogus\n"
            "\\end{document}")
    project = project_from({"main.tex": text})
    directives = project.files["main.tex"].directives
    assert project.personas_directive() == ("kv-cache-memory", "speculative-decoding")
    assert directives.disable == ("mirror",)
    silenced = {s.text: directives.silences(s.start, s.end) for s in project.sentences}
    assert silenced == {"Aa.": False, "Bb.": True, "Cc.": True, "Dd.": False}
    assert [p.code for p in project.problems] == ["bad-directive"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read unreadable files")
def test_permission_denied(tmp_path: Path) -> None:
    write(tmp_path, {"main.tex": "\\begin{document}\\input{x}\\end{document}", "x.tex": "X."})
    (tmp_path / "x.tex").chmod(0)
    project = load_from_disk(tmp_path / "main.tex")
    assert project.problems[0].code == "input-unreadable"
