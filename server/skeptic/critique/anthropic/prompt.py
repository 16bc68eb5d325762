"""What the model is sent: the persona and fixed instructions (the cached system prefix),
an outline of the draft, and one section's sentences numbered ``[S1] …``.

Only the draft's own text goes out: sentence texts (math, citations and references already
reduced to placeholders by the scanner) and section titles, never file names or paths.

Token counts are estimated as ``ceil(characters / 3.5)``, a slight over-estimate for English
prose, so budgets err on the safe side and the cached prefix is padded a little past the
model's floor (``PREFIX_MARGIN``) to make sure it really caches.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from skeptic.critique.anthropic.models import cache_floor
from skeptic.critique.catalog import Catalog, System
from skeptic.latex.model import Project, Sentence
from skeptic.latex.sentences import normalize
from skeptic.personas.model import Persona
from skeptic.settings import KINDS

PROMPT_VERSION = "1"
TOOL_NAME = "report_objections"
CHARS_PER_TOKEN = 3.5
PREFIX_MARGIN = 1.25
FRONT_MATTER = "(before the first heading)"
_OUTLINE_CLAIMS = 2
_OUTLINE_CLAIM_CHARS = 220
_CLAIM_ORDER = ("contribution", "novelty", "result", "comparison", "mechanism")

INSTRUCTIONS = f"""\
# Your task

You review one section of a LaTeX research draft at a time. The user message gives an
outline of the whole draft, for context only, and then the section to review, one sentence
a line, each numbered [S1], [S2], ... Placeholders such as [math], [cite] and [ref] stand
for formulas, citations and cross-references that were removed from the text.

Report your objections with the {TOOL_NAME} tool, and only with it. Each objection is
anchored on one numbered sentence of the section under review; never on the outline.

## Kinds of objection (use exactly these names)

- delta-audit: the idea is prior work X, or only a parameter or configuration change of it.
  Name the prior systems in prior_work.
- corner-case: an edge case from your torture test that the draft does not address.
- complexity-gain: the gain is too small for its cost, not quantified, or the cost (kernel
  effort, memory, latency overhead) is not stated.
- hidden-baseline: a weak, de-tuned or mismatched baseline; toy scale; batch size 1 only;
  an apples-to-oranges workload.
- mechanism: a hand-wavy claim with no concrete mechanism ("adaptive", "learned",
  "intelligently", "dynamically optimizes").
- evidence: parity or superiority claimed without the evidence that would show it (curves,
  per-task numbers, seeds, variance).
- mirror: your one-paragraph restatement of the core claim, so the authors can check you
  understood it. At most one, on the sentence that states the main contribution, and only
  when this section contains that sentence.

## Fields of each objection

- kind: one of the kinds above.
- sentence: the number N of the [SN] sentence the objection is about.
- quote: the words of that sentence the objection is about, copied exactly (a short phrase
  is best; never paraphrase, never quote the outline).
- message: one or two sentences in your own voice, concrete: name numbers, systems,
  hardware and the missing experiment.
- question: the one question the authors must answer.
- prior_work: names of prior systems the objection relies on (as they are usually written,
  e.g. "vLLM", "H2O"), or an empty list.
- twist: one constructive suggestion that would make the idea stronger, or null.

## Rules

- Report what a skeptical senior reviewer at a top venue would raise, most important
  first, at most 8 objections for the section. An empty list is a fine answer for a
  section that gives no reason to object.
- At most one objection per sentence and kind.
- Background sentences that describe prior work are not the draft's claims: object to
  them only when they misstate that work.
- Write plain text: no Markdown, no LaTeX.
"""


def estimate_tokens(text: str) -> int:
    """The documented estimate: one token per 3.5 characters, rounded up."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Passage:
    """The live sentences of one section (those before the first heading form their own)."""

    title: str
    sentences: tuple[Sentence, ...]

    def numbered(self) -> str:
        return "\n".join(f"[S{n}] {normalize(s.text)}" for n, s in enumerate(self.sentences, 1))

    def key_text(self) -> str:
        """What identifies the passage for the critique cache: its normalized text."""
        return "\n".join([normalize(self.title), *(normalize(s.text) for s in self.sentences)])


def passages(project: Project, sentences: Iterable[Sentence]) -> list[Passage]:
    """Group ``sentences`` (in document order) by section."""
    groups: dict[int | None, list[Sentence]] = {}
    for sentence in sentences:
        groups.setdefault(sentence.section, []).append(sentence)
    return [Passage(FRONT_MATTER if index is None else project.sections[index].title,
                    tuple(group)) for index, group in groups.items()]


def _main_claims(passage: Passage) -> list[str]:
    ranked = sorted(
        (min(_CLAIM_ORDER.index(k) for k in kinds), n, s.text)
        for n, s in enumerate(passage.sentences)
        if (kinds := s.claim_kinds() & set(_CLAIM_ORDER))
    )[:_OUTLINE_CLAIMS]
    claims = [normalize(text) for _, _, text in sorted(ranked, key=lambda item: item[1])]
    return [c if len(c) <= _OUTLINE_CLAIM_CHARS else c[:_OUTLINE_CLAIM_CHARS - 1] + "…"
            for c in claims]


def outline(project: Project, all_passages: Sequence[Passage]) -> str:
    """Section titles and each section's main claims: the context sent with every section."""
    lines = ["Outline of the whole draft (context only, do not review it):"]
    if project.title:
        lines.append(f"Title: {normalize(project.title)}")
    for passage in all_passages:
        lines.append(f"- {passage.title}")
        lines.extend(f"    * {claim}" for claim in _main_claims(passage))
    return "\n".join(lines)


def section_message(passage: Passage) -> str:
    return (f"Section to review: {passage.title}\n\n{passage.numbered()}\n\n"
            f"Report your objections to this section with the {TOOL_NAME} tool.")


def messages(outline_text: str, passage: Passage,
             cache_control: dict[str, str]) -> list[dict[str, Any]]:
    """One user turn: the outline (a second cache breakpoint, shared by every section of the
    draft), then the numbered section."""
    return [{"role": "user", "content": [
        {"type": "text", "text": outline_text, "cache_control": cache_control},
        {"type": "text", "text": section_message(passage)},
    ]}]


def _tool() -> dict[str, Any]:
    """The forced tool whose input schema is the objection model."""
    objection = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": list(KINDS)},
            "sentence": {"type": "integer", "description": "N of the [SN] sentence"},
            "quote": {"type": "string", "description": "exact words of that sentence"},
            "message": {"type": "string"},
            "question": {"type": "string"},
            "prior_work": {"type": "array", "items": {"type": "string"}},
            "twist": {"type": ["string", "null"]},
        },
        "required": ["kind", "sentence", "quote", "message", "question", "prior_work",
                     "twist"],
        "additionalProperties": False,
    }
    return {
        "name": TOOL_NAME,
        "description": "Report the reviewer's objections to the numbered sentences of the "
                       "section under review.",
        "input_schema": {
            "type": "object",
            "properties": {"objections": {"type": "array", "items": objection}},
            "required": ["objections"],
            "additionalProperties": False,
        },
        "strict": True,
    }


TOOL = _tool()
TOOL_CHOICE = {"type": "tool", "name": TOOL_NAME, "disable_parallel_tool_use": True}


def _entry(system: System) -> str:
    return f"- {system.name} ({system.year}, {system.venue}; {system.area}): {system.mechanism}"


def relevant_systems(persona: Persona, catalog: Catalog) -> list[System]:
    """Catalog systems the persona names, then those of its areas (catalog order)."""
    named = [s for name in persona.systems if (s := catalog.find(name)) is not None]
    in_areas = [s for s in catalog.systems if set(s.areas) & set(persona.areas)]
    return list(dict.fromkeys([*named, *in_areas]))


def _blocks(persona: Persona, instructions: str,
            cache_control: dict[str, str]) -> list[dict[str, Any]]:
    persona_block = [{"type": "text", "text": persona.prompt}] if persona.prompt else []
    return [*persona_block, {"type": "text", "text": instructions, "cache_control": cache_control}]


_CATALOG_HEADING = "\n## Prior work you may cite (name, year, venue; area: mechanism)\n\n"


def prefix_tokens(blocks: Sequence[dict[str, Any]]) -> int:
    """Estimated tokens of the cached prefix (the tool definition and the system blocks)."""
    return estimate_tokens(json.dumps(TOOL) + "".join(b["text"] for b in blocks))


def system_blocks(persona: Persona, catalog: Catalog, model: str,
                  cache_control: dict[str, str]) -> list[dict[str, Any]]:
    """The cached system prefix: the persona's prompt, then the instructions, padded with
    the persona's prior-work catalog entries until the estimated prefix (tool included)
    clears the model's minimum cacheable length; the breakpoint is on the last block."""
    target = cache_floor(model) * PREFIX_MARGIN * CHARS_PER_TOKEN
    chars = len(json.dumps(TOOL)) + len(persona.prompt) + len(INSTRUCTIONS + _CATALOG_HEADING)
    entries: list[str] = []
    for system in relevant_systems(persona, catalog):
        if chars >= target:
            break
        entries.append(_entry(system))
        chars += len(entries[-1]) + 1
    if not entries:
        return _blocks(persona, INSTRUCTIONS, cache_control)
    return _blocks(persona, INSTRUCTIONS + _CATALOG_HEADING + "\n".join(entries) + "\n",
                   cache_control)
