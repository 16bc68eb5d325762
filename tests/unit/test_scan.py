"""The scanner: what is prose, what is skipped, and exact source spans."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skeptic.latex.macros import Macros, collect
from skeptic.latex.roots import is_root_text
from skeptic.latex.scan import Block, Heading, Include, document_body, plain_text, scan
from tests.conftest import project_from, sentence_texts, slice_of


def prose(body: str, preamble: str = "") -> str:
    text = f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\n\\end{{document}}\n"
    macros = Macros()
    macros.add(collect(text))
    return " ".join(e.plain for e in scan(text, macros).events if isinstance(e, Block))


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        ("Caf\\'e na\\\"ive \\c{c}a", "Café naïve ça"),
        ("``quoted'' -- and --- dashes", "“quoted” – and — dashes"),
        ("50\\% of \\$5 \\& more", "50% of $5 & more"),
        ("Fig.~3 and 10\\,ms", "Fig.\xa03 and 10 ms"),
        ("\\emph{very} \\textbf{bold} \\textit{it}", "very bold it"),
        ("about 2.4$\\times$ faster", "about 2.4× faster"),
        ("$\\gamma=6$ drafts", "γ=6 drafts"),
        ("the loss $\\sum_i x_i^2$ drops", "the loss [math] drops"),
        ("see~\\cite[p.~3]{a,b} and \\ref{fig:x}", "see\xa0[cite] and [ref]"),
        ("x\\label{sec:x} y", "x y"),
        ("visit \\url{https://x.org/a_b} now", "visit [url] now"),
        ("use \\verb|a$b| here", "use [code] here"),
        ("\\ldots{} and \\LaTeX", "… and"),
    ],
)
def test_prose_conversion(latex: str, expected: str) -> None:
    assert words(prose(latex)) == words(expected)


def test_skipped_constructs_leave_no_prose() -> None:
    body = r"""Keep this.
% a comment with words
\begin{equation} E = mc^2 \end{equation}
\begin{tabular}{ll} cell one & cell two \\ \end{tabular}
\begin{algorithmic}\State secret step\end{algorithmic}
\begin{verbatim} \begin{document} raw words \end{verbatim}
\begin{lstlisting}
code words
\end{lstlisting}
\iffalse hidden \fi
And this."""
    out = words(prose(body))
    for gone in ("comment", "mc", "cell", "secret", "raw", "code words"):
        assert gone not in out
    assert out.startswith("Keep this.")
    assert out.endswith("And this.")


def test_float_keeps_only_caption() -> None:
    body = r"""\begin{figure}[t]
\centering\includegraphics[width=\linewidth]{fig.pdf}
Stray words in a figure.
\caption{Latency of the two systems.}\label{fig:lat}
\end{figure}"""
    result = scan(f"\\begin{{document}}{body}\\end{{document}}")
    blocks = [e for e in result.events if isinstance(e, Block)]
    assert [(b.kind, words(b.plain)) for b in blocks] == [
        ("caption", "Latency of the two systems.")
    ]


def test_footnote_is_its_own_block_inside_the_sentence() -> None:
    text = "We win\\footnote{Measured twice.} every time."
    result = scan(text)
    blocks = [e for e in result.events if isinstance(e, Block)]
    assert [(b.kind, words(b.plain)) for b in blocks] == [
        ("text", "We win every time."),
        ("footnote", "Measured twice."),
    ]


def test_headings_and_includes_in_order() -> None:
    text = r"""\section*{Intro}
Text one.
\input{sections/a}
\subsection[short]{Long \emph{title}}
\include{b}
\import{dir/}{c}"""
    events = scan(text).events
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["Heading", "Block", "Include", "Heading", "Include", "Include"]
    assert events[0] == Heading("section", "Intro", 0, 16)
    assert events[3].title == "Long title"
    assert [e.target for e in events if isinstance(e, Include)] == ["sections/a", "b", "c"]
    assert events[-1].directory == "dir/"


def test_user_macros_expand_with_their_source_span() -> None:
    text = r"""\newcommand{\sys}{\textsc{TierKV}\xspace}
\def\eg{e.g.,}
\begin{document}
\sys{} is fast, \eg{} on long prompts.
\end{document}"""
    project = project_from({"main.tex": text})
    (sentence,) = project.sentences
    assert sentence.text == "TierKV is fast, e.g., on long prompts."
    assert slice_of(project, sentence) == r"\sys{} is fast, \eg{} on long prompts."


def test_macro_with_arguments_keeps_or_drops_its_argument() -> None:
    text = r"""\newcommand{\note}[1]{\textcolor{red}{#1}}
\newcommand{\hide}[1]{}
\begin{document}
Visible \note{kept words} and \hide{secret words} end.
\end{document}"""
    assert sentence_texts(project_from({"main.tex": text})) == ["Visible kept words and end."]


def test_recursive_macro_does_not_loop() -> None:
    text = ("\\newcommand{\\a}{\\b x}\\newcommand{\\b}{\\a y}"
            "\\begin{document}Go \\a{} now.\\end{document}")
    assert project_from({"main.tex": text}).sentences


def test_title_is_not_prose() -> None:
    result = scan("\\title{The \\emph{Great} Paper}"
                  "\\begin{document}\\maketitle Body text.\\end{document}")
    assert result.title == "The Great Paper"
    assert [words(e.plain) for e in result.events if isinstance(e, Block)] == ["Body text."]


@pytest.mark.parametrize(
    "broken",
    [
        "unbalanced { brace. More text here.",
        "closing } without opening. More text.",
        "\\begin{itemize}\\item never ended. Still prose.",
        "\\end{itemize} without begin. Still prose.",
        "stray $ dollar sign. Next sentence.",
        "\\section{unterminated title. Next.",
        "\\footnote{open forever. And more.",
        "\\begin{tabular}{ll} no end",
        "\\",
        "\\verb",
        "trailing backslash \\",
    ],
)
def test_malformed_latex_is_reported_not_raised(broken: str) -> None:
    result = scan(broken)
    for event in result.events:
        if isinstance(event, Block):
            for start, end in zip(event.source_starts, event.source_ends, strict=True):
                assert 0 <= start <= end <= len(broken)


def test_unbalanced_input_reports_a_problem() -> None:
    assert any(p.code == "unbalanced-braces" for p in scan("a { b").problems)
    assert any(p.code == "unterminated-environment"
               for p in scan("\\begin{itemize} x").problems)
    assert any(p.code == "unterminated-math" for p in scan("a $ b").problems)


def test_plain_text_of_fragment() -> None:
    assert plain_text("\\textbf{Tier}\\emph{KV}") == "TierKV"


def test_comment_joins_lines_but_keeps_paragraphs() -> None:
    blocks = [e for e in scan("one%\ntwo\n%\n\nthree").events if isinstance(e, Block)]
    assert [words(b.plain) for b in blocks] == ["onetwo", "three"]


def test_def_in_the_body_is_skipped_whole() -> None:
    text = "A one. \\def\\x{abc} B two. \\gdef\\y#1{z #1} C three. \\edef\\w{\\x}"
    assert plain_text(text) == "A one. B two. C three."


# The body starts after the first line's \begin{document} with no % before it on its line;
# a root file has a \documentclass with no % before it on its line.
_BODY_REFERENCE = re.compile(r"(?<![^\r\n])[^%\r\n]*?(\\begin\s*\{document\})")
_ROOT_REFERENCE = re.compile(r"(?<![^\r\n])[^%\r\n]*\\documentclass")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(["\\begin", "{document}", "\\begin{document}", "%", "\\%",
                                 "\n", "\r", "\r\n", " ", "x", "{", "}", "\\begin {document}",
                                 "\\documentclass"]),
                max_size=12))
def test_commands_on_uncommented_lines(parts) -> None:
    text = "".join(parts)
    m = _BODY_REFERENCE.search(text)
    assert document_body(text) == ((m.end(1), len(text)) if m else (0, len(text)))
    assert is_root_text(text) == (_ROOT_REFERENCE.search(text) is not None)
