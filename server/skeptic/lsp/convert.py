"""Core objects to LSP diagnostics, built as the JSON that is sent.

lsprotocol objects cost more to build and for pygls's converter to take apart than the
rest of an edit's handling; diagnostics are plain dicts instead, and the message holding
them a :class:`Json`, which the converter passes through untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cattrs import Converter
from lsprotocol import types
from pygls.protocol import default_converter

if TYPE_CHECKING:
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


class Json(dict[str, Any]):
    """A JSON object built by the server, sent as it is."""


def converter() -> Converter:
    """pygls's converter, passing :class:`Json` through."""
    found = default_converter()
    found.register_unstructure_hook(Json, lambda value: value)
    return found


def objection_diagnostic(objection: Objection, positions: Positions,
                         locate: Callable[[str, int, int], dict[str, Any]]) -> dict[str, Any]:
    """The diagnostic for an objection; ``locate`` turns (file, start, end) into a Location."""
    diagnostic = {
        "range": positions.span(objection.start, objection.end),
        "message": f"{objection.persona_name}: {objection.message}\n{objection.question}",
        "severity": SEVERITY[objection.severity],
        "code": objection.kind,
        "codeDescription": {"href": DOCS + objection.kind},
        "source": SOURCE,
        "data": {"fingerprint": objection.fingerprint, "persona": objection.persona,
                 "kind": objection.kind},
    }
    if objection.related:
        diagnostic["relatedInformation"] = [
            {"location": locate(r.file, r.start, r.end), "message": r.note}
            for r in objection.related]
    return diagnostic


def problem_diagnostic(problem: Problem, positions: Positions) -> dict[str, Any]:
    """A project problem (missing \\input, unbalanced braces, ...) as a diagnostic."""
    return {
        "range": positions.span(problem.start, problem.end),
        "message": problem.message,
        "severity": SEVERITY.get(problem.severity, types.DiagnosticSeverity.Warning),
        "code": problem.code,
        "source": SOURCE,
    }
