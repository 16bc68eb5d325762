"""Settings as the editor gives them, and the API key it hands over.

Two sources, merged over the defaults of :mod:`skeptic.settings`:

1. ``initializationOptions.settings``: the user's own configuration, sent by the client
   extension; trusted for every setting.
2. ``workspace/configuration`` (section ``skeptic``): may come from a workspace file of a
   cloned repository, so user-only settings (API base URL, cache and persona folders,
   reading outside the workspace) are ignored there.

The API key comes from ``initializationOptions.apiKey`` or the ``skeptic._setApiKey``
command (the editor's secret storage), else the environment; it is never read from a
file and never logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skeptic.settings import Settings, parse


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass
class ClientConfig:
    """What the client said about settings and keys, and the settings that follow."""

    trusted: Mapping[str, Any] = field(default_factory=dict)
    workspace: Mapping[str, Any] = field(default_factory=dict)
    api_key: str | None = field(default=None, repr=False)
    client: str = ""

    @classmethod
    def from_initialization(cls, options: Any) -> ClientConfig:
        options = _mapping(options)
        key = options.get("apiKey")
        return cls(trusted=_mapping(options.get("settings")),
                   api_key=key if isinstance(key, str) and key.strip() else None,
                   client=str(options.get("client", "")))

    def settings(self) -> tuple[Settings, list[str]]:
        """The merged settings, and one message per problem found in them."""
        user, problems = parse(self.trusted, trusted=True)
        workspace, more = parse(self.workspace, trusted=False)
        return Settings({**user.values, **workspace.values}), problems + more

    def key(self) -> str | None:
        """The API key: from the editor, else ``ANTHROPIC_API_KEY`` in the environment."""
        return self.api_key or os.environ.get("ANTHROPIC_API_KEY") or None
