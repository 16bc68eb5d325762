"""`skeptic check --engine anthropic` end to end, against a fake API on 127.0.0.1, and
`skeptic cache info|clear`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skeptic.cli import main
from tests.fake_anthropic import BODY, KEY, PERSONA, FakeAPI, isolate, serve

PERSONA_ARGS = ("--persona", PERSONA)
MAIN = ("\\documentclass{article}\n\\newcommand{\\sys}{TierKV}\n\\title{TierKV: A Test Draft}\n"
        "\\begin{document}\n\\maketitle\n\\input{sections/body}\n\\end{document}\n")


@pytest.fixture
def paper(tmp_path) -> Path:
    """A two-file draft with three sections."""
    folder = tmp_path / "paper"
    (folder / "sections").mkdir(parents=True)
    (folder / "main.tex").write_text(MAIN)
    (folder / "sections" / "body.tex").write_text(BODY)
    return folder


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "skeptic", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_check_with_the_anthropic_engine(paper, tmp_path) -> None:
    api = FakeAPI()
    with serve(api) as url:
        env = {**os.environ, "ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": KEY}
        env.pop("ANTHROPIC_AUTH_TOKEN", None)
        check = ("check", str(paper), "--engine", "anthropic", *PERSONA_ARGS,
                 "--cache-dir", str(tmp_path / "cache"), "--fail-on", "never")
        first = run("-vv", *check, "--format", "json", env=env)
        second = run(*check, env=env)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["engine"] == "anthropic"
    assert data["usage"]["requests"] == 3 == len(api.requests)
    assert data["usage"]["cache_read_input_tokens"] == 2 * 2600
    assert {h["authorization"] for h in api.headers} == {f"Bearer {KEY}"}
    assert any(d["message"].startswith("Model says") for d in data["diagnostics"])
    assert KEY not in first.stderr + first.stdout + second.stderr + second.stdout
    assert second.returncode == 0, second.stderr
    assert "engine: anthropic" in second.stdout
    assert "usage: requests 0, cache hits 3, input tokens 0" in second.stdout
    assert len(api.requests) == 3


def test_batch_mode_from_the_command_line(paper, tmp_path, monkeypatch, capsys) -> None:
    isolate(monkeypatch)
    api = FakeAPI()
    with serve(api) as url:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        status = main(["check", str(paper), "--batch", *PERSONA_ARGS, "--cache-dir",
                       str(tmp_path / "cache"), "--format", "json", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert status == 0
    assert json.loads(out)["usage"]["requests"] == 3
    assert "batch msgbatch_1: 3 request(s) submitted" in err
    assert "batch msgbatch_1: 3/3 done" in err
    assert "POST /v1/messages/batches" in api.paths


def test_no_key_anywhere_but_the_workspace(paper, tmp_path, monkeypatch, capsys) -> None:
    isolate(monkeypatch)
    (paper / ".env").write_text(f"ANTHROPIC_API_KEY={KEY}\n")
    (paper / "skeptic.toml").write_text(f'api_key = "{KEY}"\n')
    main(["check", str(paper), "--engine", "anthropic", *PERSONA_ARGS, "--cache-dir",
          str(tmp_path / "cache"), "--format", "json", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert json.loads(out)["engine"] == "offline" and "usage" not in json.loads(out)
    assert "needs an API key" in err


def test_cache_info_and_clear(tmp_path, capsys) -> None:
    from skeptic.critique.cache import CritiqueCache, cache_directory

    with CritiqueCache(cache_directory(str(tmp_path))) as cache:
        cache.set("k", {"findings": []})
    assert main(["cache", "info", "--cache-dir", str(tmp_path), "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["location"] == str(tmp_path / "critiques") and info["entries"] == 1
    assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert "removed 1 cached critique(s)" in capsys.readouterr().out
    assert main(["cache", "info", "--cache-dir", str(tmp_path)]) == 0
    assert "entries:  0" in capsys.readouterr().out


def test_batch_needs_the_api(paper, capsys) -> None:
    assert main(["check", str(paper), "--engine", "offline", "--batch"]) == 2
    assert "--batch" in capsys.readouterr().err

