"""A scripted stand-in for the Anthropic Messages API, for tests that never touch the network.

``FakeAPI`` answers ``httpx2`` requests in process (``httpx2.MockTransport``); ``serve``
puts the same answers behind a real HTTP server on 127.0.0.1 for the command-line tests.
By default every section gets one ``mechanism`` objection quoting its first sentence.

``FakeAPI.script`` holds scripted answers ``(status, body, headers)`` for the next Messages
requests (a body of None is the normal answer). Behind ``serve`` two more faults are possible
through pseudo-headers, which are not sent: ``TRICKLE`` (seconds between the 16-byte pieces
of the body) and ``TRUNCATE`` (bytes of the body sent before the connection closes, the
content-length still announcing all of it). ``serve`` can also hold answers back
(``FakeAPI.limit``), so a test can act while a client waits.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import httpx2

_NUMBERED = re.compile(r"^\[S(\d+)\] (.*)$", re.MULTILINE)
PREFIX_TOKENS = 2600
TRICKLE = "x-fake-trickle"
TRUNCATE = "x-fake-truncate"
_PIECE = 16


def numbered(body: dict[str, Any]) -> dict[int, str]:
    """The numbered sentences of the section a request asks about."""
    text = body["messages"][-1]["content"][-1]["text"]
    return {int(n): sentence for n, sentence in _NUMBERED.findall(text)}


def section_title(body: dict[str, Any]) -> str:
    text = body["messages"][-1]["content"][-1]["text"]
    return text.split("\n", 1)[0].removeprefix("Section to review: ")


def first_sentence_objection(body: dict[str, Any]) -> list[dict[str, Any]]:
    first = numbered(body)[1]
    return [{"kind": "mechanism", "sentence": 1, "quote": " ".join(first.split()[:3]),
             "message": f"Model says: how exactly does '{first[:30]}' work?",
             "question": "What is the mechanism?", "prior_work": ["H2O", "NoSuchSystem"],
             "twist": "Describe the algorithm step by step."}]


def message(objections: list[dict[str, Any]], *, cache_read: int = 0,
            cache_creation: int = 0) -> dict[str, Any]:
    """A Messages API answer whose tool call carries ``objections``."""
    return {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5",
        "content": [{"type": "tool_use", "id": "toolu_fake", "name": "report_objections",
                     "input": {"objections": objections}}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": 400, "output_tokens": 120,
                  "cache_read_input_tokens": cache_read,
                  "cache_creation_input_tokens": cache_creation},
    }


class FakeAPI:
    """Records every request; answers with ``objections(body)`` or a scripted response."""

    def __init__(self, objections: Callable[[dict[str, Any]], list[dict[str, Any]]]
                 = first_sentence_objection) -> None:
        self.objections = objections
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.script: list[tuple[int, Any, dict[str, str]]] = []
        self.batches: dict[str, list[dict[str, Any]]] = {}
        self.batch_errors = 0
        self.limit: int | None = None  # behind serve: Messages answers sent before holding
        self.answered = 0  # behind serve: Messages answers written in full
        self._claimed = 0
        self._prefixes: set[str] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """A success answer; the prompt cache is read when the system prefix was seen."""
        prefix = json.dumps(body.get("system"))
        with self._lock:
            seen = prefix in self._prefixes
            self._prefixes.add(prefix)
        return message(self.objections(body), cache_read=PREFIX_TOKENS if seen else 0,
                       cache_creation=0 if seen else PREFIX_TOKENS)

    def respond(self, method: str, path: str, headers: dict[str, str],
                raw: bytes) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, headers) for one HTTP request."""
        with self._lock:
            self.paths.append(f"{method} {path}")
            self.headers.append(headers)
            self._changed.notify_all()
        body = json.loads(raw) if raw else {}
        if path == "/v1/messages":
            with self._lock:
                self.requests.append(body)
                self._changed.notify_all()
                scripted = self.script.pop(0) if self.script else None
            if scripted is not None:
                status, content, extra = scripted
                if content is None:
                    content = self.answer(body)
                data = content if isinstance(content, bytes) else json.dumps(content).encode()
                return status, data, {"content-type": "application/json", **extra}
            return 200, json.dumps(self.answer(body)).encode(), {}
        return self._batch(method, path, body)

    def wait(self, condition: Callable[[FakeAPI], bool], timeout: float = 30.0) -> bool:
        """Block until ``condition(self)`` holds (checked whenever a request arrives or an
        answer was sent); False after ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self), timeout)

    def take_turn(self) -> None:
        """Behind ``serve``: wait until ``limit`` lets one more Messages answer go out."""
        with self._changed:
            self._changed.wait_for(lambda: self.limit is None or self._claimed < self.limit)
            self._claimed += 1

    def sent(self) -> None:
        """Behind ``serve``: one more Messages answer was written in full."""
        with self._changed:
            self.answered += 1
            self._changed.notify_all()

    def release(self) -> None:
        """Let every held answer go."""
        with self._changed:
            self.limit = None
            self._changed.notify_all()

    def _batch(self, method: str, path: str, body: dict[str, Any]
               ) -> tuple[int, bytes, dict[str, str]]:
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/v1/messages/batches":
            batch_id = f"msgbatch_{len(self.batches) + 1}"
            with self._lock:
                self.requests.extend(r["params"] for r in body["requests"])
            self.batches[batch_id] = [
                {"custom_id": r["custom_id"], "result": {"type": "succeeded",
                                                         "message": self.answer(r["params"])}}
                for r in body["requests"]]
            for item in self.batches[batch_id][:self.batch_errors]:
                item["result"] = {"type": "errored",
                                  "error": {"type": "error", "error": {
                                      "type": "overloaded_error", "message": "Overloaded"}}}
            return 200, json.dumps(self._batch_object(batch_id, "in_progress")).encode(), {}
        if len(parts) == 4 and parts[:3] == ["v1", "messages", "batches"]:
            return 200, json.dumps(self._batch_object(parts[3], "ended")).encode(), {}
        if len(parts) == 5 and parts[4] == "results":
            lines = "\n".join(json.dumps(item) for item in self.batches[parts[3]])
            return 200, lines.encode(), {"content-type": "application/binary"}
        return 404, b'{"type":"error","error":{"type":"not_found_error","message":"?"}}', {}

    def _batch_object(self, batch_id: str, status: str) -> dict[str, Any]:
        count = len(self.batches[batch_id])
        ended = status == "ended"
        return {
            "id": batch_id, "type": "message_batch", "processing_status": status,
            "request_counts": {"processing": 0 if ended else count,
                               "succeeded": count if ended else 0,
                               "errored": 0, "canceled": 0, "expired": 0},
            "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T00:01:00Z" if ended else None, "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"/v1/messages/batches/{batch_id}/results" if ended else None,
        }

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        status, data, headers = self.respond(request.method, request.url.path,
                                             dict(request.headers), request.read())
        if TRICKLE in headers or TRUNCATE in headers:
            raise NotImplementedError("trickled and truncated bodies need serve()")
        return httpx2.Response(status, content=data,
                               headers={"content-type": "application/json", **headers})

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler))

    def sections(self) -> list[str]:
        """The section titles the recorded requests asked about."""
        return [section_title(body) for body in self.requests]


@contextmanager
def serve(api: FakeAPI) -> Iterator[str]:
    """Run ``api`` behind an HTTP server on 127.0.0.1; yield its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            path = self.path.split("?")[0]
            status, data, headers = api.respond(self.command, path, headers, raw)
            pause = float(headers.pop(TRICKLE, 0))
            cut = int(headers.pop(TRUNCATE, len(data)))
            messages = path == "/v1/messages"
            if messages:
                api.take_turn()
            try:
                self.send_response(status)
                for name, value in {"content-type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                step = _PIECE if pause else max(cut, 1)
                for at in range(0, cut, step):
                    self.wfile.write(data[at:min(at + step, cut)])
                    self.wfile.flush()
                    if pause:
                        time.sleep(pause)
            except OSError:  # the client went away (a timeout, a killed process)
                self.close_connection = True
                return
            if cut < len(data):
                self.close_connection = True
            elif messages:
                api.sent()

        do_GET = do_POST = _reply

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        api.release()
        server.shutdown()
        server.server_close()


KEY = "sk-ant-test-0123456789abcdef"
BODY = r"""\section{Introduction}
We propose \sys{}, which adaptively evicts tokens from the KV cache.
Our allocator intelligently places blocks in GPU memory.
\section{Design}
\sys{} keeps a paged block table like vLLM.
Each block is quantized to 4 bits with per-channel scales.
\section{Evaluation}
We compare against PyTorch eager on one A100 GPU.
\sys{} improves throughput by 1.3x at batch size 1.
"""
PERSONA = "kv-cache-memory"


def isolate(monkeypatch: Any) -> None:
    """No key or API address from the developer's environment reaches a test."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


async def critique_with(api: FakeAPI, project: Any, reviewers: Any, cache_dir: Any,
                        settings: dict[str, Any] | None = None, *, key: str | None = KEY,
                        pinned: tuple[str, ...] = (PERSONA,), url: str | None = None,
                        **options: Any) -> Any:
    """``critique_full`` against ``api`` with a cache in ``cache_dir``: in process, or with
    ``url`` (from ``serve(api)``) through the SDK's own HTTP transport."""
    from skeptic.critique.full import critique_full
    from skeptic.settings import Settings

    values = {"cacheDir": str(cache_dir), "anthropic.maxRetries": 0, **(settings or {})}
    if url is not None:
        values["anthropic.baseUrl"] = url
    return await critique_full(project, reviewers, Settings(values), api_key=key,
                               pinned=pinned, http_client=None if url else api.client(),
                               **options)


def record_sleeps(monkeypatch: Any) -> list[float]:
    """Make the SDK's waits between retries instant; return the list of the seconds it
    meant to wait, in order."""
    import anthropic._base_client as base

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(base, "anyio", SimpleNamespace(sleep=sleep))
    return waits
