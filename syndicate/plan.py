"""The plan: from what changed in the index to which outputs to render. A feed whose items (ids
and record hashes) are what it last showed is not rendered again; a feed that would lose most of
its items stops the run (the shrink guard, DESIGN.md "Publish"); a kind of output whose
fingerprint changed (kinds.py: the config values it reads, its renderer's version) is all stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import BuildError
from .report import REPORT_NAME
from .store import instant

if TYPE_CHECKING:
    from .config import Config
    from .labels import LabelPlan
    from .render.feeds import FeedSpec
    from .store import Store

# A feed that would lose more than half of at least this many items is not published: most
# likely a source answered with far fewer records than it has (DESIGN.md, "Publish").
SHRINK_GUARD_ITEMS = 10


class Scope(NamedTuple):
    """How much of the output a run must consider."""

    fingerprints: dict[str, str]  # "ingest" and each kind of output (kinds.py), kept once published
    changed: frozenset[str]  # those that differ from what built the output
    reset: bool  # read every source again: the ingest fingerprint changed, or `build --full`
    render: frozenset[str]  # the kinds that render every file: reset, their fingerprint
    # changed, or an output folder without a report

    def render_all(self, kind: str) -> bool:
        return kind in self.render


class FeedPlan(NamedTuple):
    spec: FeedSpec
    ids: list[str]  # the items, newest first
    signature: str  # of the items
    feed: bool  # render the feed's files: its items changed, or all feeds are stale
    page: bool  # render its landing page: likewise for pages (`output.pages`)


def scope(config: Config, store: Store, *, full: bool) -> Scope:
    """How stale the output is: `full` asks for everything to be read again."""
    from .kinds import INGEST, KINDS, fingerprints, key

    digests = fingerprints(config)
    changed = frozenset(name for name, digest in digests.items() if store.get(key(name)) != digest)
    reset = full or INGEST in changed
    everything = reset or not (config.output.dir / REPORT_NAME).is_file()
    return Scope(digests, changed, reset, frozenset(KINDS) if everything else changed - {INGEST})


def feed_specs(config: Config) -> list[FeedSpec]:
    """The site feed, then one feed per category in the config's order."""
    from .render.feeds import FeedSpec

    return [FeedSpec.for_site(config)] + [FeedSpec.for_category(config, category)
                                         for category in config.categories]


def plan_feeds(config: Config, store: Store, *, render_all: bool, pages_all: bool,
               allow_shrink: bool) -> list[FeedPlan]:
    """Each feed's items, and whether its files must be rendered (its items changed, or
    `render_all`), and its landing page (the page does not show them yet, or `pages_all`).

    :raises BuildError: naming the feeds that would shrink, unless `allow_shrink`.
    """
    plans, shrunk = [], []
    for spec in feed_specs(config):
        top = store.top(spec.category.slug if spec.category else None,
                        config.output.items_per_feed)
        signature = rows_signature(top)
        last = store.signature(spec.folder)
        before = last[1] if last and last[1] is not None else 0
        if before >= SHRINK_GUARD_ITEMS and len(top) * 2 < before:
            shrunk.append(f"{spec.folder or '(site)/'} from {before} to {len(top)}")
        page = config.output.pages and (
            pages_all or output_changed(store.signature(page_path(spec)), signature))
        plans.append(FeedPlan(spec, [entry.id for entry in top], signature,
                              render_all or output_changed(last, signature), page))
    if shrunk and not allow_shrink:
        raise BuildError(f"feeds would lose most of their items ({'; '.join(shrunk)} items): "
                         "did a source answer with far fewer records than it has? Nothing was "
                         "published, the feeds stay as they were; if the records really are "
                         "gone, run once with --allow-shrink")
    return plans


# --- landing pages ---

PAGE_NAME = "index.html"  # in the site's folder and each category's


def page_path(spec: FeedSpec) -> str:
    """Where a feed's landing page is published: beside the feed."""
    return spec.folder + PAGE_NAME


def plan_pages(config: Config, store: Store, *, render_all: bool) -> OutputPlan:
    """Pages are written with their feeds (outputs.publish_feeds); on a full render (as after a
    config change), the pages syndicate wrote that are no longer wanted go: all of them with
    `output.pages` off, a removed category's. Only pages the index lists: never a file that
    syndicate did not write."""
    from .labels import FOLDERS

    if not render_all:
        return OutputPlan([], [])
    wanted = {page_path(spec) for spec in feed_specs(config)} if config.output.pages else set()
    stored = {path for path, _, _ in store.outputs("")  # tags' and authors': labels.py
              if path.rpartition("/")[2] == PAGE_NAME and not path.startswith(FOLDERS)}
    return OutputPlan([], sorted(stored - wanted))


# --- sitemaps ---

SITEMAPS = "sitemaps/"
SITEMAP_INDEX = SITEMAPS + "index.xml"
NEWS = SITEMAPS + "news"  # news.xml, news-2.xml, ...
NEWS_WINDOW = timedelta(days=2)  # Google News reads the articles of the last two days


class Rendering(NamedTuple):
    data: bytes
    lastmod: str | None = None  # for the sitemap index
    warnings: tuple[str, ...] = ()  # one line per article a partner's rule left out


class Output(NamedTuple):
    """A file to render when the plan says so."""

    path: str  # where it is published, and its row in the index's output table
    render: Callable[[], Rendering]
    items: int
    signature: str


class OutputPlan(NamedTuple):
    write: list[Output]
    remove: list[str]  # files no longer published

    def __bool__(self) -> bool:
        return bool(self.write or self.remove)


def plan_sitemaps(config: Config, store: Store, *, render_all: bool) -> OutputPlan:
    """The News sitemap when its articles changed, the month sitemaps of the months whose
    articles changed (every month, for a full render), and the files no longer wanted: a month
    whose articles are all gone, News files beyond those needed, and on a full render (as after
    a config change) every sitemap that is no longer configured."""
    enabled = config.sitemaps.news or config.sitemaps.articles
    wanted = ((_news(config, store, render_all) if config.sitemaps.news else [])
              + (_months(config, store, render_all) if config.sitemaps.articles else []))
    write = [output for output in wanted if output.items or output.path.startswith(NEWS)]
    paths = {output.path for output in write}
    stored = {path for path, _, _ in store.outputs(SITEMAPS)}
    remove = {output.path for output in wanted} - paths
    if NEWS + ".xml" in paths:
        remove |= {path for path in stored if path.startswith(NEWS)} - paths
    if render_all:
        remove |= stored - paths - ({SITEMAP_INDEX} if enabled else set())
    return OutputPlan(write, sorted(remove & stored))


def _news(config: Config, store: Store, render_all: bool) -> list[Output]:
    from .render.sitemap import NEWS_PER_FILE

    span = store.published_range()
    top = store.published_between(span[1] - _micros(NEWS_WINDOW), span[1] + 1) if span else []
    signature = rows_signature(top)
    if not (render_all or output_changed(store.signature(NEWS + ".xml"), signature)):
        return []
    chunks = [top[start:start + NEWS_PER_FILE] for start in range(0, len(top), NEWS_PER_FILE)]
    return [Output(NEWS + (".xml" if n == 1 else f"-{n}.xml"),
                   functools.partial(_render_news, config, store, [e.id for e in chunk]),
                   len(chunk), signature)
            for n, chunk in enumerate(chunks or [[]], start=1)]


def _render_news(config: Config, store: Store, ids: list[str]) -> Rendering:
    from .query import articles
    from .render.sitemap import news_sitemap, w3c

    found = articles(store, ids)
    newest = max((article.updated for article in found), default=None)
    return Rendering(news_sitemap(config, found), newest and w3c(newest))


def _months(config: Config, store: Store, render_all: bool) -> list[Output]:
    zone = config.site.zone
    if render_all:
        span = store.published_range()
        months = months_between(*(month_of(i, zone) for i in span)) if span else []
    else:
        months = sorted({month_of(i, zone) for i in store.changed_published()})
    outputs = []
    for year, month in months:
        start, end = (instant(datetime(*when, 1, tzinfo=zone))
                      for when in ((year, month), (year + month // 12, month % 12 + 1)))
        rows = store.locations_between(start, end)
        outputs.append(Output(f"{SITEMAPS}articles-{year:04d}-{month:02d}.xml",
                              functools.partial(_render_month, config, rows), len(rows),
                              rows_signature(rows)))
    return outputs


def _render_month(config: Config, rows: list[tuple[str, int]]) -> Rendering:
    from .render.sitemap import articles_sitemap, lastmod

    modified = [(url, datetime.fromtimestamp(updated / 1e6, UTC).astimezone(config.site.zone))
                for url, updated in rows]
    newest = max((updated for _, updated in rows), default=None)
    return Rendering(articles_sitemap(modified), newest and lastmod(newest, config))


def month_of(value: int, zone: tzinfo) -> tuple[int, int]:
    when = datetime.fromtimestamp(value / 1_000_000, UTC).astimezone(zone)
    return when.year, when.month


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    count = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    return [(first[0] + (first[1] - 1 + n) // 12, (first[1] - 1 + n) % 12 + 1)
            for n in range(count)]


def _micros(span: timedelta) -> int:
    return int(span.total_seconds() * 1_000_000)


def rows_signature(rows: Sequence[Sequence[object]]) -> str:
    return hashlib.sha256(json.dumps([list(row) for row in rows]).encode()).hexdigest()


# --- partner outputs ---

PARTNERS = "partners/"


def plan_partners(config: Config, store: Store, *, render_all: bool) -> OutputPlan:
    """Each configured partner file whose items changed (all, for a full render); on a full
    render, the files of partners no longer configured go."""
    chosen = config.partners
    outputs = _partner_outputs(config, store) if (
        chosen.yahoo or chosen.line_today or chosen.msn) else []
    wanted = [output for output in outputs
              if render_all or output_changed(store.signature(output.path), output.signature)]
    stored = {path for path, _, _ in store.outputs(PARTNERS)}
    remove = stored - {output.path for output in outputs} if render_all else set()
    return OutputPlan(wanted, sorted(remove))


def output_changed(last: tuple[str, int | None] | None, signature: str) -> bool:
    """Whether an output whose index row is `last` shows other items than `signature` says."""
    return last is None or last[0] != signature


def _partner_outputs(config: Config, store: Store) -> list[Output]:
    from .render.partners import line_today, msn, yahoo

    chosen = config.partners
    items = chosen.items or config.output.items_per_feed
    campaign, related = chosen.utm_campaign, config.share.related
    outputs = []
    if chosen.yahoo:
        outputs.append(_partner(store, None, items, yahoo.render, yahoo.YahooOptions(
            utm_campaign=campaign, items=items, related=related), yahoo.PATH, config))
    if chosen.yahoo and chosen.yahoo_categories:
        for category in config.categories:
            path = f"{PARTNERS}yahoo/{category.slug}/rss.xml"
            outputs.append(_partner(store, category.slug, items, yahoo.render, yahoo.YahooOptions(
                utm_campaign=campaign, items=items, related=related, path=path,
                title=f"{config.site.title} · {category.name}"), path, config))
    if chosen.line_today:
        outputs.append(_partner(store, None, items, line_today.render,
                                line_today.LineTodayOptions(utm_campaign=campaign, items=items,
                                                            related=related),
                                line_today.PATH, config))
    if chosen.msn:
        outputs.append(_partner(store, None, chosen.msn_items, msn.render, msn.MsnOptions(
            items=chosen.msn_items, require_image=chosen.msn_require_image), msn.PATH, config))
    return outputs


def _partner(store: Store, category: str | None, items: int, render: Callable[..., Any],
             options: object, path: str, config: Config) -> Output:
    """A partner file of the newest `items` articles (of one category, or of all); its
    signature covers its items and its options, so a changed option renders it again."""
    top = store.top(category, items)

    def rendered() -> Rendering:
        from .query import articles, related_articles

        found = articles(store, [entry.id for entry in top])
        related = {article.id: related_articles(store, article, config.share.related)
                   for article in found}
        result = render(config, found, related, options)
        return Rendering(result.data, warnings=result.warnings)

    return Output(path, rendered, len(top), rows_signature([*top, [repr(options)]]))


class Plan(NamedTuple):
    """Every output a run renders: the feeds (and their pages: the site's, the categories',
    then the tags' and authors'), the sitemaps, the partner files, the feeds' archives
    (archives.py); the pages no longer wanted; and the tag and author feeds that go (labels.py)."""

    feeds: list[FeedPlan]
    sitemaps: OutputPlan
    partners: OutputPlan
    pages: OutputPlan
    archives: OutputPlan
    labels: LabelPlan


def plan(config: Config, store: Store, stale: Scope, *, allow_shrink: bool) -> Plan:
    """What the index now holds -> which outputs to render: all of each kind that `stale`
    says, what changed of the others.

    :raises BuildError: a feed would lose most of its items, unless `allow_shrink`.
    """
    from .archives import plan_archives
    from .labels import plan_labels

    feeds = plan_feeds(config, store, render_all=stale.render_all("feeds"),
                       pages_all=stale.render_all("pages"), allow_shrink=allow_shrink)
    labels = plan_labels(config, store, render_all=stale.render_all("feeds"),
                         pages_all=stale.render_all("pages"))
    return Plan(feeds + labels.feeds,
                plan_sitemaps(config, store, render_all=stale.render_all("sitemaps")),
                plan_partners(config, store, render_all=stale.render_all("partners")),
                plan_pages(config, store, render_all=stale.render_all("pages")),
                plan_archives(config, store, render_all=stale.render_all("archives"),
                              labels=labels.feeds), labels)


__all__ = ["PAGE_NAME", "PARTNERS", "SHRINK_GUARD_ITEMS", "SITEMAPS", "SITEMAP_INDEX", "FeedPlan",
           "Output", "OutputPlan", "Plan", "Rendering", "Scope", "feed_specs",
           "page_path", "plan", "plan_feeds", "plan_pages", "plan_partners", "plan_sitemaps",
           "scope"]
