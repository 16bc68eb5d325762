"""The VS Code extension contributes exactly the server's settings (skeptic.settings.SPECS)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skeptic.settings import KINDS, SEVERITIES, SPECS, Spec

MANIFEST = Path(__file__).resolve().parents[2] / "clients" / "vscode" / "package.json"
CLIENT_ONLY = {"skeptic.server.path", "skeptic.trace.server"}
SCOPES = {"user": "machine", "resource": "resource"}


def json_type(default: Any) -> str:
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, float):
        return "number"
    if isinstance(default, list):
        return "array"
    if isinstance(default, dict):
        return "object"
    return "string"


@pytest.fixture(scope="module")
def properties() -> dict[str, dict[str, Any]]:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return manifest["contributes"]["configuration"]["properties"]


def test_exactly_the_server_settings_plus_client_ones(properties: dict[str, Any]) -> None:
    expected = {f"skeptic.{spec.key}" for spec in SPECS} | CLIENT_ONLY
    assert set(properties) == expected


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.key)
def test_setting_matches_spec(properties: dict[str, Any], spec: Spec) -> None:
    prop = properties[f"skeptic.{spec.key}"]
    assert prop["default"] == spec.default
    assert prop["type"] == json_type(spec.default)
    assert prop["description"] == spec.description
    assert prop["scope"] == SCOPES[spec.scope]
    assert prop.get("enum") == ([name for name, _ in spec.enum] or None)
    assert prop.get("enumDescriptions") == ([text for _, text in spec.enum] or None)
    assert prop.get("minimum") == spec.minimum


def test_severity_lists_every_kind_and_severity(properties: dict[str, Any]) -> None:
    severity = properties["skeptic.severity"]
    assert list(severity["properties"]) == list(KINDS)
    for kind in KINDS:
        assert severity["properties"][kind]["enum"] == list(SEVERITIES)
    assert severity["additionalProperties"] is False


def test_settings_ui_follows_the_table_order(properties: dict[str, Any]) -> None:
    server_keys = [key for key in properties if key not in CLIENT_ONLY]
    assert server_keys == [f"skeptic.{spec.key}" for spec in SPECS]
    assert [properties[key]["order"] for key in server_keys] == list(range(len(SPECS)))


def test_client_only_settings(properties: dict[str, Any]) -> None:
    assert properties["skeptic.server.path"]["scope"] == "machine"
    assert properties["skeptic.server.path"]["default"] == ""
    trace = properties["skeptic.trace.server"]
    assert trace["enum"] == ["off", "messages", "verbose"]
    assert trace["default"] == "off"
