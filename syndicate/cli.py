"""The `syndicate` command: parses arguments, calls the library, maps errors to exit codes.

Exit codes: 0 ok, 1 nothing published, 2 usage or config error, 3 published but some records
were rejected. Quiet on success (cron mails whatever a job prints); errors go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import EXIT_FAILED, EXIT_OK, SyndicateError, UsageError, rejection_lines
from .progress import Progress
from .report import BuildReport, FileResult

if TYPE_CHECKING:
    from .config import Config

DEFAULT_CONFIG = "config/site.yaml"
SHARE_FORMATS = ("json", "head", "buttons")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syndicate",
        description="Publish a news site's RSS 2.0, Atom 1.0 and JSON Feed files from its "
                    "article records.",
        epilog="Example: syndicate build --config config/site.yaml",
    )
    parser.add_argument("--version", action="version", version=f"syndicate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    build_cmd = _command(commands, "build", _build)
    _site_options(build_cmd, output=True)
    build_cmd.add_argument("--strict", action="store_true",
                           help="fail and write nothing when any record is rejected")
    build_cmd.add_argument("--full", action="store_true",
                           help="read every source again (every WordPress post), re-render "
                                "every file, and compare the s3 bucket with the folder")
    build_cmd.add_argument("--allow-shrink", action="store_true",
                           help="publish feeds even when they lose more than half of their "
                                "items")
    build_cmd.add_argument("--jobs", metavar="N", type=_jobs,
                           help="processes that render article files (default: the config's "
                                "output.jobs, else one per core)")
    loudness = build_cmd.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true",
                          help="print a line per file: written or unchanged, and item counts")
    loudness.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    _site_options(_command(commands, "status", _status), output=True)
    sync_cmd = _command(commands, "sync", _sync)
    _site_options(sync_cmd, output=False)
    sync_cmd.add_argument("-v", "--verbose", action="store_true",
                          help="say how many files were put and objects deleted")
    share_cmd = _command(commands, "share", _share)
    share_cmd.add_argument("article", metavar="ID-or-URL", help="the article's id or its URL")
    _site_options(share_cmd, output=False)
    share_cmd.add_argument("--format", choices=SHARE_FORMATS, default="json",
                           help="json: the whole payload (default); head: the <head> fragment; "
                                "buttons: the share buttons' HTML")
    check_cmd = _command(commands, "check", _check)
    check_cmd.add_argument("folder", metavar="DIR", nargs="?", type=Path,
                           help="the folder (default: the config's output.dir)")
    _site_options(check_cmd, output=False)
    check_cmd.add_argument("-q", "--quiet", action="store_true",
                           help="print errors only, not warnings or the summary")
    preview_cmd = _command(commands, "preview", _preview)
    preview_cmd.add_argument("ids", metavar="ID", nargs="*",
                             help="the articles to show (default: the site feed's articles)")
    _site_options(preview_cmd, output=False)
    preview_cmd.add_argument("--output", metavar="DIR", type=Path,
                             help="where to write index.html (default: <output.dir>-preview "
                                  "beside the feeds folder)")
    serve_cmd = _command(commands, "serve", _serve)
    _site_options(serve_cmd, output=True)
    serve_cmd.add_argument("--port", type=int, default=8000,
                           help="the port on 127.0.0.1 (default: 8000)")
    init_cmd = _command(commands, "init", _init)
    init_cmd.add_argument("folder", metavar="FOLDER", nargs="?", type=Path, default=Path("."),
                          help="the new site's folder, made when missing (default: the "
                               "current folder)")
    origin = init_cmd.add_mutually_exclusive_group()
    origin.add_argument("--from", dest="records", metavar="RECORDS_FILE", type=Path,
                        help="propose fields: and categories: from an export (JSON array, "
                             "JSON Lines or YAML), which the source then reads")
    origin.add_argument("--wordpress", metavar="URL",
                        help="propose the site and its categories from a WordPress site's "
                             "REST API, which the source then reads")
    return parser


def _command(commands: Any, name: str, handler: Callable[[argparse.Namespace], int]
             ) -> argparse.ArgumentParser:
    """A subcommand whose help, description and example are its handler's docstring: the
    first line, the middle paragraphs and the last."""
    first, *middle, example = [" ".join(paragraph.split())
                               for paragraph in (handler.__doc__ or "").split("\n\n")]
    command: argparse.ArgumentParser = commands.add_parser(
        name, help=first, description=" ".join(middle), epilog=example)
    command.set_defaults(handler=handler)
    return command


def _site_options(command: argparse.ArgumentParser, *, output: bool) -> None:
    """--config (and --output), spelled alike on every command."""
    command.add_argument("--config", default=DEFAULT_CONFIG, metavar="PATH",
                         help=f"the site configuration (default: {DEFAULT_CONFIG})")
    if output:
        command.add_argument("--output", metavar="DIR", type=Path,
                             help="the output folder instead of the config's output.dir")


def load_config(path: str) -> Config:
    """config.load_config, imported on first use: a build with nothing to do reads no YAML."""
    from .config import load_config as load

    return load(path)


def _jobs(value: str) -> int:
    """--jobs: a whole number from 1 to 256."""
    if not value.isdigit() or not 1 <= int(value) <= 256:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 256, found {value!r}")
    return int(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    args = _parser().parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SyndicateError as exc:  # every error a user can cause: its lines and its exit code
        for line in exc.lines():
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("syndicate: interrupted; files already published are intact", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug: one line for cron mail, the traceback on request
        if os.environ.get("SYNDICATE_DEBUG"):
            raise
        print(f"syndicate: internal error: {type(exc).__name__}: {exc} (set SYNDICATE_DEBUG=1 "
              "for the traceback); files already published are intact", file=sys.stderr)
        return EXIT_FAILED


def _build(args: argparse.Namespace) -> int:
    """read the records and write every feed that changed

    Read the records, write every feed whose bytes changed, and build-report.json. Silent on
    success.

    Example (crontab): */5 * * * * syndicate build -q --config /srv/site/site.yaml
    """
    from .noop import build_if_unchanged, remember

    # --full and --output ask for another run than the last; --strict and --allow-shrink
    # change nothing when nothing changed
    quick = not (args.full or args.output)
    report = build_if_unchanged(Path(args.config)) if quick else None
    if report is not None:  # the config and every record file as the last run left them
        if args.verbose:
            _print_summary(report)
        return report.exit_code
    from .build import build

    config = load_config(args.config)
    progress = Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
    try:
        report = build(config, output=args.output, strict=args.strict, full=args.full,
                       allow_shrink=args.allow_shrink, progress=progress,
                       on_file=_print_file if args.verbose else None, jobs=args.jobs)
    finally:
        if progress:
            progress.close()
    if args.output is None:
        remember(config)
    _print_rejected(report.rejected)
    if not args.quiet:
        for warning in report.warnings:
            print(f"syndicate: warning: {warning}", file=sys.stderr)
    if args.verbose:
        _print_summary(report)
    if report.rejected and not args.quiet:
        print(f"syndicate: {len(report.rejected)} of {report.records_read} record(s) rejected; "
              "the others were published", file=sys.stderr)
    return report.exit_code


def _status(args: argparse.Namespace) -> int:
    """print what the index holds

    Print the index: articles per category, the last run, the last change, the rejected
    records, and the tag and author feeds (how many, and the biggest).

    Example: syndicate status --config config/site.yaml
    """
    from .query import status

    state = status(load_config(args.config), args.output)
    print(f"index        {state.index}")
    print(f"articles     {state.articles:,} from {state.files:,} file(s)")
    for category in state.categories:
        print(f"  {category.slug:<16}{category.articles:>8,}  {category.name}")
    print(f"last run     {state.last_run or 'never'}")
    print(f"last change  {state.last_change or 'never'}")
    print(f"rejected     {len(state.rejected)}")
    for line in state.rejected:
        print(f"  {line}")
    for labels in state.labels:
        if labels.feeds:
            print(f"{labels.folder[:-1]:<13}{labels.feeds:,} feed(s); the biggest:")
            for name, slug, articles in labels.biggest:
                print(f"  {articles:>8,}  {name}  {labels.folder}{slug}/")
    if state.robots:
        print(f"sitemaps     {len(state.sitemaps)} file(s); robots.txt: {state.robots}")
        for path, items in state.sitemaps:
            print(f"  {path:<34}{items:>8,}")
    if state.partners:
        print(f"partners     {len(state.partners)} file(s)")
        for path, items in state.partners:
            print(f"  {path:<34}{items:>8,}")
    if state.target:
        target = state.target
        owed = "; a comparison with the folder is owed" if target.sync_owed else ""
        print(f"target       {target.target}")
        print(f"  pending    {target.uploads:,} upload(s), {target.deletions:,} deletion(s){owed}")
    return EXIT_OK


def _sync(args: argparse.Namespace) -> int:
    """make the s3 bucket equal to the output folder

    List the bucket named by the config's s3 section, compare each object with the output
    folder, and put or delete whatever differs, as every build does for the files it changed.
    Silent on success; a failure names the bucket and key and exits 1, and what did not go up
    stays queued for the next run.

    Example: syndicate sync --config config/site.yaml
    """
    from .build import late_uploads, sync

    progress = Progress(sys.stderr) if sys.stderr.isatty() else None
    config = load_config(args.config)
    try:
        done = sync(config, progress=progress)
    finally:
        if progress:
            progress.close()
    if done.late and not args.quiet:
        print(f"syndicate: warning: {late_uploads(config, done.late)}", file=sys.stderr)
    if args.verbose:
        print(_uploads_line(done.put, done.deleted, done.requests))
    return EXIT_OK


def _share(args: argparse.Namespace) -> int:
    """print the share links and page metadata of one article

    Print one article's share links, tweet and metadata, as build writes them to
    feeds/articles/<id>.json and .html.

    Example: syndicate share 2026020401 --format head
    """
    from .query import article_label_feeds, share_view
    from .render.meta import head_html, share_payload

    config = load_config(args.config)
    article, related = share_view(config, args.article)
    if args.format == "head":
        sys.stdout.write(head_html(article, config, related,
                                   article_label_feeds(config, article)))
    else:
        payload = share_payload(article, config, related)
        if args.format == "buttons":
            print(payload["buttons_html"])
        else:
            print(json.dumps(payload, ensure_ascii=False, indent=2))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    """lint a published feeds folder, offline

    Check every feed, OPML file, head fragment and landing page below DIR (this site's or any
    other's): well-formed XML, required elements, RFC 822 / RFC 3339 dates, unique ids, absolute
    URLs, self links that match where each file lives, image sizes, the Open Graph and Twitter
    tags of head fragments and pages, and no script in a page. One line per problem; exit 1 when
    there is an error.

    Example: syndicate check feeds
    """
    from .check import check_folder

    folder = args.folder or load_config(args.config).output.dir
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    checked, problems = check_folder(folder)
    errors = sum(problem.error for problem in problems)
    for problem in problems:
        if problem.error or not args.quiet:
            print(replace(problem, path=str(folder / problem.path)))
    if not args.quiet:
        print(f"{checked} file(s) checked: {errors} error(s), "
              f"{len(problems) - errors} warning(s)")
    return EXIT_FAILED if errors else EXIT_OK


def _preview(args: argparse.Namespace) -> int:
    """write a page showing each article's share cards

    Write an HTML page (outside the feeds folder) that shows each article as Facebook, LINE
    and X would draw its link preview, with warnings for what they would cut or refuse, the
    tweet and its weighted length, and the share buttons.

    Example: syndicate preview 2026020401 && open feeds-preview/index.html
    """
    from .preview import write_preview

    config = load_config(args.config)
    path = write_preview(config, args.ids, args.output)
    print(path)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    """serve the feeds folder on 127.0.0.1, as a web server would

    Serve the output folder on 127.0.0.1 with the right content types, ETag and
    Last-Modified, 304 Not Modified, gzip and HEAD, for looking at the feeds in a browser or a
    feed reader before they go live. Ctrl-C stops.

    Example: syndicate serve --port 8000
    """
    from .serve import serve

    config = load_config(args.config)
    root = args.output or config.output.dir
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder; run syndicate build first")
    serve(root, args.port)
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    """write a commented config for a new site

    Write FOLDER/config/site.yaml, each key under its description: from nothing, from a
    records export (the keys that mean a record field under another name become `fields:`,
    its categories the config's), or from a WordPress site (its name, description, language,
    time zone and categories). `syndicate build` run in FOLDER reads it. Never overwrites a
    file.

    Example: syndicate init nchn --from export.jsonl && syndicate build --config
    nchn/config/site.yaml
    """
    from .scaffold import init_site

    made = init_site(args.folder, records=args.records, wordpress=args.wordpress)
    renamed = f", {len(made.fields)} key(s) renamed under fields:" if made.fields else ""
    count = len(made.categories)
    print(f"wrote {made.config}: {count} categor{'y' if count == 1 else 'ies'}{renamed}")
    for note in made.notes:
        print(f"check: {note}")
    print(f"next: check site: and categories: in {made.config}, then run\n"
          f"  syndicate build --config {shlex.quote(str(made.config))}")
    return EXIT_OK


def _print_rejected(rejected: Sequence[Exception]) -> None:
    for line in rejection_lines(rejected):
        print(line, file=sys.stderr)


def _print_file(result: FileResult) -> None:
    items = f" ({result.items} items)" if result.items is not None else ""
    print(f"{'written  ' if result.written else 'unchanged'} {result.path}{items}")


def _uploads_line(put: int, deleted: int, requests: int) -> str:
    """What a run or a sync did to the object store, as -v says it."""
    return f"object store: {put} file(s) put, {deleted} deleted in {requests} request(s)"


def _print_summary(report: BuildReport) -> None:
    asked = f"; {report.requests} HTTP request(s) to WordPress" if report.requests else ""
    uploads = _uploads_line(report.uploaded, report.deleted_objects, report.target_requests)
    if report.noop:
        print(f"nothing changed in the sources; nothing was read or written{asked}")
        if report.target_requests:
            print(uploads)
        return
    for path in report.removed:
        print(f"removed   {path}")
    for duplicate in report.document.get("duplicates", []):
        unnamed = duplicate["records"] - 1 - len(duplicate["dropped"])
        more = f" and {unnamed:,} more" if unnamed else ""
        print(f"duplicate id {duplicate['id']}: kept {duplicate['kept']}, dropped "
              f"{', '.join(duplicate['dropped'])}{more}")
    print(f"{report.articles} articles; {report.records_read} records read from "
          f"{report.files_read} file(s), {report.changed} article(s) changed; "
          f"{report.written_count} file(s) written, {report.unchanged_count} unchanged{asked}")
    if report.target_requests:
        print(uploads)


if __name__ == "__main__":
    sys.exit(main())
