"""Where the key and the API address come from, and the SDK client built from them.

The key is the one the editor handed over (from its secret storage), else
``ANTHROPIC_API_KEY`` or ``ANTHROPIC_AUTH_TOKEN`` from the environment: never a file in the
workspace. It is passed to the SDK explicitly, so the SDK never falls back to profiles or
other files of its own. The base URL is the user-level ``anthropic.baseUrl`` setting, else
``ANTHROPIC_BASE_URL`` (as the SDK reads it), else the SDK default.

``anthropic`` is imported only when a client is built: the import alone takes about 1.8 s.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skeptic.settings import Settings

ENV_KEYS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
DEFAULT_BASE_URL = "https://api.anthropic.com"


@dataclass(frozen=True)
class Credential:
    """An API key (or auth token) and where it came from; the secret never prints."""

    secret: str = field(repr=False)
    source: str

    def redact(self, text: str) -> str:
        """``text`` with the secret blanked out, for anything shown or logged."""
        return text.replace(self.secret, "[redacted]") if self.secret else text


def find_credential(api_key: str | None,
                    environ: Mapping[str, str] | None = None) -> Credential | None:
    """The editor's key, else the environment's; None when there is none."""
    if api_key and api_key.strip():
        return Credential(api_key.strip(), "editor")
    environ = os.environ if environ is None else environ
    for name in ENV_KEYS:
        value = environ.get(name, "").strip()
        if value:
            return Credential(value, name)
    return None


def base_url(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    """The user-level setting, else ``ANTHROPIC_BASE_URL``, else the SDK default."""
    environ = os.environ if environ is None else environ
    return (settings["anthropic.baseUrl"].strip() or environ.get("ANTHROPIC_BASE_URL", "").strip()
            or DEFAULT_BASE_URL)


async def make_client(credential: Credential, settings: Settings,
                      http_client: Any = None) -> Any:
    """An ``anthropic.AsyncAnthropic`` with the run's timeout and retries (the SDK is
    imported in a thread, so a server's event loop keeps answering meanwhile)."""
    import asyncio  # here, not above: offline runs never load asyncio

    anthropic = await asyncio.to_thread(importlib.import_module, "anthropic")
    secret = {"auth_token" if credential.source == "ANTHROPIC_AUTH_TOKEN" else "api_key":
              credential.secret}
    return anthropic.AsyncAnthropic(
        **secret,
        base_url=base_url(settings),
        timeout=float(settings["anthropic.timeoutSeconds"]),
        max_retries=int(settings["anthropic.maxRetries"]),
        http_client=http_client,
    )
