"""`skeptic check --engine anthropic` end to end, against a fake API on 127.0.0.1, and
`skeptic cache info|clear`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
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


def _tokens() -> dict[str, str]:
    tag = uuid.uuid4().hex[:12]
    return {name: f"SECRET-TOKEN-{name}-{tag}" for name in (
        "comment", "eol-comment", "preamble", "comment-env", "iffalse", "silenced", "outside",
        "symlink", "notes", "env-key", "vscode", "author", "thanks", "url", "label", "cite",
        "graphics", "code", "verbatim", "todo")}


def test_nothing_outside_the_draft_reaches_the_api(tmp_path, monkeypatch, capsys) -> None:
    """Policy: the API gets the draft's prose (sentences, captions and footnotes included, with
    math, citations, references, URLs and code reduced to placeholders), its title and
    section titles, the persona prompt and catalog text. Not comments of any form, not
    silenced sentences, not the preamble, authors, keys, file names or paths, and not files
    outside the workspace or outside the draft."""
    isolate(monkeypatch)
    t = _tokens()
    home = tmp_path / "home" / "alice"
    folder = home / "work" / "paper"
    (folder / "sections").mkdir(parents=True)
    (folder / "notes").mkdir()
    (folder / ".vscode").mkdir()
    (home / "work" / "outside.tex").write_text(
        f"\\section{{Outside}}\nThe {t['outside']} leaks from outside.\n")
    (home / "elsewhere.tex").write_text(f"The {t['symlink']} leaks through a link.\n")
    (folder / "sections" / "link.tex").symlink_to(home / "elsewhere.tex")
    (folder / "notes" / "secret.txt").write_text(f"{t['notes']}\n")
    (folder / ".env").write_text(f"ANTHROPIC_API_KEY={t['env-key']}\n"
                                 "ANTHROPIC_BASE_URL=http://evil.invalid\n")
    (folder / ".vscode" / "settings.json").write_text(
        json.dumps({"skeptic.anthropic.baseUrl": "http://evil.invalid",
                    "skeptic.anthropic.apiKey": t["vscode"]}))
    (folder / "main.tex").write_text(
        "\\documentclass{article}\n"
        f"% {t['preamble']}\n"
        "\\newcommand{\\sys}{TierKV}\n"
        f"\\author{{Alice {t['author']}\\thanks{{{t['thanks']}}}}}\n"
        "\\title{TierKV: A Test Draft}\n\\begin{document}\n\\maketitle\n"
        f"% {t['comment']}\n"
        "\\input{sections/body}\n\\input{../outside}\n\\input{sections/link}\n"
        f"\\begin{{comment}}\n{t['comment-env']}\n\\end{{comment}}\n"
        f"\\iffalse {t['iffalse']} \\fi\n\\end{{document}}\n")
    (folder / "sections" / "body.tex").write_text(
        BODY.replace("GPU memory.", f"GPU memory. % {t['eol-comment']}")
        + f"See \\url{{https://intranet.example/{t['url']}}} and Figure~\\ref{{{t['label']}}}"
        f" of \\cite{{{t['cite']}}}.\n"
        f"\\begin{{figure}}\\includegraphics{{figs/{t['graphics']}.pdf}}"
        f"\\label{{{t['label']}}}\\end{{figure}}\n"
        f"\\begin{{verbatim}}\n{t['verbatim']}\n\\end{{verbatim}}\n"
        f"The flag \\texttt{{--x}} and \\verb|{t['code']}| are code.\n"
        f"\\todo{{{t['todo']}}}\n"
        f"% skeptic: ignore-next-line\nThe {t['silenced']} sentence is silenced.\n")
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    api = FakeAPI()
    with serve(api) as url:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.chdir(folder)
        status = main(["check", str(folder), "--engine", "anthropic", *PERSONA_ARGS,
                       "--cache-dir", str(tmp_path / "cache"), "--format", "json",
                       "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert status == 0 and json.loads(out)["engine"] == "anthropic"
    assert "../outside" in err and "outside the workspace" in err
    assert "sections/link" in err

    assert len(api.requests) == 3 and set(api.paths) == {"POST /v1/messages"}
    sent = json.dumps(api.requests, ensure_ascii=False)
    assert "adaptively evicts tokens from the KV cache" in sent  # the draft does go out
    assert "[url]" in sent and "[cite]" in sent and "[code]" in sent
    for name, token in t.items():
        assert token not in sent, name
    for place in (str(tmp_path), str(folder.resolve()), str(home), "alice", "main.tex",
                  "body.tex", "sections/", "secret.txt", ".env", "evil.invalid"):
        assert place not in sent, place
    for headers in api.headers:
        assert headers["authorization"] == f"Bearer {KEY}"
        others = json.dumps({k: v for k, v in headers.items() if k != "authorization"})
        assert KEY not in others and "alice" not in others and str(tmp_path) not in others
        for token in t.values():
            assert token not in others
    assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == before
