"""Command line: `python -m generator <command>`. Thin: parses options, calls the stages, prints."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from .config import DEFAULT, Settings
from .pipeline import ExtractResult, extract_all, write_report
from .progress import progress_bar


def _print_problems(result: ExtractResult, verbose: bool) -> None:
    for outcome in result.failed:
        print(f"error: {outcome.source}: {outcome.reason}", file=sys.stderr)
        if verbose and outcome.detail:
            print(outcome.detail, file=sys.stderr)
    if verbose:
        for outcome in result.outcomes:
            for warning in outcome.warnings:
                print(f"warning: {outcome.source}: {warning}", file=sys.stderr)


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from .pipeline import discover

    total = len(discover(args.paths)[0])
    with progress_bar("extracting", total, unit="files") as advance:
        result = extract_all(args.paths, settings, progress=advance)
    records = [a.to_json() for a in result.articles]
    out = sys.stdout
    if args.format == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        out.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    if args.report:
        write_report(Path(args.report), result)
    _print_problems(result, args.verbose)
    ok = len(result.outcomes) - len(result.failed)
    print(f"extracted {len(result.articles)} articles from {ok} files; {len(result.failed)} rejected",
          file=sys.stderr)
    return 1 if result.failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show warnings and error details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = sub.add_parser("extract", help="extract article records from raw files or directories")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (searched recursively)")
    extract.add_argument("--format", choices=("jsonl", "json"), default="jsonl")
    extract.add_argument("--report", metavar="FILE", help="write a JSON report accounting for every input")
    extract.add_argument("--max-bytes", type=int, default=DEFAULT.max_input_bytes,
                         help="refuse input files larger than this (default: %(default)s)")
    extract.add_argument("--jobs", type=int, default=DEFAULT.jobs, help="worker processes")
    extract.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    extract.set_defaults(handler=cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = replace(DEFAULT, **{k: v for k, v in (("max_input_bytes", getattr(args, "max_bytes", None)),
                                                     ("jobs", getattr(args, "jobs", None))) if v})
    try:
        return args.handler(args, settings)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
