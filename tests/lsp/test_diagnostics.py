"""Diagnostics through a real client: multi-file projects, exact ranges, versions, timing."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import (
    after_edit,
    change,
    config,
    diagnostics,
    initialize_params,
    open_document,
    prepare,
    pulls,
    units,
    wait_for,
)

FILES = ("main.tex", "sections/intro.tex", "sections/design.tex", "sections/evaluation.tex")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines) if needle in line)


async def test_every_file_of_the_project_gets_diagnostics_on_the_right_sentences(
        client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "sections" / "evaluation.tex")
    found = {name: await diagnostics(client, (workspace / name).as_uri(),
                                     opened=(workspace / name).as_uri() == uri)
             for name in FILES}
    assert all(found[name] for name in FILES), {k: len(v) for k, v in found.items()}
    evaluation = workspace / "sections" / "evaluation.tex"
    batch_line = line_of(evaluation, "batch size 1")
    assert any(d.code == "hidden-baseline" and d.range.start.line == batch_line
               for d in found["sections/evaluation.tex"])
    design = workspace / "sections" / "design.tex"
    vague_line = line_of(design, "intelligently places")
    vague = [d for d in found["sections/design.tex"]
             if d.code == "mechanism" and d.range.start.line == vague_line]
    assert vague and vague[0].range.start.character == 0
    for items in found.values():
        for d in items:
            assert d.source == "skeptic"
            assert d.message.split(":")[0].startswith("Dr. ")
            assert isinstance(d.data, dict) and d.data["fingerprint"]
    mirror = next(d for d in found["main.tex"] if d.code == "mirror")
    assert mirror.related_information, "the mirror cites the sentences with the evidence"


async def test_published_diagnostics_carry_the_document_version(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "intro.tex"
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="latex", version=7,
                                             text=path.read_text(encoding="utf-8"))))
    if pulls(client):
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        assert report.items and report.result_id
        return
    await wait_for(client, lambda: bool(client.diagnostics.get(uri)))
    assert client.published[uri] == 7
    if client.capabilities.text_document.diagnostic is not None:
        # It pulls but cannot be asked to pull again: it gets pushes, and empty pulls, so
        # no objection shows twice.
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        assert report.items == ()


async def test_columns_are_exact_after_an_astral_character(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "astral.tex"
    line = "𝛾-tuned caches help µ-scale jobs. We compare TierKV against PyTorch eager mode."
    path.write_text("\\documentclass{article}\n% skeptic: personas = inference-accelerators\n"
                    "\\begin{document}\n" + line +
                    "\n\\end{document}\n", encoding="utf-8")
    uri = open_document(client, path)
    flagged = [d for d in await diagnostics(client, uri) if d.code == "hidden-baseline"]
    assert flagged
    prefix = line[: line.index("We compare")]
    assert flagged[0].range.start == types.Position(
        line=3, character=units(prefix, client.encoding))
    assert flagged[0].range.end == types.Position(line=3, character=units(line, client.encoding))


async def test_objections_follow_their_sentence_and_vanish_when_it_is_edited(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "evaluation.tex"
    uri = open_document(client, path)
    before = await diagnostics(client, uri)
    target = next(d for d in before if d.code == "hidden-baseline" and
                  "batch" in d.message.lower())
    client.text_document_did_change(change(uri, 2, (1, 0), (1, 0), "A new sentence above.\n"))
    moved = await after_edit(client, uri, 2)
    assert any(d.code == target.code and d.range.start.line == target.range.start.line + 1
               for d in moved)
    line = target.range.start.line + 1
    client.text_document_did_change(change(
        uri, 3, (line, 0), (line + 1, 0),
        "All experiments run on 256 H100 GPUs with batch sizes from 1 to 64.\n"))
    after = await after_edit(client, uri, 3)
    assert not any(d.code == "hidden-baseline" and d.range.start.line == line and
                   "batch size 1" in d.message for d in after)


async def test_with_a_long_debounce_moved_objections_are_pushed_before_the_run(
        workspace: Path) -> None:
    """The echo: a push client gets the objections where an edit moved them, with the
    edit's version, without waiting for the run (due a minute later) to refresh them."""
    client = await config().start()
    prepare(client)
    try:
        await client.initialize_session(
            initialize_params(workspace, "neovim", debounceMs=60_000))
        uri = open_document(client, workspace / "sections" / "evaluation.tex")
        before = await diagnostics(client, uri)
        client.text_document_did_change(
            change(uri, 2, (1, 0), (1, 0), "A new sentence above.\n"))
        moved = await after_edit(client, uri, 2)
    finally:
        await client.shutdown_session()
        await client.stop()
    assert before and all(d.range.start.line >= 1 for d in before)
    assert sorted((d.code, d.range.start.line + 1, d.range.start.character) for d in before) \
        == sorted((d.code, d.range.start.line, d.range.start.character) for d in moved)


async def test_magic_comment_disables_a_kind(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "design.tex"
    path.write_text("% skeptic: disable = mechanism\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    uri = open_document(client, path)
    found = await diagnostics(client, uri)
    assert found and not any(d.code == "mechanism" for d in found)


async def test_the_server_keeps_its_built_personas_in_the_cache_folder(
        workspace: Path, tmp_path: Path) -> None:
    """A restarted server loads the built personas instead of rebuilding them (the
    catalog and phrase index take ten times longer to build than to load)."""
    cache = tmp_path / "cache"
    client = await config().start()
    prepare(client)
    try:
        await client.initialize_session(
            initialize_params(workspace, "visual_studio_code", cacheDir=str(cache)))
        assert await diagnostics(client, open_document(client, workspace / "main.tex"))
        built = list((cache / "reviewers").glob("*.pickle"))
    finally:
        await client.shutdown_session()
        await client.stop()
    assert built, "no built personas in the cacheDir folder"
