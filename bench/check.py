"""What ``skeptic check`` (offline) adds to ``skeptic outline`` on the generated 87 KB paper.

Two views, both in this run: in process (the model built, then critiqued; personas and the
catalog loaded once, as the language server does) and as whole commands (a fresh
``skeptic outline`` and ``skeptic check`` process each, start-up included). Best of
several runs; every cache keyed by the text (the model's memory of earlier loads, claims,
the critique's per-sentence results, filled messages, fingerprints) is cleared before every
in-process run.

    python bench/check.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from skeptic.critique.pipeline import critique_offline, load_reviewers
from skeptic.latex.files import MapReader
from skeptic.latex.project import load_project
from skeptic.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from caches import forget
from paper import generate


def best(run: Callable[[], object], runs: int, reset: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        reset()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    paper = generate(87_000)
    reviewers = load_reviewers()
    settings = Settings()

    def reset() -> None:
        forget(reviewers)

    def outline() -> object:
        return load_project("paper.tex", MapReader({"paper.tex": paper}))

    def check() -> object:
        return critique_offline(outline(), reviewers, settings)

    model = best(outline, args.runs, reset)
    full = best(check, args.runs, reset)
    found = len(check().objections)
    print(f"in process: outline {model:.1f} ms, check {full:.1f} ms "
          f"(+{100 * (full - model) / model:.0f}%, target <= +50%), {found} objections")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paper.tex"
        path.write_text(paper, encoding="utf-8")

        # Commands run with compiled modules, as an installed package has them (this
        # machine may set PYTHONDONTWRITEBYTECODE, which recompiles them at every start).
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(Path(folder) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)

        def command(*words: str) -> Callable[[], object]:
            return lambda: subprocess.run([sys.executable, "-m", "skeptic", *words, str(path)],
                                          check=False, capture_output=True, env=env)

        command("check")()  # compile every module once
        outline_cli = best(command("outline"), max(3, args.runs // 2), lambda: None)
        check_cli = best(command("check", "--engine", "offline"), max(3, args.runs // 2),
                         lambda: None)
    print(f"commands:   outline {outline_cli:.0f} ms, check {check_cli:.0f} ms "
          f"(+{100 * (check_cli - outline_cli) / outline_cli:.0f}%, target <= +50%)")


if __name__ == "__main__":
    main()
