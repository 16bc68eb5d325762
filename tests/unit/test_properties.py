"""Property tests: any input scans without error and every span lies inside its file."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skeptic.latex.positions import LineIndex
from skeptic.latex.scan import Block, scan
from skeptic.latex.sentences import normalize, split
from tests.conftest import project_from, slice_of

FRAGMENTS = [
    "We", " propose", " a", " cache", ".", " ", "\n", "\n\n", "\r\n", "\r", "e.g.", " 1.3",
    "×", "𝛾", "µ", "é", "\\", "{", "}", "$", "$$", "%", "~", "``", "''", "--", "[", "]", "&",
    "#", "^", "_", "\\emph{", "\\cite{k}", "\\ref{x}", "\\label{y}", "\\footnote{",
    "\\caption{", "\\section{", "\\section*{", "\\begin{itemize}", "\\end{itemize}",
    "\\item ", "\\begin{tabular}{ll}", "\\end{tabular}", "\\begin{figure}", "\\end{figure}",
    "\\begin{equation}", "\\end{equation}", "\\begin{document}", "\\end{document}",
    "\\input{x}", "\\verb|a|", "\\verb", "\\(", "\\)", "\\[", "\\]", "\\'e", "\\\"",
    "\\newcommand{\\s}{S}", "\\s{}", "\\def\\t{T}", "\\t", "\\iffalse", "\\fi", "\\\\",
    "% skeptic: off\n", "% skeptic: on\n", "\x00", "\ufeff", "\u2028",
]
latexish = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)
anything = st.one_of(latexish, st.text(max_size=300))


def check_inside(text: str) -> None:
    project = project_from({"main.tex": text})
    index = LineIndex(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for sentence in project.sentences:
        assert 0 <= sentence.start < sentence.end <= len(text)
        assert sentence.text.strip() == sentence.text and sentence.text
        for start, end in ((sentence.start, sentence.end),
                           *((f.start, f.end) for f in sentence.facts),
                           *((c.start, c.end) for c in sentence.claims)):
            assert sentence.start <= start <= end <= sentence.end
            for offset in (start, end):
                line, column = index.position(offset)
                assert column <= len(lines[line].encode("utf-16-le")) // 2
    for item in (*project.sections, *project.problems):
        assert 0 <= item.start <= item.end <= len(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything)
def test_any_input_keeps_every_range_inside_the_file(text: str) -> None:
    check_inside(text)


@settings(max_examples=300, deadline=None)
@given(latexish)
def test_sentence_text_comes_only_from_its_source_slice(text: str) -> None:
    for event in scan(text).events:
        if not isinstance(event, Block):
            continue
        ends = [*event.plain_starts[1:], len(event.plain)]
        for a, b in split(event.plain):
            start, end = event.source_start(a), event.source_end(b)
            for i, (piece_start, piece_end) in enumerate(zip(event.plain_starts, ends,
                                                             strict=True)):
                if piece_start < b and a < piece_end and not event.exact[i]:
                    assert start <= event.source_starts[i] <= event.source_ends[i] <= end


@settings(max_examples=200, deadline=None)
@given(latexish)
def test_sentences_never_partly_overlap(text: str) -> None:
    spans = sorted((s.start, s.end) for s in project_from({"main.tex": text}).sentences)
    for (_, a1), (b0, b1) in itertools.pairwise(spans):
        assert a1 <= b0 or b1 <= a1, "a sentence covers part of the next one"


prose_words = st.lists(
    st.sampled_from(["Alpha", "beta", "gamma", "delta.", "Eps", "zeta!", "Eta?", "theta,",
                     "1.5", "e.g.", "µs", "𝛾", "\n", "  "]),
    min_size=1, max_size=40,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(prose_words)
def test_plain_prose_sentences_equal_their_source_slice(text: str) -> None:
    project = project_from({"main.tex": text})
    for sentence in project.sentences:
        assert sentence.text == normalize(slice_of(project, sentence))
