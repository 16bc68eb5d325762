"""``skeptic serve`` with planted failures, for tests that the server survives its own bugs.

Hover, code lenses and the edit-following of ``didChange`` raise; everything else is the
real server.
"""

from __future__ import annotations

import sys

from skeptic.cli import main
from skeptic.lsp import features
from skeptic.lsp.server import SkepticServer

PLANTED = "planted failure"


def fail(*args: object, **kwargs: object) -> None:
    raise RuntimeError(PLANTED)


def plant() -> None:
    """Make hover, code lenses and edit-following raise (only in the server's process:
    the tests import this module for ``PLANTED``)."""
    features.hover = fail
    features.lenses = fail
    SkepticServer.follow = fail


if __name__ == "__main__":
    plant()
    sys.exit(main(["serve"]))
