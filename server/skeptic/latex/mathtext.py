"""Render short inline math that reads as prose: ``$2.4\\times$`` → "2.4×", ``$\\gamma=6$`` → "γ=6".

Anything beyond numbers, single-letter variables, Greek letters, comparison operators and
units returns None, and the scanner puts the math placeholder in its place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from skeptic.latex.tables import tables

_TOKEN = re.compile(
    r"\s+|\d+(?:[.,]\d+)*|[A-Za-z](?![A-Za-z])|\\(?:text|mathrm|textrm|mathit|mathsf|mbox)\s*"
    r"\{[A-Za-z/ .%-]*\}|\\[A-Za-z]+|\\[,;:! %]|[=+\-<>/~]|\^(?:\{-?\d+\}|-?\d)|[{}]"
)
_OPERATORS = {
    "times": "×", "cdot": "·", "sim": "~", "approx": "≈", "pm": "±", "le": "≤",
    "leq": "≤", "ge": "≥", "geq": "≥", "ll": "≪", "gg": "≫", "ne": "≠", "neq": "≠",
    "to": "→", "rightarrow": "→", "infty": "∞", "%": "%",
}
_GREEK = frozenset([
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Pi", "Sigma", "Phi", "Psi", "Omega",
])
_MAX_LENGTH = 48


@lru_cache(maxsize=4096)
def math_text(content: str) -> str | None:
    """Prose for simple inline math, or None when it is real mathematics."""
    if len(content) > _MAX_LENGTH:
        return None
    out: list[str] = []
    pos = 0
    symbols = tables().symbols
    while pos < len(content):
        m = _TOKEN.match(content, pos)
        if m is None:
            return None
        token = m.group()
        pos = m.end()
        if token[0].isspace() or token in ("{", "}"):
            out.append(" " if token[0].isspace() else "")
        elif token.startswith("^"):
            out.append("^" + token.strip("^{}"))
        elif token.startswith("\\") and "{" in token:
            out.append(token[token.index("{") + 1:-1])
        elif token.startswith("\\"):
            name = token[1:]
            if name in (",", ";", ":", " ", "!"):
                out.append(" " if name != "!" else "")
            elif name in _OPERATORS:
                out.append(_OPERATORS[name])
            elif name in _GREEK:
                out.append(symbols.get(name, name))
            else:
                return None
        else:
            out.append(token)
    text = "".join(out).strip()
    return text or None
