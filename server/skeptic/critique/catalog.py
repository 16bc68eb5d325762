"""The prior-work catalog behind the Delta audit (``data/prior_work.toml``).

Each system lists mechanism terms. A sentence's mechanism is matched against those terms,
not only against names: the more specific a shared term (multi-word, used by few
systems), the more it counts. Users may add systems with a ``prior_work.toml`` in their
personas folder.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from skeptic.critique.model import PriorWork

AREAS = (
    "quantization", "kv-cache", "speculative-decoding", "serving", "distributed-training",
    "parallelism", "sparsity", "attention-kernels", "accelerators", "offloading", "moe",
    "communication", "training-memory", "compilers",
)


@dataclass(frozen=True)
class System:
    name: str
    aliases: tuple[str, ...]
    year: int
    venue: str
    areas: tuple[str, ...]
    terms: tuple[str, ...]
    mechanism: str

    @property
    def area(self) -> str:
        return self.areas[0]

    def prior_work(self) -> PriorWork:
        return PriorWork(self.name, self.year, self.venue, self.mechanism)


@dataclass
class Catalog:
    """All systems, and how much each mechanism term says about a match."""

    systems: list[System]
    digest: str
    weights: dict[str, float] = field(default_factory=dict)
    by_name: dict[str, System] = field(default_factory=dict)
    by_term: dict[str, list[System]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        usage = Counter(term for system in self.systems for term in set(system.terms))
        total = max(len(self.systems), 1)
        for term, count in usage.items():
            specificity = 1.0 + math.log(total / count)
            self.weights[term] = specificity * (1.5 if " " in term or "-" in term else 1.0)
        for system in self.systems:
            for name in (system.name, *system.aliases):
                self.by_name.setdefault(name.lower(), system)
            for term in dict.fromkeys(system.terms):
                self.by_term.setdefault(term, []).append(system)

    def spellings(self) -> dict[str, tuple[str, ...]]:
        """Canonical name → every spelling (for finding names in text)."""
        return {system.name: (system.name, *system.aliases) for system in self.systems}

    def find(self, name: str) -> System | None:
        return self.by_name.get(name.lower())


class CatalogError(ValueError):
    """A catalog file that does not follow the format (with the file and entry)."""


def _system(raw: dict, where: str) -> System:
    try:
        areas = tuple(dict.fromkeys([raw["area"], *raw.get("areas", [])]))
        return System(
            name=str(raw["name"]),
            aliases=tuple(str(a) for a in raw.get("aliases", [])),
            year=int(raw["year"]),
            venue=str(raw["venue"]),
            areas=areas,
            terms=tuple(str(t).lower() for t in raw["terms"]),
            mechanism=str(raw["mechanism"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CatalogError(f"{where}: bad or missing field {error}") from None


def load_catalog(extra: Iterable[Path] = ()) -> Catalog:
    """The bundled catalog plus any user files (entries with a known name replace it)."""
    texts = [("prior_work.toml", resources.files("skeptic.critique").joinpath(
        "data/prior_work.toml").read_text("utf-8"))]
    texts += [(str(path), path.read_text("utf-8")) for path in extra if path.is_file()]
    systems: dict[str, System] = {}
    for name, text in texts:
        try:
            entries = tomllib.loads(text).get("system", [])
        except tomllib.TOMLDecodeError as error:
            raise CatalogError(f"{name}: invalid TOML: {error}") from None
        for index, raw in enumerate(entries):
            system = _system(raw, f"{name}: system #{index + 1}")
            systems[system.name.lower()] = system
    digest = hashlib.sha256("\0".join(text for _, text in texts).encode()).hexdigest()[:16]
    return Catalog(list(systems.values()), digest)
