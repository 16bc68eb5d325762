"""The critique pipeline: directives, severities, golden output and report formats."""

from __future__ import annotations

import json
import os
from pathlib import Path

from skeptic.critique.pipeline import Dismissals, critique_offline
from skeptic.latex.project import load_from_disk
from skeptic.report.check import check_data, check_sarif, exit_status
from skeptic.settings import KINDS, Settings
from tests.conftest import EXAMPLES, critique, project_from

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "multifile-check.json"


def test_directives_disable_kinds_and_regions(reviewers) -> None:
    body = ("% skeptic: disable = mirror\nWe propose \\sys{}, which adaptively evicts tokens.\n"
            "% skeptic: off\nWe compare against PyTorch eager mode.\n% skeptic: on\n"
            "% skeptic: ignore-next-line\nOur allocator intelligently places blocks.\n"
            "Our runtime smartly schedules transfers.")
    found, _ = critique(reviewers, body, ["kv-cache-memory"])
    kinds = {k for k, _ in found}
    assert "mirror" not in kinds
    texts = {t for _, t in found}
    assert not any("PyTorch eager" in t or "intelligently" in t for t in texts)
    assert any("smartly" in t for t in texts)


def test_severity_settings_and_off(reviewers) -> None:
    body = "We propose \\sys{}, which adaptively evicts tokens. We compare against PyTorch eager."
    _, result = critique(reviewers, body, ["kv-cache-memory"],
                         severity={"mechanism": "error", "hidden-baseline": "off"})
    severities = {o.kind: o.severity for o in result.objections}
    assert severities.get("mechanism") == "error"
    assert "hidden-baseline" not in severities
    assert exit_status(result, "error") == 1 and exit_status(result, "never") == 0


def test_dismissals_by_fingerprint_and_kind(reviewers) -> None:
    text = ("\\begin{document}\nWe propose TierKV, which adaptively evicts tokens.\n"
            "We compare against PyTorch eager.\n\\end{document}")
    project = project_from({"main.tex": text})
    first = critique_offline(project, reviewers, Settings(), pinned=["kv-cache-memory"])
    target = first.objections[0]
    again = critique_offline(project, reviewers, Settings(), pinned=["kv-cache-memory"],
                             dismissed=Dismissals({target.fingerprint}))
    assert target.fingerprint not in {o.fingerprint for o in again.objections}
    by_kind = critique_offline(project, reviewers, Settings(), pinned=["kv-cache-memory"],
                               dismissed=Dismissals(kinds={("main.tex", "hidden-baseline")}))
    assert "hidden-baseline" not in {o.kind for o in by_kind.objections}


def test_fingerprints_survive_edits_elsewhere(reviewers) -> None:
    base = ("\\begin{document}\nWe propose TierKV, which adaptively evicts tokens.\n"
            "We compare against PyTorch eager.\n\\end{document}")
    edited = base.replace("\\begin{document}\n", "\\begin{document}\nA new first line here.\n")
    prints = [
        {o.fingerprint for o in critique_offline(project_from({"main.tex": t}), reviewers,
                                                 Settings(), pinned=["kv-cache-memory"]).objections
         if "eager" in o.message.lower() or o.kind == "mechanism"}
        for t in (base, edited)
    ]
    assert prints[0] and prints[0] <= prints[1]


def test_golden_json_for_the_bundled_example(reviewers) -> None:
    project = load_from_disk(EXAMPLES / "multifile" / "main.tex")
    data = check_data(project, critique_offline(project, reviewers, Settings()))
    if os.environ.get("SKEPTIC_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    assert data == json.loads(GOLDEN.read_text()), (
        "output changed; if intended, rerun with SKEPTIC_UPDATE_GOLDEN=1 and review the diff")


def test_sarif_shape(reviewers) -> None:
    project = load_from_disk(EXAMPLES / "multifile" / "main.tex")
    result = critique_offline(project, reviewers, Settings())
    sarif = json.loads(check_sarif(project, result, EXAMPLES / "multifile"))
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "skeptic" and [r["id"] for r in driver["rules"]] == list(KINDS)
    assert run["results"] and len(run["results"]) == len(result.objections)
    for entry in run["results"]:
        assert entry["ruleId"] in KINDS
        assert driver["rules"][entry["ruleIndex"]]["id"] == entry["ruleId"]
        assert entry["level"] in ("error", "warning", "note", "none")
        assert entry["message"]["text"]
        region = entry["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"],
                                                            region["startColumn"])
        artifact = entry["locations"][0]["physicalLocation"]["artifactLocation"]
        assert not artifact["uri"].startswith("/")
        assert artifact["uriBaseId"] in run["originalUriBaseIds"]
        assert entry["partialFingerprints"]
