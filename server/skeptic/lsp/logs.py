"""Logging for the server: secrets redacted everywhere, our records mirrored to the client.

pygls logs whole JSON-RPC payloads at DEBUG level and the ``initialize`` parameters at INFO
level, and those carry the API key when the editor hands one over. Every handler of the
root logger therefore gets a filter that replaces known secrets before a record is written.
"""

from __future__ import annotations

import logging
import os
from typing import Any, ClassVar

from lsprotocol import types

_MASK = "****"
_MIN_SECRET = 8


class Redactor:
    """The secrets to hide, and the function that hides them."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= _MIN_SECRET:
            self.secrets.add(secret)

    def add_environment(self) -> None:
        for variable in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
            self.add(os.environ.get(variable))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, _MASK)
        return text


redact = Redactor()


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback) with every known secret masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if redact.secrets:
            message = record.getMessage()
            record.msg, record.args = redact(message), ()
            if record.exc_info:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def install_redaction() -> None:
    """Add the redacting filter to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


class ClientLogHandler(logging.Handler):
    """Sends ``skeptic.*`` records to the client as ``window/logMessage``."""

    _TYPES: ClassVar[dict[int, types.MessageType]] = {
        logging.ERROR: types.MessageType.Error,
        logging.WARNING: types.MessageType.Warning,
        logging.INFO: types.MessageType.Info,
    }

    def __init__(self, server: Any) -> None:
        super().__init__(logging.INFO)
        self.server = server
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("skeptic"):
            return
        try:
            kind = self._TYPES.get(record.levelno, types.MessageType.Log)
            self.server.window_log_message(types.LogMessageParams(type=kind,
                                                                  message=self.format(record)))
        except Exception:  # logging must never break the server
            self.handleError(record)


def install_log_forwarding(server: Any) -> None:
    """Mirror our log records to the client (once)."""
    logger = logging.getLogger("skeptic")
    if not any(isinstance(h, ClientLogHandler) for h in logger.handlers):
        logger.addHandler(ClientLogHandler(server))
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
