"""The critique cache on disk: JSON values, size limit, info/clear, and recovery from a
corrupt or locked store."""

from __future__ import annotations

import sqlite3

import pytest

from skeptic.critique.cache import CritiqueCache, cache_directory, cache_key, clear_cache
from skeptic.settings import Settings
from tests.conftest import draft
from tests.fake_anthropic import BODY, FakeAPI, critique_with, isolate


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    isolate(monkeypatch)


def test_round_trip_info_and_clear(tmp_path) -> None:
    folder = cache_directory(str(tmp_path))
    assert folder == tmp_path / "critiques"
    with CritiqueCache(folder, size_limit=1 << 20) as cache:
        key = cache_key("engine", "model", "text")
        assert cache.get(key) is None
        cache.set(key, {"findings": [{"index": 0}]})
        assert cache.get(key) == {"findings": [{"index": 0}]}
        info = cache.info()
        assert (info.location, info.entries, info.limit) == (folder, 1, 1 << 20)
        assert info.size > 0 and cache.warnings == []
    assert clear_cache(Settings({"cacheDir": str(tmp_path)})) == (
        f"removed 1 cached critique(s) from {folder}")
    assert cache_key("a", "bc") != cache_key("ab", "c")


def test_a_corrupt_store_is_moved_aside(tmp_path) -> None:
    folder = tmp_path / "critiques"
    folder.mkdir()
    (folder / "cache.db").write_bytes(b"this is not a database" * 100)
    with CritiqueCache(folder) as cache:
        [warning] = cache.warnings
        assert "was unusable (file is not a database)" in warning
        cache.set("k", [1])
        assert cache.get("k") == [1]
        [aside] = cache.info().moved_aside
        assert aside.name.startswith("critiques.broken-")
        assert (aside / "cache.db").read_bytes().startswith(b"this is not")
        cache.clear()
        assert not aside.exists()


def test_a_locked_store_is_moved_aside(tmp_path) -> None:
    folder = tmp_path / "critiques"
    with CritiqueCache(folder) as cache:
        cache.set("k", [1])
    holder = sqlite3.connect(folder / "cache.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with CritiqueCache(folder, timeout=0.05) as cache:
            assert "database is locked" in cache.warnings[0]
            assert cache.get("k") is None
            cache.set("k", [2])
            assert cache.get("k") == [2]
    finally:
        holder.close()


def test_an_unusable_folder_runs_without_cache(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should go")
    with CritiqueCache(blocker / "critiques") as cache:
        assert "this run goes on without it" in cache.warnings[0]
        cache.set("k", 1)
        assert cache.get("k") is None and cache.info().entries == 0


async def test_the_run_goes_on_with_a_corrupt_cache(reviewers, tmp_path) -> None:
    (tmp_path / "critiques").mkdir()
    (tmp_path / "critiques" / "cache.db").write_bytes(b"garbage" * 50)
    api = FakeAPI()
    result = await critique_with(api, draft(BODY), reviewers, tmp_path)
    assert result.engine == "anthropic" and len(api.requests) == 3
    assert any("moved to" in m for m in result.messages)
    again = await critique_with(api, draft(BODY), reviewers, tmp_path)
    assert again.usage["cache_hits"] == 3 and again.messages == []


def test_the_size_limit_evicts_old_entries(tmp_path) -> None:
    import random

    noise = random.Random(1)
    with CritiqueCache(tmp_path / "critiques", size_limit=100_000) as cache:
        for n in range(60):
            cache.set(str(n), "".join(noise.choices("abcdefghij", k=5000)))
        info = cache.info()
        assert info.entries < 60 and cache.get("59") is not None and cache.get("0") is None
