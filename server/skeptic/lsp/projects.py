"""Projects as the server sees them: root documents, URIs of their files, and reading.

Local projects (``file:`` URIs) are read from disk, with the editor's open documents taking
precedence. Projects on other schemes (Overleaf Workshop's ``overleaf-workshop:``) are read
from the text the editor sends, and their ``\\input``-ed files are fetched with the
``skeptic/readFile`` request: a virtual URI is never turned into a path.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pygls.uris import from_fs_path, to_fs_path

from skeptic.latex.files import (
    DiskReader,
    MapReader,
    ReadError,
    candidates,
    decode,
    is_within,
    quick_includes,
)
from skeptic.latex.magic import tex_root
from skeptic.latex.model import Project
from skeptic.latex.project import load_project
from skeptic.latex.roots import is_root_text

_MAX_FETCH_ROUNDS = 16


@dataclass(frozen=True)
class Space:
    """The URI space of one project: its root document and the folder names resolve in."""

    root_uri: str
    workspace_uri: str | None = None

    @property
    def local(self) -> bool:
        return urlsplit(self.root_uri).scheme == "file"

    @property
    def root_name(self) -> str:
        return posixpath.basename(urlsplit(self.root_uri).path)

    def uri(self, name: str) -> str:
        """The URI of project file ``name`` (relative to the root's folder)."""
        if self.local:
            root = Path(to_fs_path(self.root_uri) or "")
            return from_fs_path(os.path.normpath(root.parent / name)) or self.root_uri
        parts = urlsplit(self.root_uri)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(parts.path), name))
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))

    def name(self, uri: str) -> str | None:
        """The project name of ``uri``, or None when it is not in this URI space."""
        parts, root = urlsplit(uri), urlsplit(self.root_uri)
        if (parts.scheme, parts.netloc) != (root.scheme, root.netloc):
            return None
        if self.local:
            path, folder = to_fs_path(uri) or "", os.path.dirname(to_fs_path(self.root_uri) or "")
            return Path(os.path.relpath(path, folder)).as_posix()
        return posixpath.relpath(parts.path, posixpath.dirname(root.path))

    def confined(self, uri: str) -> bool:
        """True when ``uri`` lies inside the workspace (the root's folder without one)."""
        limit = self.workspace_uri or self.uri(".")
        if self.local:
            path = os.path.realpath(to_fs_path(uri) or "")
            return is_within(path, os.path.realpath(to_fs_path(limit) or ""))
        inner, outer = urlsplit(uri), urlsplit(limit)
        folder = outer.path.rstrip("/") + "/"
        return (inner.scheme, inner.netloc) == (outer.scheme, outer.netloc) and (
            inner.path + "/").startswith(folder)


def load_local(space: Space, open_texts: Mapping[str, str], *, allow_outside: bool,
               max_bytes: int) -> Project:
    """Load a local project; ``open_texts`` maps URIs of open documents to their text."""
    root_path = Path(to_fs_path(space.root_uri) or "")
    workspace = Path(to_fs_path(space.workspace_uri) or "") if space.workspace_uri \
        else root_path.parent
    overlay = {Path(to_fs_path(uri) or "").as_posix(): text for uri, text in open_texts.items()
               if urlsplit(uri).scheme == "file"}
    reader = DiskReader(root_path.parent, workspace, allow_outside=allow_outside,
                        max_bytes=max_bytes, overlay=overlay)
    return load_project(space.root_name, reader)


class _Recording(MapReader):
    """A map reader that remembers the names it was asked for but does not have."""

    def __init__(self, texts: dict[str, str], errors: dict[str, ReadError]) -> None:
        super().__init__(texts, errors)
        self.wanted: list[str] = []

    def read(self, name: str) -> str:
        if name not in self.texts and name not in self.errors:
            self.wanted.append(name)
        return super().read(name)


Fetch = Callable[[str], Awaitable[bytes | str | None]]


async def load_virtual(space: Space, open_texts: Mapping[str, str], fetch: Fetch, *,
                       max_bytes: int) -> Project:
    """Load a project on a virtual file system, fetching the files it includes.

    The project is built, the names it wanted but did not have are fetched (open
    documents first, then ``fetch``), and it is built again, until nothing new is wanted.
    """
    texts: dict[str, str] = {}
    errors: dict[str, ReadError] = {}
    for _ in range(_MAX_FETCH_ROUNDS):
        reader = _Recording(texts, errors)
        project = load_project(space.root_name, reader)
        wanted = list(dict.fromkeys(reader.wanted))
        if not wanted:
            return project
        for name in wanted:
            uri = space.uri(name)
            if not space.confined(uri):
                errors[name] = ReadError("outside-workspace",
                                         f"{name} is outside the project and was not read")
            elif uri in open_texts:
                texts[name] = open_texts[uri]
            else:
                try:
                    data = await fetch(uri)
                except ReadError as error:
                    errors[name] = error
                    continue
                if data is None:
                    errors[name] = ReadError("missing", f"{name} does not exist")
                else:
                    try:
                        texts[name] = data if isinstance(data, str) else decode(
                            data, name, max_bytes)
                    except ReadError as error:
                        errors[name] = error
    return load_project(space.root_name, MapReader(texts, errors))


def _includes(text: str) -> list[str]:
    return [name for command, target, directory in quick_includes(text)
            for name in candidates(command, target, "", directory)]


def find_root(uri: str, text: str, projects: Mapping[str, Project],
              workspace_uris: list[str]) -> str:
    """The root document for ``uri``: a ``% !TEX root`` comment, else the document itself
    when it has ``\\documentclass``, else a known project that includes it, else a root
    file in its folder or a parent folder (inside the workspace) that includes it."""
    parts = urlsplit(uri)
    named = tex_root(text)
    if named:
        folder = posixpath.dirname(parts.path)
        path = posixpath.normpath(posixpath.join(folder, named.strip()))
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    if is_root_text(text):
        return uri
    for root_uri, project in projects.items():
        name = Space(root_uri).name(uri)
        if name is not None and name in project.files:
            return root_uri
    if parts.scheme == "file":
        found = _root_on_disk(Path(to_fs_path(uri) or ""), workspace_uris)
        if found is not None:
            return from_fs_path(str(found)) or uri
    return uri


def _root_on_disk(path: Path, workspace_uris: list[str]) -> Path | None:
    """A ``\\documentclass`` file in ``path``'s folder or above that includes ``path``."""
    limits = [Path(to_fs_path(w) or "") for w in workspace_uris]
    folder = path.parent
    for _ in range(4):
        for candidate in sorted(folder.glob("*.tex")):
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")[:200_000]
            except OSError:
                continue
            if candidate != path and is_root_text(text):
                names = {Path(os.path.normpath(folder / n)) for n in _includes(text)}
                if path in names:
                    return candidate
        if any(folder == limit for limit in limits) or folder.parent == folder:
            break
        folder = folder.parent
    return None
