"""Finding a project's root file: ``% !TEX root``, else the file with ``\\documentclass``."""

from __future__ import annotations

import os
import re
from pathlib import Path

from skeptic.latex.files import on_uncommented_line, quick_includes
from skeptic.latex.magic import tex_root

_DOCUMENTCLASS = re.compile(r"\\documentclass")
_PREFERRED = ("main.tex", "paper.tex", "thesis.tex", "report.tex", "proposal.tex")
_HEAD = 65536


def _head(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(_HEAD)
    except OSError:
        return ""


def is_root_text(text: str) -> bool:
    """True when the text declares a document class (outside comments)."""
    return on_uncommented_line(text, _DOCUMENTCLASS, "\\documentclass",
                               min(len(text), _HEAD)) is not None


def magic_root(path: Path, text: str) -> Path | None:
    """The root named by the file's ``% !TEX root`` comment, resolved from its folder."""
    named = tex_root(text)
    return (path.parent / named).resolve() if named else None


def find_root(path: Path) -> Path:
    """The root file for a file or folder the user named."""
    path = path.resolve()
    if path.is_file():
        named = magic_root(path, _head(path))
        return named if named is not None and named.is_file() else path
    candidates = sorted(p for p in path.glob("*.tex") if is_root_text(_head(p)))
    if not candidates:
        candidates = sorted(p for p in path.rglob("*.tex") if is_root_text(_head(p)))
    if not candidates:
        raise FileNotFoundError(f"no .tex file with \\documentclass in {path}")
    for name in _PREFERRED:
        for candidate in candidates:
            if candidate.name == name:
                return candidate
    included = {
        os.path.normpath(candidate.parent / target)
        for candidate in candidates
        for _, target, _ in quick_includes(_head(candidate))
    }
    for candidate in candidates:
        if str(candidate.with_suffix("")) not in included and str(candidate) not in included:
            return candidate
    return candidates[0]
