"""Offsets to LSP positions: line breaks of every kind, UTF-16 columns."""

from __future__ import annotations

from skeptic.latex.positions import LineIndex
from skeptic.report.outline import outline_data
from tests.conftest import project_from


def test_utf16_columns_count_astral_characters_twice() -> None:
    text = "x 𝛾 µ × y\nnext"
    index = LineIndex(text)
    assert index.position(text.index("µ")) == (0, 5)
    assert index.position(text.index("y")) == (0, 9)
    assert index.position(text.index("next")) == (1, 0)


def test_crlf_and_cr_line_breaks() -> None:
    index = LineIndex("a\r\nb\rc\nd")
    assert [index.position(i) for i in (0, 3, 5, 7)] == [(0, 0), (1, 0), (2, 0), (3, 0)]
    assert index.position(2) == (0, 1)


def test_positions_clamp_into_the_text() -> None:
    assert LineIndex("ab").position(99) == (0, 2)


def test_outline_range_after_astral_character_on_the_line() -> None:
    text = "\\begin{document}\n𝛾-tuned 𝛾 scores. We keep µ-sized 𝛾 blocks × 2.\n\\end{document}"
    project = project_from({"main.tex": text})
    data = outline_data(project)
    second = data["sentences"][1]
    assert second["text"] == "We keep µ-sized 𝛾 blocks × 2."
    line = text.split("\n")[1]
    start_units = len(line[: line.index("We")].encode("utf-16-le")) // 2
    assert second["range"]["start"] == {"line": 1, "character": start_units}
    assert second["range"]["end"] == {"line": 1, "character": len(line.encode("utf-16-le")) // 2}
