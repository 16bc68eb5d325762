"""A hostile or careless client: unknown documents, positions past the end, versions out of
order, edits before open, shutdown mid-critique, a thousand edit/save cycles, a client that
vanishes, and the server's own bugs. The server answers, keeps serving, and exits cleanly."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import (
    SERVER,
    after_edit,
    change,
    config,
    diagnostics,
    initialize_params,
    make_client,
    open_document,
    prepare,
    units,
)
from tests.lsp.faulty_server import PLANTED
from tests.lsp.test_robustness import problems, settled, signature

BENCH = Path(__file__).resolve().parents[2] / "bench"


def identifier(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def inside(items: list[types.Diagnostic], text: str, encoding: str) -> bool:
    """Every range lies inside ``text``, columns in the negotiated encoding's units."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for d in items:
        for p in (d.range.start, d.range.end):
            if p.line >= len(lines) or p.character > units(lines[p.line], encoding):
                return False
        if (d.range.start.line, d.range.start.character) > (d.range.end.line,
                                                             d.range.end.character):
            return False
    return True


async def test_a_pull_right_after_a_configuration_change_waits_for_the_new_run(
        client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "sections" / "intro.tex")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"skeptic": {}}))
    assert await diagnostics(client, uri), "the restarted run's objections never arrived"


@pytest.mark.parametrize("uri", ["file:///nowhere/at/all.tex", "untitled:Untitled-1",
                                 "foo://bar/baz.tex"])
async def test_requests_for_unknown_documents_answer_nothing(
        client: LanguageClient, uri: str) -> None:
    position = types.Position(line=3, character=4)
    everywhere = types.Range(start=position, end=position)
    assert await client.text_document_hover_async(types.HoverParams(
        text_document=identifier(uri), position=position)) is None
    assert not await client.text_document_code_action_async(types.CodeActionParams(
        text_document=identifier(uri), range=everywhere,
        context=types.CodeActionContext(diagnostics=[])))
    assert not await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=identifier(uri)))
    assert not await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=identifier(uri)))
    if client.capabilities.text_document.diagnostic is not None:
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=identifier(uri)))
        assert report.items == ()
    assert problems(client) == []


async def test_positions_and_ranges_past_the_end(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "evaluation.tex"
    uri = open_document(client, path)
    found = await diagnostics(client, uri)
    far = types.Position(line=10**6, character=10**6)
    assert await client.text_document_hover_async(types.HoverParams(
        text_document=identifier(uri), position=far)) is None
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=identifier(uri),
        range=types.Range(start=types.Position(line=0, character=0), end=far),
        context=types.CodeActionContext(diagnostics=found)))
    assert actions, "the objections in range still get their actions"
    text = path.read_text(encoding="utf-8")
    client.text_document_did_change(change(uri, 2, (10**6, 0), (10**6 + 1, 0), "\nTail."))
    client.text_document_did_change(change(uri, 3, (0, 10**6), (0, 10**6 + 5), "!"))
    lines = text.split("\n")
    expected = "\n".join([lines[0] + "!", *lines[1:]]) + "\nTail."
    after = await after_edit(client, uri, 3)
    assert after and inside(after, expected, client.encoding)
    assert problems(client) == []


async def test_versions_out_of_order_and_edits_before_open(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "design.tex"
    uri = path.as_uri()
    client.text_document_did_change(change(uri, 5, (0, 0), (0, 0), "% early\n"))
    open_document(client, path, version=10)
    await diagnostics(client, uri)
    client.text_document_did_change(change(uri, 12, (0, 0), (0, 0), "% twelve\n"))
    client.text_document_did_change(change(uri, 11, (0, 0), (0, 0), "% eleven\n"))
    text = "% eleven\n% twelve\n" + path.read_text(encoding="utf-8")
    found = await settled(client, uri)
    assert found and inside(found, text, client.encoding)
    assert min(d.range.start.line for d in found) >= 5, "not moved below both new lines"
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=identifier(uri)))
    assert symbols
    assert problems(client) == []


async def test_a_thousand_edit_save_cycles_match_a_fresh_server(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "evaluation.tex"
    uri = open_document(client, path)
    await diagnostics(client, uri)
    lines = path.read_text(encoding="utf-8").split("\n")
    rng = random.Random(1000)
    words = ["vLLM", "eager", "batch", "spike", "We", "also", "2.1x", "µs", "𝛾", "%", "{", "."]
    version = 1
    for _ in range(1000):
        version += 1
        line = rng.randrange(len(lines))
        column = rng.randrange(len(lines[line]) + 1)
        if rng.random() < 0.3 and column < len(lines[line]):
            end, typed = column + 1, ""
        else:
            end, typed = column, " " + rng.choice(words)
        at = units(lines[line][:column], client.encoding)
        to = units(lines[line][:end], client.encoding)
        client.text_document_did_change(change(uri, version, (line, at), (line, to), typed))
        lines[line] = lines[line][:column] + typed + lines[line][end:]
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=identifier(uri)))
    await after_edit(client, uri, version, timeout=120)
    after = await settled(client, uri)
    assert problems(client) == []
    path.write_text("\n".join(lines), encoding="utf-8")

    fresh = await config().start()
    prepare(fresh)
    try:
        await fresh.initialize_session(initialize_params(workspace, client.profile))
        expected = await diagnostics(fresh, open_document(fresh, path))
        await fresh.shutdown_session()
    finally:
        await fresh.stop()
    assert signature(after) == signature(expected)


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def read_until(stream, wanted: int) -> dict[str, Any]:
    """Messages from the server until the response to request ``wanted``."""
    while True:
        length = 0
        while (header := stream.readline()) not in (b"\r\n", b""):
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
        if not header:
            raise EOFError("the server closed its output")
        message = json.loads(stream.read(length))
        if message.get("id") == wanted and "method" not in message:
            return message


def start_raw_server(workspace: Path) -> subprocess.Popen:
    server = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": workspace.as_uri(), "capabilities": {}}}))
    server.stdin.flush()
    assert "result" in read_until(server.stdout, 1)
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    server.stdin.flush()
    return server


def test_the_server_exits_cleanly_when_the_client_disappears(workspace: Path) -> None:
    server = start_raw_server(workspace)
    server.stdin.close()
    assert server.wait(timeout=30) == 0
    assert b"Traceback" not in server.stderr.read()


def test_shutdown_during_a_running_critique(workspace: Path) -> None:
    sys.path.insert(0, str(BENCH))
    from paper import generate

    path = workspace / "big.tex"
    path.write_text(generate(87_000), encoding="utf-8")
    server = start_raw_server(workspace)
    uri = path.as_uri()
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "latex", "version": 1,
                         "text": path.read_text(encoding="utf-8")}}}))
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didSave",
                              "params": {"textDocument": {"uri": uri}}}))
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    server.stdin.flush()
    assert read_until(server.stdout, 2) == {"jsonrpc": "2.0", "id": 2, "result": None}
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    server.stdin.flush()
    assert server.wait(timeout=30) == 0
    assert b"Traceback" not in server.stderr.read()


@pytest.fixture
async def faulty(workspace: Path):
    """A client of the server with planted failures (tests/lsp/faulty_server.py)."""
    command = [sys.executable, str(Path(__file__).with_name("faulty_server.py"))]
    client = await ClientServerConfig(server_command=command,
                                      client_factory=make_client).start()
    prepare(client)
    await client.initialize_session(initialize_params(workspace, "visual_studio_code"))
    yield client
    await client.shutdown_session()
    await client.stop()


async def test_an_exception_in_a_handler_is_answered_and_the_server_keeps_serving(
        faulty: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "evaluation.tex"
    uri = open_document(faulty, path)
    found = await diagnostics(faulty, uri)
    assert found
    where = found[0].range.start
    with pytest.raises(JsonRpcException, match=PLANTED):
        await faulty.text_document_hover_async(types.HoverParams(
            text_document=identifier(uri), position=where))
    with pytest.raises(JsonRpcException, match=PLANTED):
        await faulty.text_document_code_lens_async(types.CodeLensParams(
            text_document=identifier(uri)))
    faulty.text_document_did_change(change(uri, 2, (0, 0), (0, 0), "% edited\n"))
    assert await after_edit(faulty, uri, 2) is not None
    symbols = await faulty.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=identifier(uri)))
    assert symbols, "the server stopped serving after its handlers failed"
    await asyncio.sleep(0.2)
    logged = [m.message for m in faulty.log_messages] + [m.message for m in faulty.messages]
    assert any(PLANTED in m for m in logged), logged
