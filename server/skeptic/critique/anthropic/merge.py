"""Model findings become objections on their sentences and join the offline ones.

One objection per sentence and kind: the model's wording wins (the most relevant persona's,
when several object alike); the offline objection's facts stay: its prior-work entries come
first, then the systems the model named, resolved through the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from skeptic.critique.anthropic.prompt import Passage
from skeptic.critique.anthropic.validate import MAX_PRIOR, Finding
from skeptic.critique.catalog import Catalog
from skeptic.critique.model import Objection, PriorWork
from skeptic.personas.model import Persona


def _prior_work(names: Iterable[str], catalog: Catalog) -> tuple[PriorWork, ...]:
    found = []
    for name in names:
        system = catalog.find(name)
        found.append(system.prior_work() if system else PriorWork(name, 0, "", ""))
    return tuple(found)


def to_objection(finding: Finding, persona: Persona, passage: Passage,
                 catalog: Catalog) -> Objection:
    """The finding anchored on its sentence's exact source span."""
    sentence = passage.sentences[finding.index]
    objection = Objection(
        kind=finding.kind, persona=persona.id, persona_name=persona.signed, file=sentence.file,
        start=sentence.start, end=sentence.end, sentence_id=sentence.id,
        message=finding.message, question=finding.question,
        prior_work=_prior_work(finding.prior_work, catalog), twist=finding.twist,
        engine="anthropic",
    )
    return objection.with_fingerprint(sentence.text)


def _union(*groups: Sequence[PriorWork]) -> tuple[PriorWork, ...]:
    seen: dict[str, PriorWork] = {}
    for work in (w for group in groups for w in group):
        seen.setdefault(work.name.lower(), work)
    return tuple(seen.values())[:MAX_PRIOR]


def merge(offline: Iterable[Objection], model: Iterable[Objection],
          file_order: Sequence[str]) -> list[Objection]:
    """Offline and model objections, one per (sentence, kind), in document order.

    ``model`` comes most relevant persona first; the first one for a sentence and kind
    wins, and the prior work of the others is kept.
    """
    merged: dict[tuple[str, str], Objection] = {}
    for objection in offline:
        merged[objection.sentence_id, objection.kind] = objection
    replaced: set[tuple[str, str]] = set()
    for objection in model:
        key = objection.sentence_id, objection.kind
        current = merged.get(key)
        if current is None:
            merged[key] = objection
        elif key in replaced:
            merged[key] = replace(current, prior_work=_union(current.prior_work,
                                                             objection.prior_work))
        else:
            merged[key] = replace(objection, prior_work=_union(current.prior_work,
                                                               objection.prior_work),
                                  related=current.related, twist=objection.twist or current.twist)
        replaced.add(key)
    order = {name: n for n, name in enumerate(file_order)}
    return sorted(merged.values(), key=lambda o: (order.get(o.file, 0), o.start, o.kind))
