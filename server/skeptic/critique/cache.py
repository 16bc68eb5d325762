"""The critique cache: model answers on disk, shared by the CLI and the language server.

A ``diskcache`` store (SQLite, JSON values: nothing is unpickled) in the ``critiques``
folder of the user cache dir, or of the ``cacheDir`` setting. Its size is limited and the
least recently used entries are evicted. A store that is corrupt or stays locked is moved
aside (``critiques.broken-<time>``) with a warning and a new one is started; if even that
fails, the run goes on without a disk cache. Nothing here raises.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import diskcache

from skeptic.settings import Settings, cache_root

SIZE_LIMIT = 256 * 1024 * 1024
LOCK_TIMEOUT = 2.0
FOLDER = "critiques"
_BROKEN = f"{FOLDER}.broken-"
_DATABASE = "cache.db"

T = TypeVar("T")
_FAILURES = (sqlite3.Error, OSError, ValueError, TypeError, diskcache.Timeout)

logger = logging.getLogger(__name__)


def cache_directory(setting: str = "") -> Path:
    """Where the critique cache lives: ``<cache root>/critiques``."""
    return cache_root(setting) / FOLDER


def cache_key(*parts: str) -> str:
    """A key for everything an answer depends on (the parts are joined unambiguously)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    location: Path
    entries: int
    size: int
    limit: int
    moved_aside: tuple[Path, ...]


def _probe(database: Path, timeout: float) -> None:
    """Raise ``sqlite3.Error`` when the store is not a database or stays write-locked
    (diskcache itself would retry a locked store for a full minute)."""
    if not database.exists():
        return
    connection = sqlite3.connect(database, timeout=timeout, isolation_level=None)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    finally:
        connection.close()


class CritiqueCache:
    """Get and set JSON values by key; warnings for the user collect in ``warnings``."""

    def __init__(self, directory: Path, *, size_limit: int = SIZE_LIMIT,
                 timeout: float = LOCK_TIMEOUT, log: logging.Logger | None = None) -> None:
        self.directory = directory
        self.size_limit = size_limit
        self.timeout = timeout
        self.log = log or logger
        self.warnings: list[str] = []
        self._store: diskcache.Cache | None = self._open()

    def _connect(self) -> diskcache.Cache:
        _probe(self.directory / _DATABASE, self.timeout)
        return diskcache.Cache(str(self.directory), timeout=self.timeout,
                               disk=diskcache.JSONDisk, size_limit=self.size_limit,
                               eviction_policy="least-recently-used")

    def _open(self) -> diskcache.Cache | None:
        try:
            return self._connect()
        except (sqlite3.Error, OSError) as error:
            return self._recover(error)

    def _warn(self, message: str) -> None:
        self.log.warning("%s", message)
        self.warnings.append(message)

    def _recover(self, error: Exception) -> diskcache.Cache | None:
        """Move the broken store aside and start a new one (else run without a cache)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.directory.with_name(f"{_BROKEN}{stamp}-{os.getpid()}")
        try:
            self.directory.rename(aside)
            store = self._connect()
        except (sqlite3.Error, OSError) as again:
            self._warn(f"the critique cache at {self.directory} cannot be used ({error}; "
                       f"then {again}); this run goes on without it")
            return None
        self._warn(f"the critique cache at {self.directory} was unusable ({error}); it was "
                   f"moved to {aside} and a new one started")
        return store

    def _guard(self, action: str, operation: Callable[[diskcache.Cache], T], default: T) -> T:
        """Run a store operation; on failure, warn once and go on without the cache."""
        if self._store is None:
            return default
        try:
            return operation(self._store)
        except _FAILURES as error:
            self._warn(f"the critique cache failed to {action} ({type(error).__name__}: "
                       f"{error}); this run goes on without it")
            self.close()
            return default

    def get(self, key: str) -> Any:
        return self._guard("read", lambda store: store.get(key), None)

    def set(self, key: str, value: Any) -> None:
        self._guard("write", lambda store: store.set(key, value), None)

    def info(self) -> CacheInfo:
        entries, size = self._guard("count", lambda s: (len(s), s.volume()), (0, 0))
        return CacheInfo(self.directory, entries, size, self.size_limit, tuple(self._aside()))

    def clear(self) -> int:
        """Remove every entry, and the stores moved aside earlier; return how many entries."""
        removed = self._guard("clear", lambda store: store.clear(), 0)
        for folder in self._aside():
            shutil.rmtree(folder, ignore_errors=True)
        return removed

    def _aside(self) -> Iterable[Path]:
        return sorted(self.directory.parent.glob(_BROKEN + "*"))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> CritiqueCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_cache(settings: Settings, log: logging.Logger | None = None) -> CritiqueCache:
    return CritiqueCache(cache_directory(settings["cacheDir"]), log=log)


def clear_cache(settings: Settings) -> str:
    """Empty the critique cache; a message for the user saying what was removed."""
    with open_cache(settings) as cache:
        removed = cache.clear()
        return f"removed {removed} cached critique(s) from {cache.directory}"
