"""API failures turned into one clear message for the user.

Each failure is described in words (never with the key: every text passes through
``Credential.redact``) and marked fatal when sending more requests would only fail the same
way: a rejected key, a missing model, exhausted retries on a rate limit or an overloaded or
unreachable API, an answer asking to wait too long before retrying. A malformed answer or a
section too large to send only loses that section.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from skeptic.critique.anthropic.client import MAX_RETRY_WAIT, Credential, RetryWaitTooLong
from skeptic.critique.anthropic.validate import MalformedOutput
from skeptic.settings import Settings

_MAX_DETAIL = 200


class BatchItemFailed(Exception):
    """A batch request that came back errored, canceled or expired."""


def _detail(error: Any) -> str:
    """The API's own explanation from an error body, if any."""
    body = getattr(error, "body", None)
    inner = body.get("error") if isinstance(body, dict) else None
    message = inner.get("message") if isinstance(inner, dict) else None
    return f": {message[:_MAX_DETAIL]}" if isinstance(message, str) and message else ""


def _status(error: Any, settings: Settings) -> tuple[str, bool]:
    code = error.status_code
    retries = settings["anthropic.maxRetries"]
    if code == 401:
        return ("the API key was rejected (HTTP 401); set a valid key in ANTHROPIC_API_KEY "
                "or hand it to the editor", True)
    if code == 402:
        return f"the account cannot be billed (HTTP 402){_detail(error)}", True
    if code == 403:
        return f"the key may not use this API or model (HTTP 403){_detail(error)}", True
    if code == 404:
        return (f"model {settings['anthropic.model']!r} was not found (HTTP 404); check "
                "skeptic.anthropic.model", True)
    if code == 413:
        return "a section is too large for one request (HTTP 413)", False
    if code == 429:
        return (f"rate limited (HTTP 429) after {retries} retries; try again later or lower "
                "skeptic.anthropic.concurrency", True)
    if code == 529:
        return f"the API is overloaded (HTTP 529) after {retries} retries; try again later", True
    if code >= 500:
        return f"the API failed (HTTP {code}) after {retries} retries; try again later", True
    return f"the API refused the request (HTTP {code}){_detail(error)}", True


def describe(error: BaseException, settings: Settings, base_url: str) -> tuple[str, bool]:
    """What went wrong, in words, and whether to stop sending."""
    import anthropic
    import httpx2

    if isinstance(error, MalformedOutput | json.JSONDecodeError | RecursionError):
        return f"an answer was not a valid critique ({error})", False
    if isinstance(error, BatchItemFailed):
        return f"a batch request {error}", False
    if isinstance(error, RetryWaitTooLong):
        what = {429: "rate limited (HTTP 429)", 529: "the API is overloaded (HTTP 529)"}.get(
            error.status_code, f"the API failed (HTTP {error.status_code})")
        return (f"{what} and asked to wait {error.seconds:,.0f} s before retrying, longer than "
                f"Skeptic waits ({MAX_RETRY_WAIT:.0f} s); try again later", True)
    if isinstance(error, anthropic.APITimeoutError):
        return (f"a request timed out after {settings['anthropic.timeoutSeconds']} s "
                "(skeptic.anthropic.timeoutSeconds)", True)
    if isinstance(error, anthropic.APIConnectionError):
        cause = error.__cause__
        if cause is None or isinstance(cause, httpx2.ConnectError):
            return f"cannot reach {base_url} (network error)", True
        return (f"the connection to {base_url} broke before an answer was complete (network "
                f"error: {type(cause).__name__})", True)
    if isinstance(error, anthropic.APIStatusError):
        return _status(error, settings)
    if isinstance(error, TypeError) and "authentication" in str(error):
        return "no API key reached the SDK", True
    return f"unexpected error ({type(error).__name__})", True


@dataclass
class Failures:
    """The failures of one run, summed up in a single message."""

    credential: Credential
    settings: Settings
    base_url: str
    described: list[str] = field(default_factory=list)
    failed: int = 0
    unsent: int = 0
    fatal: bool = False

    def add(self, error: BaseException, count: int = 1) -> str:
        """Record a failure of ``count`` requests; return its (redacted) description."""
        text, fatal = describe(error, self.settings, self.base_url)
        text = self.credential.redact(text)
        self.failed += count
        self.fatal = self.fatal or fatal
        if text not in self.described:
            self.described.append(text)
        return text

    def message(self, total: int) -> str | None:
        """One message for the user, or None when every request went through."""
        if not self.described:
            return None
        others = len(self.described) - 1
        more = f" (and {others} other kind(s) of failure, see the log)" if others else ""
        lost = self.failed + self.unsent
        return (f"Anthropic engine: {self.described[0]}{more}. {lost} of {total} request(s) "
                "did not complete; their sections show offline objections only.")
