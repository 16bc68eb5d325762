"""``skeptic serve``: the language server.

Timing model: the offline critique runs when a document opens and, debounced, after edits;
the full critique (the Anthropic engine when a key is available) runs on save or on the
``skeptic.critique`` command, with cancellable progress. Between runs, shown objections
follow their sentences through edits (see :mod:`skeptic.critique.anchors`). A newer edit
makes every run in flight stale: its results are dropped, never shown on changed text.

Every file of a project gets diagnostics, open in the editor or not. Handlers are thin: the
work happens in the pure core, in a single worker thread, so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from skeptic import __version__
from skeptic.lsp import features
from skeptic.lsp.config import ClientConfig
from skeptic.lsp.convert import Json, converter, objection_diagnostic, problem_diagnostic
from skeptic.lsp.documents import Positions, SkepticProtocol, positions_of
from skeptic.lsp.logs import install_log_forwarding, install_redaction, redact
from skeptic.lsp.state import ProjectState, Shown
from skeptic.settings import Settings

if TYPE_CHECKING:
    from pygls.workspace import TextDocument

    from skeptic.critique.dismissals import DismissalFile
    from skeptic.critique.model import Objection
    from skeptic.critique.pipeline import Critique, Dismissals, Reviewers
    from skeptic.latex.model import Project
    from skeptic.lsp.projects import Space

logger = logging.getLogger("skeptic.lsp")
READ_FILE = "skeptic/readFile"
STATUS = "skeptic/status"
_READ_TIMEOUT = 15.0
PULL_WAIT = 10.0
"""How long a diagnostic pull waits for the run in flight to show its result."""
ECHO_WAIT = 0.1
"""How long a run due sooner may take to show fresh diagnostics after an edit before the
old ones are pushed where the edit moved them anyway (the echo, see :meth:`echo`)."""


class SkepticServer(LanguageServer):
    """The server's state and its runs; LSP handlers below are thin wrappers."""

    def __init__(self) -> None:
        super().__init__("skeptic", __version__, protocol_cls=SkepticProtocol,
                         converter_factory=converter,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.config = ClientConfig()
        self.settings = Settings()
        self.states: dict[str, ProjectState] = {}
        self.shown: dict[str, Shown] = {}
        self.pull = False
        """True when the client pulls diagnostics and can be asked to pull again; other
        clients get every file's diagnostics pushed."""
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="skeptic-critique")
        self._reviewers: asyncio.Future[Reviewers] | None = None
        self._reviewers_dir: str | None = None
        self._tasks: set[asyncio.Task] = set()
        self.echoes: dict[str, asyncio.TimerHandle] = {}
        """Pending echoes by URI (see :meth:`follow`)."""
        self._runs = 0

    # ------------------------------------------------------------------ plumbing
    def spawn(self, coroutine: Awaitable[Any], what: str) -> asyncio.Task:
        """Run a coroutine in the background; log (never raise) what goes wrong."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)

        def done(finished: asyncio.Task) -> None:
            self._tasks.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                error = finished.exception()
                logger.error("%s failed: %s", what, redact(repr(error)), exc_info=error)
                self.tell(types.MessageType.Error, f"Skeptic: {what} failed: {redact(str(error))}")

        task.add_done_callback(done)
        return task

    async def ask(self, request: Awaitable[Any], timeout: float | None = None) -> Any:
        """The client's answer to ``request``. Waiting may be cancelled (a superseded run)
        or time out, but the request itself never is: pygls fails on an answer to a
        request cancelled on our side, so a late answer is simply dropped."""
        return await asyncio.wait_for(asyncio.shield(request), timeout)

    async def in_worker(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run core work in the single worker thread (keeps the event loop responsive)."""
        return await asyncio.get_running_loop().run_in_executor(self.worker, function, *args)

    def tell(self, kind: types.MessageType, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def status(self, state: str, message: str | None = None, engine: str = "offline") -> None:
        count = sum(len(s.objections) for s in self.shown.values())
        self.protocol.notify(STATUS, {"engine": engine, "state": state, "message": message,
                                      "objections": count})

    def capable(self, path: str) -> bool:
        return bool(get_capability(self.client_capabilities, path, False))

    # ------------------------------------------------------------------ reviewers
    def reviewers(self) -> asyncio.Future[Reviewers]:
        """Personas, catalog and engine, loaded once in the worker (again if the personas
        folder setting changes), from the built copy in the cache folder when it is
        current. Shielded: cancelling a run that waits for them must not cancel the load
        every later run shares."""
        folder = self.settings["personasDir"] or None
        stale = self._reviewers is None or self._reviewers.cancelled()
        if stale or folder != self._reviewers_dir:
            from skeptic.settings import cache_root

            self._reviewers_dir = folder
            path = Path(folder).expanduser() if folder else None
            built = cache_root(self.settings["cacheDir"])
            self._reviewers = asyncio.ensure_future(self.in_worker(_load_reviewers, path, built))
            self._reviewers.add_done_callback(self._report_reviewers)
        return asyncio.shield(self._reviewers)

    def _report_reviewers(self, future: asyncio.Future[Reviewers]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        for error in future.result().errors:
            self.tell(types.MessageType.Warning, f"Skeptic: persona not loaded: {error}")

    def apply_settings(self) -> None:
        self.settings, problems = self.config.settings()
        for problem in problems:
            self.tell(types.MessageType.Warning, f"Skeptic settings: {problem}")

    # ------------------------------------------------------------------ projects
    def workspace_uri(self, uri: str) -> str | None:
        """The workspace folder holding ``uri`` (the deepest one), if any."""
        folders = [f.uri for f in self.workspace.folders.values()]
        if self.workspace.root_uri:
            folders.append(self.workspace.root_uri)
        inside = [f for f in folders if (uri + "/").startswith(f.rstrip("/") + "/")]
        return max(inside, key=len) if inside else None

    def open_texts(self) -> dict[str, str]:
        return {doc.uri: doc.source for doc in self.workspace.text_documents.values()}

    def document(self, uri: str) -> TextDocument | None:
        """The open document at ``uri`` (pygls keys them by the unquoted URI)."""
        return self.workspace.text_documents.get(unquote(uri))

    def state_for(self, uri: str, text: str) -> ProjectState:
        """The project state of a document (found or created)."""
        from skeptic.lsp.projects import Space, find_root

        for state in self.states.values():
            if uri in state.uris:
                return state
        projects = {root: s.project for root, s in self.states.items() if s.project is not None}
        workspaces = [f.uri for f in self.workspace.folders.values()]
        root = find_root(uri, text, projects, workspaces)
        state = self.states.get(root)
        if state is None:
            state = self.states[root] = ProjectState(Space(root, self.workspace_uri(root)))
        state.uris.add(uri)
        return state

    def state_of(self, uri: str) -> ProjectState | None:
        """The project a document belongs to (opened, or shown as one of its files)."""
        shown = self.shown.get(uri)
        for root, state in self.states.items():
            if uri in state.uris or (shown is not None and shown.root == root):
                return state
        return None

    async def read_client_file(self, uri: str) -> str | None:
        """Ask the editor for a file of a virtual project (``skeptic/readFile``)."""
        from skeptic.latex.files import ReadError

        try:
            result = await self.ask(self.protocol.send_request_async(READ_FILE, {"uri": uri}),
                                    _READ_TIMEOUT)
        except TimeoutError:
            raise ReadError("unreadable", f"the editor did not send {uri} in time") from None
        except Exception as error:  # any client failure is a read failure
            raise ReadError("unreadable", f"the editor could not read {uri}: {error}") from None
        if result is None:
            return None
        text = result.get("text") if isinstance(result, dict) else getattr(result, "text", None)
        return text if isinstance(text, str) else None

    async def load(self, state: ProjectState) -> Project:
        from skeptic.lsp.projects import load_local, load_virtual

        space = state.space
        if space.local:
            return await self.in_worker(
                lambda: load_local(space, self.open_texts(),
                                   allow_outside=self.settings["allowOutsideWorkspace"],
                                   max_bytes=self.settings["maxFileBytes"]))
        return await load_virtual(space, self.open_texts(), self.read_client_file,
                                  max_bytes=self.settings["maxFileBytes"])

    def adopt(self, state: ProjectState, project: Project) -> None:
        """Files of ``project`` that were opened first and taken for roots of their own
        (no ``\\documentclass``, no ``% !TEX root``) now belong to this project."""
        from skeptic.latex.roots import is_root_text

        for name in project.files:
            uri = state.space.uri(name)
            orphan = self.states.get(uri)
            if orphan is None or orphan is state or uri == state.space.root_uri:
                continue
            if orphan.project is not None and is_root_text(orphan.project.files[
                    orphan.project.root].text):
                continue
            orphan.supersede()
            state.uris |= orphan.uris
            del self.states[uri]

    # ------------------------------------------------------------------ dismissals
    def dismissal_file(self, space: Space) -> DismissalFile | None:
        """Where a project's dismissals live on disk (None: inside a virtual project)."""
        from skeptic.critique.dismissals import DismissalFile

        if space.local:
            folder = to_fs_path(space.workspace_uri or space.uri(".")) or "."
            return DismissalFile(Path(folder) / ".skeptic" / "dismissed.toml")
        if self.settings["dismissalsInProject"]:
            return None
        import hashlib

        import platformdirs

        key = hashlib.sha256(space.uri(".").encode()).hexdigest()[:16]
        return DismissalFile(Path(platformdirs.user_data_dir("skeptic")) / "dismissed" /
                             f"{key}.toml")

    def project_dismissals_uri(self, space: Space) -> str:
        return space.uri(".skeptic/dismissed.toml")

    async def dismissals(self, space: Space) -> Dismissals:
        from skeptic.critique.dismissals import parse
        from skeptic.critique.pipeline import Dismissals
        from skeptic.latex.files import ReadError

        file = self.dismissal_file(space)
        if file is not None:
            return await self.in_worker(file.load)
        try:
            text = await self.read_client_file(self.project_dismissals_uri(space))
        except ReadError:
            return Dismissals()
        return parse(text or "")

    async def save_dismissal(self, space: Space, toml: str) -> None:
        from skeptic.critique.dismissals import HEADER
        from skeptic.latex.files import ReadError

        file = self.dismissal_file(space)
        if file is not None:
            await self.in_worker(file.append, toml)
            return
        uri = self.project_dismissals_uri(space)
        try:
            current = await self.read_client_file(uri) or ""
        except ReadError:
            current = ""
        text = (current or HEADER).rstrip("\n") + "\n" + toml
        edit = types.WorkspaceEdit(document_changes=[
            types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=True)),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri),
                edits=[types.TextEdit(range=types.Range(start=types.Position(line=0, character=0),
                                                        end=types.Position(line=0, character=0)),
                                      new_text=text)]),
        ])
        await self.ask(self.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit=edit, label="Skeptic: dismiss objection")))

    # ------------------------------------------------------------------ runs
    def schedule(self, state: ProjectState, delay: float, full: bool = False) -> None:
        """(Re)start the project's run after ``delay`` seconds; older runs become stale."""
        generation = state.supersede()
        state.task = self.spawn(self._after(delay, state, generation, full), "critique")

    async def _after(self, delay: float, state: ProjectState, generation: int,
                     full: bool) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            await self.run(state, generation, full)
        finally:
            state.settle(generation)

    async def run(self, state: ProjectState, generation: int, full: bool) -> None:
        """Build the project, critique it, and show the result unless an edit overtook it."""
        from skeptic.critique.anchors import combine, reanchor
        from skeptic.critique.pipeline import critique_offline

        reviewers = await self.reviewers()
        project = await self.load(state)
        if generation != state.generation:
            return
        dismissed = await self.dismissals(state.space)
        result = await self.in_worker(critique_offline, project, reviewers, self.settings, (),
                                      dismissed)
        if generation != state.generation:
            return
        state.project = project
        self.adopt(state, project)
        objections = combine(reanchor(state.slow, project), result.objections)
        self.show(state, project, [o for o in objections if not dismissed.covers(o)])
        state.settle(generation)
        self._messages(result)
        if full:
            await self.run_full(state, project, reviewers, dismissed, generation)
        else:
            self.status("idle", engine=state.engine)

    async def run_full(self, state: ProjectState, project: Project, reviewers: Reviewers,
                       dismissed: Dismissals, generation: int) -> None:
        """The full critique (Anthropic when a key is available), with progress."""
        from skeptic.critique.full import critique_full

        token = await self.begin_progress()
        cancel = self.work_done_progress.tokens.get(token) if token else None

        def progress(message: str) -> None:
            self.status("running", message, engine="anthropic")
            if token:
                self.work_done_progress.report(token, types.WorkDoneProgressReport(
                    message=message))

        def cancelled() -> bool:
            return generation != state.generation or (cancel is not None and cancel.done())

        try:
            result: Critique = await critique_full(
                project, reviewers, self.settings, api_key=self.config.key(),
                dismissed=dismissed, progress=progress, cancelled=cancelled, log=logger)
        finally:
            if token:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))
        if cancelled():
            self.status("idle", "critique cancelled", engine=state.engine)
            return
        state.engine = result.engine
        state.slow = [o for o in result.objections if o.engine != "offline"]
        self.show(state, project, result.objections)
        self._messages(result)
        self.status("idle", engine=state.engine)

    async def begin_progress(self) -> str | None:
        if not self.capable("window.work_done_progress"):
            return None
        token = f"skeptic-{uuid.uuid4()}"
        try:
            await self.ask(self.work_done_progress.create_async(token))
        except Exception:  # a client that refuses progress still gets results
            return None
        self.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title="Skeptic", message="critiquing", cancellable=True))
        return token

    def _messages(self, result: Critique) -> None:
        for message in result.messages:
            logger.info("%s", message)
            if result.engine != "offline" or "API" in message or "key" in message:
                self.tell(types.MessageType.Warning, f"Skeptic: {message}")

    # ------------------------------------------------------------------ showing
    def show(self, state: ProjectState, project: Project, objections: list[Objection]) -> None:
        """Record and publish the diagnostics of every file of the project."""
        self._runs += 1
        by_file: dict[str, list[Objection]] = {name: [] for name in project.files}
        for objection in objections:
            by_file.setdefault(objection.file, []).append(objection)
        problems = {name: [p for p in project.problems if p.file == name] for name in by_file}
        previous = {uri for uri, shown in self.shown.items() if shown.root == state.space.root_uri}
        current = set()
        for name, mine in by_file.items():
            uri = state.space.uri(name)
            current.add(uri)
            source = project.files.get(name)
            document = self.document(uri)
            self.shown[uri] = Shown(state.space.root_uri, source.text if source else "",
                                    mine, problems.get(name, []),
                                    document.version if document else None, self._runs)
            self.publish(uri)
        for uri in previous - current:
            self.shown.pop(uri, None)
            self.publish(uri)
        if self.pull:
            self.workspace_diagnostic_refresh(None)

    def positions(self, uri: str) -> Positions | None:
        shown = self.shown.get(uri)
        return positions_of(shown.text, self.workspace.position_codec) if shown else None

    def locate(self, root: str) -> Callable[[str, int, int], dict[str, Any]]:
        """Locations (JSON) in the files of project ``root``."""
        state = self.states.get(root)

        def location(file: str, start: int, end: int) -> dict[str, Any]:
            uri = state.space.uri(file) if state else file
            positions = self.positions(uri) or positions_of("", self.workspace.position_codec)
            return {"uri": uri, "range": positions.span(start, end)}

        return location

    def diagnostics(self, uri: str) -> list[dict[str, Any]]:
        shown = self.shown.get(uri)
        positions = self.positions(uri)
        if shown is None or positions is None:
            return []
        locate = self.locate(shown.root)
        return ([objection_diagnostic(o, positions, locate) for o in shown.objections]
                + [problem_diagnostic(p, positions) for p in shown.problems])

    def push(self, uri: str, diagnostics: list[dict[str, Any]], version: int | None = None
             ) -> None:
        """Send ``textDocument/publishDiagnostics`` (without a version when none is known)."""
        params = Json(uri=uri, diagnostics=diagnostics)
        if version is not None:
            params["version"] = version
        self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    def publish(self, uri: str) -> None:
        """Push a file's diagnostics (unless the client pulls them for an open document)."""
        echo = self.echoes.pop(uri, None)
        if echo is not None:
            echo.cancel()
        if self.pull and self.document(uri) is not None:
            return
        shown = self.shown.get(uri)
        self.push(uri, self.diagnostics(uri), shown.version if shown else None)

    def follow(self, uri: str, version: int, changes: list[Any]) -> None:
        """Keep the shown objections on their sentences through the client's edits."""
        shown = self.shown.get(uri)
        if shown is None:
            return
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start, end = positions_of(shown.text,
                                          self.workspace.position_codec).offsets(change.range)
                shown.edit(start, end, change.text)
            else:
                shown.objections, shown.problems, shown.text = [], [], change.text
        document = self.document(uri)
        if document is not None:
            if document.source != shown.text:
                shown.objections, shown.problems = [], []
            shown.text = document.source  # the very string: one position table for both
        shown.version = version

    def echo(self, uri: str, delay: float) -> None:
        """Push the objections of an edited file where they moved (one push pending per
        file): at once when its run is ``delay`` >= :data:`ECHO_WAIT` seconds away, else
        only if the run has not shown fresh ones within :data:`ECHO_WAIT` (no use pushing
        them twice)."""
        if uri in self.shown and uri not in self.echoes:
            wait = ECHO_WAIT if delay < ECHO_WAIT else 0
            self.echoes[uri] = asyncio.get_running_loop().call_later(wait, self.publish, uri)

    def objections_at(self, uri: str, rng: types.Range) -> list[Objection]:
        shown = self.shown.get(uri)
        positions = self.positions(uri)
        if shown is None or positions is None:
            return []
        start, end = positions.offset(rng.start), positions.offset(rng.end)
        return [o for o in shown.objections if o.start <= end and start <= o.end]

    # ------------------------------------------------------------------ commands
    async def dismiss(self, uri: str, fingerprint: str | None = None,
                      kind: str | None = None) -> bool:
        from skeptic.critique.dismissals import entry, kind_entry

        shown = self.shown.get(uri)
        state = self.states.get(shown.root) if shown else None
        if shown is None or state is None:
            return False
        if fingerprint:
            target = next((o for o in shown.objections if o.fingerprint == fingerprint), None)
            if target is None:
                return False
            sentence = shown.text[target.start:target.end]
            await self.save_dismissal(state.space, entry(target, sentence))
            gone = [o for o in shown.objections if o.fingerprint == fingerprint]
        else:
            name = state.space.name(uri) or ""
            await self.save_dismissal(state.space, kind_entry(name, kind or ""))
            gone = [o for o in shown.objections if o.kind == kind]
        shown.objections = [o for o in shown.objections if o not in gone]
        state.slow = [o for o in state.slow if o.fingerprint not in {g.fingerprint for g in gone}]
        self.publish(uri)
        if self.pull:
            self.workspace_diagnostic_refresh(None)
        return True

    def uri_argument(self, arguments: list[Any]) -> str | None:
        first = arguments[0] if arguments else None
        if isinstance(first, dict):
            first = first.get("uri")
        return first if isinstance(first, str) else None


def _load_reviewers(folder: Path | None, built: Path | None) -> Reviewers:
    """The reviewers, then everything alive frozen: they, the core and pygls live until
    exit, so the collector need not re-scan them at every run."""
    from skeptic.critique.pipeline import load_reviewers

    reviewers = load_reviewers(folder, built)
    gc.freeze()
    return reviewers


SERVER = SkepticServer()


# ---------------------------------------------------------------------- lifecycle
@SERVER.feature(types.INITIALIZE)
def initialize(ls: SkepticServer, params: types.InitializeParams) -> None:
    ls.config = ClientConfig.from_initialization(params.initialization_options)
    redact.add(ls.config.api_key)
    ls.pull = (get_capability(params.capabilities, "text_document.diagnostic", None) is not None
               and get_capability(params.capabilities, "workspace.diagnostics.refresh_support",
                                  False))
    ls.apply_settings()


@SERVER.feature(types.INITIALIZED)
async def initialized(ls: SkepticServer, params: types.InitializedParams) -> None:
    install_log_forwarding(ls)
    await refresh_configuration(ls)
    ls.reviewers()
    if ls.capable("workspace.did_change_watched_files.dynamic_registration"):
        try:
            watch = types.Registration(
                id="skeptic-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[
                    types.FileSystemWatcher(glob_pattern="**/*.{tex,sty,toml}")]))
            await ls.ask(ls.client_register_capability_async(
                types.RegistrationParams(registrations=[watch])))
        except Exception as error:  # the client may refuse; edits on disk then go unseen
            logger.warning("could not watch files: %s", error)


async def refresh_configuration(ls: SkepticServer) -> None:
    """Read the ``skeptic`` section of the workspace configuration, if the client has one."""
    if ls.capable("workspace.configuration"):
        try:
            answer = await ls.ask(ls.workspace_configuration_async(types.ConfigurationParams(
                items=[types.ConfigurationItem(section="skeptic")])))
        except Exception as error:  # keep the settings we have
            logger.warning("workspace/configuration failed: %s", error)
            return
        ls.config.workspace = answer[0] if answer and isinstance(answer[0], dict) else {}
    ls.apply_settings()


@SERVER.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: SkepticServer,
                                   params: types.DidChangeConfigurationParams) -> None:
    if not ls.capable("workspace.configuration") and isinstance(params.settings, dict):
        section = params.settings.get("skeptic", params.settings)
        ls.config.workspace = section if isinstance(section, dict) else {}
    await refresh_configuration(ls)
    for state in ls.states.values():
        ls.schedule(state, 0)


@SERVER.feature(types.SHUTDOWN)
def shutdown(ls: SkepticServer, params: None) -> None:
    for state in ls.states.values():
        state.supersede()
    for echo in ls.echoes.values():
        echo.cancel()
    ls.worker.shutdown(wait=False, cancel_futures=True)


# ---------------------------------------------------------------------- documents
@SERVER.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SkepticServer, params: types.DidOpenTextDocumentParams) -> None:
    document = params.text_document
    state = ls.state_for(document.uri, document.text)
    shown = ls.shown.get(document.uri)
    if shown is not None and shown.text == document.text:
        shown.version = document.version
        ls.publish(document.uri)
        if ls.pull:
            ls.push(document.uri, [])
        return
    ls.schedule(state, 0)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SkepticServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.document(uri)
    if document is None:
        return
    ls.follow(uri, params.text_document.version, list(params.content_changes))
    delay = ls.settings["debounceMs"] / 1000
    ls.echo(uri, delay)
    ls.schedule(ls.state_of(uri) or ls.state_for(uri, document.source), delay)


@SERVER.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
def did_save(ls: SkepticServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.document(uri)
    state = ls.state_of(uri) or (ls.state_for(uri, document.source) if document else None)
    if state is not None:
        ls.schedule(state, 0, full=True)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SkepticServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.pull:
        ls.publish(uri)


@SERVER.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: SkepticServer,
                             params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        if ls.document(change.uri) is not None:
            continue
        for state in ls.states.values():
            name = state.space.name(change.uri)
            project = state.project
            if name is None or project is None:
                continue
            wanted = name in project.files or any(name in p.message for p in project.problems)
            if wanted or name.endswith(".sty") or name.endswith("dismissed.toml"):
                ls.schedule(state, ls.settings["debounceMs"] / 1000)


# ---------------------------------------------------------------------- features
@SERVER.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(identifier="skeptic", inter_file_dependencies=True,
                                        workspace_diagnostics=False))
async def document_diagnostic(ls: SkepticServer, params: types.DocumentDiagnosticParams
                              ) -> types.DocumentDiagnosticReport | Json:
    if not ls.pull:
        # A client that pulls but cannot be asked to pull again would miss every later
        # result, so it gets them pushed; its pulls are answered empty (no duplicates).
        return types.FullDocumentDiagnosticReport(items=[], result_id="pushed")
    uri = params.text_document.uri
    state = ls.state_of(uri)
    if state is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.settled.wait(), timeout=PULL_WAIT)
    shown = ls.shown.get(uri)
    result_id = f"{shown.run}-{shown.version}-{len(shown.objections)}" if shown else "none"
    if params.previous_result_id == result_id:
        return types.UnchangedDocumentDiagnosticReport(result_id=result_id)
    return Json(kind="full", resultId=result_id, items=ls.diagnostics(uri))


@SERVER.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: SkepticServer, params: types.HoverParams) -> types.Hover | None:
    position = params.position
    found = ls.objections_at(params.text_document.uri,
                             types.Range(start=position, end=position))
    if not found:
        return None
    reviewers = ls._reviewers.result() if ls._reviewers and ls._reviewers.done() else None
    labels = {p.id: p.label for p in reviewers.personas} if reviewers else {}
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value=features.hover(found, labels)))


@SERVER.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: SkepticServer, params: types.CodeActionParams
                ) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    only = params.context.only
    if only and not any(str(k).startswith(types.CodeActionKind.QuickFix) for k in only):
        return None
    shown = ls.shown.get(uri)
    positions = ls.positions(uri)
    if shown is None or positions is None:
        return None
    style = ls.settings["twistStyle"]
    if style == "auto":
        state = ls.states.get(shown.root)
        root = state.project.files.get(state.project.root) if state and state.project else None
        from skeptic.critique.twist import uses_todonotes

        style = "todo" if root is not None and uses_todonotes(root.text) else "comment"
    by_print = {o.fingerprint: o for o in shown.objections}
    found: list[tuple[types.CodeAction, Objection]] = []
    for diagnostic in params.context.diagnostics:
        if not features.is_ours(diagnostic):
            continue
        objection = by_print.get(diagnostic.data["fingerprint"])
        if objection is None:
            continue
        twist = features.twist_action(uri, objection, shown.text, positions, style, diagnostic)
        if twist is not None:
            found.append((twist, objection))
        found.extend((a, objection) for a in features.dismiss_actions(uri, objection, diagnostic))
    return features.told_apart(found) or None


@SERVER.feature(types.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: SkepticServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    uri = params.text_document.uri
    shown = ls.shown.get(uri)
    state = ls.states.get(shown.root) if shown else None
    positions = ls.positions(uri)
    if shown is None or state is None or state.project is None or positions is None:
        return None
    name = state.space.name(uri)
    if name not in state.project.files or state.project.files[name].text != shown.text:
        return None
    return features.lenses(state.project, name, shown.objections, positions, uri)


@SERVER.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: SkepticServer, params: types.DocumentSymbolParams
                    ) -> list[types.DocumentSymbol] | None:
    uri = params.text_document.uri
    shown = ls.shown.get(uri)
    state = ls.states.get(shown.root) if shown else None
    if shown is None or state is None or state.project is None:
        return None
    name = state.space.name(uri)
    if name not in state.project.files or state.project.files[name].text != shown.text:
        return None
    positions = ls.positions(uri)
    return features.symbols(state.project, name, positions)


# ---------------------------------------------------------------------- commands
@SERVER.command(features.CRITIQUE)
async def critique_command(ls: SkepticServer, *arguments: Any) -> None:
    uri = ls.uri_argument(list(arguments))
    states = [ls.state_of(uri)] if uri else list(ls.states.values())
    for state in states:
        if state is not None:
            ls.schedule(state, 0, full=True)


@SERVER.command("skeptic.clearCache")
async def clear_cache(ls: SkepticServer, *arguments: Any) -> str:
    from skeptic.critique.cache import clear_cache as clear

    message = await ls.in_worker(clear, ls.settings)
    ls.tell(types.MessageType.Info, f"Skeptic: {message}")
    return message


@SERVER.command("skeptic.showPersonas")
async def show_personas(ls: SkepticServer, *arguments: Any) -> list[dict[str, Any]]:
    reviewers = await ls.reviewers()
    uri = ls.uri_argument(list(arguments))
    state = ls.state_of(uri) if uri else None
    if state is None or state.project is None:
        return [{"id": p.id, "name": p.name, "title": p.title, "score": None, "selected": False,
                 "source": p.source, "warnings": list(p.warnings)} for p in reviewers.personas]
    from skeptic.critique.pipeline import choose

    draft = await ls.in_worker(reviewers.offline.draft, state.project)
    choices, _ = choose(draft, reviewers.personas, ls.settings)
    return [{"id": c.persona.id, "name": c.persona.name, "title": c.persona.title,
             "score": c.score, "selected": c.selected, "source": c.persona.source,
             "warnings": list(c.persona.warnings)} for c in choices]


@SERVER.command(features.DISMISS)
async def dismiss(ls: SkepticServer, *arguments: Any) -> bool:
    argument = arguments[0] if arguments and isinstance(arguments[0], dict) else {}
    return await ls.dismiss(str(argument.get("uri", "")),
                            fingerprint=str(argument.get("fingerprint", "")))


@SERVER.command(features.DISMISS_KIND)
async def dismiss_kind(ls: SkepticServer, *arguments: Any) -> bool:
    argument = arguments[0] if arguments and isinstance(arguments[0], dict) else {}
    return await ls.dismiss(str(argument.get("uri", "")), kind=str(argument.get("kind", "")))


@SERVER.command("skeptic._setApiKey")
def set_api_key(ls: SkepticServer, *arguments: Any) -> bool:
    key = arguments[0] if arguments else None
    ls.config.api_key = key if isinstance(key, str) and key.strip() else None
    redact.add(ls.config.api_key)
    return ls.config.api_key is not None


def serve(tcp: str | None = None) -> int:
    """Run the server on stdio, or on ``HOST:PORT`` for debugging."""
    redact.add_environment()
    install_redaction()
    if tcp:
        host, _, port = tcp.rpartition(":")
        SERVER.start_tcp(host or "127.0.0.1", int(port))
    else:
        SERVER.start_io()
    return 0

