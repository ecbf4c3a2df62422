"""The pipeline, and the one place that ties the stages together:
sources -> records -> store -> plan -> render -> publish.

A run costs what changed: when no source file changed since the index read it, it stats the files
and returns, importing nothing that renders. Otherwise it ingests the changed files, re-renders the
feeds whose items changed and the files of the articles that changed, publishes them, and only
then commits the index, so a run that fails or dies leaves the next one to do the same work again.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config, Source
from .errors import BuildError, RejectedRecords, SourceError, StoreError, UnknownArticle
from .ingest import Ingested, SourceFile, changed_files, ingest, source_files
from .publish import Publisher, PublishError, hold_lock, ping_hubs, safe_name
from .store import Store

if TYPE_CHECKING:
    import requests

    from .net import Client
    from .records import Article, RecordError
    from .render.feeds import FeedSpec
    from .sources.wordpress import Sync

REPORT_NAME = "build-report.json"
OPML_NAME = "index.opml"
ARTICLES = "articles"  # feeds/articles/<id>.json and .html
_CHUNK = 500  # articles loaded from the index at a time, to keep memory flat
# A feed that would lose more than half of at least this many items is not published: most
# likely a source answered with far fewer records than it has (DESIGN.md, "Publish").
SHRINK_GUARD_ITEMS = 10
DUPLICATES_LISTED = 20  # the dropped records of one id that the report names; it counts all


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
    warnings: list[str] = field(default_factory=list)  # a hub that failed: retried next run
    requests: int = 0  # HTTP requests to the network sources
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
          full: bool = False, allow_shrink: bool = False, progress: ProgressFn | None = None,
          on_file: Callable[[FileResult], None] | None = None,
          session: requests.Session | None = None) -> BuildReport:
    """Read what changed in the sources, re-render what it touches, and publish it.

    :param config: the loaded site configuration (see `load_config`).
    :param output: the output folder instead of the config's `output.dir`.
    :param strict: fail, writing nothing, when any record is rejected.
    :param full: read every source again (every post of a WordPress site) and re-render
        every file.
    :param allow_shrink: publish a feed even when it loses more than half of its items.
    :param progress: called as (stage, done, total) during long stages.
    :param on_file: called with each file written or found unchanged, as it happens.
    :param session: the requests.Session for WordPress, images and WebSub (a test's, say).
    :raises BuildError: nothing was published (a source failed, --strict, no valid record, a
        feed would lose most of its items).
    :raises PublishError: the output folder cannot be written (LockBusy: another run holds it).
    :raises StoreError: the index cannot be opened.
    """
    if output is not None:
        config = replace(config, output=replace(config.output, dir=output))
    root = config.output.dir
    with hold_lock(root):
        store = Store.open(config.output.index_path())
        try:
            return _run(config, store, _Network(config, session), strict=strict, full=full,
                        allow_shrink=allow_shrink,
                        progress=progress or (lambda stage, done, total: None), on_file=on_file)
        except sqlite3.OperationalError as exc:  # a full disk, an index made read-only
            raise StoreError(f"cannot write the index {store.path}: {exc}; nothing was "
                             "published, the feeds stay as they were") from exc
        finally:
            store.close()


def _run(config: Config, store: Store, network: _Network, *, strict: bool, full: bool,
         allow_shrink: bool, progress: ProgressFn,
         on_file: Callable[[FileResult], None] | None) -> BuildReport:
    root = config.output.dir
    fingerprint = _fingerprint(config)
    reconfigured = store.get("fingerprint") != fingerprint
    stale = full or reconfigured
    if stale:
        _forget_everything(store)  # another config or program: read and render all again
    files = source_files(config)
    changed, gone = changed_files(files, store)
    render_all = stale or not (root / REPORT_NAME).is_file()
    store.put("last_run", _now())
    syncs = _sync_wordpress(config, store, network, full=stale)
    if not changed and not gone and not render_all and not any(
            sync.posts or sync.removed for _, sync in syncs):
        report = BuildReport(noop=True, requests=network.requests)
        _save_sync_state(store, syncs)
        store.commit()
        _send_pings(store, network, report)  # only those a run before could not deliver
        return report  # nothing changed: nothing read, nothing rendered

    report = BuildReport(on_file=on_file)

    fill = _image_filler(config, store, network) if config.images.probe else None
    try:
        ingested: Ingested = ingest(config, store, changed, gone,
                                    lambda done: progress("records", done, None),
                                    syncs=syncs, fill=fill)
    except SourceError as exc:
        raise BuildError(f"{exc}; nothing was published, the feeds stay as they were") from exc
    report.records_read, report.files_read = ingested.records_read, ingested.files_read
    report.requests = network.requests
    report.rejected = ingested.rejected
    rejected_now = store.rejected()
    if strict and rejected_now:
        raise RejectedRecords(rejected_now)
    report.changed = store.refresh()
    report.articles = store.count()
    if not report.articles:
        raise BuildError(f"no record could be published ({ingested.records_read} read, "
                         f"{len(ingested.rejected)} rejected); the feeds stay as they were")
    # a new config may shrink feeds on purpose (fewer items per feed, a category moved)
    plan = _plan_feeds(config, store, report, render_all, allow_shrink or reconfigured)

    publisher = Publisher(root)
    publisher.begin()
    try:
        _publish_feeds(config, store, publisher, report, plan)
        _publish_articles(config, store, publisher, report, render_all, progress)
        report.index = _report_body(config, store, report)
        report.record(FileResult(REPORT_NAME, publisher.write(REPORT_NAME,
                                                              _json_bytes(report.index))))
    except BaseException:
        publisher.abort()  # what is not renamed into place yet keeps its old bytes
        raise
    publisher.finish()
    store.put("fingerprint", fingerprint)
    _save_sync_state(store, syncs)
    if report.written_count or report.removed:
        store.put("last_change", _now())
    store.add_pings((hub, config.site.feeds_url + result.path) for hub in config.websub.hubs
                    for result in report.files if result.written and result.items is not None)
    try:
        store.commit()  # only now: a run that died before this is done again by the next one
    except sqlite3.OperationalError as exc:
        raise StoreError(f"the files are published, but the index {store.path} could not "
                         f"record it ({exc}); the next run does this run's work again") from exc
    _send_pings(store, network, report)
    return report


class _Network:
    """The HTTP client of a run, made on first use: a files-only run never imports requests."""

    def __init__(self, config: Config, session: requests.Session | None) -> None:
        self.config = config
        self.session = session
        self.requests = 0

    @functools.cached_property
    def client(self) -> Client:
        from .net import Client, new_session

        return Client(self.session or new_session(self.config.site.url), self.config.http)


def _sync_wordpress(config: Config, store: Store, network: _Network, *, full: bool
                    ) -> list[tuple[Source, Sync]]:
    """Read every WordPress source: what changed since the last sync, or, when due (or
    `full`), the list of every published post. Nothing is stored yet."""
    sources = [source for source in config.sources if source.type == "wordpress"]
    if not sources:
        return []
    from .sources.wordpress import WordPress

    syncs = []
    for source in sources:
        state = f"wordpress {source.key}"
        last_full = store.get(f"{state} full")
        due = last_full is None or _clock() - datetime.fromisoformat(last_full) \
            >= timedelta(hours=source.full_sync_hours)
        try:
            site = WordPress(network.client, source, config)
            try:
                sync = site.sync(full=full or due, since=store.get(f"{state} high water"),
                                 known=functools.partial(store.versions, source.key))
            finally:
                network.requests += site.requests
        except SourceError as exc:
            raise BuildError(f"{exc}; nothing was published, the feeds stay as they were"
                             ) from exc
        syncs.append((source, sync))
    return syncs


def _save_sync_state(store: Store, syncs: Sequence[tuple[Source, Sync]]) -> None:
    for source, sync in syncs:
        state = f"wordpress {source.key}"
        if sync.high_water:
            store.put(f"{state} high water", sync.high_water)
        if sync.full:
            store.put(f"{state} full", _now())


def _image_filler(config: Config, store: Store, network: _Network
                  ) -> Callable[[list[Article]], list[Article]]:
    def fill(articles: list[Article]) -> list[Article]:
        if not any(a.image and not (a.image.width and a.image.height) for a in articles):
            return articles  # nothing to read: no HTTP client, no requests import
        from .images import complete_images

        return complete_images(articles, store, network.client, config)
    return fill


def _send_pings(store: Store, network: _Network, report: BuildReport) -> None:
    """Tell each WebSub hub which feeds changed. The pings were stored with the files they
    announce, so a run that dies here leaves them to the next; a hub that fails is a warning,
    and its pings stay for the next run. After the commit: a hub that fetches the feed at once
    sees the new file."""
    pings = store.pending_pings()
    if not pings:
        return
    failed = ping_hubs(network.client, pings)
    report.warnings += [f"WebSub hub {hub}: {reason}; {len(topics)} changed feed(s) will be "
                        "announced on the next run" for hub, (reason, topics) in failed.items()]
    store.set_pings([(hub, topic) for hub, (_, topics) in failed.items() for topic in topics])
    store.commit()


def _clock() -> datetime:
    """The wall clock: for `syndicate status` and for when a full WordPress sync is due, never
    for what is published (nothing published says "now"). A test moves it."""
    return datetime.now(UTC)


def _now() -> str:
    return _clock().isoformat(timespec="seconds")


def status(config: Config, output: Path | None = None) -> dict[str, Any]:
    """What the index holds: articles per category, last run, last change, rejected records.

    :raises StoreError: when there is no index yet, or it cannot be read.
    """
    if output is not None:
        config = replace(config, output=replace(config.output, dir=output))
    path = config.output.index_path()
    if not path.is_file():
        raise StoreError(f"no index at {path} yet; run syndicate build first")
    store = Store.open(path, readonly=True)
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
    for table in ("files", "records", "articles", "rejected"):
        store.db.execute(f"DELETE FROM {table}")
    store.db.execute("UPDATE feeds SET signature = ''")  # item counts stay, for the guard
    store.put("fingerprint", "")


def feed_specs(config: Config) -> list[FeedSpec]:
    """The site feed, then one feed per category in the config's order."""
    from .render.feeds import FeedSpec

    return [FeedSpec.for_site(config)] + [FeedSpec.for_category(config, category)
                                         for category in config.categories]


@dataclass(frozen=True)
class _FeedPlan:
    spec: FeedSpec
    ids: list[str]  # the items, newest first
    signature: str | None  # None: unchanged since the feed was last written


def _plan_feeds(config: Config, store: Store, report: BuildReport, render_all: bool,
                allow_shrink: bool) -> list[_FeedPlan]:
    """Each feed's items; a feed whose items (ids and record hashes) are what it last showed
    is not rendered again. A feed that would lose most of its items stops the run.

    :raises BuildError: naming the feeds that would shrink, unless `allow_shrink`.
    """
    plans, shrunk = [], []
    for spec in feed_specs(config):
        top = store.top(spec.category.slug if spec.category else None,
                        config.output.items_per_feed)
        report.feed_items[spec.folder] = len(top)
        signature = hashlib.sha256(json.dumps(top).encode()).hexdigest()
        last = store.signature(spec.folder)
        before = last[1] if last and last[1] is not None else 0
        if before >= SHRINK_GUARD_ITEMS and len(top) * 2 < before:
            shrunk.append(f"{spec.folder or '(site)/'} from {before} to {len(top)}")
        unchanged = not render_all and last is not None and last[0] == signature
        plans.append(_FeedPlan(spec, [record_id for record_id, _ in top],
                               None if unchanged else signature))
    if shrunk and not allow_shrink:
        raise BuildError(f"feeds would lose most of their items ({'; '.join(shrunk)} items): "
                         "did a source answer with far fewer records than it has? Nothing was "
                         "published, the feeds stay as they were; if the records really are "
                         "gone, run once with --allow-shrink")
    return plans


def _publish_feeds(config: Config, store: Store, publisher: Publisher, report: BuildReport,
                   plans: Sequence[_FeedPlan]) -> None:
    """Render the feeds the plan marks as changed."""
    from .render.feeds import FORMATS, feed_updated
    from .render.opml import render_opml
    from .render.stylesheet import STYLESHEET, STYLESHEET_NAME

    specs = [plan.spec for plan in plans]
    for plan in plans:
        if plan.signature is None:
            continue
        articles = _articles(store, plan.ids)
        for fmt in FORMATS:
            path = plan.spec.folder + fmt.filename
            written = publisher.write(path, fmt.render(config, plan.spec, articles))
            report.record(FileResult(path, written, len(articles)))
        store.set_signature(plan.spec.folder, plan.signature, len(plan.ids))
        if plan.spec.category is None:  # the OPML dates from the site feed, and changes with it
            opml = render_opml(config, specs, feed_updated(articles, config))
            report.record(FileResult(OPML_NAME, publisher.write(OPML_NAME, opml)))
            # the browser view of every feed; a new syndicate renders all, so it follows
            report.record(FileResult(STYLESHEET_NAME, publisher.write(
                STYLESHEET_NAME, STYLESHEET.encode("utf-8"))))


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
    counts per feed). What one run did (files written, removed) is not in it: a run that was
    killed after removing files would leave the next run's report without them, and the same
    index must give the same bytes; `build -v` prints it."""
    from .records import Origin
    from .render.feeds import FORMATS

    def origin(text: str) -> str:
        return str(Origin(**json.loads(text)))

    rejected = store.rejected()
    duplicates = [{"id": record_id, "records": count, "kept": origin(kept),
                   "dropped": [origin(text) for text in dropped]}
                  for record_id, count, kept, dropped in store.duplicates(DUPLICATES_LISTED)]
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
    }


def load_articles(config: Config, session: requests.Session | None = None
                  ) -> tuple[list[Article], BuildReport]:
    """Every valid article of the config's sources, newest first, one per id, read straight
    from the sources (every post of a WordPress source; no index, nothing written); the report
    holds the rejected records.

    :param session: the requests.Session for WordPress sources.
    :raises BuildError: when a source cannot be read.
    """
    from .records import RecordError, normalize
    from .sources.files import read_source

    report = BuildReport()
    chosen: dict[str, Article] = {}
    network = _Network(config, session)
    for source in config.sources:
        try:
            raws = (_wordpress_raws(source, config, network) if source.type == "wordpress"
                    else read_source(source))
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
    report.requests = network.requests
    return newest_first(chosen.values()), report


def _wordpress_raws(source: Source, config: Config, network: _Network) -> list[Any]:
    from .sources.wordpress import WordPress

    site = WordPress(network.client, source, config)
    try:
        sync = site.sync(full=True, since=None, known=lambda ids: {})
    finally:
        network.requests += site.requests
    return [(raw, origin) for raw, origin, _ in sync.posts]


def find_article(config: Config, key: str) -> Article:
    """The article whose id, or URL, is `key`: as the index last published it (fast, and what
    feeds/articles/ holds), else as the sources hold it now (an article not built yet).

    :raises UnknownArticle: naming the closest ids there are.
    """
    from .records import article_from_json
    from .urls import URLError, web_url

    try:
        url = web_url(key)
    except URLError:
        url = None
    with _index_for_reading(config) as store:
        found = store.find(key, url) if store else None
    if found:
        return article_from_json(found)
    articles, _ = load_articles(config)
    by_id = {article.id: article for article in articles}
    if key in by_id:
        return by_id[key]
    for article in articles:
        if article.url == url:
            return article
    close = sorted(difflib.get_close_matches(key, list(by_id), n=3, cutoff=0.5))
    hint = f"; the closest ids are {', '.join(close)}" if close else ""
    raise UnknownArticle(f"no published article has the id or URL {key!r}{hint}")


def newest_articles(config: Config, limit: int) -> list[Article]:
    """The site feed's newest `limit` articles: from the index, else from the sources."""
    from .records import article_from_json

    with _index_for_reading(config) as store:
        if store is not None:
            top = [record_id for record_id, _ in store.top(None, limit)]
            if top:
                return [article_from_json(text) for text in store.article_json(top)]
    return load_articles(config)[0][:limit]


@contextlib.contextmanager
def _index_for_reading(config: Config) -> Iterator[Store | None]:
    """The index, read-only and without a lock (never waiting for a build); None when there
    is none yet, or it is another version's: then the sources answer."""
    path = config.output.index_path()
    try:
        store = Store.open(path, readonly=True) if path.is_file() else None
    except StoreError:
        store = None
    try:
        yield store
    finally:
        if store is not None:
            store.close()


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
           "UnknownArticle", "build", "find_article", "load_articles", "newest_articles",
           "status"]
