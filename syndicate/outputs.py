"""Render and publish, one kind of output at a time, as the plan says: the feeds (with the OPML
list and the stylesheet that follow the site feed), the article files, the sitemaps. Each
renders with the pure functions of render/ and writes through the run's Publisher, recording in
the index what each output now shows; build.py calls them in order inside one publish.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from .plan import SITEMAP_INDEX, SITEMAPS, FeedPlan, OutputPlan, page_path
from .publish import Publisher
from .report import BuildReport, FileResult, ProgressFn
from .store import Store

if TYPE_CHECKING:
    from .config import Config
    from .labels import LabelPlan
    from .records import Article
    from .render.feeds import FeedSpec

OPML_NAME = "index.opml"
ARTICLES = "articles"  # feeds/articles/<id>.json and .html


class Stage(NamedTuple):
    """What every output of one run renders from and writes to."""

    config: Config
    store: Store
    publisher: Publisher
    report: BuildReport


def publish_feeds(stage: Stage, plans: Sequence[FeedPlan], labels: LabelPlan | None = None,
                  *, render_all: bool = False) -> None:
    """Render the feeds and the landing pages (`output.pages`) the plan marks as changed,
    remove the tag and author feeds that go, and write the OPML list when the feeds render
    all (a new config or renderer) or a tag or author feed came or went."""
    from .query import articles

    for plan in plans:
        if not (plan.feed or plan.page):
            continue
        items = articles(stage.store, plan.ids)
        if plan.feed:
            publish_feed(stage, plan, items)
        if plan.page:
            publish_page(stage, plan, items)
    if labels:
        publish_planned(stage, labels.remove)
    if render_all or (labels and labels.relisted) or stage.store.signature(OPML_NAME) is None:
        publish_opml(stage, [plan.spec for plan in plans if plan.spec.kind in
                             ("site", "category")])


def publish_feed(stage: Stage, plan: FeedPlan, items: Sequence[Article]) -> None:
    """Write one feed in every format, linking its archives; with the site feed, the
    stylesheet."""
    from .archives import current_history
    from .render.feeds import FORMATS
    from .render.stylesheet import STYLESHEET_NAME, stylesheet

    config = stage.config
    history = current_history(config, plan.spec, items)  # prev-archive: the newest month
    for fmt in FORMATS:
        path = plan.spec.folder + fmt.filename
        written = stage.publisher.write(path, fmt.render(config, plan.spec, items, history))
        stage.report.record(FileResult(path, written, len(items)))
    stage.store.set_signature(plan.spec.folder, plan.signature, len(plan.ids))
    if plan.spec.kind == "site":
        # the browser view of every feed; a new feeds renderer renders all, so it follows
        stage.report.record(FileResult(STYLESHEET_NAME, stage.publisher.write(
            STYLESHEET_NAME, stylesheet())))


def publish_opml(stage: Stage, specs: Sequence[FeedSpec]) -> None:
    """Write the OPML list: the site and category feeds, then the tag and author feeds that
    are published; the index notes that it is there."""
    from .labels import label_specs
    from .render.opml import render_opml

    groups = label_specs(stage.config, stage.store)
    opml = render_opml(stage.config, specs, groups)
    stage.report.record(FileResult(OPML_NAME, stage.publisher.write(OPML_NAME, opml)))
    stage.store.set_signature(OPML_NAME, "", len(specs) + sum(len(g) for _, g in groups))


def publish_page(stage: Stage, plan: FeedPlan, items: Sequence[Article]) -> None:
    """Write a feed's landing page, unless a page syndicate did not write is there (a site's
    own, from before pages existed): that one stays, with a warning saying how to choose."""
    from .render.page import GENERATOR_META, render_page

    path = page_path(plan.spec)
    if stage.store.signature(path) is None:  # not known as ours: look before overwriting
        existing = stage.publisher.read(path)
        if existing is not None and GENERATOR_META not in existing:
            stage.report.warnings.append(
                f"{path}: left as it is, syndicate did not write it; set output.pages: false "
                "to keep your own pages, or remove it to get syndicate's")
            return
    written = stage.publisher.write(path, render_page(stage.config, plan.spec, items))
    stage.report.record(FileResult(path, written))
    stage.store.set_signature(path, plan.signature, len(items))


def publish_articles(stage: Stage, render_all: bool, progress: ProgressFn,
                     jobs: int | None = None) -> None:
    """Write the files of every article that changed (of every article, for a full render) and
    remove those of articles no longer published. Ids stream from the index in chunks, so a
    first build of a million articles holds a few hundred at a time; `jobs` processes render
    them (workers.rendering; None: one per core), and this one publishes them in the order of
    the ids.

    An article whose lead image Google Discover would show small gets a warning line, when its
    files were written: a site with hundreds of them hears of each once, when it changes, not
    on every run; and at most `lines` of them, with how many more."""
    from .labels import article_label_specs
    from .query import related_articles, stream
    from .records import safe_name
    from .workers import default_jobs, rendering

    store, config, lines = stage.store, stage.config, 20
    discover: list[str] = []
    unlisted = 0
    if render_all:
        total, ids = stage.report.articles, store.all_ids()
        stage.report.removed = stage.publisher.remove_strays(ARTICLES, store.published_names)
    else:  # and those whose tag or author feed came or went (labels.py)
        relabelled = store.relabelled_count()
        total = stage.report.changed + relabelled
        ids = itertools.chain(store.changed_ids(published=True),
                              store.relabelled_ids() if relabelled else ())
        for gone in list(store.changed_ids(published=False)):
            name = f"{ARTICLES}/{safe_name(gone)}"
            stage.report.removed += [path for path in (f"{name}.html", f"{name}.json")
                               if stage.publisher.remove(path)]
    work = ((article, related_articles(store, article, config.share.related),
             article_label_specs(config, store, article))
            for article in stream(store, ids))
    render = functools.partial(article_files, config)
    with rendering(render, work, jobs=jobs or default_jobs(), count=total) as rendered:
        for done, files in enumerate(rendered, start=1):
            written = False
            for path, data in ((f"{files.name}.json", files.share),
                               (f"{files.name}.html", files.head)):
                result = FileResult(path, stage.publisher.write(path, data))
                stage.report.record(result, keep=False)
                written = written or result.written
            if written and files.discover and len(discover) < lines:
                discover.append(f"{files.name}: {files.discover}")
            elif written and files.discover:
                unlisted += 1
            progress("articles", done, total)
    stage.report.warnings += discover + (
        [f"and {unlisted} more article(s) whose lead image Google Discover shows small "
         "(syndicate preview shows each)"] if unlisted else [])


class ArticleFiles(NamedTuple):
    """An article's two files, rendered, and its Google Discover warning."""

    name: str  # articles/<safe name>, without the suffix
    share: bytes  # .json: share links and metadata
    head: bytes  # .html: the <head> fragment
    discover: str | None


def article_files(config: Config, job: tuple[Article, list[Article], list[FeedSpec]]
                  ) -> ArticleFiles:
    """Render one article's files from it, its related articles and its published tag and
    author feeds: pure, so that a worker process can do it."""
    from .records import safe_name
    from .render.meta import article_files as render_files
    from .render.meta import discover_warning

    article, related, labels = job
    share, head = render_files(article, config, related, labels)
    return ArticleFiles(f"{ARTICLES}/{safe_name(article.id)}", share, head,
                        discover_warning(article, config))


def publish_sitemaps(stage: Stage, plan: OutputPlan) -> None:
    """Write the sitemaps the plan marks and remove those no longer wanted; then the index,
    which lists every sitemap with its lastmod as the index of the run records them."""
    from .render.sitemap import sitemap_index

    if not plan:
        return
    publish_planned(stage, plan)
    store = stage.store
    listed = [(stage.config.site.feeds_url + path, lastmod)
              for path, _, lastmod in store.outputs(SITEMAPS) if path != SITEMAP_INDEX]
    if listed:
        stage.report.record(FileResult(SITEMAP_INDEX, stage.publisher.write(SITEMAP_INDEX,
                                                                sitemap_index(listed))))
        store.set_signature(SITEMAP_INDEX, "", len(listed))


def publish_planned(stage: Stage, plan: OutputPlan) -> None:
    """Write the outputs the plan marks (their warnings go to the report) and remove those no
    longer wanted, recording in the index what each now shows."""
    store = stage.store
    for output in plan.write:
        rendering = output.render()
        stage.report.record(FileResult(output.path, stage.publisher.write(output.path,
                                                                          rendering.data)))
        stage.report.warnings += rendering.warnings
        store.set_signature(output.path, output.signature, output.items, rendering.lastmod)
    for path in plan.remove:
        stage.report.removed += [path] if stage.publisher.remove(path) else []
        store.forget_output(path)
