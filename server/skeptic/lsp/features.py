"""Hover, code actions, code lenses and document symbols, from one file's objections."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
from lsprotocol import types

from skeptic.lsp.convert import SOURCE

if TYPE_CHECKING:
    from skeptic.critique.model import Objection
    from skeptic.latex.model import Project
    from skeptic.lsp.documents import Positions

DISMISS = "skeptic._dismiss"
DISMISS_KIND = "skeptic._dismissKind"
CRITIQUE = "skeptic.critique"
_STRESS = ("corner-case", "hidden-baseline", "mechanism", "evidence", "complexity-gain")
_HEADINGS = {"mirror": "Mirror", "delta-audit": "Novelty gap"}
_MARKDOWN = re.compile(r"[\\`*_\[\]<>]")


def plain(text: str) -> str:
    """``text`` shown literally in Markdown, on one line: model output cannot smuggle in
    links, images, HTML, code or emphasis."""
    return _MARKDOWN.sub(r"\\\g<0>", " ".join(str(text).split()))


def hover(objections: Sequence[Objection], labels: dict[str, str]) -> str:
    """The personas' full critique of one sentence, in Markdown (``labels``: persona id →
    name and title). Every text from an objection is escaped (see :func:`plain`)."""
    parts: list[str] = []
    for persona in dict.fromkeys(o.persona for o in objections):
        mine = [o for o in objections if o.persona == persona]
        parts.append(f"### {plain(labels.get(persona, mine[0].persona_name))}")
        for kind in ("mirror", "delta-audit"):
            for o in (o for o in mine if o.kind == kind):
                parts.append(f"**{_HEADINGS[kind]}.** {plain(o.message)}")
                for work in o.prior_work:
                    when = f" ({plain(work.venue)} {work.year})" if work.year else ""
                    what = f": {plain(work.mechanism)}" if work.mechanism else ""
                    parts.append(f"- *{plain(work.name)}*{when}{what}")
                parts.append(f"*{plain(o.question)}*")
        stress = [o for o in mine if o.kind in _STRESS]
        if stress:
            parts.append("**Stress test.**")
            parts.extend(f"- `{o.kind}` {plain(o.message)} *{plain(o.question)}*"
                         for o in stress)
        twist = next((o.twist for o in mine if o.twist), None)
        if twist:
            parts.append(f"**Twist.** {plain(twist)}")
    return "\n\n".join(parts)


def twist_action(uri: str, objection: Objection, text: str, positions: Positions,
                 style: str, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    """"Apply Twist suggestion": an edit that only inserts, after the sentence's paragraph."""
    if not objection.twist:
        return None
    from skeptic.critique.twist import insertion

    at, inserted = insertion(text, objection.end, objection.twist, objection.persona_name,
                             objection.kind, style)
    where = positions.position(at)
    edit = types.TextEdit(range=types.Range(start=where, end=where), new_text=inserted)
    return types.CodeAction(
        title=f"Apply Twist suggestion ({objection.persona_name})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        is_preferred=True,
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def dismiss_actions(uri: str, objection: Objection, diagnostic: types.Diagnostic
                    ) -> list[types.CodeAction]:
    """Dismiss this objection, or this kind in this file (persisted by the server)."""
    return [
        types.CodeAction(
            title="Dismiss this objection", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            command=types.Command(title="Dismiss this objection", command=DISMISS,
                                  arguments=[{"uri": uri, "fingerprint": objection.fingerprint}]),
        ),
        types.CodeAction(
            title=f"Dismiss {objection.kind} objections in this file",
            kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
            command=types.Command(title="Dismiss this kind in this file", command=DISMISS_KIND,
                                  arguments=[{"uri": uri, "kind": objection.kind}]),
        ),
    ]


def told_apart(found: list[tuple[types.CodeAction, Objection]]) -> list[types.CodeAction]:
    """The actions, with repeats of one command dropped and equal titles told apart (by the
    objection's kind, then its first words): a menu never shows two identical entries."""
    kept: list[tuple[types.CodeAction, Objection]] = []
    commands = set()
    for action, objection in found:
        command = action.command and (action.command.command, repr(action.command.arguments))
        if action.edit is None and command in commands:
            continue
        commands.add(command)
        kept.append((action, objection))
    for label in (lambda o: o.kind, lambda o: f"{o.kind}: {' '.join(o.message.split()[:6])}…"):
        counts = Counter(action.title for action, _ in kept)
        kept = [(attrs.evolve(action, title=f"{action.title} [{label(objection)}]")
                 if counts[action.title] > 1 else action, objection)
                for action, objection in kept]
    return [action for action, _ in kept]


def is_ours(diagnostic: types.Diagnostic) -> bool:
    return diagnostic.source == SOURCE and isinstance(diagnostic.data, dict) and bool(
        diagnostic.data.get("fingerprint"))


def _file_sections(project: Project, file: str) -> list[tuple[int, int, int]]:
    """(section index, start, end) of the sections headed in ``file``, end = next heading
    of the same or a higher level in the file (else the end of the file)."""
    own = [(i, s) for i, s in enumerate(project.sections) if s.file == file]
    length = len(project.files[file].text)
    spans = []
    for n, (i, section) in enumerate(own):
        end = next((s.start for _, s in own[n + 1:] if s.depth <= section.depth), length)
        spans.append((i, section.start, end))
    return spans


def lenses(project: Project, file: str, objections: Sequence[Objection],
           positions: Positions, uri: str) -> list[types.CodeLens]:
    """One lens per heading: the objections of its section, counted by kind."""
    found = []
    spans = _file_sections(project, file)
    for n, (i, start, end) in enumerate(spans):
        stop = next((s for _, s, _ in spans[n + 1:] if s > start), end)
        counts = Counter(o.kind for o in objections if start <= o.start < stop)
        title = ("Skeptic: " + " · ".join(f"{c} {k}" for k, c in sorted(counts.items()))
                 if counts else "Skeptic: no objections")
        section = project.sections[i]
        found.append(types.CodeLens(
            range=positions.range(section.start, section.end),
            command=types.Command(title=title, command=CRITIQUE, arguments=[uri])))
    return found


def symbols(project: Project, file: str, positions: Positions) -> list[types.DocumentSymbol]:
    """Sections of ``file`` nested by level, with the claims of their sentences beneath."""
    roots: list[types.DocumentSymbol] = []
    stack: list[tuple[int, types.DocumentSymbol]] = []
    by_section: dict[int | None, list[types.DocumentSymbol]] = {}
    for sentence in project.sentences:
        if sentence.file != file or not sentence.claims:
            continue
        kinds = ", ".join(c.kind for c in sentence.claims)
        name = sentence.text if len(sentence.text) <= 80 else sentence.text[:77] + "..."
        claim = sentence.claims[0]
        by_section.setdefault(sentence.section, []).append(types.DocumentSymbol(
            name=name, detail=kinds, kind=types.SymbolKind.Event,
            range=positions.range(sentence.start, sentence.end),
            selection_range=positions.range(claim.start, claim.end)))
    spans = _file_sections(project, file)
    own = {i for i, _, _ in spans}
    roots.extend(claim for i, claims in by_section.items() if i not in own for claim in claims)
    for i, start, end in spans:
        section = project.sections[i]
        symbol = types.DocumentSymbol(
            name=section.title or section.level, detail=section.level,
            kind=types.SymbolKind.Namespace if section.depth < 2 else types.SymbolKind.Module,
            range=positions.range(start, end),
            selection_range=positions.range(section.start, section.end),
            children=list(by_section.get(i, [])))
        while stack and stack[-1][0] >= section.depth:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(symbol)
        stack.append((section.depth, symbol))
    return roots
