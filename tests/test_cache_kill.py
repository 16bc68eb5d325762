"""The caches survive a ``kill -9`` at any moment, and a damaged reviewers pickle.

``skeptic check --engine anthropic`` runs in a child process against a fake API on 127.0.0.1
(``ANTHROPIC_BASE_URL``, ``ANTHROPIC_API_KEY``) and is killed with SIGKILL:

- from outside, while the fake API holds its answers back: before any answer, after two;
  and right after the last one, while the run is still writing them (each write transaction
  is held open a little, so the kill lands inside one);
- from inside, at exact points of the cache writes (``diskcache`` or ``pickle`` patched in
  the child before the CLI runs): inside a write transaction after the row is inserted and
  before it commits, after every write but before the store is closed (its write-ahead log
  not yet checkpointed), and half-way through writing the reviewers pickle.

The next run must then succeed with no traceback and no cache warning, and report exactly
what a run with a fresh, empty cache dir reports; the answers committed before the kill are
reused (never more than the fake API had sent), and afterwards the cache holds every answer.

The child runs ``skeptic.cli.main(argv)``, which is all ``python -m skeptic`` does, forked
from a multiprocessing fork server that imported the SDK once (a fresh interpreter pays
seconds for that import in every run). The next runs go in this process.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from skeptic.cli import main
from skeptic.critique.cache import CritiqueCache
from tests.fake_anthropic import BODY, KEY, FakeAPI, serve

PERSONAS = ("--persona", "kv-cache-memory", "--persona", "inference-accelerators")
REQUESTS = 2 * 3  # two personas, three sections
MAIN = ("\\documentclass{article}\n\\newcommand{\\sys}{TierKV}\n\\title{TierKV: A Test Draft}\n"
        "\\begin{document}\n\\maketitle\n\\input{sections/body}\n\\end{document}\n")
WAIT = 60.0

FORKS = multiprocessing.get_context("forkserver")
FORKS.set_forkserver_preload(["anthropic", "diskcache", "skeptic.cli", "skeptic.critique.full",
                              "skeptic.critique.anthropic.engine", "tests.test_cache_kill"])


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _arrange(kill: str) -> None:
    """Make this process SIGKILL itself (or linger) at one point of a cache write."""
    import diskcache.core as core

    kind, _, n = kill.partition(":")
    if kind in ("insert", "slow"):  # n-th write: row inserted, not committed / linger n s
        insert, count = core.Cache._row_insert, [0]

        def row_insert(self, *args):
            insert(self, *args)
            count[0] += 1
            if kind == "slow":
                time.sleep(float(n))
            elif count[0] == int(n):
                _die()

        core.Cache._row_insert = row_insert
    elif kind == "close":  # every answer committed, the store not yet closed
        from skeptic.critique.cache import CritiqueCache

        def close(self):
            if self._store is not None:
                _die()

        CritiqueCache.close = close
    elif kind == "pickle":  # half of the reviewers pickle written, not yet renamed
        from skeptic.critique import prebuilt

        def replace(source, target):
            with open(source, "r+b") as partial:
                partial.truncate(Path(source).stat().st_size // 2)
            _die()

        prebuilt.os.replace = replace


def _child(args: list[str], url: str, kill: str, output: str) -> None:
    """The forked run: the CLI with the fake API's address and key, output to files."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        os.environ.pop(name, None)
    os.environ.update({"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": KEY})
    sys.stdout = open(output + ".out", "w")  # noqa: SIM115 (kept open until the end)
    sys.stderr = open(output + ".err", "w", buffering=1)  # noqa: SIM115
    _arrange(kill)
    raise SystemExit(main(args))


@pytest.fixture(scope="module")
def paper(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kill") / "paper"
    (folder / "sections").mkdir(parents=True)
    (folder / "main.tex").write_text(MAIN)
    (folder / "sections" / "body.tex").write_text(BODY)
    return folder


def check_args(paper: Path, cache: Path, engine: str = "anthropic") -> list[str]:
    return ["check", str(paper), "--engine", engine, *PERSONAS, "--cache-dir", str(cache),
            "--format", "json", "--fail-on", "never"]


@dataclass
class Run:
    status: int
    out: str
    err: str

    @property
    def report(self) -> dict[str, Any]:
        data = json.loads(self.out)
        data.pop("usage", None)
        return data

    @property
    def usage(self) -> dict[str, int]:
        return json.loads(self.out)["usage"]


def run_in_process(args: list[str], url: str | None = None) -> Run:
    """``skeptic`` in this process, with a key and the fake API's address when ``url``."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
            patch.delenv(name, raising=False)
        if url is not None:
            patch.setenv("ANTHROPIC_BASE_URL", url)
            patch.setenv("ANTHROPIC_API_KEY", KEY)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(args)
    return Run(status, out.getvalue(), err.getvalue())


def fresh_run(paper: Path, cache: Path) -> tuple[Run, FakeAPI]:
    api = FakeAPI()
    with serve(api) as url:
        run = run_in_process(check_args(paper, cache), url)
    return run, api


@pytest.fixture(scope="module")
def reference(paper, tmp_path_factory) -> dict[str, Any]:
    """The report of a run with a fresh, empty cache dir."""
    run, api = fresh_run(paper, tmp_path_factory.mktemp("reference"))
    assert run.status == 0, run.err
    assert run.usage["requests"] == REQUESTS == len(api.requests)
    report = run.report
    assert report["engine"] == "anthropic"
    assert sum(d["message"].startswith("Model says") for d in report["diagnostics"]) >= 3
    return report


def start(args: list[str], url: str, kill: str, output: Path):
    process = FORKS.Process(target=_child, args=(args, url, kill, str(output)), daemon=True)
    process.start()
    return process


def errors(output: Path) -> str:
    path = Path(str(output) + ".err")
    return path.read_text() if path.exists() else ""


def wait_then_kill(process, api: FakeAPI, ready: Callable[[FakeAPI], bool]) -> str:
    """SIGKILL ``process`` as soon as ``ready(api)`` holds; a problem, or ""."""
    give_up = time.monotonic() + WAIT  # a guard against hanging, not a measurement
    while not api.wait(ready, timeout=0.2):
        if not process.is_alive():
            return "exited before the kill point"
        if time.monotonic() > give_up:
            return "the kill point was never reached"
    process.kill()
    return ""


def assert_recovers(paper: Path, cache: Path, reference: dict[str, Any], reused: int,
                    exactly: bool = True) -> None:
    """The next run: exit 0, no traceback or cache warning, the fresh run's report,
    ``reused`` answers (or at most that many) taken from the cache; afterwards the cache
    holds every answer."""
    run, api = fresh_run(paper, cache)
    assert run.status == 0, run.err
    assert "Traceback" not in run.err and "critique cache" not in run.err, run.err
    assert not list(cache.glob("critiques.broken-*"))
    assert run.report == reference
    hits = run.usage["cache_hits"]
    assert hits == reused if exactly else hits <= reused
    assert run.usage["requests"] == REQUESTS - hits == len(api.requests)
    with CritiqueCache(cache / "critiques") as store:
        assert store.info().entries == REQUESTS and store.warnings == []


@dataclass(frozen=True)
class Scenario:
    """Where the run is killed, and how many answers the next run must find cached
    (exactly, or at most that many when the kill races the write)."""

    reused: int
    exactly: bool = True
    kill: str = ""  # a SKEPTIC_TEST_KILL point inside the process, or
    limit: int | None = None  # answers the fake API lets out before holding the rest,
    ready: Callable[[FakeAPI], bool] | None = None  # and when to kill from outside


SCENARIOS = {
    "before any answer": Scenario(0, limit=0, ready=lambda api: len(api.requests) >= 1),
    "after two answers": Scenario(2, False, limit=2,
                                  ready=lambda api: api.answered >= 2 and len(api.requests) >= 3),
    "right after the last answer": Scenario(REQUESTS, False, kill="slow:0.5",
                                            ready=lambda api: api.answered >= REQUESTS),
    "inside the first cache write": Scenario(0, kill="insert:1"),
    "inside the fourth cache write": Scenario(3, kill="insert:4"),
    "before the cache is closed": Scenario(REQUESTS, kill="close"),
}


@dataclass
class Killed:
    cache: Path
    returncode: int | None = None
    answered: int = 0
    error: str = ""


def kill_run(paper: Path, cache: Path, scenario: Scenario) -> Killed:
    """One run of the CLI killed as ``scenario`` says (in a thread of its own)."""
    api = FakeAPI()
    api.limit = scenario.limit
    result = Killed(cache)
    with serve(api) as url:
        process = start(check_args(paper, cache), url, scenario.kill, cache.parent / "run")
        try:
            if scenario.ready is not None:
                result.error = wait_then_kill(process, api, scenario.ready)
            process.join(WAIT)
        finally:
            process.kill()
            process.join()
    result.returncode, result.answered = process.exitcode, api.answered
    result.error += errors(cache.parent / "run")
    return result


@pytest.fixture(scope="module")
def killed(paper, tmp_path_factory) -> dict[str, Killed]:
    """Every scenario's killed run, all at once (each pays seconds to import the SDK)."""
    with ThreadPoolExecutor(len(SCENARIOS)) as pool:
        runs = {name: pool.submit(kill_run, paper, tmp_path_factory.mktemp("cache"), scenario)
                for name, scenario in SCENARIOS.items()}
        return {name: run.result() for name, run in runs.items()}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_killed_run_leaves_a_usable_cache(paper, reference, killed, name) -> None:
    scenario, run = SCENARIOS[name], killed[name]
    assert run.returncode == -signal.SIGKILL, run.error
    if scenario.ready is not None:
        assert run.answered == (REQUESTS if scenario.limit is None else scenario.limit)
    assert run.answered >= scenario.reused
    assert_recovers(paper, run.cache, reference, scenario.reused, scenario.exactly)


# ------------------------------------------------------------------ the reviewers pickle


@pytest.fixture(scope="module")
def offline_reference(paper, tmp_path_factory) -> dict[str, Any]:
    run = run_in_process(check_args(paper, tmp_path_factory.mktemp("offline"), "offline"))
    assert run.status == 0 and run.report["engine"] == "offline"
    return run.report


def pickles(cache: Path) -> list[Path]:
    return sorted((cache / "reviewers").glob("*.pickle"))


def test_killed_while_writing_the_reviewers(paper, offline_reference, tmp_path) -> None:
    cache = tmp_path / "cache"
    process = start(check_args(paper, cache, "offline"), "http://127.0.0.1:9", "pickle",
                    tmp_path / "run")
    process.join(WAIT)
    assert process.exitcode == -signal.SIGKILL, errors(tmp_path / "run")
    [partial] = (cache / "reviewers").glob("*.tmp")
    assert partial.stat().st_size > 0 and pickles(cache) == []
    run = run_in_process(check_args(paper, cache, "offline"))
    assert run.status == 0 and "Traceback" not in run.err
    assert run.report == offline_reference
    [kept] = pickles(cache)
    assert type(pickle.loads(kept.read_bytes()[16:])).__name__ == "Reviewers"  # after the checksum


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage"])
def test_a_damaged_reviewers_pickle_is_rebuilt(paper, offline_reference, tmp_path,
                                               damage) -> None:
    cache = tmp_path / "cache"
    assert run_in_process(check_args(paper, cache, "offline")).status == 0
    [path] = pickles(cache)
    data = path.read_bytes()
    path.write_bytes({"truncated": data[:len(data) // 3], "empty": b"",
                      "garbage": b"\x80\x05not a pickle at all" * 50}[damage])
    run = run_in_process(check_args(paper, cache, "offline"))
    assert run.status == 0 and "Traceback" not in run.err
    assert run.report == offline_reference
    assert path.read_bytes() == data  # rebuilt, and written back whole


def test_a_flipped_byte_in_the_reviewers_pickle_is_noticed(paper, reviewers, tmp_path) -> None:
    cache = tmp_path / "cache"
    assert run_in_process(check_args(paper, cache, "offline")).status == 0
    [path] = pickles(cache)
    data = path.read_bytes()
    text = reviewers.catalog.systems[0].mechanism.encode()
    at = data.index(text) + len(text) // 2
    path.write_bytes(data[:at] + (b"X" if data[at:at + 1] != b"X" else b"Y") + data[at + 1:])
    run_in_process(check_args(paper, cache, "offline"))
    assert path.read_bytes() == data
