"""The ``skeptic`` command line: check, outline, personas, cache, serve."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from skeptic import __version__

if TYPE_CHECKING:
    import argparse


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
    import argparse

    parser = argparse.ArgumentParser(
        prog="skeptic",
        description="Critique LaTeX research drafts like a skeptical senior systems researcher.",
    )
    parser.add_argument("--version", action="version", version=f"skeptic {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log more (-v info, -vv debug) to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="critique a draft and report the objections")
    _add_project_arguments(check)
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("--engine", choices=("auto", "offline", "anthropic"), default="auto",
                       help="auto: Anthropic when an API key is set, else offline")
    _add_persona_arguments(check)
    check.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                       help="exit 1 when an objection of this severity or worse remains "
                       "(default: %(default)s)")
    check.add_argument("--batch", action="store_true",
                       help="send the Anthropic requests as one Message Batch (half price, "
                       "slower) and poll until it ends; implies --engine anthropic")
    _add_cache_argument(check)
    check.add_argument("--model", default=None, metavar="ID",
                       help="Anthropic model (default: the skeptic.anthropic.model default)")
    check.add_argument("--max-requests", type=int, default=None, metavar="N",
                       help="Anthropic requests this run may send (default: 40)")

    cache = commands.add_parser("cache", help="show or empty the critique cache")
    cache.add_argument("action", choices=("info", "clear"))
    _add_cache_argument(cache)
    cache.add_argument("--format", choices=("text", "json"), default="text")

    outline = commands.add_parser("outline", help="print the document model: sections, "
                                  "sentences and claims")
    _add_project_arguments(outline)
    outline.add_argument("--format", choices=("text", "json"), default="text")

    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP on stdin/stdout "
                       "(the default; accepted because editor clients pass it)")
    serve.add_argument("--tcp", metavar="HOST:PORT", default=None,
                       help="listen on TCP instead, for debugging")
    serve.add_argument("--log-file", type=Path, default=None, help="also log to this file")

    personas = commands.add_parser("personas", help="list the personas (with PATH: their "
                                   "relevance to that draft)")
    personas.add_argument("path", type=Path, nargs="?", default=None)
    personas.add_argument("--personas-dir", type=Path, default=None,
                          help="a folder of extra persona files")
    personas.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _add_persona_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--persona", action="append", default=[], metavar="ID",
                        help="run this persona (repeatable); default: the most relevant")
    parser.add_argument("--personas-dir", type=Path, default=None,
                        help="a folder of extra persona files (Markdown, front matter optional)")
    parser.add_argument("--max-personas", type=int, default=3,
                        help="how many personas run when chosen automatically "
                        "(default: %(default)s)")


def _add_cache_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                        help="keep the caches (critiques, built personas) in DIR "
                        "(default: the user cache folder)")


def _configure_logging(verbosity: int) -> None:
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    logging.basicConfig(stream=sys.stderr, level=level,
                        format="%(levelname)s %(name)s: %(message)s")


def _load(args: argparse.Namespace, path: Path | None = None):
    from skeptic.latex.project import load_from_disk
    from skeptic.latex.roots import find_root

    root = find_root(path or args.path)
    project = load_from_disk(root, getattr(args, "workspace", None) or root.parent,
                             allow_outside=getattr(args, "allow_outside_workspace", False),
                             max_bytes=getattr(args, "max_file_bytes", 2_000_000))
    for problem in project.problems:
        print(f"skeptic: {problem.file}: {problem.message}", file=sys.stderr)
    return project


def _outline(args: argparse.Namespace) -> int:
    from skeptic.report.outline import outline_json, outline_text

    project = _load(args)
    print(outline_json(project) if args.format == "json" else outline_text(project))
    return 0


def _reviewers(args: argparse.Namespace):
    from skeptic.critique.pipeline import load_reviewers
    from skeptic.settings import cache_root

    reviewers = load_reviewers(args.personas_dir,
                               cache_root(str(getattr(args, "cache_dir", None) or "")))
    gc.freeze()  # they live until exit: spare the collector re-scanning them
    for error in reviewers.errors:
        print(f"skeptic: persona not loaded: {error}", file=sys.stderr)
    return reviewers


def _check_settings(args: argparse.Namespace):
    from skeptic.settings import Settings

    engine = "anthropic" if args.batch and args.engine == "auto" else args.engine
    values = {"maxPersonas": max(1, args.max_personas), "engine": engine}
    if args.cache_dir is not None:
        values["cacheDir"] = str(args.cache_dir)
    if args.model:
        values["anthropic.model"] = args.model
    if args.max_requests is not None:
        values["anthropic.maxRequestsPerRun"] = max(1, args.max_requests)
    return Settings(values)


def _check(args: argparse.Namespace) -> int:
    from skeptic.critique.full import critique_offline_run, stays_offline
    from skeptic.latex.roots import find_root
    from skeptic.report.check import check_json, check_sarif, check_text, exit_status

    if args.batch and args.engine == "offline":
        print("skeptic: --batch sends requests to the Anthropic API; it needs --engine "
              "anthropic or auto", file=sys.stderr)
        return 2
    project = _load(args)
    reviewers = _reviewers(args)
    loud = args.batch or args.verbose > 0 or sys.stderr.isatty()

    def progress(message: str) -> None:
        if loud:
            print(f"skeptic: {message}", file=sys.stderr, flush=True)

    settings = _check_settings(args)
    try:
        if stays_offline(settings, None):
            result = critique_offline_run(project, reviewers, settings, pinned=args.persona)
        else:
            import asyncio

            from skeptic.critique.full import critique_full

            result = asyncio.run(critique_full(project, reviewers, settings, api_key=None,
                                               pinned=args.persona, progress=progress,
                                               batch=args.batch))
    except KeyboardInterrupt:
        print("skeptic: interrupted (a submitted batch keeps running; its answers are not "
              "cached)", file=sys.stderr)
        return 130
    for message in result.messages:
        print(f"skeptic: {message}", file=sys.stderr)
    if args.format == "json":
        print(check_json(project, result, result.usage))
    elif args.format == "sarif":
        print(check_sarif(project, result, find_root(args.path).parent))
    else:
        print(check_text(project, result, result.usage))
    return exit_status(result, args.fail_on)


def _cache(args: argparse.Namespace) -> int:
    import json

    from skeptic.critique.cache import CritiqueCache, cache_directory

    with CritiqueCache(cache_directory(str(args.cache_dir or ""))) as cache:
        for warning in cache.warnings:
            print(f"skeptic: {warning}", file=sys.stderr)
        if args.action == "clear":
            print(f"removed {cache.clear()} cached critique(s) from {cache.directory}")
            return 0
        info = cache.info()
    if args.format == "json":
        print(json.dumps({"location": str(info.location), "entries": info.entries,
                          "size": info.size, "limit": info.limit,
                          "moved_aside": [str(p) for p in info.moved_aside]}, indent=1))
        return 0
    print(f"location: {info.location}\nentries:  {info.entries}\n"
          f"size:     {info.size:,} bytes\nlimit:    {info.limit:,} bytes")
    for folder in info.moved_aside:
        print(f"moved aside (unusable, removed by 'skeptic cache clear'): {folder}")
    return 0


def _personas(args: argparse.Namespace) -> int:
    import json

    from skeptic.critique.pipeline import choose
    from skeptic.settings import Settings

    reviewers = _reviewers(args)
    if args.path is None:
        rows = [(p, None, None) for p in reviewers.personas]
    else:
        project = _load(args, args.path)
        choices, messages = choose(reviewers.offline.draft(project), reviewers.personas,
                                   Settings())
        for message in messages:
            print(f"skeptic: {message}", file=sys.stderr)
        rows = [(c.persona, c.score, c.selected) for c in choices]
    if args.format == "json":
        print(json.dumps([
            {"id": p.id, "name": p.name, "title": p.title, "source": p.source,
             "structured": p.structured, "warnings": list(p.warnings),
             **({} if score is None else {"score": score, "selected": selected})}
            for p, score, selected in rows
        ], indent=1, ensure_ascii=False))
        return 0
    for persona, score, selected in rows:
        mark = "" if score is None else f"{'*' if selected else ' '} {score:6.1f}  "
        print(f"{mark}{persona.id:24s} {persona.label}")
        for warning in persona.warnings:
            print(f"{'':10s}warning: {warning}")
    if args.path is not None:
        print("\n* = runs on this draft (score = weighted topic terms the draft mentions)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from skeptic.lsp.server import serve

    if args.log_file is not None:
        handler = logging.FileHandler(args.log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
    return serve(args.tcp)


def _editor_serve(argv: list[str]) -> SimpleNamespace | None:
    """The arguments of ``serve`` as editors start it, known without building the parser
    (which would delay the answer to ``initialize`` by about 10 ms)."""
    if argv not in (["serve"], ["serve", "--stdio"]):
        return None
    return SimpleNamespace(verbose=0, command="serve", stdio=len(argv) == 2, tcp=None,
                           log_file=None)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``skeptic`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = _editor_serve(argv) or _build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        handlers = {"check": _check, "cache": _cache, "outline": _outline,
                    "personas": _personas, "serve": _serve}
        return handlers[args.command](args)
    except FileNotFoundError as error:
        print(f"skeptic: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
