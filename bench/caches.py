"""Forget every cache keyed by text, so that a timed run does all its work."""

from __future__ import annotations

from skeptic.critique.model import fingerprint
from skeptic.critique.offline import findings
from skeptic.critique.pipeline import Reviewers
from skeptic.latex import claims
from skeptic.latex.memory import MEMORY


def forget(reviewers: Reviewers | None = None) -> None:
    """Clear the model's memory of earlier loads and its claim cache and, with
    ``reviewers``, the critique's per-sentence results, filled messages and fingerprints."""
    claims.analyse.cache_clear()
    MEMORY.clear()
    if reviewers is not None:
        reviewers.offline.index._cache.clear()
        findings._filled.cache_clear()
        fingerprint.cache_clear()
