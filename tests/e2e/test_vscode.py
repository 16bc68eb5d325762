"""End to end in a real VS Code: code-server with the packaged extension, driven by Playwright.

The round trip opens a multi-file draft, waits for a Skeptic squiggle, finds its row (persona
and kind) in the Problems panel, applies "Apply Twist suggestion" from the Quick Fix menu and
checks the inserted text. Further tests cover a missing server (one error notification), an
Overleaf Workshop project (through a test double serving the overleaf-workshop:// scheme,
so \\input-ed files come through skeptic/readFile), the personas list and the API key
(handed over, never logged). Screenshots go to clients/vscode/test/e2e/screenshots/, which
the README shows.

Prerequisites come from clients/vscode/scripts/setup-e2e.sh (code-server in
$SKEPTIC_E2E_CACHE, Debian's chromium, Playwright). Without them the test is skipped, unless
SKEPTIC_E2E=1, which makes a missing prerequisite a failure (CI sets it after the script).
SKEPTIC_E2E_SERVER overrides the `skeptic` executable (default: the one beside sys.executable).
"""

from __future__ import annotations

import collections
import contextlib
import difflib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "clients" / "vscode"
SCREENSHOTS = EXTENSION / "test" / "e2e" / "screenshots"
FAKE_OVERLEAF = EXTENSION / "test" / "e2e" / "fake-overleaf-workshop"
CACHE = Path(os.environ.get("SKEPTIC_E2E_CACHE", Path.home() / ".cache" / "skeptic-e2e"))
CODE_SERVER = CACHE / "code-server" / "node_modules" / ".bin" / "code-server"
CHROMIUM = Path("/usr/bin/chromium")
DRAFT = REPO / "examples" / "multifile"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SQUIGGLE_CLASS = {
    "error": "squiggly-error",
    "warning": "squiggly-warning",
    "information": "squiggly-info",
    "hint": "squiggly-hint",
}
USER_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "update.mode": "none",
    "editor.minimap.enabled": False,
    "git.enabled": False,
}
TIMEOUT_MS = 30_000


def require(ok: bool, reason: str) -> None:
    """Skip (fail with SKEPTIC_E2E=1) when an editor prerequisite is missing."""
    if ok:
        return
    if os.environ.get("SKEPTIC_E2E") == "1":
        pytest.fail(f"{reason} (SKEPTIC_E2E=1)")
    pytest.skip(f"{reason}; run clients/vscode/scripts/setup-e2e.sh (SKEPTIC_E2E=1 fails instead)")


@dataclass(frozen=True)
class Expected:
    """The objection to look for, as `skeptic check` reports it."""

    file: str
    line: int
    character: int
    severity: str
    persona: str
    kind: str
    twist: str


def server_executable() -> Path:
    override = os.environ.get("SKEPTIC_E2E_SERVER")
    path = Path(override) if override else Path(sys.executable).parent / "skeptic"
    assert path.is_file(), f"no skeptic executable at {path} (pip install -e . into this venv)"
    return path


def run_cli(server: Path, *args: str) -> Any:
    """The JSON a `skeptic` subcommand prints."""
    result = subprocess.run(
        [str(server), *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=server_env(),
    )
    assert result.stdout, (
        f"skeptic {args[0]} printed nothing (rc={result.returncode}): {result.stderr}"
    )
    return json.loads(result.stdout)


def expected_objection(server: Path, draft: Path) -> Expected:
    """An objection with a twist, alone on its line, preferably in an \\input-ed file."""
    diagnostics = run_cli(server, "check", str(draft / "main.tex"), "--engine", "offline")[
        "diagnostics"
    ]
    lines = collections.Counter((d["file"], d["range"]["start"]["line"]) for d in diagnostics)
    candidates = [
        d
        for d in diagnostics
        if d.get("twist")
        and d["severity"] in SQUIGGLE_CLASS
        and lines[d["file"], d["range"]["start"]["line"]] == 1
    ]
    assert candidates, f"skeptic check found no objection with a twist in {draft}"
    chosen = min(candidates, key=lambda d: ("/" not in d["file"], d["severity"] != "warning"))
    names = {p["id"]: p["name"] for p in run_cli(server, "personas", str(draft))}
    start = chosen["range"]["start"]
    return Expected(
        file=chosen["file"],
        line=start["line"],
        character=start["character"],
        severity=chosen["severity"],
        persona=names.get(chosen["persona"], chosen["persona"]),
        kind=chosen["kind"],
        twist=chosen["twist"],
    )


def server_env() -> dict[str, str]:
    """The environment without an API key: the editor must show offline objections."""
    env = dict(os.environ)
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        env.pop(name, None)
    return env


def build_vsix() -> Path:
    """The packaged extension, rebuilt when its sources are newer."""
    version = json.loads((EXTENSION / "package.json").read_text())["version"]
    vsix = EXTENSION / f"skeptic-{version}.vsix"
    sources = [EXTENSION / "package.json", *EXTENSION.glob("src/**/*.ts"), EXTENSION / "README.md"]
    if vsix.is_file() and vsix.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return vsix
    npm = shutil.which("npm")
    require(npm is not None, "npm not found")
    assert npm is not None
    if not (EXTENSION / "node_modules" / ".bin" / "vsce").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=EXTENSION, check=True)
    subprocess.run([npm, "run", "package"], cwd=EXTENSION, check=True)
    assert vsix.is_file(), f"npm run package did not produce {vsix}"
    return vsix


def build_fake_overleaf(out: Path) -> Path:
    """The Overleaf Workshop test double, packaged with the extension's own vsce."""
    vsix = out / "fake-overleaf-workshop.vsix"
    subprocess.run(
        [
            str(EXTENSION / "node_modules" / ".bin" / "vsce"),
            *("package", "--no-dependencies", "--allow-missing-repository", "--skip-license"),
            *("-o", str(vsix)),
        ],
        cwd=FAKE_OVERLEAF,
        check=True,
        capture_output=True,
    )
    return vsix


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stops code-server, then kills what it started (extension host, language servers) so
    that nothing writes into the temporary folder afterwards."""
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"code-server exited: {log.read_text()[-2000:]}"
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"code-server did not answer on {url}: {log.read_text()[-2000:]}")


@dataclass
class Editor:
    url: str
    workspace: Path
    draft: Path
    env: dict[str, str]
    root: Path

    def logs(self) -> str:
        """Tails of the code-server and Skeptic output channel logs, for failure messages."""
        logs = [self.root / "code-server.log", *sorted(self.root.glob("ud/logs/**/*Skeptic*.log"))]
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in logs
            if log.is_file()
        )


@pytest.fixture(scope="module")
def vsix() -> Path:
    """The packaged extension, once the editor prerequisites are known to be there."""
    require(CODE_SERVER.is_file(), f"code-server not installed at {CODE_SERVER}")
    require(CHROMIUM.is_file(), f"chromium not found at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "the playwright package is not installed")
    return build_vsix()


@contextlib.contextmanager
def code_server(
    vsix: Path,
    server_path: str,
    *,
    overleaf: bool = False,
    trace: bool = False,
    settings: dict[str, Any] | None = None,
) -> Iterator[Editor]:
    """An isolated code-server with the extension installed and a copy of the draft open.

    With ``overleaf`` the draft is served as an Overleaf Workshop project instead (through the
    test double) and the workspace folder is empty. With ``trace`` every log level is Trace
    and the protocol is traced verbosely. ``settings`` go to the user settings.
    """
    root = Path(tempfile.mkdtemp(prefix="skeptic-e2e-"))
    env = server_env()
    draft = root / "draft"
    shutil.copytree(DRAFT, draft)
    extensions = [vsix]
    workspace = draft
    if overleaf:
        env["SKEPTIC_E2E_OVERLEAF_ROOT"] = str(draft)
        extensions.append(build_fake_overleaf(root))
        workspace = root / "empty"
        workspace.mkdir()
    for name in ("config", "data", "cache", "state"):
        env[f"XDG_{name.upper()}_HOME"] = str(root / "xdg" / name)
    env["TMPDIR"] = str(root / "tmp")
    (root / "tmp").mkdir()
    (root / "config.yaml").write_text("auth: none\ncert: false\n")
    settings_dir = root / "ud" / "User"
    settings_dir.mkdir(parents=True)
    (settings_dir / "settings.json").write_text(
        json.dumps(
            {
                **USER_SETTINGS,
                "skeptic.server.path": server_path,
                **({"skeptic.trace.server": "verbose"} if trace else {}),
                **(settings or {}),
            },
            indent=2,
        )
    )
    base = [
        str(CODE_SERVER),
        *("--config", str(root / "config.yaml")),
        *("--user-data-dir", str(root / "ud")),
        *("--extensions-dir", str(root / "ext")),
    ]
    for extension in extensions:
        subprocess.run(
            [*base, "--install-extension", str(extension)], env=env, check=True, capture_output=True
        )
    port = free_port()
    log = root / "code-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *base,
                *("--auth", "none", "--bind-addr", f"127.0.0.1:{port}"),
                *(("--log", "trace") if trace else ()),
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                str(workspace),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield Editor(url=url, workspace=workspace, draft=draft, env=env, root=root)
    finally:
        stop_group(process)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def workbench(editor: Editor) -> Iterator[Any]:
    """A Chromium page showing the editor's workbench; on failure, a screenshot and the logs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, env=editor.env
        )
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        try:
            page.goto(f"{editor.url}/?folder={editor.workspace}")
            page.locator(".monaco-workbench").wait_for(timeout=TIMEOUT_MS)
            yield page
        except Exception:
            failure = Path(tempfile.gettempdir()) / "skeptic-e2e-failure.png"
            page.screenshot(path=str(failure))
            print(f"screenshot of the failure: {failure}\n{editor.logs()}")
            raise
        finally:
            browser.close()


def visible_text(page: Any) -> str:
    """The editor's rendered lines (Monaco renders spaces as non-breaking ones)."""
    return page.locator(".monaco-editor .view-lines").first.inner_text().replace("\u00a0", " ")


def open_file(page: Any, relative: str) -> None:
    """Opens a workspace file by clicking through the Explorer tree."""
    *folders, name = relative.split("/")
    for folder in folders:
        row = page.get_by_role("treeitem", name=folder, exact=True)
        row.wait_for(timeout=TIMEOUT_MS)
        if row.get_attribute("aria-expanded") != "true":
            row.click()
    page.get_by_role("treeitem", name=name, exact=True).click()
    page.locator(f'.tab.active[aria-label^="{name}"]').wait_for(timeout=TIMEOUT_MS)


def problem_row(page: Any, expected: Expected) -> Any:
    """The Problems panel row of the expected objection, with the panel filtered to its file
    (the panel's list only renders the rows in view)."""
    from playwright.sync_api import expect

    page.get_by_placeholder(re.compile(r"^Filter \(e\.g\.")).fill(f"**/{expected.file}")
    showing = page.get_by_text(re.compile(r"^Showing \d+ of \d+$")).first
    expect(showing).to_be_visible(timeout=TIMEOUT_MS)
    return (
        page.locator(".markers-panel .monaco-list-row")
        .filter(has_text=expected.persona)
        .filter(has_text=expected.kind)
        .first
    )


def choose_action(page: Any, title: str) -> None:
    """Selects an entry of the open Quick Fix menu with the keyboard (as its pointer block
    swallows synthetic clicks)."""
    focused = page.locator(".action-widget .monaco-list-row.focused")
    for _ in range(10):
        if title in (focused.first.get_attribute("aria-label") or ""):
            page.keyboard.press("Enter")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no {title!r} in the Quick Fix menu")


def run_command(page: Any, title: str) -> None:
    """Runs a command by its title from the Command Palette."""
    page.keyboard.press("F1")
    page.keyboard.type(title)
    page.locator(".quick-input-list .monaco-list-row", has_text=title).first.wait_for(
        timeout=TIMEOUT_MS
    )
    page.keyboard.press("Enter")


def first_word(twist: str) -> str:
    """A distinctive plain word of the twist, to find it again in the edited file."""
    words = re.findall(r"[A-Za-z]{5,}", twist)
    assert words, f"twist has no plain word: {twist!r}"
    return words[0]


def test_round_trip(vsix: Path) -> None:
    from playwright.sync_api import expect

    started = time.monotonic()
    server = server_executable()
    expected = expected_objection(server, DRAFT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with code_server(vsix, str(server)) as editor, workbench(editor) as page:
        target = editor.draft / expected.file
        before = target.read_text(encoding="utf-8")
        open_file(page, "main.tex")
        open_file(page, expected.file)
        squiggle = page.locator(f".monaco-editor .{SQUIGGLE_CLASS[expected.severity]}").first
        squiggle.wait_for(timeout=TIMEOUT_MS)
        status = page.locator(".statusbar-item", has_text="Skeptic").first
        expect(status).to_contain_text(re.compile(r"Skeptic.*· [1-9]"), timeout=TIMEOUT_MS)
        page.screenshot(path=str(SCREENSHOTS / "editor-squiggle.png"))

        status.click()
        expect(problem_row(page, expected)).to_contain_text("skeptic", timeout=TIMEOUT_MS)
        page.screenshot(path=str(SCREENSHOTS / "problems-panel.png"))

        page.keyboard.press("Control+g")
        page.keyboard.type(f"{expected.line + 1}:{expected.character + 1}")
        page.keyboard.press("Enter")
        page.keyboard.press("Control+k")
        page.keyboard.press("Control+i")
        expect(page.locator(".monaco-hover").first).to_contain_text(
            expected.persona, timeout=TIMEOUT_MS
        )
        page.wait_for_timeout(500)  # the hover fades in
        page.screenshot(path=str(SCREENSHOTS / "hover.png"))
        page.keyboard.press("Escape")
        page.keyboard.press("Control+.")
        page.locator(
            ".action-widget .monaco-list-row", has_text="Apply Twist suggestion"
        ).first.wait_for(timeout=TIMEOUT_MS)
        page.screenshot(path=str(SCREENSHOTS / "quick-fix-menu.png"))

        choose_action(page, "Apply Twist suggestion")
        word = first_word(expected.twist)
        expect(page.locator(".monaco-editor .view-lines").first).to_contain_text(
            word, timeout=TIMEOUT_MS
        )
        assert word in visible_text(page)
        page.screenshot(path=str(SCREENSHOTS / "after-twist.png"))

        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 10
        while target.read_text(encoding="utf-8") == before and time.monotonic() < deadline:
            time.sleep(0.1)
        diff = list(
            difflib.ndiff(before.splitlines(), target.read_text(encoding="utf-8").splitlines())
        )

    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert added, "saving after the twist changed nothing on disk"
    assert not [line for line in diff if line.startswith("- ")], "the twist must only insert"
    assert any(word in line for line in added), f"{word!r} not in the inserted lines {added}"
    print(f"e2e round trip: {time.monotonic() - started:.1f} s")


def test_missing_server_is_one_clear_error(vsix: Path) -> None:
    from playwright.sync_api import expect

    missing = "/nonexistent/skeptic"
    with code_server(vsix, missing) as editor, workbench(editor) as page:
        open_file(page, "main.tex")
        toast = page.locator(".notification-toast", has_text="Skeptic could not start")
        expect(toast).to_have_count(1, timeout=TIMEOUT_MS)
        expect(toast).to_contain_text(missing)
        status = page.locator(".statusbar-item", has_text="Skeptic").first
        expect(status.locator(".codicon-error")).to_be_visible(timeout=TIMEOUT_MS)
        page.screenshot(path=str(SCREENSHOTS / "missing-server.png"))
        toast.get_by_role("button", name="Install instructions").click()
        expect(page.locator(".tab", has_text="README")).to_have_count(1, timeout=TIMEOUT_MS)


def test_overleaf_virtual_project(vsix: Path) -> None:
    """A project on the overleaf-workshop:// scheme: the server reads its \\input-ed files
    through the extension (skeptic/readFile), so objections appear on them too."""
    from playwright.sync_api import expect

    server = server_executable()
    expected = expected_objection(server, DRAFT)
    assert "/" in expected.file, "the draft needs an objection in an \\input-ed file"
    with code_server(vsix, str(server), overleaf=True) as editor, workbench(editor) as page:
        page.locator('.tab.active[aria-label^="main.tex"]').wait_for(timeout=TIMEOUT_MS)
        status = page.locator(".statusbar-item", has_text="Skeptic").first
        expect(status).to_contain_text(re.compile(r"Skeptic.*· [1-9]"), timeout=TIMEOUT_MS)
        status.click()
        expect(problem_row(page, expected)).to_be_visible(timeout=TIMEOUT_MS)
        page.screenshot(path=str(SCREENSHOTS / "overleaf-virtual-project.png"))


def test_personas_and_api_key(vsix: Path) -> None:
    """Show Personas lists the server's personas; the API key is handed over, never logged."""
    from playwright.sync_api import expect

    key = "sk-ant-e2e-" + "x7" * 12
    # With a key the server may call the API: point it at a closed local port.
    offline_api = {"skeptic.anthropic.baseUrl": "http://127.0.0.1:9"}
    with code_server(vsix, str(server_executable()), trace=True, settings=offline_api) as editor:
        with workbench(editor) as page:
            open_file(page, "main.tex")
            status = page.locator(".statusbar-item", has_text="Skeptic").first
            expect(status.locator(".codicon-comment-discussion")).to_be_visible(timeout=TIMEOUT_MS)
            run_command(page, "Skeptic: Show Personas")
            picker = page.locator(".quick-input-widget")
            expect(picker).to_contain_text("Skeptic personas", timeout=TIMEOUT_MS)
            expect(picker.locator(".monaco-list-row").first).to_be_visible(timeout=TIMEOUT_MS)
            page.screenshot(path=str(SCREENSHOTS / "personas.png"))
            page.keyboard.press("Escape")

            run_command(page, "Skeptic: Set Anthropic API Key")
            key_box = page.locator(".quick-input-widget input[type=password]")
            key_box.wait_for(timeout=TIMEOUT_MS)
            key_box.fill(key)
            page.keyboard.press("Enter")
            toast = page.locator(".notification-toast", has_text="API key stored")
            expect(toast).to_be_visible(timeout=TIMEOUT_MS)

        logs = sorted(editor.root.glob("ud/logs/**/*.log"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = "\n".join(log.read_text(errors="replace") for log in logs)
            if "skeptic._setApiKey" in text:
                break
            time.sleep(0.2)
            logs = sorted(editor.root.glob("ud/logs/**/*.log"))
        assert "skeptic._setApiKey" in text, f"no traced _setApiKey request\n{editor.logs()}"
        assert key not in text, "the API key reached a log file"
        assert '"***"' in text
        settings = (editor.root / "ud" / "User" / "settings.json").read_text()
        assert key not in settings
