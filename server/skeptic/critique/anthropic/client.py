"""Where the key and the API address come from, and the SDK client built from them.

The key is the one the editor handed over (from its secret storage), else
``ANTHROPIC_API_KEY`` or ``ANTHROPIC_AUTH_TOKEN`` from the environment: never a file in the
workspace. It is passed to the SDK explicitly, so the SDK never falls back to profiles or
other files of its own. The base URL is the user-level ``anthropic.baseUrl`` setting, else
``ANTHROPIC_BASE_URL`` (as the SDK reads it), else the SDK default.

The SDK's own timeout bounds each network read, not a request: an answer that trickles in
a few bytes at a time would never time out. So every attempt also runs under a deadline of
``timeoutSeconds`` (a middleware, inside the SDK's retry loop, so a late attempt is retried
like any timeout). The SDK also waits as long as a ``retry-after`` header says, however
long; an answer asking for more than ``MAX_RETRY_WAIT`` seconds ends the request instead.

``anthropic`` is imported only when a client is built: the import alone takes about 1.8 s.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from skeptic.settings import Settings

ENV_KEYS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
DEFAULT_BASE_URL = "https://api.anthropic.com"
MAX_RETRY_WAIT = 60.0


class RetryWaitTooLong(Exception):
    """The API answered with an error and asked to wait longer than ``MAX_RETRY_WAIT``."""

    def __init__(self, status_code: int, seconds: float) -> None:
        super().__init__(f"HTTP {status_code}, retry after {seconds:.0f} s")
        self.status_code = status_code
        self.seconds = seconds


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


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds an answer asks to wait (``retry-after-ms``, else ``retry-after`` in seconds or
    as a date), read as the SDK reads them; None when it does not say."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            return float(headers.get(name, "")) / scale
        except ValueError:
            continue
    from email.utils import mktime_tz, parsedate_tz  # rare, and 15-30 ms to import

    date = parsedate_tz(headers.get("retry-after", ""))
    return None if date is None else mktime_tz(date) - time.time()


def _retried(status: int, headers: Mapping[str, str]) -> bool:
    """Whether the SDK retries an answer with this status (its policy, ``x-should-retry``
    first)."""
    flag = headers.get("x-should-retry")
    if flag in ("true", "false"):
        return flag == "true"
    return status in (408, 409, 429) or status >= 500


def _guard(seconds: float, max_retries: int, address: str, httpx2: Any, anthropic: Any
           ) -> Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]:
    """SDK middleware: a deadline for each attempt, and no retry after a too-long wait."""
    import asyncio

    async def guard(request: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        try:
            async with asyncio.timeout(seconds):
                response = await call_next(request)
        except TimeoutError:
            raise anthropic.APITimeoutError(httpx2.Request(request.method, address)) from None
        retrying = (request.retries_taken < max_retries
                    and _retried(response.status_code, response.headers))
        wait = retry_after(response.headers) if retrying else None
        if wait is not None and wait > MAX_RETRY_WAIT:
            await response.close()
            raise RetryWaitTooLong(response.status_code, wait)
        return response

    return guard


async def make_client(credential: Credential, settings: Settings,
                      http_client: Any = None) -> Any:
    """An ``anthropic.AsyncAnthropic`` with the run's timeout and retries (the SDK is
    imported in a thread, so a server's event loop keeps answering meanwhile)."""
    import asyncio  # here, not above: offline runs never load asyncio

    anthropic = await asyncio.to_thread(importlib.import_module, "anthropic")
    httpx2 = importlib.import_module("httpx2")  # loaded by anthropic
    secret = {"auth_token" if credential.source == "ANTHROPIC_AUTH_TOKEN" else "api_key":
              credential.secret}
    address = base_url(settings)
    timeout = float(settings["anthropic.timeoutSeconds"])
    retries = int(settings["anthropic.maxRetries"])
    return anthropic.AsyncAnthropic(
        **secret,
        base_url=address,
        timeout=timeout,
        max_retries=retries,
        http_client=http_client,
        middleware=[_guard(timeout, retries, address, httpx2, anthropic)],
    )
