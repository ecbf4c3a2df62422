"""Feeds that follow a tag or an author: their slugs, and which of their feeds a run renders,
keeps or removes (docs/labels.md).

A tag (an author) with at least `tags.min_articles` published articles has a feed in
`tags/<slug>/`. Its slug is given once, when its feed first appears, and kept in the index
forever: the plain slug to the first name that claims it, `<slug>-<6 hex of sha256(name)>` to
the others. A run plans only the labels whose articles changed (the old and the new labels of
each changed article, store.touched_labels), those under the threshold whose retention may end,
and every one on a full render: one new article costs its own labels' feeds, never a pass over
20,000 tags. Not under the shrink guard: a retagged article is not an upstream failure.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from . import clock
from .plan import PAGE_NAME, FeedPlan, OutputPlan, output_changed, rows_signature
from .text import safe_cut

if TYPE_CHECKING:
    from .config import Authors, Config, Tags
    from .records import Article
    from .render.feeds import FeedSpec
    from .store import Store

SLUG_CHARS = 60  # characters of a slug, before a collision's suffix: the folder name stays
# readable and far under a file system's 255 bytes, even as 4-byte UTF-8
SUFFIX_HEX = 6


class LabelKind(NamedTuple):
    """One kind of label: what FeedSpec.kind says, where its feeds go, its config section, the
    articles' field, and the heading of its OPML group (zh, other languages)."""

    kind: str
    folder: str
    settings: Callable[[Config], Tags | Authors]
    names: Callable[[Article], Sequence[str]]
    heading: tuple[str, str]


KINDS = (
    LabelKind("tag", "tags/", lambda config: config.tags, lambda article: article.tags,
              ("標籤", "Tags")),
    LabelKind("author", "authors/", lambda config: config.authors,
              lambda article: article.authors, ("作者", "Authors")),
)
FOLDERS = tuple(kind.folder for kind in KINDS)
FOLDER_OF = {kind.kind: kind.folder for kind in KINDS}

# What becomes '-': white space, path separators, and what a URL, a shell or another file
# system reads specially ('%' would be percent-encoded as %25, which some validators decode
# twice).
_SEPARATORS = re.compile(r"[\s/\\%?#:*\"<>|]+")
_DASHES = re.compile(r"-{2,}")
_DOTS = re.compile(r"\.{2,}")


def slugify(name: str) -> str:
    """The readable, safe folder name of a tag or author: NFC, control and format characters
    dropped, runs of white space, `/`, `\\` and URL-special characters to one '-', ASCII
    lowercased, runs of dots to one, no leading '.' or '-', no trailing '-', at most
    SLUG_CHARS characters cut on a grapheme boundary. '' when nothing is left: no feed."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(char for char in text if not unicodedata.category(char).startswith("C")
                   or char.isspace())
    text = _SEPARATORS.sub("-", text)
    text = "".join(char.lower() if char.isascii() else char for char in text)
    text = _DASHES.sub("-", _DOTS.sub(".", text))
    text = text[:safe_cut(text, SLUG_CHARS)]
    return text.lstrip(".-").rstrip("-.")


def suffixed(slug: str, name: str, length: int = SUFFIX_HEX) -> str:
    """The slug of a name whose plain slug another name holds."""
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:length]}"


def claim_slug(store: Store, kind: str, name: str) -> str:
    """The slug `name` gets now: the plain one if free, else suffixed (longer, in the
    unlikely case that is taken too). '' for a name with no slug."""
    slug = slugify(name)
    if not slug:
        return ""
    for length in (0, SUFFIX_HEX, 16, 64):
        candidate = suffixed(slug, name, length) if length else slug
        if not store.slug_taken(kind, candidate):
            return candidate
    raise AssertionError(f"no free slug for {name!r}")  # 64 hex of sha256: never


class LabelPlan(NamedTuple):
    """The tag and author feeds a run renders (with FeedPlan's rules), the files of those it
    removes, and whether the set of feeds changed (the OPML lists them)."""

    feeds: list[FeedPlan]
    remove: OutputPlan
    relisted: bool


def plan_labels(config: Config, store: Store, *, render_all: bool, pages_all: bool,
                now: datetime | None = None) -> LabelPlan:
    """Which tag and author feeds to render, keep or remove; their slugs are claimed and
    their retention noted in the index, and the articles of a label whose feed comes or goes
    are marked for their head fragments to be rendered again (store.relabel).

    :param render_all: every feed, as after a change of config (this reads every label).
    :param pages_all: every landing page, likewise.
    :param now: the time retention is measured against (clock.now()).
    """
    when = now or clock.now()
    feeds: list[FeedPlan] = []
    remove: list[str] = []
    relisted = False
    for kind in KINDS:
        settings = kind.settings(config)
        if settings.min_articles == 0:  # that kind is off: what it published goes
            if render_all:
                for name, slug, _ in store.label_feeds(kind.kind, kind.folder):
                    remove += _forget(store, kind, name, slug)
                    relisted = True
            continue
        names = set(store.touched_labels(kind.kind)) | set(store.labels_under(kind.kind))
        if render_all:
            names |= set(store.labels_over(kind.kind, settings.min_articles))
        if render_all or pages_all:
            names |= {name for name, _, _ in store.label_feeds(kind.kind, kind.folder)}
        for name in sorted(names):  # a tie for a slug goes to the name that sorts first
            plan, gone, changed = _plan_label(config, store, kind, name, when,
                                              render_all=render_all, pages_all=pages_all)
            feeds += [plan] if plan else []
            remove += gone
            relisted = relisted or changed
    if pages_all and not config.output.pages:  # pages turned off: the labels' go too
        remove += [path for folder in FOLDERS for path, _, _ in store.outputs(folder)
                   if path.endswith("/" + PAGE_NAME)]
    return LabelPlan(feeds, OutputPlan([], sorted(set(remove))), relisted)


def _plan_label(config: Config, store: Store, kind: LabelKind, name: str, now: datetime, *,
                render_all: bool, pages_all: bool) -> tuple[FeedPlan | None, list[str], bool]:
    """One label's feed plan (None: no feed), the files it removes, and whether its feed came
    or went."""
    settings = kind.settings(config)
    count = store.label_count(kind.kind, name)
    known = store.label(kind.kind, name)
    slug, since = known if known else ("", None)
    published = bool(slug) and store.signature(f"{kind.folder}{slug}/") is not None
    if count >= settings.min_articles:
        slug = slug or claim_slug(store, kind.kind, name)
        if not slug:
            return None, [], False  # nothing left of the name to make a folder of
        store.set_label(kind.kind, name, slug, count, None)
    elif not published:
        if known:
            store.set_label(kind.kind, name, slug, count, None)
        return None, [], False
    else:  # under the threshold: the feed stays, with what it has, until retention ends
        since = since or clock_stamp(now)
        if now - datetime.fromisoformat(since) >= timedelta(days=settings.retention_days):
            return None, _forget(store, kind, name, slug), True
        store.set_label(kind.kind, name, slug, count, since)
    if not published:
        store.relabel(kind.kind, name)
    return _feed_plan(config, store, kind, name, slug, render_all=render_all,
                      pages_all=pages_all), [], not published


def _feed_plan(config: Config, store: Store, kind: LabelKind, name: str, slug: str, *,
               render_all: bool, pages_all: bool) -> FeedPlan:
    from .plan import page_path
    from .render.feeds import FeedSpec

    spec = FeedSpec.for_label(config, kind.kind, kind.folder, name, slug)
    top = store.label_top(kind.kind, name, config.output.items_per_feed)
    signature = rows_signature(top)
    page = config.output.pages and (
        pages_all or output_changed(store.signature(page_path(spec)), signature))
    return FeedPlan(spec, [entry.id for entry in top], signature,
                    render_all or output_changed(store.signature(spec.folder), signature), page)


def _forget(store: Store, kind: LabelKind, name: str, slug: str) -> list[str]:
    """The files of a label's feed, to remove; its articles lose the link to it. Its slug
    stays the name's."""
    from .render.feeds import FORMATS

    folder = f"{kind.folder}{slug}/"
    store.relabel(kind.kind, name)
    store.set_label(kind.kind, name, slug, store.label_count(kind.kind, name), None)
    store.forget_output(folder)  # the feed's row; its page has its own, which removal forgets
    return [folder + fmt.filename for fmt in FORMATS] + [
        path for path, _, _ in store.outputs(folder)]


def clock_stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def label_specs(config: Config, store: Store) -> list[tuple[str, list[FeedSpec]]]:
    """The published tag and author feeds, by kind and name, with their OPML heading."""
    from .render.feeds import FeedSpec
    chinese = config.site.language.lower().split("-")[0] == "zh"  # as render.page.words
    groups = []
    for kind in KINDS:
        specs = [FeedSpec.for_label(config, kind.kind, kind.folder, name, slug)
                 for name, slug, _ in store.label_feeds(kind.kind, kind.folder)]
        if specs:
            groups.append((kind.heading[0 if chinese else 1], specs))
    return groups


def article_label_specs(config: Config, store: Store, article: Article) -> list[FeedSpec]:
    """The published feeds of an article's tags, then of its authors, in the article's order:
    what its head fragment links for autodiscovery."""
    from .render.feeds import FeedSpec

    found = store.label_feeds_of(article.id, FOLDER_OF)
    return [FeedSpec.for_label(config, kind.kind, kind.folder, name, found[kind.kind, name])
            for kind in KINDS for name in dict.fromkeys(kind.names(article))
            if (kind.kind, name) in found]


__all__ = ["FOLDERS", "KINDS", "LabelKind", "LabelPlan", "article_label_specs", "claim_slug",
           "label_specs", "plan_labels", "slugify", "suffixed"]
