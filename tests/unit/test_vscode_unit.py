"""The VS Code extension's own unit tests (node --test), run as part of the suite.

Skipped when Node.js is not installed, unless SKEPTIC_E2E=1 (CI), which makes it a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "clients" / "vscode"


def test_extension_unit_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("SKEPTIC_E2E") == "1":
            pytest.fail("npm is not installed (SKEPTIC_E2E=1)")
        pytest.skip("npm is not installed: the extension's unit tests need Node.js")
    if not (EXTENSION / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=EXTENSION, check=True,
                       capture_output=True, timeout=600)
    result = subprocess.run([npm, "test"], cwd=EXTENSION, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "# fail 0" in result.stdout
