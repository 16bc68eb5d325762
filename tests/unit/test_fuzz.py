"""Bounded, deterministic fuzzing of the scanner, splitter, claims, project loader, offline
critique and the LSP position and edit path (the longer campaign is bench/fuzz.py).

Inputs are mutated examples (and corpus documents, when ../shared/corpus is present):
truncations at every byte class, imbalance, deep nesting, CR LF and CR line ends, every
Unicode plane, lone surrogates, NUL and invalid UTF-8. Invariants: nothing raises, every
range lies in its file, sentences come from their source slice, positions follow the LSP
specification, edits keep the server's copy in step, and crafted worst cases do linear work
(measured deterministically, see ``tests.fuzzing.work``).
"""

from __future__ import annotations

import re
from random import Random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import PositionCodec

from skeptic.critique.pipeline import critique_offline
from skeptic.latex import claims, scan
from skeptic.latex.files import MapReader, local_packages
from skeptic.latex.magic import tex_root
from skeptic.latex.project import load_project
from skeptic.latex.roots import is_root_text
from skeptic.latex.sentences import split
from skeptic.lsp.documents import Document, Positions
from skeptic.settings import Settings
from tests import fuzzing
from tests.conftest import project_from

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EXAMPLE_FILES = [(seed, name) for seed in fuzzing.example_seeds() for name in seed.texts]
CORPUS_FILES = [(seed, name) for seed in fuzzing.corpus_seeds() for name in seed.texts]
needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason="internal corpus not present")
mutation_counts = st.integers(min_value=1, max_value=4)
randoms = st.randoms(use_true_random=False)


def assert_none(violations: list[fuzzing.Violation]) -> None:
    assert not violations, "\n".join(f"{v.kind}: {v.detail}" for v in violations[:10])


def single(text: str):
    return load_project("main.tex", MapReader({"main.tex": text}))


def check_text(text: str, rng: Random) -> None:
    assert_none(fuzzing.text_violations(text, rng))


# ---------------------------------------------------------------------- seeds as they are
def seed_violations(seed: fuzzing.Seed, reviewers, encodings: tuple[str, ...]
                    ) -> list[fuzzing.Violation]:
    """Every invariant broken by a seed project as it is: model, critique, scan of each
    file, and the positions of its sentence ends in ``encodings``."""
    project = load_project(seed.root, MapReader(seed.texts))
    found = fuzzing.project_violations(project)
    found += fuzzing.critique_violations(project, fuzzing.critique_all(project, reviewers))
    for name, text in seed.texts.items():
        found += fuzzing.scan_violations(text)
        ends = [o for s in project.sentences if s.file == name for o in (s.start, s.end)]
        for encoding in encodings:
            found += fuzzing.position_violations(text, ends, encoding)
    return found


def test_examples_hold_every_invariant(reviewers) -> None:
    for seed in fuzzing.example_seeds():
        assert_none(seed_violations(seed, reviewers, fuzzing.ENCODINGS))


@pytest.mark.corpus
@needs_corpus
def test_corpus_documents_hold_every_invariant(reviewers) -> None:
    for seed in fuzzing.corpus_seeds():
        assert_none(seed_violations(seed, reviewers, ("utf-16",)))


# ---------------------------------------------------------------------- mutated seeds
@settings(FUZZ, max_examples=150)
@given(st.sampled_from(EXAMPLE_FILES), randoms, mutation_counts)
def test_mutated_examples(seed_file, rng: Random, count: int) -> None:
    seed, name = seed_file
    check_text(fuzzing.mutate(seed.texts[name], rng, count), rng)


@pytest.mark.corpus
@needs_corpus
@settings(FUZZ, max_examples=60)
@given(st.sampled_from(CORPUS_FILES or [None]), randoms, mutation_counts)
def test_mutated_corpus_windows(seed_file, rng: Random, count: int) -> None:
    seed, name = seed_file
    check_text(fuzzing.mutate(fuzzing.window(seed.texts[name], rng, 8000), rng, count), rng)


@settings(FUZZ, max_examples=40)
@given(st.sampled_from(EXAMPLE_FILES), randoms, mutation_counts)
def test_mutated_projects_critique_inside_their_files(reviewers, seed_file, rng: Random,
                                                      count: int) -> None:
    seed, name = seed_file
    texts = {**seed.texts, name: fuzzing.mutate(seed.texts[name], rng, count)}
    project = load_project(seed.root, MapReader(texts))
    assert_none(fuzzing.project_violations(project)
                + fuzzing.critique_violations(project, fuzzing.critique_all(project, reviewers)))


@settings(FUZZ, max_examples=80)
@given(st.sampled_from(EXAMPLE_FILES), randoms, mutation_counts)
def test_damaged_bytes_are_decoded_or_refused(seed_file, rng: Random, count: int) -> None:
    seed, name = seed_file
    data = {n: fuzzing.encoded(t) for n, t in seed.texts.items()}
    data[name] = fuzzing.damage(fuzzing.encoded(fuzzing.mutate(seed.texts[name], rng, count)),
                                rng)
    project = load_project(seed.root, fuzzing.BytesReader(data))
    assert_none(fuzzing.project_violations(project))
    if b"\x00" in data[name]:
        assert any(p.code.endswith("binary") for p in project.problems)


@settings(FUZZ, max_examples=100)
@given(st.sampled_from(EXAMPLE_FILES), randoms)
def test_incremental_edits_follow_the_specification(seed_file, rng: Random) -> None:
    seed, name = seed_file
    text = fuzzing.window(seed.texts[name], rng, 600)
    for mutation in (fuzzing.line_ends, fuzzing.exotic):
        if rng.random() < 0.7:
            text = mutation(text, rng)
    encoding = rng.choice(fuzzing.ENCODINGS)
    assert_none(fuzzing.edit_violations(text, rng, encoding, count=8))


# ---------------------------------------------------------------------- generated text
words = st.sampled_from(["We", "propose", "a", "cache.", "It", "is", "1.3×", "faster!", "Why?",
                         "e.g.", "vLLM", "𝛾", "好的。", "µs", "Fig.", "(see", "below).", "ok…"])
spaces = st.sampled_from([" ", "  ", "\n", "\r\n", "\r", "\t", "\n\n", "\xa0", "\u2028"])
prose = st.lists(st.tuples(words, spaces), max_size=60).map(
    lambda pairs: "".join(w + s for w, s in pairs))
any_text = st.text(st.characters(exclude_categories=()), max_size=400)


@settings(FUZZ, max_examples=200)
@given(prose)
def test_prose_comes_out_whole_and_split_cleanly(text: str) -> None:
    assert_none(fuzzing.prose_violations(text) + fuzzing.split_violations(text)
                + fuzzing.scan_violations(text))


@settings(FUZZ, max_examples=300)
@given(any_text)
def test_any_text_splits_and_yields_claims_inside_it(text: str) -> None:
    assert_none(fuzzing.split_violations(text) + fuzzing.claim_violations(text))


@settings(FUZZ, max_examples=150)
@given(st.lists(st.sampled_from(fuzzing.FRAGMENTS + fuzzing.EXOTIC), max_size=80).map("".join),
       randoms)
def test_fragment_soup(text: str, rng: Random) -> None:
    check_text(text, rng)


# ---------------------------------------------------------------------- extremes
DOCUMENT = ("\\documentclass{article}\n\\newcommand{\\sys}{TierKV}\n\\title{\\sys{}: A Draft}\n"
            "\\begin{document}\n\\section{Intro}\nWe propose \\sys{}, which is 2.4$\\times$ "
            "faster than vLLM~\\cite{v} on 8 A100 GPUs.\\footnote{See \\verb|x|.} "
            "It keeps 𝛾 \\% of blocks (\\emph{e.g.}, hot ones).\n\n\\begin{itemize}\n"
            "\\item[a] Caché misses fall by 30\\%.\n\\end{itemize}\n\\end{document}\n")


def test_every_truncation_of_a_document() -> None:
    """Cut after every character (so after every ``\\``, ``{``, ``$``, ``%``, inside every
    ``\\begin{``), and inside every multibyte sequence of the encoded file."""
    rng = Random(7)
    for cut in range(len(DOCUMENT) + 1):
        assert_none(fuzzing.scan_violations(DOCUMENT[:cut])
                    + fuzzing.project_violations(single(DOCUMENT[:cut])))
    data = fuzzing.encoded(DOCUMENT)
    for cut in (i + 1 for i, byte in enumerate(data) if byte >= 0xC0):
        project = load_project("main.tex", fuzzing.BytesReader({"main.tex": data[:cut]}))
        assert_none(fuzzing.project_violations(project))
        check_text(project.files["main.tex"].text, rng)


@pytest.mark.parametrize("seed", [
    *fuzzing.example_seeds(),
    *(pytest.param(seed, marks=pytest.mark.corpus) for seed in fuzzing.corpus_seeds()),
], ids=lambda seed: seed.name.split("/")[0])
def test_line_end_styles_give_the_same_sentences(seed: fuzzing.Seed) -> None:
    """CR LF and lone CR read as LF does (CR LF once read as a blank line everywhere)."""
    lf = {n: t.replace("\r\n", "\n") for n, t in seed.texts.items()}
    texts = [sorted(s.text for s in load_project(seed.root, MapReader(
        {n: t.replace("\n", end) for n, t in lf.items()})).sentences)
        for end in ("\n", "\r\n", "\r")]
    assert texts[0] == texts[1] == texts[2]


@pytest.mark.parametrize("opener, closer, prose", [
    ("{", "}", True), ("\\begin{itemize}\\item x ", "\\end{itemize}", True),
    ("\\footnote{", "}", True), ("\\'{", "}", True), ("\\section{", "}", False),
    ("\\newcommand{\\a}{", "}", False),
])
@pytest.mark.parametrize("closed", [True, False])
def test_ten_thousand_levels_of_nesting(opener: str, closer: str, prose: bool,
                                        closed: bool) -> None:
    depth = 10_000
    text = ("\\begin{document}\n" + opener * depth + "Deep text. More text here."
            + (closer * depth if closed else "") + "\n\\end{document}\n")
    project = single(text)
    assert_none(fuzzing.project_violations(project) + fuzzing.scan_violations(text))
    if prose:
        assert any("eep text." in s.text for s in project.sentences)


def test_five_megabyte_single_line(reviewers) -> None:
    unit = ("We propose \\sys{}, a cache that is 2.3$\\times$ faster than vLLM~\\cite{v} on 8 "
            "A100 GPUs, with 𝛾-tuned eviction \\emph{and} prefetching (see "
            "Fig.~\\ref{f}); {\\bf bold} claims, \\verb|code|, and µs-level latency \\% "
            "over a long, long, long clause that keeps the sentence going without a stop, ")
    text = "\\newcommand{\\sys}{TierKV}" + (unit + "Done. ") * (5_000_000 // (len(unit) + 6))
    assert "\n" not in text and len(text.encode()) > 4_900_000
    with fuzzing.bounded(120):
        project = single(text)
        assert len(project.sentences) > 10_000
        assert_none(fuzzing.project_violations(project)
                    + fuzzing.critique_violations(project, critique_offline(
                        project, reviewers, Settings()).objections))
        positions = Positions(text, PositionCodec("utf-16"))
        last = positions.position(project.sentences[-1].end)
        astral = text[:project.sentences[-1].end].count("𝛾")
        assert (last.line, last.character) == (0, project.sentences[-1].end + astral)


# ---------------------------------------------------------------------- linearity
@pytest.mark.parametrize("case", list(fuzzing.WORST_CASES))
def test_worst_cases_do_linear_work(case: str) -> None:
    with fuzzing.bounded(60):
        ratio = fuzzing.growth(fuzzing.WORST_CASES[case], 400)
    assert ratio <= 12, f"{case}: 8x the input took {ratio:.1f}x the work"


def _quadratic_loop(n: int):
    return lambda: [None for i in range(n) for _ in range(i)]


def _quadratic_find(n: int):
    text = fuzzing.Text("x" * n)
    return lambda: [text.find("y", i) for i in range(n)]


def _quadratic_search(n: int):
    text = fuzzing.Text("x" * n)
    return lambda: [scan._BRACE.search(text, i) for i in range(n)]


@pytest.mark.parametrize("make", [_quadratic_loop, _quadratic_find, _quadratic_search])
def test_the_work_measure_sees_quadratic_work(make) -> None:
    assert fuzzing.growth(make, 200) > 30


BACKTRACKING = {  # inside one regular expression each: time, not the work measure, sees them
    "1 2 3 ... ab": 5_000, "[math] ... ab": 5_000, "N nodes ... GPU": 20_000,
    "\\title[": 80_000, "\\usepackage[": 60_000,
}


@pytest.mark.parametrize("case", list(BACKTRACKING))
def test_backtracking_cases_finish_at_scale(case: str) -> None:
    """Exponential or quadratic backtracking inside one search: these took minutes (or
    forever) before their fix and take a second at most now."""
    run = fuzzing.WORST_CASES[case](BACKTRACKING[case])
    with fuzzing.bounded(10):
        run()


# ---------------------------------------------------------------------- regressions
def test_numbers_before_a_word_split_quickly() -> None:
    with fuzzing.bounded(5):
        assert split("1 " * 60 + "ab") == [(0, 122)]


def test_machines_need_each_later_on_the_same_line() -> None:
    def gpus(text: str) -> list[float | None]:
        return [f.value for f in claims.facts(text, frozenset()) if f.kind == "gpu-count"]

    assert gpus("We use 16 servers, each with one V100 GPU.") == [16.0]
    assert gpus("We use 2 nodes with 8 A100 GPUs per node.") == [16.0]
    assert gpus("We use 16 servers with\none V100 GPU each.") == [1.0]
    assert gpus("We use 4 nodes and 8 GPUs.") == [8.0]


def test_batch_size_lists_are_bounded() -> None:
    found = claims.facts("batch sizes " + ", ".join(["8"] * 1000), frozenset())
    assert 1 < len(found) <= 32
    assert [f.value for f in claims.facts("batch sizes 1, 8 and 32", frozenset())] == [1, 8, 32]


def test_title_and_package_options_still_parse() -> None:
    assert scan.scan("\\title[Short]{A Long Title}\\begin{document}x").title == "A Long Title"
    assert local_packages("\\usepackage[opt]{mine,other}") == ["mine.sty", "other.sty"]


def test_verb_delimiter_is_looked_for_on_a_bounded_stretch() -> None:
    assert [p.code for p in scan.scan("\\verb|" + "x" * 2000 + "| after").problems] == [
        "unterminated-verb"]
    assert "[code]" in scan.plain_text("We run \\verb|ls -l| daily.")


@settings(FUZZ, max_examples=300)
@given(st.text("ab\\)", max_size=40), st.lists(st.tuples(
    st.sampled_from(["\\)", "a", "b)", ")"]), st.integers(0, 45), st.integers(0, 45)), max_size=12))
def test_remembered_misses_never_change_what_find_finds(text: str, searches) -> None:
    scanner = scan._Scanner(text, scan.Macros())
    for sub, start, stop in searches:
        assert scanner.find(sub, start, stop) == text.find(sub, start, stop)


def test_repeated_unterminated_math_stays_unterminated_everywhere() -> None:
    result = scan.scan("\\( a \\( b\n\n\\( c \\) d")
    assert [p.start for p in result.problems if p.code == "unterminated-math"] == [0, 5]


def test_lone_surrogates_from_the_editor_load() -> None:
    project = project_from({"main.tex": "We propose Tier\udc80KV, a cache. It is fast."})
    assert [s.text for s in project.sentences] == ["We propose Tier\udc80KV, a cache.",
                                                   "It is fast."]


def test_lone_surrogates_survive_the_critique(reviewers) -> None:
    project = project_from({"main.tex": "We propose Tier\udc80KV, which adaptively evicts "
                                        "tokens. We compare against PyTorch eager."})
    objections = fuzzing.critique_all(project, reviewers)
    assert objections and all(o.fingerprint for o in objections)


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_line_ends_of_every_style(end: str) -> None:
    """CR LF is one line break (not a blank line), a comment ends at a lone CR too, and
    so do ``\\<line break>``, ``%!TEX root`` and the ``\\documentclass`` line test."""
    text = "% note\nWe propose\na cache, e.g.\\\nTierKV.\nIt is fast.\n".replace("\n", end)
    assert [s.text for s in single(text).sentences] == [
        "We propose a cache, e.g. TierKV.", "It is fast."]
    assert tex_root(f"% !TEX root = main.tex{end}x") == "main.tex"
    assert is_root_text(f"% comment{end}\\documentclass{{article}}")


def test_edits_past_a_line_end_clamp_to_it() -> None:
    def edited(text: str, line: int, character: int) -> str:
        document = Document("file:///a.tex", text, version=0, position_codec=PositionCodec())
        point = types.Position(line=line, character=character)
        document.apply_change(types.TextDocumentContentChangePartial(
            range=types.Range(start=point, end=point), text="X"))
        return document.source

    assert edited("ab\r\ncd", 0, 3) == "abX\r\ncd"
    assert edited("ab\ncd", 1, 9) == "ab\ncdX"
    assert edited("ab\n", 5, 0) == "ab\nX"


@pytest.mark.parametrize("encoding", fuzzing.ENCODINGS)
def test_the_end_of_a_text_ending_with_a_line_break_is_on_the_next_line(encoding) -> None:
    positions = Positions("ab\r\n", PositionCodec(encoding))
    end = positions.position(4)
    assert (end.line, end.character) == (1, 0)
    assert positions.offset(end) == 4
    assert positions.position(3).line == 0


def test_positions_count_like_pygls() -> None:
    text = "a𝛾é\udc80好\n\U0010fffdb"
    for encoding in fuzzing.ENCODINGS:
        codec = PositionCodec(encoding)
        lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
        for offset in range(len(text) + 1):
            line = 0 if offset < len(lines[0]) else 1
            column = offset - (0 if line == 0 else len(lines[0]))
            want = codec.client_num_units(lines[line][:column])
            assert Positions(text, codec).position(offset).character == want
