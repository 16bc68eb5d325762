"""`skeptic outline` from the outside: the fixed JSON format and the readable text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "skeptic", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def utf16_slice(text: str, rng: dict) -> str:
    lines = text.split("\n")

    def offset(position: dict) -> int:
        before = sum(len(line) + 1 for line in lines[: position["line"]])
        units = lines[position["line"]].encode("utf-16-le")[: 2 * position["character"]]
        return before + len(units.decode("utf-16-le"))

    return text[offset(rng["start"]):offset(rng["end"])]


def test_outline_json_matches_the_fixed_format() -> None:
    folder = EXAMPLES / "multifile"
    result = run("outline", str(folder / "sections" / "design.tex"), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"version", "root", "files", "sections", "sentences"}
    assert data["version"] == 1 and data["root"] == "main.tex"
    assert data["files"] == ["main.tex", "sections/intro.tex", "sections/design.tex",
                             "sections/evaluation.tex"]
    assert [s["title"] for s in data["sections"]] == ["Abstract", "Introduction", "Design",
                                                      "Evaluation"]
    for sentence in data["sentences"]:
        assert set(sentence) == {"id", "file", "range", "text", "claims"}
        source = (folder / sentence["file"]).read_text(encoding="utf-8")
        covered = utf16_slice(source, sentence["range"])
        assert covered.replace("\\sys{}", "TierKV").split()[0] == sentence["text"].split()[0]
        assert covered.rstrip().endswith(sentence["text"][-1])
        for claim in sentence["claims"]:
            assert claim["kind"] in {"contribution", "novelty", "result", "comparison",
                                     "mechanism", "setup"}
    texts = [s["text"] for s in data["sentences"]]
    assert len(texts) == len(set(texts)), "a sentence appears twice"
    assert not any("bursty" in t or "sum_" in t or "Scoring" in t for t in texts)
    gamma = next(s for s in data["sentences"] if "𝛾" in s["text"])
    source = (folder / gamma["file"]).read_text(encoding="utf-8")
    assert utf16_slice(source, gamma["range"]).startswith("Unlike prior work")


def test_outline_text_is_readable() -> None:
    result = run("outline", str(EXAMPLES / "multifile"))
    assert result.returncode == 0, result.stderr
    assert "4 file(s), 4 section(s)" in result.stdout
    expected = "sections/evaluation.tex:4:1  [setup] All experiments run on 8 A100 GPUs"
    assert expected in result.stdout


def test_outline_of_missing_path_fails_cleanly(tmp_path: Path) -> None:
    result = run("outline", str(tmp_path))
    assert result.returncode == 2
    assert "no .tex file" in result.stderr
    assert "Traceback" not in result.stderr


def test_outline_and_check_do_not_vary_with_the_hash_seed() -> None:
    """Set and frozenset order changes with PYTHONHASHSEED: nothing may depend on it (a
    claim's cue span once did, where two cues of one kind overlapped)."""
    outputs = set()
    for seed in range(6):
        lines = []
        for folder in ("multifile", "multifile/sections/intro.tex"):
            for command in ("outline", "check"):
                result = subprocess.run(
                    [sys.executable, "-m", "skeptic", command, str(EXAMPLES / folder),
                     "--format", "json"],
                    capture_output=True, text=True, timeout=120,
                    env={**os.environ, "PYTHONHASHSEED": str(seed)})
                lines.append(result.stdout)
        outputs.add("\n".join(lines))
    assert len(outputs) == 1
