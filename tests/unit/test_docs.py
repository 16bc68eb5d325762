"""The user docs stay true: settings table, CLI commands, links between pages."""

from __future__ import annotations

import re
from pathlib import Path

from skeptic.settings_doc import render

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def test_settings_reference_matches_the_settings_table() -> None:
    assert (DOCS / "reference" / "settings.md").read_text() == render(), (
        "regenerate with: python -m skeptic.settings_doc > docs/reference/settings.md")


def test_relative_links_resolve() -> None:
    pages = [REPO / "README.md", *DOCS.rglob("*.md")]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(REPO)} -> {target}"
