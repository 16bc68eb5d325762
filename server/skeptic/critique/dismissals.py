"""Dismissed objections, kept in a TOML file the co-authors can commit.

``.skeptic/dismissed.toml`` in the workspace folder (for a virtual Overleaf project, a file
in the user's data folder unless they opt in) lists dismissed objections by fingerprint,
which survives edits elsewhere, and kinds dismissed for a whole file.
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from skeptic.critique.model import Objection
from skeptic.critique.pipeline import Dismissals

HEADER = (
    "# Objections dismissed in this project (written by Skeptic).\n"
    "# Commit this file to share the decisions with your co-authors; delete an entry to\n"
    "# bring its objection back.\n"
)


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def parse(text: str) -> Dismissals:
    """Dismissals from the file's text; a damaged file yields none (never raises)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return Dismissals()
    prints = {str(d.get("fingerprint", "")) for d in data.get("dismissed", [])
              if isinstance(d, dict)}
    kinds = {(str(d.get("file", "")), str(d.get("kind", ""))) for d in data.get("kind", [])
             if isinstance(d, dict)}
    return Dismissals(prints - {""}, kinds)


def entry(objection: Objection, sentence: str) -> str:
    """The TOML for one dismissed objection (with the sentence, for the humans)."""
    today = datetime.date.today().isoformat()
    return (
        f"\n[[dismissed]]\nfingerprint = {_string(objection.fingerprint)}\n"
        f"kind = {_string(objection.kind)}\npersona = {_string(objection.persona)}\n"
        f"file = {_string(objection.file)}\nsentence = {_string(sentence[:200])}\n"
        f"date = {_string(today)}\n"
    )


def kind_entry(file: str, kind: str) -> str:
    return f"\n[[kind]]\nfile = {_string(file)}\nkind = {_string(kind)}\n"


@dataclass
class DismissalFile:
    """A dismissals file on disk; every write is atomic (write, then rename)."""

    path: Path

    def read_text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except OSError:
            return ""

    def load(self) -> Dismissals:
        return parse(self.read_text())

    def append(self, toml: str) -> None:
        """Add entries (TOML text) to the file, creating it with its header if needed."""
        text = self.read_text() or HEADER
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".dismissed-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text.rstrip("\n") + "\n" + toml)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
