"""Score the offline engine on drafts with planted flaws: ``python bench/quality``.

Runs ``../shared/tools/score_critique.py`` (the scorer; its ``about`` rules are in each
expect.json) on the shared development draft and on our own sets:

- ``bench/quality/`` — drafts written while the rules were developed (tuned against);
- ``bench/quality-unseen/`` — drafts written by someone who never saw the rules; the
  rules were then tuned on them, so the figure is no longer an honest one;
- ``bench/quality-unseen2/`` — drafts written later, again without seeing the rules; its
  misses were looked at and general false positives fixed;
- ``bench/quality-unseen3/`` — a third set, held out: the honest figure (it stops being
  one once the rules are tuned on it).

Prints each set's summary line (recall, quiet-sentence violations, ...), with the misses
and noise above it when ``--verbose``.

    python bench/quality [--verbose] [--engine offline]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
SHARED = BENCH.parents[1] / "shared"
SETS = {
    "development (shared)": SHARED / "examples" / "expect.json",
    "ours (tuned against)": BENCH / "quality" / "expect.json",
    "unseen, then tuned against": BENCH / "quality-unseen" / "expect.json",
    "unseen2, then looked at": BENCH / "quality-unseen2" / "expect.json",
    "held out": BENCH / "quality-unseen3" / "expect.json",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every miss and noise")
    parser.add_argument("--engine", default="offline", choices=("offline", "auto"))
    args = parser.parse_args()
    scorer = SHARED / "tools" / "score_critique.py"
    if not scorer.is_file():
        print(f"the scorer is missing: {scorer}", file=sys.stderr)
        return 2
    command = f"{sys.executable} -m skeptic check {{main}} --format json --engine {args.engine}"
    for name, expect in SETS.items():
        if not expect.is_file():
            print(f"{name:22s} (not found: {expect})")
            continue
        run = subprocess.run([sys.executable, str(scorer), str(expect), "--cmd", command],
                             capture_output=True, text=True, check=False)
        lines = run.stdout.strip().splitlines() or [run.stderr.strip()]
        if args.verbose:
            print(f"== {name}", *lines[:-1], sep="\n")
        print(f"{name:22s} {lines[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
