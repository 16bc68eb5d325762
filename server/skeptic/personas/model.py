"""Reviewer personas: who they are (prompt) and what the offline engine runs (rules)."""

from __future__ import annotations

from dataclasses import dataclass, field

RED_FLAG_KINDS = ("hidden-baseline", "mechanism", "evidence", "complexity-gain")
BAR_KINDS = ("complexity-gain", "hidden-baseline")
BAR_METRICS = ("speedup", "improvement", "gpus", "batch")


@dataclass(frozen=True, slots=True)
class CornerCase:
    id: str
    title: str
    when: tuple[str, ...]
    anchor: tuple[str, ...]
    addressed: tuple[str, ...]
    message: str
    question: str
    twist: str | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    id: str
    kind: str
    metric: str
    min: float
    when: tuple[str, ...]
    message: str
    question: str


@dataclass(frozen=True, slots=True)
class RedFlag:
    id: str
    kind: str
    match: tuple[str, ...]
    unless: tuple[str, ...]
    when: tuple[str, ...]
    message: str
    question: str
    absent: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfigChange:
    id: str
    match: tuple[str, ...]
    systems: tuple[str, ...]
    message: str
    question: str


@dataclass(frozen=True, slots=True)
class Twist:
    id: str
    when: tuple[str, ...]
    text: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Persona:
    """A reviewer: the prompt for the Anthropic engine and the rules for the offline one."""

    id: str
    name: str
    title: str
    prompt: str
    source: str
    digest: str
    expertise: str = ""
    version: int = 1
    venues: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    systems: tuple[str, ...] = ()
    topics: dict[str, float] = field(default_factory=dict)
    corner_cases: tuple[CornerCase, ...] = ()
    bars: tuple[Bar, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    config_changes: tuple[ConfigChange, ...] = ()
    twists: tuple[Twist, ...] = ()
    structured: bool = True
    warnings: tuple[str, ...] = ()
    signature: str = ""
    """How objections are signed when not by the name alone (another persona shares it)."""

    @property
    def signed(self) -> str:
        """The name objections carry: "Dr. Kira Vashti (KV cache & GPU memory)" when another
        persona is also called Dr. Kira Vashti, else the name."""
        return self.signature or self.name

    @property
    def label(self) -> str:
        """Name and title: "Dr. Kenji Tanaka (Hardware/training co-design)"."""
        return f"{self.name} ({self.title})"

    @property
    def venue(self) -> str:
        """The venue the persona reviews for, in messages ("{venue}")."""
        return " or ".join(self.venues[:2]) if self.venues else "a top systems venue"

    def terms(self) -> set[str]:
        """Every term any of the persona's rules looks for."""
        found = set(self.topics)
        for case in self.corner_cases:
            found.update(case.when, case.anchor, case.addressed)
        for bar in self.bars:
            found.update(bar.when)
        for flag in self.red_flags:
            found.update(flag.match, flag.unless, flag.when, flag.absent)
        for change in self.config_changes:
            found.update(change.match)
        for twist in self.twists:
            found.update(twist.when, twist.needs)
        return found


@dataclass
class PersonaError(Exception):
    """A persona file that could not be loaded, with where (file, line) and why."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else (
            f"{self.file}: {self.message}")
