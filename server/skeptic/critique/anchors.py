"""Keeping objections on their sentences while the text changes.

Between critique runs, an edit moves every objection after it by the edit's length and
removes every objection it touches (the sentence under the cursor is held back until the
author pauses and the critique runs again). After a run, objections from the slower
engine are re-anchored by sentence id (a hash of the file and the sentence's text), so
they follow a sentence that moved and vanish with a sentence that was rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any, TypeVar

from skeptic.critique.model import Objection
from skeptic.latex.model import Project

Spanned = TypeVar("Spanned", bound=Any)


def shift(items: Iterable[Spanned], start: int, end: int, length: int) -> list[Spanned]:
    """Objections (or problems) after ``[start, end)`` was replaced by ``length`` characters:
    those before stay, those after move, those the edit touches are dropped."""
    delta = length - (end - start)
    kept = []
    for item in items:
        if item.end <= start:
            kept.append(item)
        elif item.start >= end:
            kept.append(replace(item, start=item.start + delta, end=item.end + delta))
    return kept


def reanchor(objections: Iterable[Objection], project: Project) -> list[Objection]:
    """Objections moved to their sentence's current place; those whose sentence is gone
    are dropped."""
    sentences = {sentence.id: sentence for sentence in project.sentences}
    moved = []
    for objection in objections:
        sentence = sentences.get(objection.sentence_id)
        if sentence is not None:
            moved.append(replace(objection, file=sentence.file, start=sentence.start,
                                 end=sentence.end))
    return moved


def combine(slow: Iterable[Objection], fast: Iterable[Objection]) -> list[Objection]:
    """One objection per sentence and kind: the slower engine's wins, keeping the prior
    work the faster one found when it names none."""
    merged: dict[tuple[str, str], Objection] = {(o.sentence_id, o.kind): o for o in fast}
    for objection in slow:
        key = (objection.sentence_id, objection.kind)
        previous = merged.get(key)
        if previous is not None and not objection.prior_work:
            objection = replace(objection, prior_work=previous.prior_work)
        merged[key] = objection
    return sorted(merged.values(), key=lambda o: (o.file, o.start, o.kind))
