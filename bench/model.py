"""Time the document model (scan + sentences + claims) against pylatexenc's LatexWalker.

Both run in this process on the same input: the generated ~87 KB paper, the largest
document of ../shared/corpus (when present), and a 10x larger generated paper for the
linearity check. Each figure is the best of several runs; the claim cache and the model's
memory of earlier loads are cleared before every run so the model does all its work each
time. A last line times what the language server does on a one-word edit: the model of the
edited paper, right after the model of the paper (the memory at work).

    python bench/model.py [--runs 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pylatexenc.latexwalker import LatexWalker

from skeptic.latex.files import MapReader
from skeptic.latex.project import load_from_disk, load_project
from skeptic.latex.tables import tables

sys.path.insert(0, str(Path(__file__).resolve().parent))
from caches import forget
from paper import generate

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def best(run: Callable[[], object], runs: int) -> float:
    """Best wall time of ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        forget()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def model_on_text(text: str) -> Callable[[], object]:
    return lambda: load_project("paper.tex", MapReader({"paper.tex": text}))


def one_word_edit(text: str) -> str:
    """``text`` with one word in the middle of its prose replaced."""
    at = text.index(" reduces ", len(text) // 2)
    return text[:at] + " slashes " + text[at + len(" reduces "):]


def walker_on(texts: list[str]) -> Callable[[], object]:
    return lambda: [LatexWalker(t, tolerant_parsing=True).get_latex_nodes() for t in texts]


def largest_corpus_document() -> Path | None:
    mains = CORPUS / "mains.txt"
    if not mains.is_file():
        return None
    sizes = {}
    for main in mains.read_text().split():
        project = load_from_disk(CORPUS / main)
        sizes[main] = sum(len(f.text.encode()) for f in project.files.values())
    return CORPUS / max(sizes, key=sizes.get)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tables()
    header = ("input", "bytes", "skeptic ms", "LatexWalker ms", "speedup")
    print(f"{header[0]:42s} {header[1]:>9s} {header[2]:>11s} {header[3]:>15s} {header[4]:>8s}")

    def row(name: str, size: int, ours: float, theirs: float) -> None:
        print(f"{name:42s} {size:9,d} {ours:11.1f} {theirs:15.1f} {theirs / ours:7.1f}x")

    paper = generate(87_000)
    ours = best(model_on_text(paper), args.runs)
    row("generated paper", len(paper.encode()), ours, best(walker_on([paper]), 3))

    largest = largest_corpus_document()
    if largest is not None:
        project = load_from_disk(largest)
        texts = [f.text for f in project.files.values()]
        size = sum(len(t.encode()) for t in texts)
        name = f"corpus: {largest.relative_to(CORPUS).parts[0]} ({len(texts)} files)"
        row(name, size, best(lambda: load_from_disk(largest), args.runs),
            best(walker_on(texts), 3))
    else:
        print(f"(corpus not found at {CORPUS}: skipped)")

    edited = one_word_edit(paper)
    times = []
    for _ in range(args.runs):
        model_on_text(paper)()
        start = time.perf_counter()
        model_on_text(edited)()
        times.append(time.perf_counter() - start)
    print(f"\none-word edit of the generated paper, model of the edited text after the "
          f"original's: {min(times) * 1000:.1f} ms (cold: {ours:.1f} ms)")

    big = generate(870_000)
    big_time = best(model_on_text(big), max(3, args.runs // 2))
    print(f"linearity: 10x input ({len(big.encode()):,} bytes) took {big_time:.1f} ms = "
          f"{big_time / ours:.1f}x the time of the 87 KB paper (target <= 12x)")


if __name__ == "__main__":
    main()
