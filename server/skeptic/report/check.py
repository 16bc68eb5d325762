"""``skeptic check`` reports: readable text, the fixed JSON format, and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from skeptic import __version__
from skeptic.critique.model import Objection
from skeptic.critique.pipeline import Critique
from skeptic.latex.model import Project
from skeptic.report.outline import Positions
from skeptic.settings import KINDS

SEVERITY_RANK = {"error": 0, "warning": 1, "information": 2, "hint": 3}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
_KIND_HELP = {
    "delta-audit": "The idea is prior work, or only a parameter or configuration change of it.",
    "corner-case": "An edge case from the persona's torture test that the draft does not address.",
    "complexity-gain": "A gain too small for its cost, not quantified, or a cost left unstated.",
    "hidden-baseline": "A weak, de-tuned or mismatched baseline, toy scale, or batch size 1 only.",
    "mechanism": "A hand-wavy claim with no concrete mechanism.",
    "evidence": "Parity or superiority claimed without the evidence that would show it.",
    "mirror": "The persona's restatement of the core claim, to check it was understood.",
}


def _diagnostic(objection: Objection, positions: Positions) -> dict[str, Any]:
    return {
        "file": objection.file,
        "range": positions.range(objection.file, objection.start, objection.end),
        "severity": objection.severity,
        "kind": objection.kind,
        "persona": objection.persona,
        "message": objection.message,
        "question": objection.question,
        "prior_work": objection.prior_names,
        "twist": objection.twist,
        "fingerprint": objection.fingerprint,
    }


def check_data(project: Project, result: Critique,
               usage: dict[str, int] | None = None) -> dict[str, Any]:
    """The JSON report as DESIGN.md fixes it (plus ``usage`` when the API was used)."""
    positions = Positions(project)
    data: dict[str, Any] = {
        "version": 1,
        "root": project.root,
        "engine": result.engine,
        "personas": [p.id for p in result.personas],
        "diagnostics": [_diagnostic(o, positions) for o in result.objections],
    }
    if usage is not None:
        data["usage"] = usage
    return data


def check_json(project: Project, result: Critique, usage: dict[str, int] | None = None) -> str:
    return json.dumps(check_data(project, result, usage), ensure_ascii=False, indent=1)


def check_text(project: Project, result: Critique, usage: dict[str, int] | None = None) -> str:
    """Objections grouped by file, each with ``file:line:col``, severity, kind and persona."""
    positions = Positions(project)
    names = {c.persona.id: c.persona for c in result.choices}
    lines: list[str] = []
    for file in project.files:
        mine = [o for o in result.objections if o.file == file]
        if not mine:
            continue
        lines.append(f"{file}")
        for o in mine:
            persona = names.get(o.persona)
            who = persona.label if persona else o.persona_name
            where = positions.line_col(o.file, o.start)
            lines.append(f"  {file}:{where}  {o.severity}  {o.kind}  {who}")
            lines.append(f"      {o.message}")
            lines.append(f"      ? {o.question}")
            if o.prior_work:
                lines.append(f"      prior work: {', '.join(o.prior_names)}")
            if o.twist:
                lines.append(f"      twist: {o.twist}")
        lines.append("")
    counts = Counter(o.severity for o in result.objections)
    summary = ", ".join(f"{counts[s]} {s}" for s in SEVERITY_RANK if counts[s]) or "none"
    personas = ", ".join(p.label for p in result.personas) or "none"
    lines.append(f"{len(result.objections)} objection(s): {summary}")
    lines.append(f"engine: {result.engine}; personas: {personas}")
    if usage is not None:
        lines.append("usage: " + ", ".join(f"{k.replace('_', ' ')} {v:,}"
                                           for k, v in usage.items()))
    return "\n".join(lines)


def check_sarif(project: Project, result: Critique, root_dir: Path) -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts it (UTF-16 columns, 1-based)."""
    positions = Positions(project)
    rules = [
        {
            "id": kind,
            "name": "".join(part.title() for part in kind.split("-")),
            "shortDescription": {"text": _KIND_HELP[kind]},
            "fullDescription": {"text": _KIND_HELP[kind]},
            "help": {"text": _KIND_HELP[kind]},
            "defaultConfiguration": {"level": "note" if kind in ("corner-case", "mirror")
                                     else "warning"},
        }
        for kind in KINDS
    ]

    def location(file: str, start: int, end: int) -> dict[str, Any]:
        r = positions.range(file, start, end)
        return {"physicalLocation": {
            "artifactLocation": {"uri": file, "uriBaseId": "SRCROOT"},
            "region": {"startLine": r["start"]["line"] + 1,
                       "startColumn": r["start"]["character"] + 1,
                       "endLine": r["end"]["line"] + 1,
                       "endColumn": r["end"]["character"] + 1},
        }}

    results = []
    for o in result.objections:
        text = f"{o.persona_name}: {o.message} Question: {o.question}"
        entry: dict[str, Any] = {
            "ruleId": o.kind,
            "ruleIndex": KINDS.index(o.kind),
            "level": _SARIF_LEVEL[o.severity],
            "message": {"text": text},
            "locations": [location(o.file, o.start, o.end)],
            "partialFingerprints": {"skepticFingerprint/v1": o.fingerprint},
            "properties": {"persona": o.persona, "question": o.question,
                           "priorWork": o.prior_names, "twist": o.twist},
        }
        if o.related:
            entry["relatedLocations"] = [
                {"id": n, **location(r.file, r.start, r.end), "message": {"text": r.note}}
                for n, r in enumerate(o.related)
            ]
        results.append(entry)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "skeptic",
                "version": __version__,
                "informationUri": "https://github.com/skeptic-lsp/skeptic",
                "rules": rules,
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_dir.resolve().as_uri() + "/"}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=1)


def exit_status(result: Critique, fail_on: str) -> int:
    """1 when an objection at or above ``fail_on`` severity remains, else 0."""
    if fail_on == "never":
        return 0
    limit = SEVERITY_RANK[fail_on]
    return int(any(SEVERITY_RANK[o.severity] <= limit for o in result.objections))
