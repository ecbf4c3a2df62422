"""The pipeline, and the one place that ties the stages together:
sources -> records -> store -> plan -> render -> publish.

A run costs what changed: when no source file changed since the index read it, it stats the files
and returns, importing nothing that renders. Otherwise it ingests the changed files, re-renders the
feeds whose items changed and the files of the articles that changed, publishes them, and only
then commits the index, so a run that fails or dies leaves the next one to do the same work again.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config
from .ingest import Ingested, SourceFile, changed_files, ingest, source_files
from .publish import Publisher, PublishError, hold_lock, safe_name
from .store import Store, StoreError

if TYPE_CHECKING:
    from .records import Article, RecordError
    from .render.feeds import FeedSpec

REPORT_NAME = "build-report.json"
OPML_NAME = "index.opml"
ARTICLES = "articles"  # feeds/articles/<id>.json and .html
_CHUNK = 500  # articles loaded from the index at a time, to keep memory flat


class BuildError(Exception):
    """The run published nothing; the files already published stay as they were."""


class UnknownArticle(LookupError):
    """No published article has that id or URL."""


class RejectedRecords(BuildError):
    """--strict: some records were rejected, so nothing was written."""

    def __init__(self, rejected: Sequence[Any]) -> None:
        super().__init__(f"{len(rejected)} record(s) rejected; --strict: nothing was written")
        self.rejected = list(rejected)


@dataclass(frozen=True)
class FileResult:
    path: str
    written: bool
    items: int | None = None


@dataclass
class BuildReport:
    """What a run did. `as_dict()` is the part that goes to build-report.json: it depends only on
    the index, so a run that changes nothing would write the same bytes."""

    records_read: int = 0
    files_read: int = 0
    articles: int = 0
    rejected: list[RecordError] = field(default_factory=list)  # found by this run
    files: list[FileResult] = field(default_factory=list)  # feeds, OPML, report: not articles
    written_count: int = 0
    feed_items: dict[str, int] = field(default_factory=dict)  # items per feed folder
    unchanged_count: int = 0
    on_file: Callable[[FileResult], None] | None = field(default=None, repr=False)
    removed: list[str] = field(default_factory=list)
    changed: int = 0  # articles whose published version changed
    noop: bool = False  # no source file changed: the run read and wrote nothing
    index: dict[str, Any] = field(default_factory=dict)  # the build-report.json body

    @property
    def exit_code(self) -> int:
        return 3 if self.rejected else 0

    def record(self, result: FileResult, keep: bool = True) -> None:
        """Count a file; keep its result unless it is one of a million article files."""
        if result.written:
            self.written_count += 1
        else:
            self.unchanged_count += 1
        if keep:
            self.files.append(result)
        if self.on_file:
            self.on_file(result)

    def as_dict(self) -> dict[str, Any]:
        return self.index


ProgressFn = Callable[[str, int, int | None], None]


def build(config: Config, *, output: Path | None = None, strict: bool = False,
          full: bool = False, progress: ProgressFn | None = None,
          on_file: Callable[[FileResult], None] | None = None) -> BuildReport:
    """Read what changed in the sources, re-render what it touches, and publish it.

    :param config: the loaded site configuration (see `load_config`).
    :param output: the output folder instead of the config's `output.dir`.
    :param strict: fail, writing nothing, when any record is rejected.
    :param full: read every source file again and re-render every file.
    :param progress: called as (stage, done, total) during long stages.
    :param on_file: called with each file written or found unchanged, as it happens.
    :raises BuildError: nothing was published (a source failed, --strict, no valid record).
    :raises PublishError: the output folder cannot be written (LockBusy: another run holds it).
    :raises StoreError: the index cannot be opened.
    """
    if output is not None:
        config = replace(config, output=replace(config.output, dir=output))
    root = config.output.dir
    with hold_lock(root):
        store = Store.open(config.output.index_path())
        try:
            return _run(config, store, strict=strict, full=full,
                        progress=progress or (lambda stage, done, total: None), on_file=on_file)
        finally:
            store.close()


def _run(config: Config, store: Store, *, strict: bool, full: bool,
         progress: ProgressFn, on_file: Callable[[FileResult], None] | None) -> BuildReport:
    root = config.output.dir
    fingerprint = _fingerprint(config)
    stale = full or store.get("fingerprint") != fingerprint
    if stale:
        _forget_everything(store)  # another config or program: read and render all again
    files = source_files(config)
    changed, gone = changed_files(files, store)
    render_all = stale or not (root / REPORT_NAME).is_file()
    store.put("last_run", _now())
    if not changed and not gone and not render_all:
        store.commit()
        return BuildReport(noop=True)  # nothing changed: nothing read, nothing rendered

    report = BuildReport(on_file=on_file)
    from .sources.files import SourceError

    try:
        ingested: Ingested = ingest(config, store, changed, gone,
                                    lambda done: progress("records", done, None))
    except SourceError as exc:
        raise BuildError(f"{exc}; nothing was published, the feeds stay as they were") from exc
    report.records_read, report.files_read = ingested.records_read, ingested.files_read
    report.rejected = ingested.rejected
    rejected_now = store.rejected()
    if strict and rejected_now:
        raise RejectedRecords(rejected_now)
    report.changed = store.refresh()
    report.articles = store.count()
    if not report.articles:
        raise BuildError(f"no record could be published ({ingested.records_read} read, "
                         f"{len(ingested.rejected)} rejected); the feeds stay as they were")

    publisher = Publisher(root)
    publisher.begin()
    try:
        _publish_feeds(config, store, publisher, report, render_all)
        _publish_articles(config, store, publisher, report, render_all, progress)
        report.index = _report_body(config, store, report)
        report.record(FileResult(REPORT_NAME, publisher.write(REPORT_NAME,
                                                              _json_bytes(report.index))))
    except BaseException:
        publisher.abort()  # what is not renamed into place yet keeps its old bytes
        raise
    publisher.finish()
    store.put("fingerprint", fingerprint)
    if report.written_count or report.removed:
        store.put("last_change", _now())
    store.commit()  # only now: a run that died before this is done again by the next one
    return report


def _now() -> str:
    """The wall clock, for `syndicate status` only: nothing published ever says "now"."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def status(config: Config, output: Path | None = None) -> dict[str, Any]:
    """What the index holds: articles per category, last run, last change, rejected records.

    :raises StoreError: when there is no index yet, or it cannot be read.
    """
    if output is not None:
        config = replace(config, output=replace(config.output, dir=output))
    path = config.output.index_path()
    if not path.is_file():
        raise StoreError(f"no index at {path} yet; run syndicate build first")
    store = Store.open(path)
    try:
        counts = store.counts_by_category()
        return {
            "index": str(path),
            "articles": store.count(),
            "categories": [(c.slug, c.name, counts.get(c.slug, 0)) for c in config.categories],
            "files": len(store.file_stats()),
            "last_run": store.get("last_run"),
            "last_change": store.get("last_change"),
            "rejected": [str(rejection) for rejection in store.rejected()],
        }
    finally:
        store.close()


def _fingerprint(config: Config) -> str:
    """What the output depends on besides the records: the config's bytes, the program and
    where the output goes."""
    digest = hashlib.sha256(config.path.read_bytes())
    digest.update(f"\0{__version__}\0{config.output.dir.resolve()}".encode())
    return digest.hexdigest()


def _forget_everything(store: Store) -> None:
    for table in ("files", "records", "articles", "rejected", "feeds"):
        store.db.execute(f"DELETE FROM {table}")
    store.put("fingerprint", "")


def feed_specs(config: Config) -> list[FeedSpec]:
    """The site feed, then one feed per category in the config's order."""
    from .render.feeds import FeedSpec

    return [FeedSpec.for_site(config)] + [FeedSpec.for_category(config, category)
                                         for category in config.categories]


def _publish_feeds(config: Config, store: Store, publisher: Publisher, report: BuildReport,
                   render_all: bool) -> None:
    """Render each feed whose items (ids and record hashes) differ from what it last showed."""
    from .render.feeds import FORMATS, feed_updated
    from .render.opml import render_opml

    limit = config.output.items_per_feed
    specs = feed_specs(config)
    for spec in specs:
        top = store.top(spec.category.slug if spec.category else None, limit)
        report.feed_items[spec.folder] = len(top)
        signature = hashlib.sha256(json.dumps(top).encode()).hexdigest()
        if not render_all and store.signature(spec.folder) == signature:
            continue
        articles = _articles(store, [record_id for record_id, _ in top])
        for fmt in FORMATS:
            path = spec.folder + fmt.filename
            written = publisher.write(path, fmt.render(config, spec, articles))
            report.record(FileResult(path, written, len(articles)))
        store.set_signature(spec.folder, signature)
        if spec.category is None:  # the OPML dates from the site feed, and changes with it
            opml = render_opml(config, specs, feed_updated(articles, config))
            report.record(FileResult(OPML_NAME, publisher.write(OPML_NAME, opml)))


def _publish_articles(config: Config, store: Store, publisher: Publisher, report: BuildReport,
                      render_all: bool, progress: ProgressFn) -> None:
    """Write the files of every article that changed (of every article, for a full render) and
    remove those of articles no longer published. Ids stream from the index in chunks, so a
    first build of a million articles holds a few hundred at a time."""
    from .render.meta import head_html, share_payload

    if render_all:
        total, ids = report.articles, store.all_ids()
        report.removed = _remove_strays(store, publisher)
    else:
        total, ids = report.changed, store.changed_ids(published=True)
        for gone in list(store.changed_ids(published=False)):
            name = f"{ARTICLES}/{safe_name(gone)}"
            report.removed += [path for path in (f"{name}.html", f"{name}.json")
                               if publisher.remove(path)]
    for done, article in enumerate(_stream(store, ids), start=1):
        name = f"{ARTICLES}/{safe_name(article.id)}"
        for path, data in ((f"{name}.json", _compact_json(share_payload(article, config))),
                           (f"{name}.html", head_html(article, config).encode("utf-8"))):
            report.record(FileResult(path, publisher.write(path, data)), keep=False)
        progress("articles", done, total)


def _remove_strays(store: Store, publisher: Publisher) -> list[str]:
    """Remove the article files of ids that are not published (a full render), reading the
    folder a thousand names at a time."""
    folder = publisher.root / ARTICLES
    if not folder.is_dir():
        return []
    removed: list[str] = []

    def check(names: list[str]) -> None:
        stems = [name.rpartition(".")[0] for name in names]
        published = store.published_names(stems)
        for name, stem in zip(names, stems, strict=True):
            if stem not in published and publisher.remove(f"{ARTICLES}/{name}"):
                removed.append(f"{ARTICLES}/{name}")

    batch: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file() and not entry.name.startswith("."):
                batch.append(entry.name)
                if len(batch) == 1000:
                    check(batch)
                    batch = []
    check(batch)
    return sorted(removed)


def _articles(store: Store, ids: Sequence[str]) -> list[Article]:
    from .records import article_from_json

    return [article_from_json(text) for text in store.article_json(ids)]


def _stream(store: Store, ids: Iterable[str]) -> Iterator[Article]:
    """The articles of `ids`, loaded _CHUNK at a time."""
    chunk: list[str] = []
    for record_id in ids:
        chunk.append(record_id)
        if len(chunk) == _CHUNK:
            yield from _articles(store, chunk)
            chunk = []
    if chunk:
        yield from _articles(store, chunk)


def _report_body(config: Config, store: Store, report: BuildReport) -> dict[str, Any]:
    """build-report.json: the state of the index (counts, rejected records, duplicates, item
    counts per feed) and the article files this run removed."""
    from .records import article_from_json
    from .render.feeds import FORMATS

    rejected = store.rejected()
    duplicates = []
    for record_id, versions in store.duplicates():
        kept, *dropped = (article_from_json(text).origin for text in versions)
        dropped.sort(key=lambda origin: (origin.source, origin.index))
        duplicates.append({"id": record_id, "kept": str(kept),
                           "dropped": [str(origin) for origin in dropped]})
    feeds = [{"path": spec.folder + fmt.filename, "items": report.feed_items[spec.folder]}
             for spec in feed_specs(config) for fmt in FORMATS]
    return {
        "generator": f"syndicate {__version__}",
        "records": {"published": report.articles, "rejected": len(rejected),
                    "duplicates": len(duplicates)},
        "rejected": [{"source": r.file, "index": r.position, "line": r.line, "id": r.id,
                      "field": r.field, "reason": r.reason} for r in rejected],
        "duplicates": duplicates,
        "feeds": feeds,
        "removed": report.removed,
    }


def load_articles(config: Config) -> tuple[list[Article], BuildReport]:
    """Every valid article of the config's sources, newest first, one per id, read straight
    from the sources (no index, nothing written); the report holds the rejected records.

    :raises BuildError: when a source cannot be read.
    """
    from .records import RecordError, normalize
    from .sources.files import SourceError, read_source

    report = BuildReport()
    chosen: dict[str, Article] = {}
    for source in config.sources:
        try:
            raws = read_source(source)
        except SourceError as exc:
            raise BuildError(str(exc)) from exc
        for raw, origin in raws:
            report.records_read += 1
            try:
                article = normalize(raw, config, origin)
            except RecordError as error:
                report.rejected.append(error)
                continue
            previous = chosen.get(article.id)
            if previous is None or article.updated >= previous.updated:
                chosen[article.id] = article  # the newer edit wins; a tie, the later record
    report.articles = len(chosen)
    return newest_first(chosen.values()), report


def find_article(config: Config, key: str) -> Article:
    """The published article whose id, or URL, is `key`.

    :raises UnknownArticle: naming the closest ids there are.
    """
    from .urls import URLError, web_url

    articles, _ = load_articles(config)
    by_id = {article.id: article for article in articles}
    if key in by_id:
        return by_id[key]
    try:
        url = web_url(key)
    except URLError:
        url = None
    for article in articles:
        if article.url == url:
            return article
    close = sorted(difflib.get_close_matches(key, list(by_id), n=3, cutoff=0.5))
    hint = f"; the closest ids are {', '.join(close)}" if close else ""
    raise UnknownArticle(f"no published article has the id or URL {key!r}{hint}")


def newest_first(articles: Iterable[Article]) -> list[Article]:
    """Newest `published` first; equal times by id, so the order never depends on the input."""
    by_id = sorted(articles, key=lambda article: article.id)
    return sorted(by_id, key=lambda article: article.published, reverse=True)


def _compact_json(value: object) -> bytes:
    """Machine-read JSON: one line, by the C encoder (an indent forces the slow Python one)."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


__all__ = ["BuildError", "BuildReport", "PublishError", "RejectedRecords", "SourceFile",
           "UnknownArticle", "build", "find_article", "load_articles", "status"]
