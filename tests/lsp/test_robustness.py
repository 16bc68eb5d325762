"""The server under stress: rapid edits, broken LaTeX, virtual file systems, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import (
    after_edit,
    config,
    diagnostics,
    eventually,
    initialize_params,
    open_document,
    prepare,
    pulls,
)


async def settled(client: LanguageClient, uri: str, quiet: float = 2.0) -> list:
    """The diagnostics once the server has published nothing new for ``quiet`` seconds."""
    import asyncio

    if pulls(client):
        await asyncio.sleep(quiet)
        return await diagnostics(client, uri)
    while True:
        try:
            await asyncio.wait_for(client.wait_for_notification(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), quiet)
        except TimeoutError:
            return list(client.diagnostics[uri])


def signature(items: list[types.Diagnostic]) -> set[tuple]:
    return {(d.code, d.range.start.line, d.range.start.character, d.range.end.line,
             d.range.end.character, d.message) for d in items}


def problems(client: LanguageClient) -> list[str]:
    shown = [m.message for m in client.messages
             if getattr(m, "type", None) == types.MessageType.Error]
    logged = [m.message for m in client.log_messages if "Traceback" in m.message
              or m.type == types.MessageType.Error]
    return shown + logged


async def test_200_rapid_edits_then_save_match_a_fresh_server(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "evaluation.tex"
    uri = open_document(client, path)
    await diagnostics(client, uri)
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    line = next(n for n, t in enumerate(lines) if t.startswith("We compare"))
    typed = " We also compare against vLLM with continuous batching, which is strong."
    version = 1
    for n in range(200):
        version += 1
        character = len(lines[line]) + (n % len(typed))
        if n < len(typed):
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=line, character=character),
                                  end=types.Position(line=line, character=character)),
                text=typed[n])
        else:
            end = len(lines[line]) + len(typed)
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=line, character=end - 1),
                                  end=types.Position(line=line, character=end)),
                text=typed[-1])
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[change]))
    final = "\n".join([*lines[:line], lines[line] + typed, *lines[line + 1:]])
    path.write_text(final, encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await after_edit(client, uri, version)
    after = await settled(client, uri)
    assert problems(client) == []

    fresh = await config().start()
    prepare(fresh)
    try:
        await fresh.initialize_session(initialize_params(workspace, client.profile))
        uri2 = open_document(fresh, path)
        expected = await diagnostics(fresh, uri2)
        await fresh.shutdown_session()
    finally:
        await fresh.stop()
    assert signature(after) == signature(expected)


@pytest.mark.parametrize(
    "broken",
    [
        "\\begin{document}\nUnbalanced { braces {{ here. We propose \\emph{X.\n",
        "\\begin{document}\n\\begin{itemize}\\item Never ended. We use PyTorch eager mode.\n",
        "\\begin{document}\n\\input{loop}\nText.\n\\end{document}\n",
        "\\begin{document}\n\x00\x01\x02 binary junk \ufffd\ud7ff \\\\\\\\ $$ \\end{",
        "\\begin{document}\n" + "{" * 5000 + "deep" + "}" * 10 + "\n",
    ],
)
async def test_malformed_latex_keeps_the_server_answering(
        client: LanguageClient, workspace: Path, broken: str) -> None:
    path = workspace / "broken.tex"
    path.write_text(broken, encoding="utf-8", errors="surrogatepass")
    (workspace / "loop.tex").write_text("\\input{broken}\nLooping.\n")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="latex", version=1,
                                             text=broken)))
    found = await diagnostics(client, uri)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=1, character=2)))
    assert isinstance(found, list)
    assert symbols is None or isinstance(symbols, list)
    assert hover is None or isinstance(hover.contents, types.MarkupContent)
    if "loop" in broken:
        cycle = [d for d in await diagnostics(client, (workspace / "loop.tex").as_uri(),
                                              opened=False) if d.code == "input-cycle"]
        assert cycle and "cycle" in cycle[0].message
    assert problems(client) == []


async def test_virtual_project_reads_its_inputs_from_the_client(
        client: LanguageClient, workspace: Path) -> None:
    base = "overleaf-workshop://www.overleaf.com/My%20Paper/"
    query = "?user%3Du1%26project%3Dp1"
    root, design = f"{base}main.tex{query}", f"{base}sections/design.tex{query}"
    files = {f"{base}sections/{name}.tex{query}": (workspace / "sections" / f"{name}.tex")
             .read_text() for name in ("intro", "evaluation")}
    asked: list[str] = []

    @client.feature("skeptic/readFile")
    def read_file(params):
        uri = params["uri"] if isinstance(params, dict) else params.uri
        asked.append(uri)
        return {"text": files[uri]} if uri in files else None

    edited = "\\section{Design}\nOur allocator intelligently places blocks in HBM.\n"
    for uri, text in ((design, edited), (root, (workspace / "main.tex").read_text())):
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="latex", version=1,
                                                 text=text)))
    found = await eventually(client, design, lambda items: bool(items))
    assert [d.code for d in found] == ["mechanism"], "the editor's text of an open file wins"
    evaluation = f"{base}sections/evaluation.tex{query}"
    assert await diagnostics(client, evaluation, opened=False)
    assert design not in asked and evaluation in asked
    assert all(uri.startswith("overleaf-workshop://") for uri in asked)
    if pulls(client):
        assert root not in client.diagnostics and design not in client.diagnostics, (
            "an open document's diagnostics are pulled, never also pushed")


async def test_severity_settings_from_the_workspace_configuration(
        client: LanguageClient, workspace: Path) -> None:
    client.set_configuration({"severity": {"mechanism": "off", "hidden-baseline": "error"},
                              "cacheDir": "/tmp/evil", "anthropic": {"baseUrl": "http://evil"}},
                             section="skeptic")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    uri = open_document(client, workspace / "sections" / "evaluation.tex")
    found = await eventually(client, uri, lambda items: any(
        d.code == "hidden-baseline" and d.severity == types.DiagnosticSeverity.Error
        for d in items))
    assert not any(d.code == "mechanism" for d in found)
    warnings = [m.message for m in client.messages if getattr(m, "type", None)
                == types.MessageType.Warning]
    assert any("cacheDir" in w and "user settings only" in w for w in warnings)
    assert any("anthropic.baseUrl" in w for w in warnings)


async def test_files_changed_on_disk_are_picked_up(client: LanguageClient,
                                                    workspace: Path) -> None:
    uri = open_document(client, workspace / "main.tex")
    await diagnostics(client, uri)
    design = workspace / "sections" / "design.tex"
    design_uri = design.as_uri()
    await diagnostics(client, design_uri, opened=False)
    design.write_text("\\section{Design}\nWe describe the allocator in detail.\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=design_uri, type=types.FileChangeType.Changed)]))

    import asyncio

    async def cleared() -> None:
        while any(d.code == "mechanism" for d in client.diagnostics.get(design_uri, ())):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(cleared(), 30)
