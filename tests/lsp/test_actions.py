"""Code actions, dismissals, hover, code lens, symbols and commands through a real client."""

from __future__ import annotations

import ast
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import config, diagnostics, initialize_params, open_document, prepare


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply single-line-positioned insertions (as the twist action produces) to ``text``."""
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        assert edit.range.start == edit.range.end, "an action may only insert"
        line = lines[edit.range.start.line]
        column = len(line.encode("utf-16-le")[: 2 * edit.range.start.character]
                     .decode("utf-16-le"))
        lines[edit.range.start.line] = line[:column] + edit.new_text + line[column:]
    return "\n".join(lines)


def command_of(action: types.CodeAction | types.Command) -> types.ExecuteCommandParams:
    """The command an action runs. The test client structures a code action that carries
    a command as a plain Command (both have ``title`` and ``command``) and turns the nested
    command object into its repr; real editors read the JSON, so decode that here."""
    inner = action.command
    if isinstance(inner, types.Command):
        return types.ExecuteCommandParams(command=inner.command, arguments=inner.arguments)
    nested = ast.literal_eval(inner) if isinstance(inner, str) else inner
    return types.ExecuteCommandParams(command=nested["command"], arguments=nested["arguments"])


async def actions_for(client: LanguageClient, uri: str, diagnostic: types.Diagnostic
                      ) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    return list(result or [])


async def test_apply_twist_inserts_and_keeps_every_original_line(
        client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "design.tex"
    uri = open_document(client, path)
    found = await diagnostics(client, uri)
    with_twist = []
    for diagnostic in found:
        actions = await actions_for(client, uri, diagnostic)
        with_twist += [(diagnostic, a) for a in actions if a.title.startswith("Apply Twist")]
    assert with_twist
    diagnostic, action = with_twist[0]
    assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred
    original = path.read_text(encoding="utf-8")
    edited = apply(original, action.edit.changes[uri])
    kept = edited.split("\n")
    for line in original.split("\n"):
        assert line in kept, f"original line changed: {line!r}"
    inserted = [line for line in kept if line not in original.split("\n")]
    assert inserted and all(line.startswith("% ") for line in inserted)
    assert "Skeptic twist" in inserted[0]
    assert inserted[0].split("(")[1].startswith("Dr. ")


async def test_twist_as_todo_when_the_document_loads_todonotes(
        client: LanguageClient, workspace: Path) -> None:
    main = workspace / "main.tex"
    main.write_text(main.read_text().replace("\\usepackage{amsmath}",
                                             "\\usepackage{amsmath}\n\\usepackage{todonotes}"))
    uri = open_document(client, main)
    found = [d for d in await diagnostics(client, uri) if d.code == "delta-audit"]
    actions = await actions_for(client, uri, found[0])
    twist = next(a for a in actions if a.title.startswith("Apply Twist"))
    (edit,) = twist.edit.changes[uri]
    assert edit.new_text.startswith("\n\\todo[inline]{Skeptic twist")
    assert edit.new_text.count("{") == edit.new_text.count("}")


async def test_dismissal_survives_a_restart(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "evaluation.tex"
    uri = open_document(client, path)
    target = next(d for d in await diagnostics(client, uri) if d.code == "evidence")
    actions = await actions_for(client, uri, target)
    dismiss = next(a for a in actions if a.title == "Dismiss this objection")
    await client.workspace_execute_command_async(command_of(dismiss))
    stored = (workspace / ".skeptic" / "dismissed.toml").read_text()
    assert target.data["fingerprint"] in stored
    remaining = await diagnostics(client, uri)
    assert target.data["fingerprint"] not in {d.data["fingerprint"] for d in remaining}

    second = await config().start()
    prepare(second)
    try:
        await second.initialize_session(initialize_params(workspace, "visual_studio_code"))
        uri2 = open_document(second, path)
        fresh = await diagnostics(second, uri2)
        assert fresh, "the restarted server shows the other objections"
        assert target.data["fingerprint"] not in {d.data["fingerprint"] for d in fresh}
        await second.shutdown_session()
    finally:
        await second.stop()


async def test_dismiss_a_kind_in_a_file(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "design.tex"
    uri = open_document(client, path)
    target = next(d for d in await diagnostics(client, uri) if d.code == "mechanism")
    actions = await actions_for(client, uri, target)
    by_kind = next(a for a in actions if a.title.startswith("Dismiss mechanism"))
    await client.workspace_execute_command_async(command_of(by_kind))
    assert not any(d.code == "mechanism" for d in await diagnostics(client, uri))


async def test_hover_shows_the_full_critique(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "main.tex"
    uri = open_document(client, path)
    mirror = next(d for d in await diagnostics(client, uri) if d.code == "mirror")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=mirror.range.start))
    text = hover.contents.value
    assert hover.contents.kind == types.MarkupKind.Markdown
    for part in ("### Dr. Kira Vashti", "**Mirror.**", "**Novelty gap.**", "H2O",
                 "**Stress test.**", "**Twist.**"):
        assert part in text, part
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=0, character=1)))
    assert nothing is None


async def test_code_lens_and_symbols(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "sections" / "design.tex"
    uri = open_document(client, path)
    await diagnostics(client, uri)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert len(lenses) == 1 and lenses[0].range.start.line == 1
    assert lenses[0].command.title.startswith("Skeptic: ")
    assert "delta-audit" in lenses[0].command.title
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    (design,) = symbols
    assert design.name == "Design" and design.children
    assert all(child.kind == types.SymbolKind.Event for child in design.children)


async def test_show_personas_command(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "main.tex")
    await diagnostics(client, uri)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="skeptic.showPersonas", arguments=[uri]))
    selected = [p["id"] for p in result if p["selected"]]
    assert selected == ["kv-cache-memory", "inference-accelerators"]
    assert len(result) == 5 and all("score" in p for p in result)
