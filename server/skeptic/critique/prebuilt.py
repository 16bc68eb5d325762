"""Reviewers built once per version of their inputs, and kept in the user cache folder.

Building the reviewers parses a dozen TOML files and indexes some 5,000 phrases (about
0.4 s), which every ``skeptic check`` would otherwise pay. The built object is pickled to
``<cache folder>/reviewers/<digest>.pickle``, where the digest covers every input (names,
sizes and modification times): Skeptic's own code and data, the bundled personas and the
user's persona folder. The file starts with a checksum of the pickle, so a damaged file
is noticed before it is loaded; a missing, stale, damaged or unreadable file only means
building afresh. Nothing here raises.

Unpickling runs code, so the folder is the user's cache folder (or the user-scope
``cacheDir`` setting), never one inside a workspace.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import skeptic

FOLDER = "reviewers"
KEEP = 4
_CHECKSUM = 16

T = TypeVar("T")
logger = logging.getLogger(__name__)


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECKSUM).digest()


def digest(folders: Iterable[Path], salt: str = "") -> str:
    """A digest of every file under ``folders`` and ``salt``: of each file's name, size and
    modification time, as Python checks the sources of its own bytecode cache (reading
    and hashing the files took longer than loading the reviewers' pickle)."""
    h = hashlib.blake2b(salt.encode(), digest_size=16)
    for folder in folders:
        entries = []
        for directory, subfolders, names in os.walk(folder):
            subfolders[:] = [name for name in subfolders if name != "__pycache__"]
            for name in names:
                path = os.path.join(directory, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    entries.append(f"{os.path.relpath(path, folder)}\0{info.st_size}"
                                   f"\0{info.st_mtime_ns}")
        entries.sort()
        h.update(f"\0{folder}\0{len(entries)}\0".encode())
        h.update("\0".join(entries).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def load_or_build(build: Callable[[], T], inputs: Iterable[Path], folder: Path | None) -> T:
    """``build()``, or its pickled result from ``folder`` when the inputs are unchanged.

    With ``folder`` None nothing is read or written. A new result is written atomically
    (a temporary file, then a rename), so a run killed mid-write leaves no partial file;
    only the ``KEEP`` most recent results are kept.
    """
    if folder is None:
        return build()
    sources = [Path(skeptic.__file__).parent, *inputs]
    path = folder / f"{digest(sources, skeptic.__version__)}.pickle"
    try:
        data = path.read_bytes()
        payload = data[_CHECKSUM:]
        if data[:_CHECKSUM] != _checksum(payload):
            raise ValueError("checksum mismatch")
        return _unpickle(payload)
    except FileNotFoundError:
        pass
    except Exception as error:  # a damaged file of ours (any unpickling error): rebuild
        logger.info("rebuilding %s: %s", path.name, error)
    built = build()
    _store(built, path)
    return built


def _unpickle(payload: bytes) -> object:
    """``pickle.loads`` without the cyclic collector, which would otherwise re-scan the
    tens of thousands of objects being loaded several times over (half the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(payload)
    finally:
        if enabled:
            gc.enable()


def _store(value: object, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            out.write(_checksum(payload) + payload)
        os.replace(out.name, path)
        older = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for stale in older[:-KEEP]:
            stale.unlink(missing_ok=True)
        abandoned = time.time() - 3600
        for leftover in path.parent.glob("*.tmp"):
            if leftover.stat().st_mtime < abandoned:
                leftover.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as error:
        logger.info("could not keep the built reviewers in %s: %s", path.parent, error)
