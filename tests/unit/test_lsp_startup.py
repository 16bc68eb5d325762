"""``skeptic serve`` answers ``initialize`` before it imports the core, the Anthropic SDK
or the command line parser.

The server runs as editors start it (``main(["serve"])`` on stdio, in a fresh process); its
stdout records which modules were loaded when the first message, the ``initialize``
result, was written.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from skeptic.cli import _build_parser, _editor_serve

DEFERRED = ("skeptic.critique", "skeptic.latex", "skeptic.personas", "skeptic.phrases",
            "skeptic.report", "skeptic.lsp.projects", "anthropic", "diskcache", "pylatexenc",
            "argparse")

SPY = r"""
import io, json, sys

class Spy(io.RawIOBase):
    written = b""

    def writable(self):
        return True

    def write(self, data):
        if not self.written:
            sys.stderr.write(json.dumps(sorted(sys.modules)) + "\n")
        self.written += bytes(data)
        return len(data)

spy = Spy()
sys.stdout = io.TextIOWrapper(io.BufferedWriter(spy))
from skeptic.cli import main
main(["serve"])
sys.stderr.write(spy.written.decode() + "\n")
"""


def initialize() -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": None, "capabilities": {},
        "initializationOptions": {"settings": {"engine": "offline"}}}}).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_initialize_is_answered_before_the_core_is_imported() -> None:
    done = subprocess.run([sys.executable, "-c", SPY], input=initialize(),
                          capture_output=True, timeout=60)
    modules_line, answer = done.stderr.decode().split("\n", 1)
    modules = json.loads(modules_line)
    assert '"capabilities"' in answer, done.stderr.decode()
    assert "skeptic.lsp.server" in modules
    early = [m for m in modules if m.startswith(DEFERRED)]
    assert not early, f"imported before answering initialize: {early}"


@pytest.mark.parametrize("argv", [["serve"], ["serve", "--stdio"]])
def test_serve_as_editors_start_it_parses_as_the_parser_would(argv: list[str]) -> None:
    assert vars(_editor_serve(argv)) == vars(_build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["serve", "--tcp", "127.0.0.1:9"], ["-v", "serve"],
                                  ["serve", "--log-file", "x"], ["check", "serve"]])
def test_other_command_lines_go_through_the_parser(argv: list[str]) -> None:
    assert _editor_serve(argv) is None
