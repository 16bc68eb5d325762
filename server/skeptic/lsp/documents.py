"""Documents with LSP line semantics, and the one place offsets become positions.

LSP breaks lines only at ``\\n``, ``\\r\\n`` and ``\\r``; Python's ``str.splitlines`` (which
pygls uses) also breaks at form feeds, U+2028 and friends, which would shift every
position after such a character. :class:`Document` fixes ``lines`` and applies incremental
edits through :class:`Positions`, which converts between core offsets and client positions
in the units of pygls's :class:`~pygls.workspace.PositionCodec` (UTF-16, UTF-8 or UTF-32,
as negotiated).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from urllib.parse import unquote

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.workspace import PositionCodec, TextDocument, Workspace
from pygls.workspace.position_codec import Utf8, Utf32

logger = logging.getLogger(__name__)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# Lines are measured in chunks of this many characters: a position costs one partial chunk.
_CHUNK = 4096


def lsp_lines(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them, each with its line break."""
    return _LINE.findall(text)


def _content_length(line: str) -> int:
    """Length of a line without its line break."""
    return len(line) - (2 if line.endswith("\r\n") else 1 if line.endswith(("\r", "\n")) else 0)


def _unit_counter(codec: PositionCodec) -> Callable[[str], int]:
    """``codec.client_num_units``, counted by the codecs of Python (pygls counts one
    character at a time, in Python)."""
    if isinstance(codec.impl, Utf8):
        return lambda text: len(text.encode("utf-8", "surrogatepass"))
    if isinstance(codec.impl, Utf32):
        return len
    return lambda text: len(text.encode("utf-16-le", "surrogatepass")) // 2


class Document(TextDocument):
    """A pygls document whose lines follow the LSP's definition of a line break, and whose
    edits clamp positions as the LSP says (pygls lets a column one past a line's end skip
    its line break)."""

    @property
    def lines(self) -> Sequence[str]:
        return lsp_lines(self.source)

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        positions = Positions(self.source, self.position_codec)
        start = positions.offset(change.range.start)
        end = max(start, positions.offset(change.range.end))
        self._source = self.source[:start] + change.text + self.source[end:]


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
    """Offset ↔ client position conversion for one text (any file, open or not).

    A text ending with a line break has one more, empty, line: its end is there.
    """

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.text = text
        self.codec = codec
        self.lines = lsp_lines(text)
        if not self.lines or _content_length(self.lines[-1]) < len(self.lines[-1]):
            self.lines.append("")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line))
        self.units = _unit_counter(codec)
        self.sums: dict[int, list[int]] = {}

    def position(self, offset: int) -> types.Position:
        """The client position of a Python string offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        column = min(offset - self.starts[line], _content_length(self.lines[line]))
        return types.Position(line=line, character=self.line_units(line, column))

    def line_units(self, line: int, column: int) -> int:
        """Client units in the first ``column`` characters of a line, from the sums of
        whole chunks (each long line is measured once, not once per position)."""
        text = self.lines[line]
        sums = self.sums.get(line)
        if sums is None:
            length = _content_length(text)
            chunks = (text[i:min(i + _CHUNK, length)] for i in range(0, length, _CHUNK))
            sums = self.sums[line] = [0, *accumulate(map(self.units, chunks))]
        chunk = column // _CHUNK
        return sums[chunk] + self.units(text[chunk * _CHUNK:column])

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def offset(self, position: types.Position) -> int:
        """The Python string offset of a client position: a column past its line's end is
        the line's end (as the LSP says), a line past the last is the end of the text."""
        if position.line >= len(self.lines):
            return len(self.text)
        line = max(position.line, 0)
        length = _content_length(self.lines[line])
        character = min(max(position.character, 0), self.line_units(line, length))
        server = self.codec.position_from_client_units(
            self.lines, types.Position(line=line, character=character))
        return self.starts[line] + min(server.character, length)
