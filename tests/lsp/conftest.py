"""pytest-lsp fixtures: a real client talking to ``skeptic serve`` over stdio."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tests.conftest import EXAMPLES

SERVER = [sys.executable, "-m", "skeptic", "serve"]


def make_client() -> LanguageClient:
    """pytest-lsp's test client, also remembering the version of each publication (so a
    test can wait for the diagnostics of an edit without racing the notification)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = {}

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published[params.uri] = params.version

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES,
                                   types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish})
    return client


def config() -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER, client_factory=make_client)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of the bundled multi-file example."""
    target = tmp_path / "paper"
    shutil.copytree(EXAMPLES / "multifile", target)
    return target


def capabilities(profile: str) -> types.ClientCapabilities:
    """pytest-lsp's recorded client capabilities; "visual_studio_code" (recorded from 1.65)
    gets what current VS Code offers: pulled diagnostics, and being asked to pull again."""
    found = client_capabilities(profile)
    if profile == "visual_studio_code":
        found.text_document.diagnostic = types.DiagnosticClientCapabilities(
            related_document_support=True)
        found.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
            refresh_support=True)
    return found


def initialize_params(workspace: Path, profile: str, **options) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=capabilities(profile),
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="paper")],
        initialization_options={"settings": {"debounceMs": 50, **options}, "client": "tests"},
    )


def prepare(client: LanguageClient) -> None:
    """Answer what editors answer: capability registration, and record skeptic/status."""
    client.statuses = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    @client.feature("skeptic/status")
    def status(params) -> None:
        client.statuses.append(params)


@pytest_lsp.fixture(config=config(), params=["visual_studio_code", "neovim"])
async def client(request, lsp_client: LanguageClient, workspace: Path):
    """An initialized client (VS Code and Neovim capability profiles)."""
    prepare(lsp_client)
    result = await lsp_client.initialize_session(initialize_params(workspace, request.param))
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"
    lsp_client.profile = request.param
    yield
    await lsp_client.shutdown_session()


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in the code units of a negotiated position encoding."""
    if encoding == "utf-32":
        return len(text)
    return len(text.encode(encoding.replace("utf-16", "utf-16-le"))) // (
        2 if encoding == "utf-16" else 1)


async def wait_for(client: LanguageClient, condition, timeout: float = 30.0) -> None:
    """Wait until ``condition()`` holds, processing notifications as they arrive."""
    import asyncio

    async def loop() -> None:
        while not condition():
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(loop(), timeout)


def change(uri: str, version: int, start: tuple[int, int], end: tuple[int, int],
           text: str) -> types.DidChangeTextDocumentParams:
    """A didChange replacing the (line, character) range ``start``-``end`` by ``text``."""
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=start[0], character=start[1]),
                              end=types.Position(line=end[0], character=end[1])),
            text=text)])


def open_document(client: LanguageClient, path: Path, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="latex", version=version,
                                             text=path.read_text(encoding="utf-8"))))
    return uri


def pulls(client: LanguageClient) -> bool:
    """True when the server lets the client pull diagnostics for open documents: the client
    pulls and can be asked to pull again (others get them pushed)."""
    capabilities = client.capabilities if hasattr(client, "capabilities") else None
    text = getattr(capabilities, "text_document", None)
    workspace = getattr(getattr(capabilities, "workspace", None), "diagnostics", None)
    return (getattr(text, "diagnostic", None) is not None
            and bool(getattr(workspace, "refresh_support", False)))


async def diagnostics(client: LanguageClient, uri: str, opened: bool = True,
                      timeout: float = 30.0) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` as the client sees them: pulled for an open document
    when the client pulls, pushed otherwise."""
    if opened and pulls(client):
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        return list(report.items)
    await wait_for(client, lambda: uri in client.diagnostics, timeout)
    return list(client.diagnostics[uri])


async def after_edit(client: LanguageClient, uri: str, version: int,
                     timeout: float = 30.0) -> list[types.Diagnostic]:
    """The diagnostics the server shows for ``uri`` once it has seen edit ``version``
    (pushed with that version, or pulled)."""
    if pulls(client):
        return await diagnostics(client, uri)

    def seen() -> bool:
        return (client.published.get(uri) or 0) >= version

    await wait_for(client, seen, timeout)
    return list(client.diagnostics[uri])


async def eventually(client: LanguageClient, uri: str, condition, timeout: float = 30.0,
                     opened: bool = True) -> list[types.Diagnostic]:
    """Diagnostics of ``uri`` once ``condition(diagnostics)`` holds (pulled again, or
    waiting for the next publication, until it does)."""
    import asyncio

    async def loop() -> list[types.Diagnostic]:
        while True:
            if opened and pulls(client):
                found = await diagnostics(client, uri)
                if condition(found):
                    return found
                await asyncio.sleep(0.2)
            else:
                found = list(client.diagnostics.get(uri, ()))
                if uri in client.diagnostics and condition(found):
                    return found
                await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(loop(), timeout)
