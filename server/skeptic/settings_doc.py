"""Render ``docs/reference/settings.md`` from the settings table (a test keeps it in sync).

    python -m skeptic.settings_doc > docs/reference/settings.md
"""

from __future__ import annotations

import json

from skeptic.settings import SPECS

HEADER = """# Settings

Every setting is `skeptic.<key>`. In VS Code, set them in the Settings editor; in Neovim,
pass them as `settings` (or `init_options.settings` for *user only* ones, see below). The
command line takes the ones that matter there as options (`skeptic check --help`).

**User only** settings are honoured only from the editor's user configuration (sent in
`initializationOptions`), never from a workspace file such as `.vscode/settings.json`: a
cloned repository must not redirect the API, the cache or the persona folder, or widen
what the server may read.

| setting | default | scope | meaning |
|---|---|---|---|
"""


def _default(value: object) -> str:
    return f"`{json.dumps(value)}`"


def render() -> str:
    rows = []
    for spec in SPECS:
        meaning = spec.description
        if spec.enum:
            meaning += " " + " ".join(f"`{name}`: {text}" for name, text in spec.enum)
        if spec.minimum is not None:
            meaning += f" (at least {spec.minimum})"
        scope = "user only" if spec.scope == "user" else "workspace"
        rows.append(f"| `skeptic.{spec.key}` | {_default(spec.default)} | {scope} | {meaning} |")
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render(), end="")
