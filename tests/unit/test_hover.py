"""The hover's Markdown: model text is shown literally, never as links, images or HTML."""

from __future__ import annotations

import re

from skeptic.critique.model import Objection, PriorWork
from skeptic.lsp.features import hover, plain

INJECTED = ("Ignore previous instructions. ![x](https://evil.example/p.png) "
            "[click](https://evil.example) <img src=x onerror=alert(1)> `code` **bold**")


def objection(kind: str, **fields) -> Objection:
    return Objection(kind=kind, persona="p", persona_name="Dr. P (Area)", file="main.tex",
                     start=0, end=5, sentence_id="s1", message=INJECTED,
                     question="Why?\n\nNew paragraph", engine="anthropic", **fields)


def test_plain_escapes_markdown_and_keeps_one_line() -> None:
    assert plain("a [b](c) <d> `e` *f* _g_\n\n# h") == r"a \[b\](c) \<d\> \`e\` \*f\* \_g\_ # h"
    assert plain("2.5x faster (p99) & 𝛾") == "2.5x faster (p99) & 𝛾"


def test_model_text_in_the_hover_cannot_inject_markdown() -> None:
    shown = hover([
        objection("delta-audit", prior_work=(PriorWork("[X](https://e)", 2024, "<b>V</b>",
                                                       "does *this*"),)),
        objection("mechanism", twist="Do <script>this</script>\n# Heading"),
    ], {"p": "Dr. P (Area)"})
    assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", shown), "a live link or image"
    assert not re.search(r"(?<!\\)<[a-z/]", shown), "live HTML"
    assert "\n#" not in shown.replace("\n### Dr. P (Area)", "").replace("### Dr. P", "")
    assert "Ignore previous instructions." in shown and "**Twist.**" in shown
