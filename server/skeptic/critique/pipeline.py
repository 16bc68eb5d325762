"""One critique run: choose personas, run the engine, apply directives and severities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from skeptic.critique import prebuilt
from skeptic.critique.catalog import Catalog, load_catalog
from skeptic.critique.context import Draft
from skeptic.critique.model import Objection
from skeptic.critique.offline.engine import OfflineEngine, merge_findings
from skeptic.latex.model import Project
from skeptic.personas.loader import bundled_folder, load_personas
from skeptic.personas.model import Persona, PersonaError
from skeptic.personas.select import Choice, select
from skeptic.settings import Settings


@dataclass
class Reviewers:
    """What critiques need that does not change between runs: personas, catalog, engine."""

    personas: list[Persona]
    errors: list[PersonaError]
    catalog: Catalog
    offline: OfflineEngine

    def persona(self, persona_id: str) -> Persona | None:
        return next((p for p in self.personas if p.id == persona_id), None)


def load_reviewers(personas_dir: Path | None = None, cache: Path | None = None) -> Reviewers:
    """The bundled personas and catalog, plus the user's folder (personas and an optional
    ``prior_work.toml``). With ``cache`` (a user cache folder), built once per version of
    those inputs and kept there (see :mod:`skeptic.critique.prebuilt`)."""
    folders = [bundled_folder(), *([personas_dir] if personas_dir else [])]

    def build() -> Reviewers:
        extra = [personas_dir / "prior_work.toml"] if personas_dir else []
        catalog = load_catalog(extra)
        personas, errors = load_personas(folders, catalog.spellings())
        return Reviewers(personas, errors, catalog, OfflineEngine(personas, catalog))

    return prebuilt.load_or_build(build, folders, cache / prebuilt.FOLDER if cache else None)


@dataclass
class Dismissals:
    """Objections the authors dismissed: by fingerprint, or a whole kind in one file."""

    fingerprints: set[str] = field(default_factory=set)
    kinds: set[tuple[str, str]] = field(default_factory=set)

    def covers(self, objection: Objection) -> bool:
        return (objection.fingerprint in self.fingerprints
                or (objection.file, objection.kind) in self.kinds)


@dataclass
class Critique:
    """The result of one run."""

    objections: list[Objection]
    choices: list[Choice]
    messages: list[str]
    engine: str = "offline"
    usage: dict[str, int] | None = None

    @property
    def personas(self) -> list[Persona]:
        return selected(self.choices)


def selected(choices: Iterable[Choice]) -> list[Persona]:
    """The personas that run, most relevant (or first pinned) first."""
    return [c.persona for c in choices if c.selected]


def choose(draft: Draft, personas: list[Persona], settings: Settings,
           pinned: Iterable[str] = ()) -> tuple[list[Choice], list[str]]:
    """Personas for this draft. Pins: the command line, else the draft's magic comment,
    else the ``skeptic.personas`` setting; without pins, relevance decides."""
    project = draft.project
    counts = {term: len(where) for term, where in draft.where.items()}
    pins = list(pinned) or list(project.personas_directive()) or list(settings["personas"])
    return select(personas, counts, pins, settings["maxPersonas"])


def finalize(project: Project, objections: Iterable[Objection], settings: Settings,
             dismissed: Dismissals | None = None) -> list[Objection]:
    """Apply ``% skeptic:`` directives, dismissals and the severity settings."""
    kept = []
    for objection in objections:
        source = project.files.get(objection.file)
        if source is not None and (objection.kind in source.directives.disable
                                   or source.directives.silences(objection.start,
                                                                 objection.end)):
            continue
        if dismissed is not None and dismissed.covers(objection):
            continue
        severity = settings.severity(objection.kind)
        if severity != "off":
            kept.append(objection if objection.severity == severity
                        else replace(objection, severity=severity))
    return kept


@dataclass
class OfflineReview:
    """The offline half of every run: the draft, the chosen personas, their objections
    (before :func:`finalize`) and messages for the user."""

    draft: Draft
    choices: list[Choice]
    messages: list[str]
    objections: list[Objection]

    @property
    def personas(self) -> list[Persona]:
        return selected(self.choices)


def review_offline(project: Project, reviewers: Reviewers, settings: Settings,
                   pinned: Iterable[str] = ()) -> OfflineReview:
    """Choose the personas and run the offline rules over ``project``."""
    draft = reviewers.offline.draft(project)
    choices, messages = choose(draft, reviewers.personas, settings, pinned)
    personas = selected(choices)
    if not personas:
        messages.append("no persona is relevant to this draft (pin one with --persona or "
                        "% skeptic: personas = ...)")
    objections = merge_findings(draft, reviewers.offline.findings(draft, personas), personas)
    return OfflineReview(draft, choices, messages, objections)


def critique_offline(project: Project, reviewers: Reviewers, settings: Settings,
                     pinned: Iterable[str] = (), dismissed: Dismissals | None = None) -> Critique:
    """The offline critique of a project."""
    return conclude(project, review_offline(project, reviewers, settings, pinned), settings,
                    dismissed)


def conclude(project: Project, review: OfflineReview, settings: Settings,
             dismissed: Dismissals | None = None) -> Critique:
    """The critique an offline review amounts to."""
    return Critique(finalize(project, review.objections, settings, dismissed), review.choices,
                    list(review.messages))
