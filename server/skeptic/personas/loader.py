"""Load persona files: Markdown with optional TOML front matter between ``+++`` lines.

A file with front matter is validated field by field; a problem is reported with the
file and line and the file is skipped, while the other personas still load. A plain
Markdown prompt (no front matter) loads too: its identity comes from the prompt's own
words and its offline rules from what can be derived (systems it names, bars it states).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from skeptic.personas.model import (
    BAR_KINDS,
    BAR_METRICS,
    RED_FLAG_KINDS,
    Bar,
    ConfigChange,
    CornerCase,
    Persona,
    PersonaError,
    RedFlag,
    Twist,
)

_FENCE = "+++"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TOML_LINE = re.compile(r"at line (\d+)")
_NAME = re.compile(r"You are \*\*([^*\n]+?)\*\*")
_HEADING = re.compile(r"(?m)^#+\s*(?:Persona File:?\s*)?(.+?)\s*$")
_EXPERTISE = re.compile(r"Expert in \*\*([^*\n]+?)\*\*")

_TABLES: dict[str, tuple[type, set[str]]] = {
    "corner_cases": (CornerCase, {"id", "when", "message", "question"}),
    "bars": (Bar, {"id", "kind", "metric", "min", "message", "question"}),
    "red_flags": (RedFlag, {"id", "kind", "match", "message", "question"}),
    "config_changes": (ConfigChange, {"id", "match", "systems", "message", "question"}),
    "twists": (Twist, {"id", "when", "text"}),
}
_ALLOWED = {
    ("bars", "kind"): BAR_KINDS,
    ("bars", "metric"): BAR_METRICS,
    ("red_flags", "kind"): RED_FLAG_KINDS,
}


class _Invalid(Exception):
    """A front-matter problem; ``needle`` (then ``key`` after it) locates its line."""

    def __init__(self, message: str, needle: str, key: str = "") -> None:
        super().__init__(message)
        self.needle = needle
        self.key = key


def bundled_folder() -> Path:
    """The personas shipped with Skeptic (inside the wheel, or the checkout's personas/)."""
    packaged = Path(str(resources.files("skeptic.personas").joinpath("bundled")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "personas"


@cache
def _derivation() -> dict[str, Any]:
    text = resources.files("skeptic.personas").joinpath("data/derive.toml").read_text("utf-8")
    return tomllib.loads(text)


def _line_of(text: str, error: _Invalid, first_line: int) -> int:
    index = text.find(error.needle) if error.needle else -1
    if index >= 0 and error.key:
        key = re.compile(rf"(?m)^\s*{re.escape(error.key)}\s*=").search(text, index)
        index = key.start() if key else index
    return first_line + (text.count("\n", 0, index) if index >= 0 else 0)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{where} must be a list of strings", where.rsplit(".", 1)[-1])
    return tuple(v.strip() for v in value if v.strip())


def _strings(value: Any, where: str) -> tuple[str, ...]:
    return tuple(v.lower() for v in _names(value, where))


def _entry(table: str, raw: Any, index: int) -> Any:
    cls, required = _TABLES[table]
    where = f"{table}[{index}]"
    if not isinstance(raw, dict):
        raise _Invalid(f"{where} must be a table", f"[[{table}]]")
    needle = f'"{raw.get("id", "")}"' if raw.get("id") else f"[[{table}]]"
    missing = required - raw.keys()
    if missing:
        raise _Invalid(f"{where} ({raw.get('id', '?')}) lacks {', '.join(sorted(missing))}",
                       needle)
    known = {f.name for f in fields(cls)}
    unknown = raw.keys() - known
    if unknown:
        raise _Invalid(f"{where} ({raw['id']}) has unknown key {sorted(unknown)[0]!r}", needle)
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in raw:
            continue
        value = raw[f.name]
        allowed = _ALLOWED.get((table, f.name))
        if allowed is not None and value not in allowed:
            raise _Invalid(f"{where} ({raw['id']}): {f.name} {value!r} is not one of "
                           f"{', '.join(allowed)}", f'"{value}"')
        if f.name == "min":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _Invalid(f"{where} ({raw['id']}): min must be a number", needle, "min")
            values[f.name] = float(value)
        elif f.name == "systems":
            values[f.name] = _names(value, f"{where}.{f.name}")
        elif f.type.startswith("tuple"):
            values[f.name] = _strings(value, f"{where}.{f.name}")
        elif not isinstance(value, str):
            raise _Invalid(f"{where} ({raw['id']}): {f.name} must be a string", needle, f.name)
        else:
            values[f.name] = value.strip()
    if cls is CornerCase:
        values.setdefault("title", values["id"])
        values.setdefault("anchor", values["when"])
        values.setdefault("addressed", ())
    if cls in (Bar, RedFlag):
        values.setdefault("when", ())
    if cls is RedFlag:
        values.setdefault("unless", ())
    return cls(**values)


def _structured(meta: dict[str, Any], body: str, source: str, digest: str) -> Persona:
    for key in ("id", "name", "title"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise _Invalid(f"front matter needs a string {key!r}", key)
    if not _ID.match(meta["id"]):
        raise _Invalid(f"id {meta['id']!r} must be lowercase letters, digits and dashes", "id")
    topics = meta.get("topics", {})
    if not isinstance(topics, dict) or not all(
        isinstance(w, int | float) and not isinstance(w, bool) for w in topics.values()
    ):
        raise _Invalid("[topics] must map terms to numbers", "[topics]")
    tables = {name: tuple(_entry(name, raw, i) for i, raw in enumerate(meta.get(name, [])))
              for name in _TABLES}
    unknown = meta.keys() - {"id", "name", "title", "expertise", "version", "venues", "areas",
                             "systems", "topics", *_TABLES}
    if unknown:
        raise _Invalid(f"unknown front-matter key {sorted(unknown)[0]!r}", sorted(unknown)[0])
    version = meta.get("version", 1)
    if not isinstance(version, int):
        raise _Invalid("version must be an integer", "version")
    return Persona(
        id=meta["id"],
        name=meta["name"].strip(),
        title=meta["title"].strip(),
        prompt=body.strip(),
        source=source,
        digest=digest,
        expertise=str(meta.get("expertise", "")).strip(),
        version=version,
        venues=_names(meta.get("venues", []), "venues"),
        areas=_strings(meta.get("areas", []), "areas"),
        systems=_names(meta.get("systems", []), "systems"),
        topics={str(term).lower(): float(weight) for term, weight in topics.items()},
        **tables,
    )


def _mentions(lowered: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase.lower())}(?![\w-])", lowered) is not None


def _derived(text: str, path: Path, digest: str, known_systems: Mapping[str, Iterable[str]],
             vocabulary: Mapping[str, float]) -> Persona:
    """A persona from a plain Markdown prompt: identity and rules derived from its words."""
    rules = _derivation()
    name_match = _NAME.search(text) or _HEADING.search(text)
    name = name_match.group(1).strip() if name_match else path.stem
    expertise_match = _EXPERTISE.search(text)
    expertise = expertise_match.group(1).strip() if expertise_match else ""
    lowered = text.lower()
    systems = tuple(system for system, spellings in known_systems.items()
                    if any(_mentions(lowered, s) for s in spellings))
    topics = {term: weight for term, weight in vocabulary.items() if _mentions(lowered, term)}
    topics.update({system.lower(): 2.0 for system in systems})
    bars = []
    for metric, spec in rules["bars"].items():
        m = re.search(spec["pattern"], text, re.IGNORECASE)
        if m:
            value = next(float(g) for g in m.groups() if g)
            bars.append(Bar(f"derived-{metric}", spec["kind"], metric, value,
                            tuple(spec.get("when", ())), spec["message"], spec["question"]))
    warnings = ("plain Markdown persona: offline rules are derived from its text "
                "(add TOML front matter for full offline critiques)",)
    return Persona(
        id=re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "persona",
        name=name,
        title=expertise or "Custom reviewer",
        prompt=text.strip(),
        source=str(path),
        digest=digest,
        expertise=expertise,
        systems=systems,
        topics=topics,
        bars=tuple(bars),
        red_flags=tuple(RedFlag(**flag) for flag in rules["red_flags"]),
        structured=False,
        warnings=warnings,
    )


def _read(path: Path) -> tuple[str, str]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PersonaError(str(path), 0, f"cannot read: {error.strerror}") from None
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff"), hashlib.sha256(raw).hexdigest()


def _front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, str] | None:
    """(parsed front matter, its TOML text, the body), or None for a plain prompt."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        raise PersonaError(str(path), 1, "front matter opened with +++ is never closed") from None
    front = "\n".join(lines[1:end])
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as error:
        m = _TOML_LINE.search(str(error))
        line = int(m.group(1)) + 1 if m else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise PersonaError(str(path), line, f"invalid TOML: {message}") from None
    return meta, front, "\n".join(lines[end + 1:])


def load_file(path: Path, known_systems: Mapping[str, Iterable[str]] | None = None,
              vocabulary: Mapping[str, float] | None = None) -> Persona:
    """Load one persona file; raise PersonaError saying where it is wrong.

    ``known_systems`` (catalog name → spellings) and ``vocabulary`` (topic term → weight)
    are what a plain Markdown persona's rules are derived from.
    """
    text, digest = _read(path)
    parsed = _front_matter(text, path)
    if parsed is None:
        return _derived(text, path, digest, known_systems or {}, vocabulary or {})
    meta, front, body = parsed
    try:
        return _structured(meta, body, str(path), digest)
    except _Invalid as error:
        raise PersonaError(str(path), _line_of(front, error, 2), str(error)) from None


def load_personas(folders: Iterable[Path], known_systems: Mapping[str, Iterable[str]] | None = None
                  ) -> tuple[list[Persona], list[PersonaError]]:
    """Every persona in ``folders`` (``*.md``, sorted); a later file overrides an earlier id.

    Plain Markdown personas draw their topic vocabulary from the structured ones.
    """
    structured: list[Persona] = []
    plain: list[Path] = []
    errors: list[PersonaError] = []
    order: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            errors.append(PersonaError(str(folder), 0, "persona folder does not exist"))
            continue
        order.extend(p for p in sorted(folder.glob("*.md")) if p.name.lower() != "readme.md")
    loaded: dict[Path, Persona] = {}
    for path in order:
        try:
            text, _ = _read(path)
            if _front_matter(text, path) is None:
                plain.append(path)
                continue
            loaded[path] = load_file(path)
            structured.append(loaded[path])
        except PersonaError as error:
            errors.append(error)
    vocabulary: dict[str, float] = {}
    for persona in structured:
        for term, weight in persona.topics.items():
            vocabulary[term] = max(weight, vocabulary.get(term, 0.0))
    for path in plain:
        loaded[path] = load_file(path, known_systems, vocabulary)
    personas: dict[str, Persona] = {}
    for path in order:
        if path in loaded:
            personas[loaded[path].id] = loaded[path]
    return distinct_names(list(personas.values())), errors


def distinct_names(personas: list[Persona]) -> list[Persona]:
    """The personas, those whose name another shares signed with name and title
    ("Dr. Kira Vashti (KV cache & GPU memory)"), so every objection says who raised it."""
    counts = Counter(p.name for p in personas)
    return [replace(p, signature=p.label) if counts[p.name] > 1 else p
            for p in personas]
