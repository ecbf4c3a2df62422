"""The read side, for `share`, `preview`, `status` and the Python API: articles as `build`
publishes them. It answers from the index when there is one; otherwise from an index built in
memory by the same sources and the same ingest, so that the winner of a duplicate id and the
sizes of images are what `build` would publish, decided by one rule in one place.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import BuildError, SourceError, StoreError, UnknownArticle
from .plan import PARTNERS, SITEMAP_INDEX, SITEMAPS
from .report import BuildReport
from .store import Store
from .targets import Pending, pending_for

if TYPE_CHECKING:
    import requests

    from .records import Article
    from .render.feeds import FeedSpec

_CHUNK = 500  # articles loaded from the index at a time, to keep memory flat
Shared = tuple["Article", list["Article"]]  # an article and its related articles


@dataclass(frozen=True)
class CategoryCount:
    slug: str
    name: str
    articles: int


@dataclass(frozen=True)
class LabelFeeds:
    """The published feeds of one kind of label (labels.py): "tag" or "author"."""

    kind: str
    folder: str  # "tags/"
    feeds: int
    biggest: list[tuple[str, str, int]]  # (name, slug, articles), the most articles first


@dataclass(frozen=True)
class Status:
    """What the index holds (`syndicate status`)."""

    index: Path
    articles: int
    files: int  # record files read
    categories: list[CategoryCount]  # in the config's order
    last_run: str | None  # ISO 8601, UTC
    last_change: str | None
    rejected: list[str]  # one line per rejected record
    sitemaps: list[tuple[str, int]]  # (path, URLs or sitemaps listed)
    robots: str | None  # the robots.txt line that announces the sitemap index
    partners: list[tuple[str, int]]  # (path, items) of the partner files
    target: Pending | None = None  # the object store and what it is owed (s3.bucket)
    labels: list[LabelFeeds] = field(default_factory=list)  # tag feeds, then author feeds


def label_feeds(store: Store, biggest: int = 5) -> list[LabelFeeds]:
    """How many tag and author feeds are published, and the `biggest` of each kind."""
    from .labels import KINDS

    found = []
    for kind in KINDS:
        feeds = store.label_feeds(kind.kind, kind.folder)
        top = sorted(feeds, key=lambda feed: (-feed[2], feed[0]))[:biggest]
        found.append(LabelFeeds(kind.kind, kind.folder, len(feeds), top))
    return found


def status(config: Config, output: Path | None = None) -> Status:
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
        return Status(
            index=path, articles=store.count(), files=len(store.file_stats()),
            categories=[CategoryCount(c.slug, c.name, counts.get(c.slug, 0))
                        for c in config.categories],
            last_run=store.get("last_run"), last_change=store.get("last_change"),
            rejected=[str(rejection) for rejection in store.rejected()],
            sitemaps=[(path, items) for path, items, _ in store.outputs(SITEMAPS)],
            robots=f"Sitemap: {config.site.feeds_url}{SITEMAP_INDEX}"
            if store.signature(SITEMAP_INDEX) else None,
            partners=[(path, items) for path, items, _ in store.outputs(PARTNERS)],
            target=pending_for(config, store), labels=label_feeds(store))
    finally:
        store.close()


def find_article(config: Config, key: str, session: requests.Session | None = None) -> Article:
    """The article whose id, or URL, is `key`: as the index last published it (fast, and what
    feeds/articles/ holds), else as the sources hold it now (an article not built yet).

    :param session: the requests.Session for WordPress sources and images.
    :raises UnknownArticle: naming the closest ids there are.
    """
    return _find(config, key, session, 0)[0]


def share_view(config: Config, key: str, session: requests.Session | None = None) -> Shared:
    """The article `find_article` finds for `key`, with its related articles resolved in the
    same index: what build writes to feeds/articles/ for it (`syndicate share`).

    :param session: the requests.Session for WordPress sources and images.
    :raises UnknownArticle: naming the closest ids there are.
    """
    return _find(config, key, session, config.share.related)


def article_label_feeds(config: Config, article: Article) -> list[FeedSpec]:
    """The published feeds of an article's tags and authors, as the last build left them
    (none before a build): what its head fragment links for autodiscovery."""
    from .labels import article_label_specs

    with _published_index(config) as store:
        return article_label_specs(config, store, article) if store else []


def _find(config: Config, key: str, session: requests.Session | None, related: int) -> Shared:
    url = _as_url(key)
    with _published_index(config) as store:
        found = _shared(store, key, url, related) if store else None
    if found is None:
        with _sources_index(config, session) as (store, _):
            found = _shared(store, key, url, related)
            ids = [] if found else list(store.all_ids())
    if found is None:
        close = sorted(difflib.get_close_matches(key, ids, n=3, cutoff=0.5))
        hint = f"; the closest ids are {', '.join(close)}" if close else ""
        raise UnknownArticle(f"no published article has the id or URL {key!r}{hint}")
    return found


def _shared(store: Store, key: str, url: str | None, related: int) -> Shared | None:
    from .records import article_from_json

    found = store.find(key, url)
    if found is None:
        return None
    article = article_from_json(found)
    return article, related_articles(store, article, related)


def _as_url(key: str) -> str | None:
    """`key` as a published URL (percent-encoded), or None when it is no absolute http(s) URL."""
    from .urls import URLError, web_url

    try:
        return web_url(key)
    except URLError:
        return None


def related_articles(store: Store, article: Article, limit: int) -> list[Article]:
    """The published articles that `article.related` names (each an id, else a URL), in its
    order, each once, never `article` itself, at most `limit`.

    One lookup per entry (by id, else by URL: both indexed), as a record names a handful.
    """
    from .records import article_from_json

    found: dict[str, Article] = {}
    for entry in article.related:
        if len(found) >= limit:
            break
        text = store.find(entry, _as_url(entry))
        other = article_from_json(text) if text is not None else None
        if other is not None and other.id != article.id:
            found.setdefault(other.id, other)
    return list(found.values())


def newest_articles(config: Config, limit: int) -> list[Article]:
    """The site feed's newest `limit` articles: from the index, else from the sources."""
    return [article for article, _ in _newest(config, limit, 0)]


def newest_shared(config: Config, limit: int) -> list[Shared]:
    """The site feed's newest `limit` articles, each with its related articles."""
    return _newest(config, limit, config.share.related)


def _newest(config: Config, limit: int, related: int) -> list[Shared]:
    def newest(store: Store) -> list[Shared]:
        top = articles(store, [entry.id for entry in store.top(None, limit)])
        return [(article, related_articles(store, article, related)) for article in top]

    with _published_index(config) as store:
        found = newest(store) if store is not None else []
    if found:
        return found
    with _sources_index(config) as (store, _):
        return newest(store)


def load_articles(config: Config, session: requests.Session | None = None
                  ) -> tuple[list[Article], BuildReport]:
    """Every valid article of the config's sources, newest first, one per id, read straight
    from the sources (every post of a WordPress source; no index on disk, nothing written);
    the report holds the rejected records.

    :param session: the requests.Session for WordPress sources and images.
    :raises BuildError: when a source cannot be read.
    """
    with _sources_index(config, session) as (store, report):
        found = articles(store, [entry.id for entry in store.top(None, store.count())])
    return found, report


def articles(store: Store, ids: Sequence[str]) -> list[Article]:
    """The published articles of `ids`, in that order."""
    from .records import article_from_json

    return [article_from_json(text) for text in store.article_json(ids)]


def stream(store: Store, ids: Iterable[str]) -> Iterator[Article]:
    """The articles of `ids`, loaded _CHUNK at a time, so that a million stay out of memory."""
    chunk: list[str] = []
    for record_id in ids:
        chunk.append(record_id)
        if len(chunk) == _CHUNK:
            yield from articles(store, chunk)
            chunk = []
    if chunk:
        yield from articles(store, chunk)


@contextlib.contextmanager
def _published_index(config: Config) -> Iterator[Store | None]:
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


@contextlib.contextmanager
def _sources_index(config: Config, session: requests.Session | None = None
                   ) -> Iterator[tuple[Store, BuildReport]]:
    """An index in memory, filled from every source as `build` fills the index on disk;
    with a report of what was read and rejected."""
    from .ingest import ingest
    from .network import Network
    from .sources import open_sources

    store = Store.in_memory()
    network = Network(config, session)
    sources = open_sources(config, network)
    try:
        ingested = ingest(config, store, [source.changes(store, full=True) for source in sources],
                          network=network)
        store.refresh()
        report = BuildReport(records_read=ingested.records_read, files_read=ingested.files_read,
                             articles=store.count(), rejected=ingested.rejected,
                             requests=sum(source.requests for source in sources))
        yield store, report
    except SourceError as exc:
        raise BuildError(str(exc)) from exc
    finally:
        store.close()


__all__ = [
    "CategoryCount",
    "LabelFeeds",
    "Shared",
    "Status",
    "articles",
    "find_article",
    "label_feeds",
    "load_articles",
    "newest_articles",
    "newest_shared",
    "related_articles",
    "share_view",
    "status",
    "stream",
]
