"""Core objects to LSP types: objections and problems to diagnostics."""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from skeptic.critique.model import Objection
from skeptic.latex.model import Problem
from skeptic.lsp.documents import Positions

SOURCE = "skeptic"
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
DOCS = "https://github.com/skeptic-lsp/skeptic/blob/main/docs/reference/objections.md#"


def objection_diagnostic(objection: Objection, positions: Positions,
                         locate: Callable[[str, int, int], types.Location]) -> types.Diagnostic:
    """The diagnostic for an objection; ``locate`` turns (file, start, end) into a Location."""
    related = [
        types.DiagnosticRelatedInformation(location=locate(r.file, r.start, r.end),
                                           message=r.note)
        for r in objection.related
    ]
    return types.Diagnostic(
        range=positions.range(objection.start, objection.end),
        message=f"{objection.persona_name}: {objection.message}\n{objection.question}",
        severity=SEVERITY[objection.severity],
        code=objection.kind,
        code_description=types.CodeDescription(href=DOCS + objection.kind),
        source=SOURCE,
        related_information=related or None,
        data={"fingerprint": objection.fingerprint, "persona": objection.persona,
              "kind": objection.kind},
    )


def problem_diagnostic(problem: Problem, positions: Positions) -> types.Diagnostic:
    """A project problem (missing \\input, unbalanced braces, ...) as a diagnostic."""
    return types.Diagnostic(
        range=positions.range(problem.start, problem.end),
        message=problem.message,
        severity=SEVERITY.get(problem.severity, types.DiagnosticSeverity.Warning),
        code=problem.code,
        source=SOURCE,
    )
