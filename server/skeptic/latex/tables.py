"""Lookup tables for the scanner: our command categories plus pylatexenc's symbol tables.

``data/commands.toml`` says what each command means for prose (kept, dropped, a citation,
a heading, ...). Symbols (``\\ldots`` → …) and accents (``\\'e`` → é) come from
pylatexenc's ``latex2text`` tables; argument specs of commands we do not list come from
pylatexenc's ``latexwalker`` tables.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Tables:
    """Everything the scanner looks up, built once per process."""

    category: dict[str, tuple[str, str]]
    """command name → (category, argument spec), from ``commands.toml``."""
    heading_level: dict[str, str]
    placeholders: dict[str, str]
    environments: dict[str, str]
    """environment name → math | skip | float | list | document | abstract."""
    environment_args: dict[str, str]
    symbols: dict[str, str]
    """command name → its text (``ldots`` → "…", ``%`` → "%")."""
    accents: dict[str, str]
    """accent command → combining character (``'`` → U+0301)."""
    fallback_args: dict[str, str]
    """commands pylatexenc knows and renders as no text → their argument spec."""

    def accent(self, command: str, base: str) -> str:
        """``\\'`` + ``e`` → ``é`` (on a longer base, the accent goes on its first character)."""
        if not base:
            return ""
        combined = unicodedata.normalize("NFC", base[0] + self.accents[command])
        return combined + base[1:]


# Control symbols whose meaning for prose differs from pylatexenc's rendering.
_SPACING = {
    "\\": " ",
    " ": " ",
    "\n": " ",
    "\r": " ",
    "\t": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    ">": " ",
    "!": "",
    "@": "",
    "-": "",
    "/": "",
    "%": "%",
    "&": "&",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
}
# pylatexenc renders these to text that is not stable or not prose.
_NOT_SYMBOLS = {"today", "item", "par", "newline", "linebreak"}


@cache
def tables() -> Tables:
    """Build the tables (about 40 ms, once)."""
    from pylatexenc import latex2text, latexwalker
    from pylatexenc.latex2text import _defaultspecs

    raw = tomllib.loads(
        resources.files("skeptic.latex").joinpath("data/commands.toml").read_text("utf-8")
    )
    category: dict[str, tuple[str, str]] = {}
    for name in ("keep", "drop", "cite", "ref", "url", "footnote", "caption", "include",
                 "define", "title", "break"):
        for command, spec in raw[name].items():
            category[command] = (name, spec)
    for command in raw["heading"]:
        category[command] = ("heading", "*[{")
    environments = {
        env: kind
        for kind, names in raw["environments"].items()
        for env in names
    }

    text_db = latex2text.get_default_latex_context_db()
    accents = {name: mark for name, mark in _defaultspecs.unicode_accents_list}
    symbols: dict[str, str] = {}
    for spec in text_db.iter_macro_specs():
        repl = getattr(spec, "simplify_repl", None)
        name = spec.macroname
        usable = isinstance(repl, str) and "%" not in repl
        if usable and name not in _NOT_SYMBOLS and name not in accents:
            symbols[name] = repl.replace("\n", " ")
    symbols.update(_SPACING)

    walker_db = latexwalker.get_default_latex_context_db()
    fallback_args: dict[str, str] = {}
    for spec in walker_db.iter_macro_specs():
        name = spec.macroname
        text_spec = text_db.get_macro_spec(name)
        renders_nothing = text_spec is None or getattr(text_spec, "discard", False)
        if name not in category and name not in accents and renders_nothing:
            fallback_args[name] = spec.args_parser.argspec
    return Tables(
        category=category,
        heading_level=dict(raw["heading"]),
        placeholders=dict(raw["placeholders"]),
        environments=environments,
        environment_args=dict(raw["environment_arguments"]),
        symbols=symbols,
        accents=accents,
        fallback_args=fallback_args,
    )
