"""Sentence segmentation and exact sentence spans."""

from __future__ import annotations

import pytest

from skeptic.latex.sentences import split
from tests.conftest import project_from, sentence_texts, slice_of


def pieces(plain: str) -> list[str]:
    return [plain[a:b] for a, b in split(plain)]


@pytest.mark.parametrize(
    "text",
    [
        "We use caching, e.g., for prefixes, i.e., shared prompts.",
        "As shown by Smith et al. [cite] this holds.",
        "See Fig. 3, Sec. 4 and Eq. 2 for details.",
        "TierKV vs. vLLM is a fair comparison.",
        "It is 1.3× faster and 2.4× cheaper than the baseline.",
        "Cf. the appendix for approx. numbers.",
        "See Fig.\xa0[ref]. for the curve",
    ],
)
def test_no_split_inside(text: str) -> None:
    assert pieces(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("First one. Second one.", ["First one.", "Second one."]),
        ("Is it fast? Yes! It is.", ["Is it fast?", "Yes!", "It is."]),
        ("We beat vLLM. vLLM is strong.", ["We beat vLLM.", "vLLM is strong."]),
        ("It ends here (see below). Next one.", ["It ends here (see below).", "Next one."]),
        ("Quoted “like this.” Then more.", ["Quoted “like this.”", "Then more."]),
        ("Numbers 3.5 work. 42 starts the next.", ["Numbers 3.5 work.", "42 starts the next."]),
        ("We cite [cite]. We go on.", ["We cite [cite].", "We go on."]),
        ("第一句。第二句！", ["第一句。", "第二句！"]),
        ("Hard\n\nbreak here.", ["Hard", "break here."]),
    ],
)
def test_splits(text: str, expected: list[str]) -> None:
    assert pieces(text) == expected


def test_placeholder_only_pieces_are_not_sentences() -> None:
    assert pieces("[math]. [cite]. Real words here.") == ["Real words here."]


def test_sentence_span_is_exact_in_the_source() -> None:
    body = (
        "Our system, \\sys{}, is 2.4$\\times$ faster than vLLM~\\cite{kwon}. "
        "It keeps \\emph{hot} blocks in HBM.\n"
        "Training takes 10\\,min on one GPU."
    )
    text = f"\\newcommand{{\\sys}}{{TierKV}}\\begin{{document}}{body}\\end{{document}}"
    project = project_from({"main.tex": text})
    assert sentence_texts(project) == [
        "Our system, TierKV, is 2.4× faster than vLLM [cite].",
        "It keeps hot blocks in HBM.",
        "Training takes 10 min on one GPU.",
    ]
    assert [slice_of(project, s) for s in project.sentences] == [
        "Our system, \\sys{}, is 2.4$\\times$ faster than vLLM~\\cite{kwon}.",
        "It keeps \\emph{hot} blocks in HBM.",
        "Training takes 10\\,min on one GPU.",
    ]


def test_items_and_paragraphs_separate_sentences() -> None:
    text = (
        "\\begin{document}\nIntro line without a stop\n\n"
        "\\begin{itemize}\n\\item First point\n\\item[b)] Second point.\n\\end{itemize}\n"
        "\\end{document}"
    )
    assert sentence_texts(project_from({"main.tex": text})) == [
        "Intro line without a stop",
        "First point",
        "Second point.",
    ]


def test_sentence_ids_are_stable_under_edits_elsewhere() -> None:
    base = "\\begin{document}\nAlpha beta gamma.\nDelta epsilon.\n\\end{document}"
    edited = base.replace("Alpha beta gamma.", "Alpha beta gamma changed.")
    first = project_from({"main.tex": base}).sentences
    second = project_from({"main.tex": edited}).sentences
    assert first[1].id == second[1].id
    assert first[0].id != second[0].id
