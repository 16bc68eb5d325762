"""Scan an edited file again, reusing the scan of its previous text outside the edit.

The scan of the previous text recorded checkpoints: paragraph breaks at the top level of
the body where the scanner's state is clean (see ``scan.Checkpoint``). The new text is
scanned from the last checkpoint before the edit, and only until it reaches a checkpoint
that the previous scan also had, at the same place after the edit: from there on the two
texts are equal and so are their scans, so the previous events are shifted and kept. A
one-word edit thus scans one paragraph instead of the file. The result equals
``scan(text, macros)`` (the tests compare them after random edits).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from skeptic.latex.macros import Macros
from skeptic.latex.scan import (
    Block,
    Checkpoint,
    FileScan,
    Heading,
    Include,
    ScanProblem,
    scan,
    scan_from,
)

_NOT_BLANK = re.compile(r"[^ \t]")


def common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the longest common prefix and (not overlapping it) suffix of two texts.

    Halving comparisons of slices: about twice the text is compared, at C speed.
    """
    limit = min(len(old), len(new))
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, limit - prefix
    a, b = len(old), len(new)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[a - mid:a - lo] == new[b - mid:b - lo]:
            lo = mid
        else:
            hi = mid - 1
    return prefix, lo


def _restart(checkpoints: list[Checkpoint], old: str, prefix: int) -> int | None:
    """Index of the last checkpoint the edit cannot reach: between it and the edit lies a
    character other than a space or tab (the paragraph break before it ended there)."""
    index = bisect_left(checkpoints, prefix, key=lambda c: c.pos) - 1
    while index >= 0 and _NOT_BLANK.search(old, checkpoints[index].pos, prefix) is None:
        index -= 1
    return index if index >= 0 else None


def _shift_event(event: Block | Heading | Include, delta: int) -> Block | Heading | Include:
    if isinstance(event, Block):
        return Block(event.kind, event.plain, event.plain_starts,
                     [s + delta for s in event.source_starts],
                     [e + delta for e in event.source_ends], event.exact)
    if isinstance(event, Heading):
        return Heading(event.level, event.title, event.start + delta, event.end + delta)
    return Include(event.command, event.target, event.start + delta, event.end + delta,
                   event.directory)


def rescan(previous: FileScan, old: str, text: str, macros: Macros) -> FileScan:
    """``scan(text, macros)``, given ``previous``, the scan of ``old`` with the same macros."""
    prefix, suffix = common_ends(old, text)
    if prefix == len(old) == len(text):
        return previous
    index = _restart(previous.checkpoints, old, prefix)
    # The body starts where it did: \begin{document} lies before the edit (checkpoints follow
    # it), or the file has none and the edit cannot have made one.
    if index is None or (not previous.body and "document" in text[max(0, prefix - 16):]):
        return scan(text, macros)
    start = previous.checkpoints[index]
    delta = len(text) - len(old)
    edit_end = len(old) - suffix
    later = {c.pos + delta: k for k, c in enumerate(previous.checkpoints)
             if c.pos >= edit_end and c.pos > start.pos}
    fresh, stopped = scan_from(text, macros, previous.body, start, frozenset(later))
    events = previous.events[:start.events] + fresh.events
    problems = previous.problems[:start.problems] + fresh.problems
    checkpoints = previous.checkpoints[:index + 1] + [
        Checkpoint(c.pos, c.events + start.events, c.problems + start.problems, c.title,
                   c.title_at) for c in fresh.checkpoints]
    title, title_at = fresh.title, fresh.title_at
    if stopped is None:
        return FileScan(events, problems, title, title_at, checkpoints, previous.body)
    resumed = previous.checkpoints[later[stopped]]
    events += [_shift_event(e, delta) for e in previous.events[resumed.events:]]
    problems += [ScanProblem(p.code, p.message, p.start + delta, p.end + delta)
                 for p in previous.problems[resumed.problems:]]
    extra_events = len(events) - len(previous.events)
    extra_problems = len(problems) - len(previous.problems)

    def since(title_was: str, at: int) -> tuple[str, int]:
        """A title as of a point after the resumption: set after it (shifted), or before."""
        return (title_was, at + delta) if at >= resumed.pos else (title, title_at)

    checkpoints += [Checkpoint(c.pos + delta, c.events + extra_events,
                               c.problems + extra_problems, *since(c.title, c.title_at))
                    for c in previous.checkpoints[later[stopped] + 1:]]
    return FileScan(events, problems, *since(previous.title, previous.title_at), checkpoints,
                    previous.body)
