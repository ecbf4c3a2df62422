"""The pipeline, and the one place that ties the stages together:
detect -> ingest -> plan -> render and publish -> commit -> ping.

A run costs what changed: when no source changed since the index read it, it stats the files
and returns, importing nothing that renders. Otherwise it ingests what changed, re-renders the
feeds whose items changed and the files of the articles that changed, publishes them, and only
then commits the index, so a run that fails or dies leaves the next one to do the same work again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from . import clock
from .errors import (
    BuildError,
    NothingPublishable,
    RejectedRecords,
    SourceError,
    StoreError,
    UsageError,
)
from .network import Network
from .outputs import Stage, publish_articles, publish_feeds, publish_planned, publish_sitemaps
from .plan import Plan, Scope, plan, scope
from .publish import Publisher, hold_lock, ping_hubs
from .report import (
    REPORT_NAME,
    BuildReport,
    FileResult,
    ProgressFn,
    pretty_json,
    report_document,
)
from .sources import Changes, Source, open_sources
from .store import Rejection, Store

if TYPE_CHECKING:
    import requests

    from .config import Config
    from .targets import Mirrored

class _Run(NamedTuple):
    """One run's settings and handles, passed from stage to stage."""

    config: Config
    store: Store
    network: Network
    strict: bool
    allow_shrink: bool
    progress: ProgressFn
    on_file: Callable[[FileResult], None] | None
    jobs: int | None  # processes that render article files; None: output.jobs
    full: bool  # --full: compare the object store's bucket with the folder too


def build(config: Config, *, output: Path | None = None, strict: bool = False,
          full: bool = False, allow_shrink: bool = False, progress: ProgressFn | None = None,
          on_file: Callable[[FileResult], None] | None = None,
          session: requests.Session | None = None, jobs: int | None = None) -> BuildReport:
    """Read what changed in the sources, re-render what it touches, and publish it.

    :param config: the loaded site configuration (see `load_config`).
    :param output: the output folder instead of the config's `output.dir`; another folder than
        that is not mirrored to the config's bucket (a trial build never reaches production).
    :param strict: fail, writing nothing, when any record is rejected.
    :param full: read every source again (every post of a WordPress site) and re-render
        every file.
    :param allow_shrink: publish a feed even when it loses more than half of its items.
    :param progress: called as (stage, done, total) during long stages.
    :param on_file: called with each file written or found unchanged, as it happens.
    :param session: the requests.Session for WordPress, images and WebSub (a test's, say).
    :param jobs: how many processes render article files, instead of the config's
        `output.jobs` (default: one per core).
    :raises BuildError: nothing was published (a source failed, --strict, no valid record, a
        feed would lose most of its items).
    :raises PublishError: the output folder cannot be written (LockBusy: another run holds it).
    :raises StoreError: the index cannot be opened.
    :raises TargetError: the object store failed an upload; the folder is published, and what
        did not go up stays queued for the next run.
    """
    if output is not None:
        from .config import S3

        elsewhere = Path(output).resolve() != config.output.dir.resolve()
        config = replace(config, output=replace(config.output, dir=output),
                         s3=S3() if elsewhere else config.s3)
    with hold_lock(config.output.dir):
        store = Store.open(config.output.index_path())
        run = _Run(config, store, Network(config, session), strict, allow_shrink,
                   progress or (lambda stage, done, total: None), on_file, jobs, full)
        try:
            return _pipeline(run, scope(config, store, full=full))
        except SourceError as exc:  # a source is read before anything is published
            raise BuildError(f"{exc}; nothing was published, the feeds stay as they were"
                             ) from exc
        except sqlite3.OperationalError as exc:  # a full disk, an index made read-only
            raise StoreError(f"cannot write the index {store.path}: {exc}; nothing was "
                             "published, the feeds stay as they were") from exc
        finally:
            store.close()


def sync(config: Config, *, progress: ProgressFn | None = None) -> Mirrored:
    """Compare the object store's bucket (`s3:`) with the output folder and fix every
    difference both ways, as `build --full` does, without reading or rendering anything.

    :raises UsageError: the config names no bucket.
    :raises TargetError: the store refused or failed a request; what did not go up stays
        queued for the next run.
    :raises PublishError: LockBusy: another run holds the folder.
    """
    from .targets import mirror

    if not config.s3.bucket:
        raise UsageError(f"{config.path}: no s3.bucket is set, so there is nothing to sync "
                         "(docs/deploy.md)")
    report = progress or (lambda stage, done, total: None)
    with hold_lock(config.output.dir):
        store = Store.open(config.output.index_path())
        try:
            return mirror(config, store, sync=True,
                          on_progress=lambda done: report("uploads", done, None))
        finally:
            store.close()


def _pipeline(run: _Run, stale: Scope) -> BuildReport:
    store = run.store
    if stale.reset:
        store.reset()  # another way of reading records, or --full: read and render all again
    store.put("last_run", clock.stamp())
    sources = open_sources(run.config, run.network)
    changes = [source.changes(store, full=stale.reset) for source in sources]  # nothing stored
    if not any(changes) and not stale.render and not _images_due(run):
        report = BuildReport(noop=True, requests=sum(s.requests for s in sources))
        _commit(run, changes, report, stale)
        if _upload(run, report):  # only what a run before could not upload
            _ping(run, report)  # only those a run before could not deliver
        return report  # nothing changed: nothing read, nothing rendered
    report = _ingest(run, changes, sources)
    # a new config may shrink feeds on purpose (fewer items per feed, a category moved)
    work = plan(run.config, store, stale,
                allow_shrink=run.allow_shrink or bool(stale.changed & {"feeds", "ingest"}))
    report.feed_items = {feed.spec.folder: len(feed.ids) for feed in work.feeds}
    publisher = _render_and_publish(run, report, work, articles_all=stale.render_all("articles"),
                                    feeds_all=stale.render_all("feeds"))
    _commit(run, changes, report, stale)
    publisher.end()
    if _upload(run, report):
        _ping(run, report)
    return report


def _images_due(run: _Run) -> bool:
    """Whether an image left unread, or one that failed long enough ago, is to be probed."""
    from .ingest import images_due

    return images_due(run.store, run.config)


def _ingest(run: _Run, changes: Sequence[Changes], sources: Sequence[Source]) -> BuildReport:
    """Store what changed and choose each id's published record again.

    :raises BuildError: --strict and a record was rejected, or no record could be published.
    :raises SourceError: a file cannot be read.
    """
    from .ingest import ingest

    store = run.store
    ingested = ingest(run.config, store, changes,
                      lambda done: run.progress("records", done, None), network=run.network)
    report = BuildReport(on_file=run.on_file, records_read=ingested.records_read,
                         files_read=ingested.files_read, rejected=ingested.rejected,
                         requests=sum(source.requests for source in sources))
    if ingested.images_unread:
        report.warnings.append(f"images: {run.network.deadline('images')} passed; "
                               f"{ingested.images_unread} image(s) are published without a size "
                               "and read by the next run")
    rejected_now = store.rejected()
    if run.strict and rejected_now:
        raise RejectedRecords(rejected_now)
    report.changed = store.refresh()
    report.articles = store.count()
    if not report.articles:
        _keep_rejections(store, rejected_now)
        raise NothingPublishable(ingested.records_read, rejected_now)
    return report


def _keep_rejections(store: Store, rejected: Sequence[Rejection]) -> None:
    """Forget what the run read, as a failed run does, but keep why each record was rejected,
    so that `syndicate status` says it: the next run reads the same sources again."""
    store.rollback()
    for path in sorted({rejection.file for rejection in rejected}):
        store.set_rejected(path, [r for r in rejected if r.file == path])
    store.put("last_run", clock.stamp())
    store.commit()


def _render_and_publish(run: _Run, report: BuildReport, work: Plan, *,
                        articles_all: bool, feeds_all: bool) -> Publisher:
    """Write the feeds, article files, sitemaps and partner files that changed, then
    build-report.json, queueing each for the object store; all or none."""
    from .targets import owe_sync, upload_queue

    queue = upload_queue(run.config, run.store)
    publisher = Publisher(run.config.output.dir, on_change=queue.changed if queue else None)
    publisher.begin()
    if publisher.interrupted:  # what that run wrote may be in no queue
        owe_sync(run.config, run.store)
    try:
        stage = Stage(run.config, run.store, publisher, report)
        publish_feeds(stage, work.feeds, work.labels, render_all=feeds_all)
        publish_articles(stage, articles_all, run.progress, run.jobs or run.config.output.jobs)
        publish_sitemaps(stage, work.sitemaps)
        publish_planned(stage, work.partners)
        publish_planned(stage, work.pages)
        publish_planned(stage, work.archives)
        report.document = report_document(run.config, run.store, report)
        report.record(FileResult(REPORT_NAME, publisher.write(REPORT_NAME,
                                                              pretty_json(report.document))))
    except BaseException:
        publisher.abort()  # what is not renamed into place yet keeps its old bytes
        raise
    publisher.finish()
    if queue:
        queue.flush()
    return publisher


def _commit(run: _Run, changes: Sequence[Changes], report: BuildReport, stale: Scope) -> None:
    """Record what was published (the fingerprints, each source's state, the pings and
    re-scrapes owed) and commit the index: only now, so that a run that died before this is
    done again by the next."""
    from .ingest import image_retry_due
    from .kinds import key
    from .noop import FILES_SOURCES, IMAGES_DUE, files_sources

    store = run.store
    for name, digest in stale.fingerprints.items():
        store.put(key(name), digest)
    store.put(FILES_SOURCES, files_sources(run.config))
    due = image_retry_due(store, run.config)
    store.put(IMAGES_DUE, "never" if due is None else due)
    if report.written_count or report.removed:
        store.put("last_change", clock.stamp())
    store.add_pings((hub, run.config.site.feeds_url + quote(result.path))  # as self links
                    for hub in run.config.websub.hubs
                    for result in report.files if result.written and result.items is not None)
    if run.config.share.facebook_token_env and not report.noop:  # share cards that changed
        from .rescrape import queue_rescrapes

        queue_rescrapes(run.config, store, store.changed_ids(published=True))
    for change in changes:
        change.save(store)
    try:
        store.commit()
    except sqlite3.OperationalError as exc:
        if report.noop:
            raise
        raise StoreError(f"the files are published, but the index {store.path} could not "
                         f"record it ({exc}); the next run does this run's work again") from exc


def _upload(run: _Run, report: BuildReport) -> bool:
    """Mirror the folder to the object store: what this run and any run before it queued, and
    everything that differs after --full. Before the pings: a hub or Facebook that fetches at
    once must find the new files where readers do. False: the uploads' deadline passed with
    files still queued (a warning), so the pings wait for the next run too.

    :raises TargetError: an upload failed for good; the pings wait for the next run too.
    """
    from .targets import mirror

    mirrored = mirror(run.config, run.store, sync=run.full,
                      on_progress=lambda done: run.progress("uploads", done, None))
    report.uploaded, report.deleted_objects = mirrored.put, mirrored.deleted
    report.target_requests = mirrored.requests
    if mirrored.late:
        report.warnings.append(late_uploads(run.config, mirrored.late))
    return not mirrored.late


def late_uploads(config: Config, count: int) -> str:
    """The warning of a run whose uploads did not all go up by their deadline."""
    return (f"s3: deadlines.uploads = {config.deadlines.uploads} s passed; {count:,} file(s) "
            "stay queued for the next run, and so do the WebSub pings and Facebook re-scrapes")


def _ping(run: _Run, report: BuildReport) -> None:
    """Tell each WebSub hub which feeds changed, then Facebook which share cards did. Both
    were stored with the files they announce, so a run that dies here leaves them to the next;
    a failure is a warning, and what failed stays for the next run. After the commit: a hub
    that fetches the feed at once sees the new file."""
    pings = run.store.pending_pings()
    if pings:
        failed = ping_hubs(run.network.client.within(run.network.deadline("pings")), pings)
        report.warnings += [f"WebSub hub {hub}: {reason}; {len(topics)} changed feed(s) will "
                            "be announced on the next run"
                            for hub, (reason, topics) in failed.items()]
        run.store.set_pings([(hub, topic) for hub, (_, topics) in failed.items()
                             for topic in topics])
        run.store.commit()
    if run.config.share.facebook_token_env:
        from .rescrape import send_rescrapes

        report.warnings += send_rescrapes(run.config, run.store, run.network)
        run.store.commit()


__all__ = ["build", "sync"]
