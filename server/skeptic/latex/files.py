"""Reading the files of a project: name resolution, confinement, size and encoding checks.

Files are named by POSIX paths relative to the root file's folder (``sections/intro.tex``).
A reader turns a name into text or raises :class:`ReadError`; the project model turns that
error into a problem on the ``\\input`` that asked for the file.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

_INCLUDE = re.compile(
    r"\\(?:input|include|subfile|(?:sub)?(?:import|inputfrom|includefrom))\*?\s*"
    r"\{([^{}]*)\}(?:\s*\{([^{}]*)\})?|\\input[ \t]+([^\s{}%\\]+)"
)
# Options stop at the next [ too: many unclosed "\usepackage[" stay linear.
_USEPACKAGE = re.compile(r"\\usepackage\s*(?:\[[^\[\]]*\])?\s*\{([^{}]*)\}")
_COMMENT = re.compile(r"(?<!\\)%[^\r\n]*")


class ReadError(Exception):
    """A file could not be read; ``code`` says why (missing, outside-workspace, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Reader(Protocol):
    def read(self, name: str) -> str:
        """The text of file ``name`` (relative to the root folder), or raise ReadError."""
        ...


def decode(data: bytes, name: str, max_bytes: int) -> str:
    """Bytes of a ``.tex`` file to text: UTF-8, else Latin-1; refuse binary and huge files."""
    if len(data) > max_bytes:
        raise ReadError("too-large", f"{name} is {len(data):,} bytes, over the "
                        f"{max_bytes:,}-byte limit (skeptic.maxFileBytes); skipped")
    if b"\x00" in data[:65536]:
        raise ReadError("binary", f"{name} looks like a binary file (NUL bytes); skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def is_within(path: str, folder: str) -> bool:
    """True when real path ``path`` lies inside real path ``folder``."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:
        return False


@dataclass
class DiskReader:
    """Reads files under ``root_dir``, refusing anything outside ``workspace``.

    Symbolic links are resolved before the check, so a link pointing out of the workspace
    is refused too. ``overlay`` holds texts the editor has open (they win over the disk).
    """

    root_dir: Path
    workspace: Path
    allow_outside: bool = False
    max_bytes: int = 2_000_000
    overlay: Mapping[str, str] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return Path(os.path.normpath(self.root_dir / name))

    def read(self, name: str) -> str:
        path = self.path(name)
        real = os.path.realpath(path)
        if not self.allow_outside and not is_within(real, os.path.realpath(self.workspace)):
            raise ReadError(
                "outside-workspace",
                f"{name} is outside the workspace folder and was not read "
                "(skeptic.allowOutsideWorkspace allows it)",
            )
        key = path.as_posix()
        if key in self.overlay:
            return self.overlay[key]
        try:
            if not os.path.isfile(real):
                raise ReadError("missing", f"{name} does not exist")
            with open(real, "rb") as handle:
                data = handle.read(self.max_bytes + 1)
        except OSError as error:
            raise ReadError("unreadable", f"{name} could not be read: {error.strerror}") from None
        return decode(data, name, self.max_bytes)


@dataclass
class MapReader:
    """Reads from texts already fetched (virtual file systems, tests)."""

    texts: Mapping[str, str]
    errors: Mapping[str, ReadError] = field(default_factory=dict)

    def read(self, name: str) -> str:
        if name in self.errors:
            raise self.errors[name]
        if name in self.texts:
            return self.texts[name]
        raise ReadError("missing", f"{name} does not exist")


def candidates(command: str, target: str, base: str, directory: str = "") -> list[str]:
    """Names an include command may mean, most likely first.

    ``\\input{x}`` tries ``x.tex`` then ``x``; ``\\include{x}`` only ``x.tex``;
    ``\\import{dir}{x}`` is relative to the root folder, ``\\subimport`` to ``base``.
    """
    target = target.strip().strip('"')
    if command in ("import", "inputfrom", "includefrom"):
        folder = directory
    elif command in ("subimport", "subinputfrom", "subincludefrom"):
        folder = posixpath.join(base, directory)
    else:
        folder = base
    joined = target if posixpath.isabs(target) else posixpath.join(folder, target)
    name = posixpath.normpath(joined)
    if name.endswith(".tex"):
        return [name]
    if command == "include":
        return [name + ".tex"]
    return [name + ".tex", name]


def include_base(command: str, name: str, base: str, directory: str) -> str:
    """Folder that ``\\input`` inside an included file is relative to."""
    if command in ("import", "inputfrom", "includefrom"):
        return posixpath.normpath(directory) if directory else ""
    if command in ("subimport", "subinputfrom", "subincludefrom"):
        return posixpath.normpath(posixpath.join(base, directory))
    return base


def uncommented(text: str, matches: Iterable[re.Match[str]]) -> Iterator[re.Match[str]]:
    """The ``matches`` (in text order) that do not start after an unescaped ``%`` on their
    line; one pass over the comments, so many matches on one long line stay linear."""
    comments = _COMMENT.finditer(text)
    comment = next(comments, None)
    for m in matches:
        while comment is not None and comment.end() < m.start():
            comment = next(comments, None)
        if comment is None or comment.start() >= m.start():
            yield m


def on_uncommented_line(text: str, command: re.Pattern[str], literal: str,
                        stop: int | None = None) -> re.Match[str] | None:
    """The first match of ``command`` (a pattern beginning with ``literal``) that ends by
    ``stop`` and has no ``%`` at all before it on its line (LF, CR LF or CR). Tried only
    where ``literal`` occurs, and a line is left at its first ``%``: linear."""
    stop = len(text) if stop is None else stop
    at = text.find(literal, 0, stop)
    while at >= 0:
        m = command.match(text, at, stop)
        if m is None:
            at = text.find(literal, at + 1, stop)
            continue
        newline = text.rfind("\n", 0, at)
        line = max(newline, text.rfind("\r", newline + 1, at)) + 1
        if "%" not in text[line:at]:
            return m
        newline = text.find("\n", at, stop)
        end = stop if newline < 0 else newline
        carriage = text.find("\r", at, end)
        at = text.find(literal, end if carriage < 0 else carriage, stop)
    return None


def quick_includes(text: str) -> list[tuple[str, str, str]]:
    """(command, target, directory) of include commands outside comments, in order.

    A cheap pre-pass used to find every file (for macro definitions) before scanning.
    """
    found = []
    for m in uncommented(text, _INCLUDE.finditer(text)):
        command = re.match(r"\\([A-Za-z]+)", m.group()).group(1)
        if m.group(3):
            found.append(("input", m.group(3), ""))
        elif m.group(2) is not None:
            found.append((command, m.group(2), m.group(1)))
        else:
            found.append((command, m.group(1), ""))
    return found


def local_packages(text: str) -> list[str]:
    """Names of ``\\usepackage``-d packages, as candidate local ``.sty`` files."""
    names: list[str] = []
    for m in _USEPACKAGE.finditer(text):
        names.extend(part.strip() + ".sty" for part in m.group(1).split(",") if part.strip())
    return names

