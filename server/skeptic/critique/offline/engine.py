"""The offline engine: persona rules + the prior-work catalog, deterministic, no network."""

from __future__ import annotations

from collections.abc import Iterable

from skeptic.critique.catalog import Catalog
from skeptic.critique.context import (
    Draft,
    TermIndex,
    adopt_lexicon,
    build_draft,
    kept,
    lexicon,
)
from skeptic.critique.model import Objection, Related, fingerprint
from skeptic.critique.offline.bars import bars
from skeptic.critique.offline.corners import corner_cases
from skeptic.critique.offline.delta import NAME_TAG, delta_audit
from skeptic.critique.offline.findings import Finding
from skeptic.critique.offline.flags import red_flags
from skeptic.critique.offline.generic import generic, generic_cases, generic_flags
from skeptic.critique.offline.mirror import mirror
from skeptic.latex.model import Project
from skeptic.personas.model import Persona, Twist

ENGINE_VERSION = "offline-1"
_MAX_PRIOR = 3


def _phrases(personas: Iterable[Persona], catalog: Catalog) -> set[str]:
    rules = lexicon()
    phrases: set[str] = set()
    for persona in personas:
        phrases |= persona.terms()
    for system in catalog.systems:
        phrases.update(system.terms)
    for generic_flag in generic_flags():
        phrases.update(generic_flag.flag.match, generic_flag.flag.unless, generic_flag.flag.absent)
    for section in ("own_work", "background", "gain", "limitations"):
        phrases.update(rules[section]["phrases"])
    phrases.update(rules["design"]["implementation"], rules["design"]["measurements"])
    phrases.update(rules["delta"]["change_markers"], rules["delta"]["parameters"],
                   rules["delta"]["baseline_words"], rules["delta"]["positioning"])
    phrases.update(rules["generic"]["cost"][0]["components"], rules["generic"]["cost"][0]["costs"],
                   rules["generic"]["short_runs"][0]["when"])
    for case in generic_cases():
        phrases.update(case.when, case.anchor, case.addressed)
    return {p.lower() for p in phrases if p.strip()}


class OfflineEngine:
    """Runs every rule of the selected personas over a draft."""

    name = "offline"

    def __init__(self, personas: Iterable[Persona], catalog: Catalog) -> None:
        self.catalog = catalog
        self.system_names = {spelling.lower() for system in catalog.systems
                             for spelling in (system.name, *system.aliases)}
        self.topics = {term for persona in personas for term in persona.topics}
        self.index = TermIndex(_phrases(personas, catalog))
        for system in catalog.systems:
            for spelling in (system.name, *system.aliases):
                self.index.index.add(spelling, NAME_TAG + system.name)
        self.rules = lexicon()

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickled (see :mod:`skeptic.critique.prebuilt`): the lexicon comes along, so
        ``data/rules.toml`` need not be parsed again."""
        self.__dict__.update(state)
        adopt_lexicon(self.rules)

    def draft(self, project: Project) -> Draft:
        return build_draft(project, self.index)

    def findings(self, draft: Draft, personas: list[Persona]) -> list[Finding]:
        """Every finding of every persona (most relevant persona first), then generic ones."""
        found: list[Finding] = []
        for persona in personas:
            found.extend(red_flags(draft, persona, persona.red_flags, 0))
            found.extend(bars(draft, persona))
            found.extend(delta_audit(draft, persona, self.catalog, self.topics))
            found.extend(corner_cases(draft, persona, self.system_names))
            restated = mirror(draft, persona)
            if restated is not None:
                found.append(restated)
        if personas:
            found.extend(generic(draft, personas[0], self.catalog, self.system_names))
        return found

    def critique(self, project: Project, personas: list[Persona]) -> list[Objection]:
        """Objections for the draft: one per sentence and kind, each with its twist."""
        draft = self.draft(project)
        return merge_findings(draft, self.findings(draft, personas), personas)


def _twist(draft: Draft, finding: Finding, offered: set[str]) -> str | None:
    """The persona's twist that best fits the sentence; for design kinds, else one that fits
    the draft, offered once (on its first such objection) rather than on every one."""
    best, best_score = None, 0
    hits = draft.hits[finding.index]
    design = finding.kind in ("delta-audit", "mirror", "mechanism", "complexity-gain")
    for twist, usable, mentioned in _twists(draft, finding.persona):
        if not usable:
            continue
        score = sum(2 for t in twist.when if t in hits)
        if not score and twist.text in offered:
            continue
        if design:
            score += mentioned and 1
        if score > best_score:
            best, best_score = twist.text, score
    if best is not None:
        offered.add(best)
    return best


def _twists(draft: Draft, persona: Persona) -> list[tuple[Twist, bool, int]]:
    """The persona's twists, each with whether the draft has what it needs and how many of
    its terms the draft mentions (once per draft)."""
    return kept(draft.memo, ("twists", persona.id), (persona,), lambda: [
        (twist, not twist.needs or draft.has(twist.needs), draft.count(twist.when))
        for twist in persona.twists])


def _combined(group: list[Finding]) -> Finding:
    """Different corner cases on one sentence become one finding that raises them all."""
    first, cases = group[0], list(dict.fromkeys((f.message, f.question) for f in group))
    if len(cases) == 1:
        return first
    message = " ".join([cases[0][0], *(f"Also: {m}" for m, _ in cases[1:])])
    question = " ".join(q for _, q in cases)
    return Finding(first.kind, first.persona, first.index, message, question, first.priority,
                   first.prior, first.twist, first.related)


def merge_findings(draft: Draft, findings: list[Finding], personas: list[Persona]
                   ) -> list[Objection]:
    """One objection per (sentence, kind): the strongest rule's words, every prior system."""
    rank = {persona.id: n for n, persona in enumerate(personas)}
    groups: dict[tuple[int, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.index, finding.kind), []).append(finding)
    objections = []
    offered: set[str] = set()
    for (i, kind), group in sorted(groups.items()):
        group.sort(key=lambda f: (f.priority, rank.get(f.persona.id, len(rank))))
        winner = group[0]
        if kind == "corner-case":
            winner = _combined(group)
        prior = tuple(dict.fromkeys(p for f in group for p in f.prior))[:_MAX_PRIOR]
        related: tuple[Related, ...] = tuple(dict.fromkeys(r for f in group for r in f.related))
        twist = winner.twist or next((f.twist for f in group if f.twist), None)
        twist = twist or _twist(draft, winner, offered)
        sentence = draft.sentences[i]
        objections.append(Objection(
            kind=kind, persona=winner.persona.id, persona_name=winner.persona.signed,
            file=sentence.file, start=sentence.start, end=sentence.end,
            sentence_id=sentence.id, message=winner.message, question=winner.question,
            prior_work=prior, twist=twist, related=related, engine="offline",
            fingerprint=fingerprint(winner.persona.id, kind, sentence.text),
        ))
    file_order = {name: n for n, name in enumerate(draft.project.files)}
    objections.sort(key=lambda o: (file_order.get(o.file, 0), o.start, o.kind))
    return objections
