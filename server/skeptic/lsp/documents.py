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
from functools import lru_cache
from itertools import accumulate
from urllib.parse import unquote

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.workspace import PositionCodec, TextDocument, Workspace
from pygls.workspace.position_codec import Utf8, Utf32

logger = logging.getLogger(__name__)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BREAK = re.compile(r"\r\n|\r|\n")
# Lines are measured in chunks of this many characters: a position costs one partial chunk.
_CHUNK = 256


def lsp_lines(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them, each with its line break."""
    return _LINE.findall(text)


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
        start, end = positions_of(self.source, self.position_codec).offsets(change.range)
        self._source = self.source[:start] + change.text + self.source[end:]


class SkepticWorkspace(Workspace):
    """The workspace, creating :class:`Document` instances."""

    def _create_text_document(self, doc_uri, source=None, version=None, language_id=None):
        """pygls's factory, making :class:`Document` instances."""
        return Document(doc_uri, source=source, version=version, language_id=language_id,
                        sync_kind=self._sync_kind, position_codec=self.position_codec)


class SkepticProtocol(LanguageServerProtocol):
    """pygls's protocol, with our workspace class installed at ``initialize``, edits to a
    document that was never opened ignored (pygls would fail on them), and diagnostics
    published as the JSON :mod:`skeptic.lsp.convert` builds (no lsprotocol type)."""

    def get_message_type(self, method: str) -> type | None:
        if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            return None
        return super().get_message_type(method)

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

    ``starts[n]`` and ``ends[n]`` are where line ``n`` starts and where its content ends
    (before its line break). A text ending with a line break has one more, empty, line: its
    end is there. On an ASCII line a client unit is a character in every encoding; other
    lines are measured.
    """

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.text = text
        self.codec = codec
        if "\r" in text:
            breaks = list(_BREAK.finditer(text))
            self.starts = [0, *(m.end() for m in breaks)]
            self.ends = [*(m.start() for m in breaks), len(text)]
        else:
            self.starts = [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]
            self.ends = [start - 1 for start in self.starts[1:]] + [len(text)]
        self.ascii = text.isascii()
        self.units = _unit_counter(codec)
        self.sums: dict[int, list[int]] = {}

    def point(self, offset: int) -> tuple[int, int]:
        """The client line and character of a Python string offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        column = min(offset, self.ends[line]) - self.starts[line]
        return line, column if self.ascii else self.line_units(line, column)

    def position(self, offset: int) -> types.Position:
        line, character = self.point(offset)
        return types.Position(line=line, character=character)

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(max(start, end)))

    def span(self, start: int, end: int) -> dict[str, dict[str, int]]:
        """:meth:`range` as JSON, ready to send."""
        (l0, c0), (l1, c1) = self.point(start), self.point(max(start, end))
        return {"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}}

    def line_units(self, line: int, column: int) -> int:
        """Client units in the first ``column`` characters of a line, from the sums of
        whole chunks (each long line is measured once, not once per position; an ASCII
        line has no sums: its units are its characters)."""
        start = self.starts[line]
        sums = self.sums.get(line)
        if sums is None:
            text = self.text[start:self.ends[line]]
            chunks = (text[i:i + _CHUNK] for i in range(0, len(text), _CHUNK))
            sums = self.sums[line] = [] if text.isascii() else [
                0, *accumulate(map(self.units, chunks))]
        if not sums:
            return column
        chunk = column // _CHUNK
        return sums[chunk] + self.units(self.text[start + chunk * _CHUNK:start + column])

    def offsets(self, rng: types.Range) -> tuple[int, int]:
        """The Python string offsets of an edit's range (an end before its start is the
        start: the edit only inserts)."""
        start = self.offset(rng.start)
        return start, max(start, self.offset(rng.end))

    def offset(self, position: types.Position) -> int:
        """The Python string offset of a client position: a column past its line's end is
        the line's end (as the LSP says), a line past the last is the end of the text."""
        if position.line >= len(self.starts):
            return len(self.text)
        line = max(position.line, 0)
        start, end = self.starts[line], self.ends[line]
        character = max(position.character, 0)
        if self.ascii:
            return start + min(character, end - start)
        character = min(character, self.line_units(line, end - start))
        if not self.sums[line]:
            return start + character
        server = self.codec.position_from_client_units(
            [self.text[start:end]], types.Position(line=0, character=character))
        return start + min(server.character, end - start)


@lru_cache(maxsize=16)
def positions_of(text: str, codec: PositionCodec) -> Positions:
    """The shared :class:`Positions` of ``text``: built once per version of a file, for
    the edit, the objections that follow it and the diagnostics shown."""
    return Positions(text, codec)
