"""Documents with LSP line semantics, and the one place offsets become positions.

LSP breaks lines only at ``\\n``, ``\\r\\n`` and ``\\r``; Python's ``str.splitlines`` (which
pygls uses) also breaks at form feeds, U+2028 and friends, which would shift every
position after such a character. :class:`Document` fixes ``lines`` for pygls's own
incremental edits, and :class:`Positions` converts core offsets to client positions through
pygls's :class:`~pygls.workspace.PositionCodec` (UTF-16, UTF-8 or UTF-32, as negotiated).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Sequence
from urllib.parse import unquote

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.workspace import PositionCodec, TextDocument, Workspace
from pygls.workspace.position_codec import ServerTextPosition

logger = logging.getLogger(__name__)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def lsp_lines(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them, each with its line break."""
    return _LINE.findall(text)


class Document(TextDocument):
    """A pygls document whose lines follow the LSP's definition of a line break."""

    @property
    def lines(self) -> Sequence[str]:
        return lsp_lines(self.source)


class SkepticWorkspace(Workspace):
    """The workspace, creating :class:`Document` instances."""

    def _create_text_document(self, doc_uri, source=None, version=None, language_id=None):
        """pygls's factory, making :class:`Document` instances."""
        return Document(doc_uri, source=source, version=version, language_id=language_id,
                        sync_kind=self._sync_kind, position_codec=self.position_codec)


class SkepticProtocol(LanguageServerProtocol):
    """pygls's protocol, with our workspace class installed at ``initialize``, and edits to
    a document that was never opened ignored (pygls would fail on them)."""

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):  # generator
        result = yield from super().lsp_initialize(params)
        workspace = self._workspace
        if workspace is not None and not isinstance(workspace, SkepticWorkspace):
            workspace.__class__ = SkepticWorkspace
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        uri = params.text_document.uri
        if self._workspace is None or unquote(uri) not in self._workspace.text_documents:
            logger.warning("ignoring an edit to %s, which was never opened", uri)
            return None
        return (yield from super().lsp_text_document__did_change(params))


class Positions:
    """Offset ↔ client position conversion for one text (any file, open or not)."""

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.text = text
        self.codec = codec
        self.lines = lsp_lines(text) or [""]
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line))

    def position(self, offset: int) -> types.Position:
        """The client position of a Python string offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        column = offset - self.starts[line]
        content = self.lines[line].rstrip("\r\n")
        column = min(column, len(content))
        return self.codec.position_to_client_units(self.lines, ServerTextPosition(line, column))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def offset(self, position: types.Position) -> int:
        """The Python string offset of a client position (clamped into the text)."""
        if position.line >= len(self.lines):
            return len(self.text)
        server = self.codec.position_from_client_units(
            self.lines, types.Position(line=max(position.line, 0),
                                       character=max(position.character, 0)))
        content = self.lines[server.line].rstrip("\r\n")
        return self.starts[server.line] + min(server.character, len(content))
