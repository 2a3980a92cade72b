"""Command line: `python -m generator <command>`. Thin: parses options, calls the stages, prints."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from generator import __version__
from generator.config import DEFAULT, DEVICES, Settings
from generator.model import ExtractResult
from generator.pipeline.extraction import extract_all, write_report
from generator.progress import progress_bar
from generator.text.filenames import printable_name


def shown_name(text: str) -> str:
    """Text for the terminal: control and bidi-override characters escaped (a file name could hold
    ESC sequences that retitle or clear the terminal); tabs kept as the column separator."""
    return "".join(c if c.isprintable() or c == "\t" else f"\\u{ord(c):04x}" for c in text)


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
    from generator.pipeline.duplicates import merge_duplicates
    from generator.read.discover import discover

    total = len(discover(args.paths, allow_links_outside=settings.allow_links_outside)[0])
    with progress_bar("extracting", total, unit="files") as advance:
        result = merge_duplicates(extract_all(args.paths, settings, progress=advance))
    # By default every file keeps its own records (extraction is judged file by file), the copies
    # marked with `duplicate_of`; --merge-duplicates prints only the copies the site publishes.
    articles = result.articles if args.merge_duplicates else result.every_article()
    records = [a.to_json() for a in articles]
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
    print(f"extracted {len(result.articles) + len(result.merged)} articles from {ok} files"
          + (f" ({len(result.merged)} duplicates of others)" if result.merged else "")
          + f"; {len(result.failed)} rejected", file=sys.stderr)
    return 1 if result.failed else 0


def _settings_for_translation(args: argparse.Namespace, settings: Settings) -> Settings:
    option = lambda name: getattr(args, name, None)  # noqa: E731 - commands without translation options
    names = {"beam_size": "beam_size", "batch_size": "batch_size", "inter_threads": "inter_threads",
             "intra_threads": "intra_threads", "chunk_size": "chunk_size", "max_decoding_length": "max_length",
             "device": "device", "cluster": "cluster"}
    overrides = {k: option(v) for k, v in names.items() if option(v) is not None}
    return replace(settings, translation=replace(settings.translation, **overrides),
                   packages_dir=Path(option("packages_dir")) if option("packages_dir") else settings.packages_dir,
                   translations_dir=Path(option("translations_dir")) if option("translations_dir")
                   else settings.translations_dir)


def _archive_root(paths: list[str], config: str | None, settings: Settings) -> Path:
    """The archive the inputs belong to: the folder of its mkdocs.yml (with seeds/ and translations/).

    `--config` names it; otherwise it is the nearest folder holding mkdocs.yml above the first
    input, else the repository's. The build (generator/pipeline/generate.py) names sources relative to it.
    """
    if config:
        return Path(os.path.abspath(config)).parent
    for given in paths[:1]:
        start = Path(os.path.abspath(given))
        for folder in (start, *start.parents):
            if (folder / "mkdocs.yml").is_file():
                return folder
    return settings.root


def _source_name(given: str, root: Path) -> str:
    """The name the build gives the input `given` however it was typed ("./seeds/x.txt", absolute,
    from another folder): its path relative to the archive root ("seeds/x.txt"); outside the
    archive, its absolute path."""
    path = Path(os.path.abspath(given))
    for candidate, base in ((path, root), (path.parent.resolve() / path.name, root.resolve())):
        if candidate.is_relative_to(base):
            return printable_name(candidate.relative_to(base).as_posix())
    return printable_name(path.as_posix())


def _extract_in_archive(paths: list[str], settings: Settings) -> ExtractResult:
    """Extract `paths`, naming every file as the build does, so that translations, the records'
    `source` and human reviews (translations/reviewed/, named from the source) match the site's."""
    typed = [os.path.abspath(given) for given in paths]
    result = extract_all(typed, settings, archive=settings.root)
    prefixes = sorted(((printable_name(Path(t).as_posix()), _source_name(t, settings.root)) for t in typed),
                      key=lambda item: len(item[0]), reverse=True)

    def rename(shown: str) -> str:  # a source as extraction printed it (filenames.py)
        for prefix, name in prefixes:
            if shown == prefix:
                return name
            folder = prefix.rstrip("/") + "/"
            if shown.startswith(folder):  # a file found under a folder given
                rest = shown[len(folder):]
                return rest if name == "." else f"{name}/{rest}"
        return shown

    for outcome in result.outcomes:
        outcome.source = rename(outcome.source)
    for article in [*result.articles, *result.merged]:
        article.source = rename(article.source)
    return result


def _settings_for_archive(args: argparse.Namespace, paths: list[str], settings: Settings) -> Settings:
    """Settings of the archive holding `paths` (its translations/ folder, its root), then the options."""
    root = _archive_root(paths, getattr(args, "config", None), settings)
    archive = Settings.for_root(root)
    settings = replace(settings, root=root, seeds_dir=archive.seeds_dir, docs_dir=archive.docs_dir,
                       translations_dir=archive.translations_dir, report_path=archive.report_path,
                       manifest_path=archive.manifest_path, corrections_dir=archive.corrections_dir)
    return _settings_for_translation(args, settings)


def cmd_translate(args: argparse.Namespace, settings: Settings) -> int:
    from generator.progress import SentenceProgress
    from generator.translate.argos import INSTALL_HELP, find_package
    from generator.translate.engine import EngineError, translate_articles

    settings = _settings_for_archive(args, args.paths, settings)
    result = _extract_in_archive(args.paths, settings)
    _print_problems(result, args.verbose)
    package = find_package(settings.translation.from_code, settings.translation.to_code, settings.packages_dir)
    if package is None:
        print(INSTALL_HELP, file=sys.stderr)
        if args.require_translation:
            print("error: no translation model installed (--require-translation)", file=sys.stderr)
            return 1
    bar = SentenceProgress("translating", "sentences")
    try:
        stats = translate_articles(result.articles, settings, progress=bar, package=package)
    except EngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    if args.format != "none":
        records = [a.to_json() for a in result.articles]
        if args.format == "jsonl":
            sys.stdout.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        else:
            sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    if args.report:
        write_report(Path(args.report), result, {"translation": stats.as_report()})
    print(f"translated {stats.articles} articles: {stats.sentences} sentences, {stats.translated} translated, "
          f"{stats.cache_hits} cache hits, {stats.pending} pending"
          + (f"; {stats.reviewed} reviewed ({stats.stale_reviews} stale)" if stats.reviewed else ""),
          file=sys.stderr)
    if args.require_translation and stats.pending:
        print(f"error: {stats.pending} sentences left untranslated (--require-translation)", file=sys.stderr)
        return 1
    return 1 if result.failed else 0


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from generator.translate.argos import PackageError, install_package_file, installed_packages, packages_dir

    directory = Path(args.packages_dir) if args.packages_dir else settings.packages_dir
    if args.action == "install":
        try:
            package = install_package_file(Path(args.file), directory)
        except (PackageError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"installed {package.code} {package.version} ({package.from_code}→{package.to_code}) in "
              f"{printable_name(str(package.path))}")
        return 0
    packages = installed_packages(directory)
    if not packages:
        print(f"no Argos packages in {printable_name(str(packages_dir(directory)))}")
    for package in packages:
        print(f"{package.code}\t{package.version}\t{package.from_code}→{package.to_code}\t"
              f"{printable_name(str(package.path))}")
    return 0


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from generator.translate.engine import translate_articles, write_review_template

    # Named as the build names it ("seeds/x.txt"), or the build would not find the review.
    settings = _settings_for_archive(args, [args.source], settings)
    result = _extract_in_archive([args.source], settings)
    chosen = [a for a in result.articles if a.index == args.index]
    if not chosen:
        print(f"error: {printable_name(args.source)}: no article with index {args.index}", file=sys.stderr)
        return 1
    translate_articles(chosen, settings)
    path = write_review_template(chosen[0], settings.translations_dir / "reviewed")
    print(f"edit {printable_name(str(path))}: its English replaces the machine translation on the next build")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from generator.extract.checks import article_doubts, outcome_doubts

    paths = args.paths or [str(settings.seeds_dir)]
    settings = _settings_for_archive(args, paths, settings)
    if args.threshold is not None:
        settings = replace(settings, review_threshold=args.threshold)
    result = _extract_in_archive(paths, settings)
    doubts = [d for o in result.outcomes for d in outcome_doubts(o)]
    doubts += [d for a in result.every_article() for d in article_doubts(a, settings.review_threshold)]
    if args.json:
        for doubt in doubts:
            print(json.dumps(vars(doubt), ensure_ascii=False))
    else:
        for doubt in doubts:
            print(shown_name(doubt.line()))
    for error in result.correction_errors:
        print(f"error: {shown_name(error)}", file=sys.stderr)
    fields = {f: sum(1 for d in doubts if d.field == f) for f in ("title", "date", "publisher", "correction")}
    print(f"{len(result.articles) + len(result.merged)} articles checked (confidence below "
          f"{settings.review_threshold:g} listed): " + ", ".join(f"{n} {f}" for f, n in fields.items())
          + "; fix one with `python -m generator correct FILE --date … --publisher …`", file=sys.stderr)
    return 0


def cmd_correct(args: argparse.Namespace, settings: Settings) -> int:
    import hashlib

    from generator.extract.corrections import CorrectionError, record_correction
    from generator.pipeline.extraction import extract_file

    settings = _settings_for_archive(args, [args.source], settings)
    source = _source_name(args.source, settings.root)
    path = Path(args.source)
    if not path.is_file():
        print(f"error: {shown_name(args.source)}: no such file", file=sys.stderr)
        return 1
    outcome, articles = extract_file(path, source, settings.max_input_bytes)  # as extracted, uncorrected
    article = next((a for a in articles if a.index == args.index), None)
    if article is None:
        print(f"error: {shown_name(source)}: no article with index {args.index}"
              + (f" ({outcome.reason})" if outcome.reason else f" (it has {len(articles)})"), file=sys.stderr)
        return 1
    values: dict[str, str | None] = {k: getattr(args, k) for k in ("title", "date", "time", "publisher")
                                     if getattr(args, k) is not None}
    values.update({k: None for k in ("date", "publisher") if getattr(args, f"no_{k}")})
    drop: list[str] = []
    for number in args.drop_paragraph or []:
        if not 1 <= number <= len(article.paragraphs):
            print(f"error: {shown_name(source)}: no paragraph {number} (the article has "
                  f"{len(article.paragraphs)}; numbered from 1)", file=sys.stderr)
            return 1
        drop.append(article.paragraphs[number - 1])
    if not values and not drop and not args.unset:
        print("error: nothing to correct: give --title, --date, --time, --publisher, --no-date, --no-publisher, "
              "--drop-paragraph or --unset", file=sys.stderr)
        return 2
    with path.open("rb") as stream:
        sha = hashlib.file_digest(stream, "sha256").hexdigest()
    try:
        written = record_correction(settings.corrections_dir, source, sha, args.index, values, drop, args.unset or [])
    except CorrectionError as error:
        print(f"error: {shown_name(str(error))}", file=sys.stderr)
        return 1
    shown = os.path.relpath(written, settings.root) if written.is_relative_to(settings.root) else str(written)
    print(f"{'wrote' if written.exists() else 'removed'} {shown_name(shown)}: applied on every build "
          "(commit it to keep it)")
    return 0


def cmd_train_extractor(args: argparse.Namespace, settings: Settings) -> int:
    from generator.training.train import MODEL_PATH, load_corpora, train

    corpora = load_corpora(Path(args.real)) if args.real else load_corpora()
    if not corpora.real:
        print("warning: no labelled real pages (--real DIR with cases/ and truth/): training on the seeds, "
              "tests/cases and synthetic pages only", file=sys.stderr)
    output = Path(args.output) if args.output else MODEL_PATH
    train(corpora, output)
    print(f"trained on {len(corpora.real)} real and {len(corpora.own)} own labelled pages: {output}")
    return 0


def _mkdocs(args: argparse.Namespace, command: list[str]) -> NoReturn:
    """Become MkDocs (exec): the archive plugin (generator/site/plugin.py) regenerates docs/archive/ first.

    Exec rather than a child process, so signals (Ctrl-C, a supervisor's SIGTERM) and the exit
    status go straight to and from MkDocs, and no orphaned server is left behind.
    """
    import os

    from generator.pipeline.generate import (
        ENV_ALLOW_LINKS_OUTSIDE,
        ENV_PACKAGES_DIR,
        ENV_REQUIRE_TRANSLATION,
        ENV_TRANSLATION,
        ENV_WAIT_LOCK,
    )

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if args.allow_links_outside:
        env[ENV_ALLOW_LINKS_OUTSIDE] = "1"
    if getattr(args, "wait_lock", False):
        env[ENV_WAIT_LOCK] = "1"
    if getattr(args, "require_translation", False):
        env[ENV_REQUIRE_TRANSLATION] = "1"
    if args.packages_dir:
        env[ENV_PACKAGES_DIR] = args.packages_dir
    for name, variable in ENV_TRANSLATION.items():
        if getattr(args, name, None):
            env[variable] = getattr(args, name)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-m", "mkdocs", *command, "-f", args.config], env)


def cmd_build(args: argparse.Namespace, settings: Settings) -> NoReturn:
    _mkdocs(args, ["build", "--strict"] + (["-d", args.site_dir] if args.site_dir else []))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> NoReturn:
    _mkdocs(args, ["serve", "--dev-addr", args.dev_addr])


def _add_translation_options(parser: argparse.ArgumentParser) -> None:
    t = DEFAULT.translation
    parser.add_argument("--beam-size", type=int, help=f"beam search width (default {t.beam_size})")
    parser.add_argument("--batch-size", type=int, help=f"sentences per batch (default {t.batch_size})")
    parser.add_argument("--inter-threads", type=int, help=f"parallel batches (default {t.inter_threads})")
    parser.add_argument("--intra-threads", type=int, help=f"threads per batch (default {t.intra_threads})")
    parser.add_argument("--chunk-size", type=int,
                        help=f"sentences decoded between saves to the translation memory (default {t.chunk_size})")
    parser.add_argument("--max-length", type=int, help=f"longest output in tokens (default {t.max_decoding_length})")
    _add_placement_options(parser)
    parser.add_argument("--packages-dir", metavar="DIR", help="Argos packages folder (default: argostranslate's)")
    parser.add_argument("--translations-dir", metavar="DIR",
                        help="translation memory and reviews (default: translations/)")


def _add_placement_options(parser: argparse.ArgumentParser) -> None:
    """Where sentences are decoded: the device, and a Dask cluster instead of this process."""
    parser.add_argument("--device", choices=DEVICES,
                        help="CTranslate2 device: auto takes CUDA when there is a GPU "
                             f"(default {DEFAULT.translation.device})")
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="decode on a Dask cluster: local:N starts N worker processes here, tcp://HOST:8786 "
                             "uses a running scheduler (needs the cluster extra: pip install -e '.[cluster]')")


LINKS_HELP = ("read files that symbolic links below a folder given lead to outside that folder and the archive "
              "(default: refuse them, each reported with the reason)")
ARCHIVE_HELP = ("mkdocs.yml of the archive the files belong to: sources are named relative to its folder and "
                "its translations/ is used (default: the nearest mkdocs.yml above the first file, else the "
                "repository's)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Turn raw Arabic news articles (text saved from news pages) into a bilingual, searchable "
                    "static archive: extract, translate offline to English, render, build the site.",
        epilog="Start with `python -m generator build` (the site from seeds/ into site/) or "
               "`python -m generator extract seeds/`; `python -m generator COMMAND -h` for a command's options.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show warnings and error details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = sub.add_parser("extract", help="extract article records from raw files or directories")
    extract.add_argument("paths", nargs="+", metavar="PATH", help="files or directories (searched recursively)")
    extract.add_argument("--format", choices=("jsonl", "json"), default="jsonl")
    extract.add_argument("--report", metavar="FILE", help="write a JSON report accounting for every input")
    extract.add_argument("--merge-duplicates", action="store_true",
                         help="print one record per article, as the site publishes it (default: every file's "
                              "records, duplicates marked with duplicate_of)")
    extract.add_argument("--max-bytes", type=int, default=DEFAULT.max_input_bytes,
                         help="refuse input files larger than this (default: %(default)s)")
    extract.add_argument("--jobs", type=int, default=DEFAULT.jobs, help="worker processes")
    extract.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    extract.add_argument("--allow-links-outside", action="store_true", help=LINKS_HELP)
    extract.set_defaults(handler=cmd_extract)

    translate = sub.add_parser("translate", help="extract and translate to English (offline, Argos models)")
    translate.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    translate.add_argument("--format", choices=("jsonl", "json", "none"), default="jsonl")
    translate.add_argument("--report", metavar="FILE", help="write a JSON report with translation counters")
    translate.add_argument("--require-translation", action="store_true",
                           help="fail when no model is installed or any sentence stays untranslated")
    translate.add_argument("--config", metavar="FILE", help=ARCHIVE_HELP)
    _add_translation_options(translate)
    translate.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    translate.add_argument("--allow-links-outside", action="store_true", help=LINKS_HELP)
    translate.set_defaults(handler=cmd_translate)

    models = sub.add_parser("models", help="list or install Argos Translate packages (offline)")
    models_sub = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    install = models_sub.add_parser("install", help="install a .argosmodel file")
    install.add_argument("file", metavar="FILE.argosmodel")
    models_sub.add_parser("list", help="list installed packages")
    for p in (install, models_sub.choices["list"]):
        p.add_argument("--packages-dir", metavar="DIR", help="Argos packages folder (default: argostranslate's)")
    models.set_defaults(handler=cmd_models)

    build = sub.add_parser("build", help="extract, translate, render docs/ and build the site with MkDocs")
    build.add_argument("--config", default=str(DEFAULT.root / "mkdocs.yml"), help="mkdocs.yml to build")
    build.add_argument("--site-dir", help="output folder (default: site/)")
    build.add_argument("--require-translation", action="store_true",
                       help="fail when a sentence has no translation (no model and not in the memory)")
    build.add_argument("--packages-dir", metavar="DIR", help="Argos packages folder (default: argostranslate's)")
    build.add_argument("--wait-lock", action="store_true",
                       help="when another build of the archive is running, wait for it to end (default: refuse "
                            "to start, naming its PID); `serve` always waits")
    build.add_argument("--allow-links-outside", action="store_true", help=LINKS_HELP)
    _add_placement_options(build)
    build.set_defaults(handler=cmd_build)

    serve = sub.add_parser("serve", help="serve the site locally; edits to seeds/ regenerate it live")
    serve.add_argument("--config", default=str(DEFAULT.root / "mkdocs.yml"), help="mkdocs.yml to serve")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT")
    serve.add_argument("--packages-dir", metavar="DIR", help="Argos packages folder (default: argostranslate's)")
    serve.add_argument("--allow-links-outside", action="store_true", help=LINKS_HELP)
    _add_placement_options(serve)
    serve.set_defaults(handler=cmd_serve)

    review = sub.add_parser("review", help="start a human review of one article's English")
    review.add_argument("source", metavar="FILE")
    review.add_argument("--index", type=int, default=0, help="article in the file (default 0)")
    review.add_argument("--config", metavar="FILE", help=ARCHIVE_HELP)
    _add_translation_options(review)
    review.set_defaults(handler=cmd_review)

    check = sub.add_parser("check", help="list extracted fields a person should review (low confidence, missing, "
                                         "stale corrections)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: seeds/)")
    check.add_argument("--threshold", type=float, help=f"list fields below this confidence (default "
                                                       f"{DEFAULT.review_threshold})")
    check.add_argument("--json", action="store_true", help="one JSON object per line")
    check.add_argument("--config", metavar="FILE", help=ARCHIVE_HELP)
    check.set_defaults(handler=cmd_check)

    correct = sub.add_parser("correct", help="correct an article's extracted title, date or publisher "
                                             "(kept in corrections/, applied on every build)")
    correct.add_argument("source", metavar="FILE")
    correct.add_argument("--index", type=int, default=0, help="article in the file (default 0)")
    correct.add_argument("--title")
    correct.add_argument("--date", metavar="YYYY-MM-DD")
    correct.add_argument("--time", metavar="HH:MM")
    correct.add_argument("--publisher")
    correct.add_argument("--no-date", action="store_true", help="the page gives no publication date")
    correct.add_argument("--no-publisher", action="store_true", help="the page names no publisher")
    correct.add_argument("--drop-paragraph", type=int, action="append", metavar="K",
                         help="leave out paragraph K (1 = first, as `extract` lists them); repeatable")
    correct.add_argument("--unset", action="append", choices=("title", "date", "time", "publisher", "paragraphs"),
                         help="remove an earlier correction of this field; repeatable")
    correct.add_argument("--config", metavar="FILE", help=ARCHIVE_HELP)
    correct.set_defaults(handler=cmd_correct)

    trainer = sub.add_parser("train-extractor", help="rebuild the extraction line model from labelled pages")
    trainer.add_argument("--real", metavar="DIR", default=None,
                         help="labelled real pages (cases/*.txt, truth/*.json; default ../shared/devset/real)")
    trainer.add_argument("--output", metavar="FILE", help="model file (default generator/data/line_model.crfsuite)")
    trainer.set_defaults(handler=cmd_train_extractor)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = (("max_input_bytes", getattr(args, "max_bytes", None)), ("jobs", getattr(args, "jobs", None)),
               ("allow_links_outside", getattr(args, "allow_links_outside", None)))
    settings = replace(DEFAULT, **{k: v for k, v in options if v})
    try:
        return args.handler(args, settings)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
