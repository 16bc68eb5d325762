"""Fuzz campaign: mutated documents through every layer, counting broken invariants.

Each case takes a seed document (the bundled examples and, when present, ../shared/corpus,
read in place), one of its files and a few mutations from tests/fuzzing.py, then runs one
drill, in turn:

* text: a window of the file through the scanner, splitter, claims, a one-file project
  and LSP positions in UTF-16, UTF-8 and UTF-32;
* project: the whole project with the file mutated, then the offline critique (every
  persona pinned);
* bytes: the file damaged at byte level (NUL, invalid UTF-8, cut multibyte sequences,
  UTF-16) and read through the project's decoder;
* edits: random incremental edits through pygls's document and the server's bookkeeping.

Every case runs under a time budget (running over counts as a hang). After --cases cases
or --seconds seconds, it prints the figures, then a linearity table: for each crafted worst
case, the work (lines executed plus characters scanned: deterministic) and the time at n and
8n units. Exits 1 if any invariant broke, or a worst case grew more than 12x in work or 32x
in time for 8x the input.

    python bench/fuzz.py [--cases N] [--seconds S] [--seed K] [--n 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests import fuzzing
from tests.fuzzing import Seed, Violation

from skeptic.critique.pipeline import Reviewers, load_reviewers
from skeptic.latex.files import MapReader
from skeptic.latex.project import load_project

KINDS = {
    "crash": "crashes",
    "hang": "hangs",
    "out-of-range": "out-of-range ranges",
    "lost-text": "lost or reordered text",
    "slice": "text not from its slice",
    "split": "bad sentence spans",
    "invalid-position": "invalid positions",
    "edit-mismatch": "edit mismatches",
}
MAX_WORK_GROWTH = 12
MAX_TIME_GROWTH = 32


def text_drill(seed: Seed, name: str, rng: Random, reviewers: Reviewers) -> list[Violation]:
    text = fuzzing.window(seed.texts[name], rng, 8000)
    return fuzzing.text_violations(fuzzing.mutate(text, rng, rng.randrange(1, 5)), rng)


def project_drill(seed: Seed, name: str, rng: Random, reviewers: Reviewers) -> list[Violation]:
    texts = {**seed.texts, name: fuzzing.mutate(seed.texts[name], rng, rng.randrange(1, 5))}
    project = load_project(seed.root, MapReader(texts))
    objections = fuzzing.critique_all(project, reviewers)
    return (fuzzing.project_violations(project)
            + fuzzing.critique_violations(project, objections))


def bytes_drill(seed: Seed, name: str, rng: Random, reviewers: Reviewers) -> list[Violation]:
    data = {n: fuzzing.encoded(t) for n, t in seed.texts.items()}
    mutated = fuzzing.mutate(seed.texts[name], rng, rng.randrange(0, 3))
    data[name] = fuzzing.damage(fuzzing.encoded(mutated), rng)
    return fuzzing.project_violations(load_project(seed.root, fuzzing.BytesReader(data)))


def edits_drill(seed: Seed, name: str, rng: Random, reviewers: Reviewers) -> list[Violation]:
    text = fuzzing.window(seed.texts[name], rng, 3000)
    for mutation in (fuzzing.line_ends, fuzzing.exotic, fuzzing.fragments):
        if rng.random() < 0.5:
            text = mutation(text, rng)
    return fuzzing.edit_violations(text, rng, rng.choice(fuzzing.ENCODINGS), count=10)


DRILLS: dict[str, Callable[[Seed, str, Random, Reviewers], list[Violation]]] = {
    "text": text_drill, "project": project_drill, "bytes": bytes_drill, "edits": edits_drill,
}


def crash_signature(error: Exception) -> str:
    """The exception and the line that raised it (``KeyError at skeptic/x.py:12 (...)``)."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    parts = Path(frame.filename).parts
    where = "/".join(parts[parts.index("skeptic"):] if "skeptic" in parts else parts[-1:])
    return f"{type(error).__name__} at {where}:{frame.lineno} ({error})"


def run_case(index: int, args: argparse.Namespace, seeds: list[Seed],
             reviewers: Reviewers) -> tuple[str, list[Violation]]:
    """One case, reproducible from (--seed, index): its drill and what it broke."""
    rng = Random(f"{args.seed}:{index}")
    drill = list(DRILLS)[index % len(DRILLS)]
    seed = rng.choice(seeds)
    name = rng.choice(sorted(seed.texts))
    try:
        with fuzzing.bounded(args.budget):
            found = DRILLS[drill](seed, name, rng, reviewers)
    except TimeoutError:
        found = [Violation("hang", f"over {args.budget} s")]
    except Exception as error:  # every escaping exception is a finding
        found = [Violation("crash", crash_signature(error))]
    where = f"case {index} ({drill}, {seed.name}:{name})"
    return drill, [Violation(v.kind, f"{where}: {v.detail}") for v in found]


def campaign(args: argparse.Namespace, seeds: list[Seed], reviewers: Reviewers) -> int:
    """Run the cases; print the figures; return the number of violations."""
    counts: Counter[str] = Counter()
    drills: Counter[str] = Counter()
    crashes: Counter[str] = Counter()
    first: dict[str, str] = {}
    start = time.perf_counter()
    index = 0
    while index < args.cases and time.perf_counter() - start < args.seconds:
        drill, found = run_case(index, args, seeds, reviewers)
        drills[drill] += 1
        for violation in found:
            counts[violation.kind] += 1
            if violation.kind == "crash":
                crashes[violation.detail.split(": ", 1)[1].split(" (")[0]] += 1
            first.setdefault(violation.kind, violation.detail[:400])
        index += 1
    elapsed = time.perf_counter() - start
    print(f"cases run           {index:8,d}  ({', '.join(f'{k} {v}' for k, v in drills.items())})")
    print(f"time                {elapsed:8.1f} s  ({index / elapsed:.1f} cases/s)")
    for kind, label in KINDS.items():
        print(f"{label:24s}{counts[kind]:4d}")
    for signature, count in crashes.most_common():
        print(f"  crash {signature}: {count}")
    for kind, detail in first.items():
        print(f"  first {kind}: {detail}")
    return sum(counts.values())


def best_time(run: Callable[[], object], runs: int = 3) -> float:
    """Best wall time of ``run()`` in milliseconds, caches cleared before each run."""
    times = []
    for _ in range(runs):
        fuzzing.clear_caches()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def linearity(n: int) -> int:
    """Print work and time at n and 8n for every worst case; return how many grew too fast."""
    print(f"\nlinearity: work = lines executed + characters scanned (deterministic); "
          f"limits {MAX_WORK_GROWTH}x work, {MAX_TIME_GROWTH}x time for 8x the input")
    print(f"{'case':30s} {'work n':>10s} {'work 8n':>11s} {'growth':>7s} "
          f"{'ms n':>8s} {'ms 8n':>9s} {'growth':>7s}")
    bad = 0
    for name, make in fuzzing.WORST_CASES.items():
        make(n)()
        with fuzzing.bounded(300):
            base = fuzzing.work(make(0))
            small, large = fuzzing.work(make(n)) - base, fuzzing.work(make(8 * n)) - base
            fast, slow = best_time(make(n)), best_time(make(8 * n))
        work_growth, time_growth = large / max(small, 1), slow / max(fast, 1e-3)
        flag = work_growth > MAX_WORK_GROWTH or time_growth > MAX_TIME_GROWTH
        bad += flag
        print(f"{name:30s} {small:10,d} {large:11,d} {work_growth:6.1f}x {fast:8.1f} "
              f"{slow:9.1f} {time_growth:6.1f}x{'  <-- superlinear' if flag else ''}")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=60, help="seconds per case")
    parser.add_argument("--n", type=int, default=1000, help="units of the linearity inputs")
    args = parser.parse_args()
    seeds = [*fuzzing.example_seeds(), *fuzzing.corpus_seeds()]
    corpus = len(seeds) - len(fuzzing.example_seeds())
    print(f"fuzz: seed {args.seed}, {len(seeds)} seed documents ({corpus} from the corpus"
          f"{'' if corpus else f', absent at {fuzzing.CORPUS}'})")
    violations = campaign(args, seeds, load_reviewers())
    superlinear = linearity(args.n)
    print(f"\n{violations} broken invariants, {superlinear} superlinear worst cases")
    sys.exit(1 if violations or superlinear else 0)


if __name__ == "__main__":
    main()
