"""Time the language server as an editor sees it: start-up, opening the paper, a one-word edit.

The real server (``python -m skeptic serve``) runs as a subprocess and is driven over stdio
by a small JSON-RPC client in this file, with the capabilities of a push-diagnostics editor
(no diagnostic pull), in a temporary workspace holding the generated ~87 KB paper as
``main.tex``, with a temporary ``cacheDir`` and ``debounceMs`` set through
``initializationOptions`` and ``workspace/configuration`` (default 0, ``--debounce-ms``).
Servers get a bytecode cache in a temporary ``PYTHONPYCACHEPREFIX``, warmed by one start
before the runs, as an installed package has its ``.pyc`` files; (a) is also shown without
(``PYTHONDONTWRITEBYTECODE=1``, which leaves skeptic's modules to be compiled at every
start of an editable install). Each run starts fresh processes:

* a plain server: (a) process start -> ``initialize`` result; (b cold) ``didOpen`` sent
  right after ``initialized`` -> first ``publishDiagnostics`` of the paper (the server loads
  its personas and catalog meanwhile, as on any editor start); then (c) one-word
  incremental ``didChange`` edits in the middle of the paper -> the ``publishDiagnostics``
  of the re-run for that version (with a ``debounceMs`` below the server's ``ECHO_WAIT``,
  the server re-publishes the shifted old objections only when the re-run takes longer
  than that: the "echo");
* the same server with timers wrapped around its methods (``python -c`` that patches
  ``SkepticServer`` and calls the same entry point; nothing under server/ changes): a small
  file opened first so the personas are loaded, then (b warm) the paper and (c) the edits,
  with the server-side work time of each (worker thread and event loop) on stderr;
* references in the same run: a bare pygls 2 ``LanguageServer`` with no features and a
  plain-Python JSON-RPC responder started the same way, for (a); this process's own
  document model and offline critique of the same text (cold caches for (b), the edited
  text with warm caches for (c)), for the LSP overhead.

The offline critique never reads the critique cache (only the full critique on save does),
so no warm-cache figures are needed; the temporary ``cacheDir`` just keeps runs apart.

    python bench/lsp.py [--runs 5] [--edits 5] [--debounce-ms 0] [--size 87000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from skeptic.critique.pipeline import critique_offline, load_reviewers
from skeptic.latex.files import MapReader
from skeptic.latex.project import load_project
from skeptic.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from caches import forget
from paper import generate

SERVER = [sys.executable, "-m", "skeptic", "serve"]
BARE = [sys.executable, "-c", "from pygls.lsp.server import LanguageServer\n"
        "LanguageServer('bare', 'v0').start_io()"]
FLOOR = [sys.executable, "-c", r"""
import json, sys
read, write = sys.stdin.buffer, sys.stdout.buffer
while True:
    length = 0
    while (line := read.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if not line:
        break
    message = json.loads(read.read(length))
    if message.get("method") == "exit":
        break
    if "id" in message:
        answer = {"capabilities": {}} if message["method"] == "initialize" else None
        body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": answer}).encode()
        write.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        write.flush()
"""]
TAG = "SKEPTIC-BENCH "
INSTRUMENTED = [sys.executable, "-c", r"""
import json, sys, time
from skeptic.lsp.server import SkepticServer as S

TAG = "SKEPTIC-BENCH "

def emit(event, t0, t1, **more):
    sys.stderr.write(TAG + json.dumps({"e": event, "t0": t0, "t1": t1, **more}) + "\n")
    sys.stderr.flush()

def timed_async(name):
    original = getattr(S, name)
    async def wrapper(self, *args, **kwargs):
        t0 = time.monotonic()
        try:
            return await original(self, *args, **kwargs)
        finally:
            emit(name, t0, time.monotonic())
    setattr(S, name, wrapper)

def timed(name):
    original = getattr(S, name)
    def wrapper(self, *args, **kwargs):
        t0, c0 = time.monotonic(), time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            emit(name, t0, time.monotonic(), cpu=time.thread_time() - c0)
    setattr(S, name, wrapper)

for name in ("run", "load", "dismissals"):
    timed_async(name)
for name in ("follow", "show"):
    timed(name)

in_worker = S.in_worker
async def worker(self, function, *args):
    box = {}
    def call(*inner):
        box["t0"], c0 = time.monotonic(), time.thread_time()
        try:
            return function(*inner)
        finally:
            box["t1"], box["cpu"] = time.monotonic(), time.thread_time() - c0
    queued = time.monotonic()
    try:
        return await in_worker(self, call, *args)
    finally:
        if "t1" in box:
            emit("worker", box["t0"], box["t1"], queued=queued, cpu=box["cpu"],
                 name=getattr(function, "__qualname__", "?"))
S.in_worker = worker

from skeptic.cli import main
sys.exit(main(["serve"]))
"""]
CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": True},
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                               "codeDescriptionSupport": True, "dataSupport": True,
                               "tagSupport": {"valueSet": [1, 2]}},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "codeAction": {"codeActionLiteralSupport": {
            "codeActionKind": {"valueSet": ["quickfix"]}}},
    },
    "workspace": {"configuration": True, "workspaceFolders": True,
                  "didChangeConfiguration": {"dynamicRegistration": False},
                  "didChangeWatchedFiles": {"dynamicRegistration": True}},
    "window": {"workDoneProgress": True, "showMessage": {}},
}
WORDS = ["accelerates", "shrinks", "caps", "trims", "lowers", "masks", "cuts", "eases",
         "narrows", "limits"]
TIMEOUT = 60.0


class Session:
    """One server process and a minimal LSP client: requests, answers to the server's
    requests, and every message received with the time it arrived."""

    def __init__(self, process: asyncio.subprocess.Process, started: float,
                 settings: dict[str, Any]) -> None:
        self.process = process
        self.started = started
        self.settings = settings
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.events: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self.arrived = asyncio.Event()
        self.pending: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.ready_cpu: float | None = None
        self.tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._errors())]

    @classmethod
    async def start(cls, command: list[str], cwd: Path, settings: dict[str, Any],
                    env: dict[str, str]) -> Session:
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, cwd=cwd, env=env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        return cls(process, started, settings)

    # ---------------------------------------------------------------- wire
    def _send(self, message: dict[str, Any]) -> float:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        sent = time.monotonic()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        return sent

    async def _read(self) -> None:
        stream = self.process.stdout
        while True:
            try:
                header = await stream.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", header).group(1))
            body = await stream.readexactly(length)
            arrived = time.monotonic()
            message = json.loads(body)
            if "method" in message and "id" in message:
                self._answer(message)
            elif "method" not in message:
                future = self.pending.pop(message.get("id"), None)
                if future is not None and not future.done():
                    future.set_result((arrived, message))
                continue
            self.received.append((arrived, message))
            self.arrived.set()

    async def _errors(self) -> None:
        while line := await self.process.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            if text.startswith(TAG):
                self.events.append(json.loads(text[len(TAG):]))
                self.arrived.set()
            else:
                self.stderr.append(text)

    def _answer(self, request: dict[str, Any]) -> None:
        """What an editor answers: its settings, and yes to registrations and progress."""
        result: Any = None
        if request["method"] == "workspace/configuration":
            result = [self.settings for _ in request["params"]["items"]]
        self._send({"id": request["id"], "result": result})

    async def request(self, method: str, params: Any) -> tuple[float, Any]:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        self._send({"id": self.next_id, "method": method, "params": params})
        await self.process.stdin.drain()
        arrived, message = await asyncio.wait_for(future, TIMEOUT)
        if "error" in message:
            raise RuntimeError(f"{method} failed: {message['error']}")
        return arrived, message.get("result")

    async def notify(self, method: str, params: Any) -> float:
        sent = self._send({"method": method, "params": params})
        await self.process.stdin.drain()
        return sent

    async def wait(self, found: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
        """The first non-None value of ``found()``, re-checked as messages arrive."""
        async def loop() -> Any:
            while (value := found()) is None:
                self.arrived.clear()
                await self.arrived.wait()
            return value

        return await asyncio.wait_for(loop(), timeout)

    def publications(self, uri: str, after: float) -> list[tuple[float, dict[str, Any]]]:
        return [(t, m["params"]) for t, m in self.received
                if t >= after and m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri]

    def idle_after(self, after: float) -> float | None:
        return next((t for t, m in self.received if t >= after
                     and m.get("method") == "skeptic/status"
                     and m["params"].get("state") == "idle"), None)

    async def idle(self, after: float) -> float:
        """When the server next said ``skeptic/status`` idle (its run has shown results)."""
        return await self.wait(lambda: self.idle_after(after))

    # ---------------------------------------------------------------- LSP
    async def initialize(self, workspace: Path, options: dict[str, Any]) -> float:
        """Send ``initialize`` (and ``initialized``); the seconds from process start to the
        result."""
        arrived, _ = await self.request("initialize", {
            "processId": os.getpid(), "clientInfo": {"name": "bench/lsp.py"},
            "rootUri": workspace.as_uri(), "capabilities": CAPABILITIES,
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": workspace.name}],
            "initializationOptions": options})
        self.ready_cpu = self.cpu()
        await self.notify("initialized", {})
        return arrived - self.started

    def cpu(self) -> float | None:
        """The CPU seconds (user + system) the server process has used so far (Linux)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def open(self, path: Path, text: str) -> float:
        return await self.notify("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": "latex", "version": 1, "text": text}})

    async def first_publication(self, uri: str, after: float) -> tuple[float, dict[str, Any]]:
        return await self.wait(lambda: next(iter(self.publications(uri, after)), None))

    async def close(self) -> None:
        try:
            await self.request("shutdown", None)
            await self.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 10)
        except (TimeoutError, ConnectionError, RuntimeError):
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
        for task in self.tasks:
            task.cancel()


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position(text: str, offset: int) -> dict[str, int]:
    """The UTF-16 LSP position of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return {"line": line, "character": units(text[start:offset])}


def middle_word(text: str) -> tuple[int, int]:
    """The span of a prose verb near the middle of ``text``: the second word of the first
    sentence line (not a command, table or float) after the middle."""
    pattern = re.compile(r"^[A-Z][a-z]+(?: [a-zA-Z]+)? (reduces|hides|amortizes|overlaps|"
                         r"bounds|halves|removes) ", re.MULTILINE)
    match = pattern.search(text, len(text) // 2)
    if match is None:
        raise SystemExit("no prose sentence after the middle of the paper")
    return match.span(1)


async def edit_once(session: Session, uri: str, text: str, version: int, span: tuple[int, int],
                    word: str, debounce: float) -> tuple[str, dict[str, float]]:
    """Replace the word at ``span`` (version ``version``); the new text and the timings."""
    change = {"range": {"start": position(text, span[0]), "end": position(text, span[1])},
              "text": word}
    sent = await session.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
    idle = await session.idle(sent)
    mine = [(t, p) for t, p in session.publications(uri, sent)
            if p.get("version") == version and t <= idle]
    if not mine:
        raise RuntimeError(f"no diagnostics published for version {version} before the run "
                           "ended (does the client pull them?)")
    rerun = mine[-1][0]
    timing = {"total": rerun - sent, "work": rerun - sent - debounce, "sent": sent,
              "rerun": rerun, "diagnostics": len(mine[-1][1]["diagnostics"])}
    if len(mine) > 1:  # the first is the echo: the old objections, shifted
        timing["echo"] = mine[0][0] - sent
    return text[:span[0]] + word + text[span[1]:], timing


def work_between(session: Session, start: float, end: float) -> dict[str, float]:
    """Server-side time (instrumented server) of the events within ``[start, end]``."""
    inside = [e for e in session.events if start <= e["t0"] <= end]

    def total(kind: str, name: str = "", field: str = "") -> float:
        return sum(e[field] if field else e["t1"] - e["t0"] for e in inside
                   if e["e"] == kind and e.get("name", "").endswith(name))

    runs = [e for e in inside if e["e"] == "run"]
    work = {
        "handler": total("follow"),
        "run": total("run"),
        "load": total("worker", "load.<locals>.<lambda>"),
        "critique": total("worker", "critique_offline"),
        "dismissals": total("dismissals"),
        "show": total("show"),
        "queue": sum(e["t0"] - e["queued"] for e in inside if e["e"] == "worker"),
        "start": (runs[0]["t0"] - start) if runs else 0.0,
        "handler_cpu": total("follow", field="cpu"),
        "load_cpu": total("worker", "load.<locals>.<lambda>", "cpu"),
        "critique_cpu": total("worker", "critique_offline", "cpu"),
        "show_cpu": total("show", field="cpu"),
    }
    work["run_cpu"] = total("worker", field="cpu") + work["show_cpu"]
    work["total"] = work["handler"] + work["run"]
    work["total_cpu"] = work["run_cpu"] + work["handler_cpu"]
    work["misc"] = work["dismissals"] + work["queue"]
    return work


async def run_reported(session: Session, start: float, end: float) -> None:
    """Wait for the instrumented server's record of the run that started in the window."""
    await session.wait(lambda: next((e for e in session.events if e["e"] == "run"
                                     and start <= e["t0"] <= end), None), 10)


def environment(bytecode: Path | None) -> dict[str, str]:
    """The servers' environment: no API key; with ``bytecode``, compiled modules cached in
    that folder (as for an installed package; nothing is written next to the sources),
    without, none written at all (``PYTHONDONTWRITEBYTECODE``: every module without a
    ``.pyc`` is compiled at each start)."""
    env = {k: v for k, v in os.environ.items() if k not in (
        "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "PYTHONDONTWRITEBYTECODE",
        "PYTHONPYCACHEPREFIX")}
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


async def start_session(command: list[str], folder: Path, cache: Path, debounce_ms: int,
                        env: dict[str, str]) -> tuple[Session, float]:
    settings = {"debounceMs": debounce_ms}
    session = await Session.start(command, folder, settings, env)
    ready = await session.initialize(folder, {
        "settings": {**settings, "cacheDir": str(cache), "engine": "offline"},
        "client": "bench"})
    return session, ready


async def start_only(command: list[str], folder: Path, env: dict[str, str],
                     results: dict[str, list[float]] | None = None, key: str = "") -> None:
    session = await Session.start(command, folder, {}, env)
    try:
        ready = await session.initialize(folder, {})
    finally:
        await session.close()
    if results is not None:
        results[key].append(ready)
        if session.ready_cpu is not None:
            results[f"{key}_cpu"].append(session.ready_cpu)


async def one_run(paper: str, args: argparse.Namespace, results: dict[str, list[float]]) -> None:
    debounce = args.debounce_ms / 1000
    with tempfile.TemporaryDirectory(prefix="skeptic-bench-") as temporary:
        root = Path(temporary)
        cache = root / "cache"
        for kind, command in (("plain", SERVER), ("instrumented", INSTRUMENTED)):
            folder = root / kind
            folder.mkdir()
            path = folder / "main.tex"
            path.write_text(paper, encoding="utf-8")
            session, ready = await start_session(command, folder, cache, args.debounce_ms,
                                                 args.env)
            try:
                if kind == "plain":
                    results["a"].append(ready)
                    if session.ready_cpu is not None:
                        results["a_cpu"].append(session.ready_cpu)
                else:
                    small = folder / "note.tex"
                    small.write_text("\\documentclass{article}\n\\begin{document}\nHi.\n"
                                     "\\end{document}\n", encoding="utf-8")
                    sent = await session.open(small, small.read_text(encoding="utf-8"))
                    await session.first_publication(small.as_uri(), sent)
                uri = path.as_uri()
                sent = await session.open(path, paper)
                arrived, params = await session.first_publication(uri, sent)
                name = "b_cold" if kind == "plain" else "b_warm"
                results[name].append(arrived - sent)
                results[f"{name}_diagnostics"].append(len(params["diagnostics"]))
                await session.idle(sent)
                if kind == "instrumented":
                    await run_reported(session, sent, arrived)
                    work = work_between(session, sent, arrived)
                    for key in ("run", "load", "critique", "show"):
                        results[f"b_work_{key}"].append(work[key])
                        results[f"b_work_{key}_cpu"].append(work[f"{key}_cpu"])
                text, span = paper, middle_word(paper)
                for number in range(args.edits):
                    word = WORDS[number % len(WORDS)] + ("" if number < len(WORDS) else
                                                         "x" * (number // len(WORDS)))
                    text, timing = await edit_once(session, uri, text, 2 + number, span, word,
                                                   debounce)
                    span = (span[0], span[0] + len(word))
                    results[f"c_{kind}_total"].append(timing["total"])
                    results[f"c_{kind}_work"].append(timing["work"])
                    if "echo" in timing:
                        results[f"c_{kind}_echo"].append(timing["echo"])
                    if kind == "instrumented":
                        await run_reported(session, timing["sent"], timing["rerun"])
                        work = work_between(session, timing["sent"], timing["rerun"])
                        for key, value in work.items():
                            results[f"c_work_{key}"].append(value)
            finally:
                await session.close()
            if session.stderr and args.verbose:
                print("\n".join(session.stderr), file=sys.stderr)
        await start_only(BARE, root, args.env, results, "a_bare")
        await start_only(FLOOR, root, args.env, results, "a_floor")
        await start_only(SERVER, root, environment(None), results, "a_uncached")


def in_process(paper: str, runs: int, results: dict[str, list[float]]) -> None:
    """The document model and offline critique of the same texts, in this process."""
    clock = Clock(results)
    with clock("ref_reviewers"):
        reviewers = load_reviewers()
    settings = Settings({"engine": "offline"})
    span = middle_word(paper)
    edited = paper[:span[0]] + "accelerates" + paper[span[1]:]

    def model(text: str) -> Any:
        return load_project("main.tex", MapReader({"main.tex": text}))

    for _ in range(runs):
        forget(reviewers)
        with clock("ref_b_check"):
            with clock("ref_b_model"):
                project = model(paper)
            critique_offline(project, reviewers, settings)
        with clock("ref_c_check"):
            with clock("ref_c_model"):
                project = model(edited)
            critique_offline(project, reviewers, settings)


class Clock:
    """Records wall and CPU seconds of a ``with`` block under ``key`` and ``key_cpu``."""

    def __init__(self, results: dict[str, list[float]]) -> None:
        self.results = results

    @contextlib.contextmanager
    def __call__(self, key: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.thread_time()
        yield
        self.results[f"{key}_cpu"].append(time.thread_time() - cpu)
        self.results[key].append(time.perf_counter() - wall)


def ms(values: list[float]) -> str:
    if not values:
        return f"{'-':>15s}"
    return f"{min(values) * 1000:6.0f} /{statistics.median(values) * 1000:6.0f}"


def report(results: dict[str, list[float]], args: argparse.Namespace, size: int) -> None:
    print(f"\n{size:,} byte paper, {args.runs} runs x {args.edits} edits, debounceMs "
          f"{args.debounce_ms}; milliseconds, best / median; cpu: of the server process "
          f"(a), of the timed thread (server parts, in process)\n")
    header = f"{'figure':54s} {'wall':>15s} {'cpu':>15s}  {'target':13s} (median)"
    print(header + "\n" + "-" * len(header))

    def row(label: str, key: str, target: str = "") -> None:
        values = results.get(key, [])
        verdict = ""
        if target and values:
            limit = float(target.split()[1]) / 1000
            verdict = ("met" if statistics.median(values) <= limit else
                       "best only" if min(values) <= limit else "MISSED")
        print(f"{label:54s} {ms(values)} {ms(results.get(key + '_cpu', []))}"
              f"  {target:13s} {verdict}".rstrip())

    row("(a) process start -> initialize result", "a", "<= 800")
    row("    same, no bytecode cache (PYTHONDONTWRITEBYTECODE=1)", "a_uncached")
    row("    ref: bare pygls 2 LanguageServer, same way", "a_bare")
    row("    ref: plain-Python JSON-RPC responder (no pygls)", "a_floor")
    row("(b) didOpen after initialized -> first diagnostics", "b_cold", "<= 1500")
    row("    same, personas already loaded (instrumented)", "b_warm", "<= 1500")
    row("      server: run (scheduled -> published)", "b_work_run")
    row("      server: model (load_local, worker)", "b_work_load")
    row("      server: offline critique (worker)", "b_work_critique")
    row("      server: show (diagnostics + publish)", "b_work_show")
    row("    ref in process: personas + catalog loaded", "ref_reviewers")
    row("    ref in process: model, cold caches", "ref_b_model")
    row("    ref in process: model + offline critique, cold", "ref_b_check")
    row("(c) one-word didChange -> re-run diagnostics, total", "c_plain_total")
    row(f"    minus debounce ({args.debounce_ms} ms)", "c_plain_work", "<= 60 work")
    row("    echo (slow re-runs only): shifted old diagnostics", "c_plain_echo")
    row("    instrumented server, total", "c_instrumented_total")
    row("      server work: didChange handler + run", "c_work_total", "<= 60")
    row("      server: didChange handler (follow)", "c_work_handler")
    row("      server: didChange sent -> run starts", "c_work_start")
    row("      server: model (load_local, worker)", "c_work_load")
    row("      server: offline critique (worker)", "c_work_critique")
    row("      server: show (diagnostics + publish)", "c_work_show")
    row("      server: dismissals + worker queueing", "c_work_misc")
    row("    ref in process: model of edited text, warm", "ref_c_model")
    row("    ref in process: model + offline critique, warm", "ref_c_check")
    counts = {results[k][0] for k in ("b_cold_diagnostics", "b_warm_diagnostics") if results[k]}
    print(f"\ndiagnostics published for the paper: {', '.join(map(str, sorted(counts)))}")


async def bench(args: argparse.Namespace) -> None:
    paper = generate(args.size)
    results = _Results()
    with tempfile.TemporaryDirectory(prefix="skeptic-bench-pyc-") as bytecode:
        args.env = environment(Path(bytecode))
        print("warming the bytecode cache ...", file=sys.stderr, flush=True)
        for command in (SERVER, INSTRUMENTED, BARE, FLOOR):
            await start_only(command, Path(bytecode), args.env)
        for number in range(args.runs):
            print(f"run {number + 1}/{args.runs} ...", file=sys.stderr, flush=True)
            await one_run(paper, args, results)
    in_process(paper, args.runs, results)
    report(results, args, len(paper.encode()))


class _Results(dict):
    def __missing__(self, key: str) -> list[float]:
        self[key] = []
        return self[key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh server processes per kind")
    parser.add_argument("--edits", type=int, default=5, help="one-word edits per server")
    parser.add_argument("--debounce-ms", type=int, default=0,
                        help="the server's debounceMs setting (default: %(default)s)")
    parser.add_argument("--size", type=int, default=87_000, help="paper size in characters")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the servers' stderr")
    args = parser.parse_args()
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
