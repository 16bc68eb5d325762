"""User settings: one table of every ``skeptic.*`` setting, its default and its meaning.

The table is the single source of truth: the server reads it, ``docs/reference/settings.md``
documents it and the VS Code extension's ``package.json`` contributes it (tests check both).
Keys are camelCase as editors send them; nested keys use dots (``anthropic.model``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = (
    "delta-audit",
    "corner-case",
    "complexity-gain",
    "hidden-baseline",
    "mechanism",
    "evidence",
    "mirror",
)
SEVERITIES = ("error", "warning", "information", "hint", "off")
DEFAULT_SEVERITY = {
    "delta-audit": "warning",
    "corner-case": "information",
    "complexity-gain": "warning",
    "hidden-baseline": "warning",
    "mechanism": "warning",
    "evidence": "warning",
    "mirror": "hint",
}
DEFAULT_MODEL = "claude-sonnet-5-5"


@dataclass(frozen=True)
class Spec:
    """One setting: its key, default, description, allowed values and scope.

    ``scope`` follows VS Code: ``user`` settings may only come from user-level configuration
    (never from a workspace file), ``resource`` settings may differ per folder.
    """

    key: str
    default: Any
    description: str
    enum: tuple[tuple[str, str], ...] = ()
    scope: str = "resource"
    minimum: int | float | None = None


SPECS: tuple[Spec, ...] = (
    Spec(
        "engine",
        "auto",
        "Which critique engine runs on save.",
        enum=(
            ("auto", "Anthropic when an API key is available, otherwise offline."),
            ("offline", "Deterministic persona rules and the prior-work catalog; no network."),
            ("anthropic", "The Anthropic API with the persona prompts (needs a key)."),
        ),
    ),
    Spec(
        "personas",
        [],
        "Persona ids to run. Empty: choose the most relevant personas for the draft.",
    ),
    Spec("maxPersonas", 3, "How many personas run when they are chosen automatically.", minimum=1),
    Spec(
        "personasDir",
        "",
        "A folder of extra persona files (Markdown, with or without TOML front matter).",
        scope="user",
    ),
    Spec(
        "severity",
        dict(DEFAULT_SEVERITY),
        "Severity for each objection kind: error, warning, information, hint or off.",
    ),
    Spec("debounceMs", 300, "Delay after the last edit before offline objections refresh.",
         minimum=0),
    Spec(
        "twistStyle",
        "auto",
        "How 'Apply Twist suggestion' inserts the twist.",
        enum=(
            ("auto", "\\todo{...} when the document loads todonotes, otherwise % comments."),
            ("todo", "Always a \\todo{...} note."),
            ("comment", "Always % comment lines."),
        ),
    ),
    Spec("cacheDir", "", "Cache folder (critiques, built personas). Empty: the user cache "
         "folder.", scope="user"),
    Spec(
        "allowOutsideWorkspace",
        False,
        "Let \\input/\\include read files outside the workspace folder.",
        scope="user",
    ),
    Spec("maxFileBytes", 2_000_000, "Files larger than this are skipped with a message.",
         minimum=1024),
    Spec(
        "dismissalsInProject",
        False,
        "For virtual (e.g. Overleaf Workshop) projects, store dismissals inside the project, "
        "where collaborators see them. Local projects always use .skeptic/dismissed.toml.",
    ),
    Spec("anthropic.model", DEFAULT_MODEL, "Model for the Anthropic engine.", scope="user"),
    Spec("anthropic.maxTokens", 4096, "Output token limit per request.", minimum=256),
    Spec(
        "anthropic.effort",
        "medium",
        "Effort the model spends per request.",
        enum=(
            ("low", "Fastest and cheapest."),
            ("medium", "Balanced."),
            ("high", "Most thorough."),
        ),
    ),
    Spec(
        "anthropic.baseUrl",
        "",
        "API base URL. Empty: ANTHROPIC_BASE_URL or the SDK default. User settings only.",
        scope="user",
    ),
    Spec("anthropic.maxRequestsPerRun", 40, "Requests one critique run may send.", minimum=1),
    Spec(
        "anthropic.maxInputTokensPerRun",
        400_000,
        "Estimated input tokens one critique run may send.",
        minimum=1000,
    ),
    Spec("anthropic.concurrency", 4, "Requests in flight at once.", minimum=1),
    Spec("anthropic.timeoutSeconds", 90, "Timeout of one request.", minimum=1),
    Spec("anthropic.maxRetries", 2, "Retries (with backoff) of a failed request.", minimum=0),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings, with defaults for everything the user did not set."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        if key in self.values:
            return self.values[key]
        return SPEC_BY_KEY[key].default

    def severity(self, kind: str) -> str:
        """Severity for an objection kind (``off`` hides it)."""
        return self["severity"].get(kind, DEFAULT_SEVERITY[kind])

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, values={**self.values, **changes})


def flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Turn ``{"anthropic": {"model": "m"}}`` into ``{"anthropic.model": "m"}``.

    ``severity`` stays a mapping: it is one setting.
    """
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and full not in SPEC_BY_KEY:
            flat.update(flatten(value, f"{full}."))
        else:
            flat[full] = value
    return flat


def parse(raw: Mapping[str, Any] | None, *, trusted: bool = True) -> tuple[Settings, list[str]]:
    """Validate user-supplied settings; return the settings and one message per problem.

    Unknown keys and bad values are reported and replaced by defaults, never raised.
    With ``trusted=False`` (settings that came from a workspace file) ``user``-scoped
    settings are ignored: a cloned repository must not redirect the API or the cache.
    """
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in flatten(raw or {}).items():
        spec = SPEC_BY_KEY.get(key)
        if spec is None:
            problems.append(f"unknown setting skeptic.{key}")
            continue
        if not trusted and spec.scope == "user":
            problems.append(f"skeptic.{key} is ignored in workspace settings (user settings only)")
            continue
        checked = _check(spec, value)
        if isinstance(checked, str) and checked.startswith("!"):
            problems.append(f"skeptic.{key}: {checked[1:]}; using {spec.default!r}")
            continue
        values[key] = checked
    return Settings(values), problems


def _check(spec: Spec, value: Any) -> Any:
    """Return the value to use, or a string starting with ``!`` describing the problem."""
    default = spec.default
    if spec.key == "severity":
        if not isinstance(value, Mapping):
            return "!expected an object of kind: severity"
        merged = dict(DEFAULT_SEVERITY)
        for kind, sev in value.items():
            if kind not in KINDS or sev not in SEVERITIES:
                return f"!bad entry {kind!r}: {sev!r}"
            merged[kind] = sev
        return merged
    if isinstance(default, bool):
        return value if isinstance(value, bool) else "!expected true or false"
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "!expected a number"
        if spec.minimum is not None and value < spec.minimum:
            return f"!must be at least {spec.minimum}"
        return type(default)(value)
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "!expected a list of strings"
        return [v.strip() for v in value if v.strip()]
    if not isinstance(value, str):
        return "!expected a string"
    if spec.enum and value not in {name for name, _ in spec.enum}:
        return f"!expected one of {', '.join(name for name, _ in spec.enum)}"
    return value


def cache_root(setting: str = "") -> Path:
    """Skeptic's cache folder: the ``cacheDir`` setting, or the user cache folder."""
    if setting:
        return Path(setting).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("skeptic", appauthor=False))
