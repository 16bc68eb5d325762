"""The ``skeptic`` command line: check, outline, personas, cache, serve."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from skeptic import __version__


def _add_project_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="the root .tex file, any file of the project, "
                        "or a folder")
    parser.add_argument("--workspace", type=Path, default=None,
                        help="never read files outside this folder (default: the root "
                        "file's folder)")
    parser.add_argument("--allow-outside-workspace", action="store_true",
                        help="let \\input read files outside the workspace folder")
    parser.add_argument("--max-file-bytes", type=int, default=2_000_000,
                        help="skip files larger than this (default: %(default)s)")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skeptic",
        description="Critique LaTeX research drafts like a skeptical senior systems researcher.",
    )
    parser.add_argument("--version", action="version", version=f"skeptic {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log more (-v info, -vv debug) to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    outline = commands.add_parser("outline", help="print the document model: sections, "
                                  "sentences and claims")
    _add_project_arguments(outline)
    outline.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _configure_logging(verbosity: int) -> None:
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    logging.basicConfig(stream=sys.stderr, level=level,
                        format="%(levelname)s %(name)s: %(message)s")


def _load(args: argparse.Namespace):
    from skeptic.latex.project import load_from_disk
    from skeptic.latex.roots import find_root

    root = find_root(args.path)
    project = load_from_disk(root, args.workspace or root.parent,
                             allow_outside=args.allow_outside_workspace,
                             max_bytes=args.max_file_bytes)
    for problem in project.problems:
        print(f"skeptic: {problem.file}: {problem.message}", file=sys.stderr)
    return project


def _outline(args: argparse.Namespace) -> int:
    from skeptic.report.outline import outline_json, outline_text

    project = _load(args)
    print(outline_json(project) if args.format == "json" else outline_text(project))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``skeptic`` console script."""
    args = _build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return {"outline": _outline}[args.command](args)
    except FileNotFoundError as error:
        print(f"skeptic: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
