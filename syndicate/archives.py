"""The plan of the feeds' monthly archives (RFC 5005 section 4, archived feeds; docs/archives.md).

Each feed whose kind `archives:` turns on gets, in its folder, archive/YYYY-MM.rss.xml, .atom.xml
and .json for every month (in the site's zone) that has items: all the feed's items published in
that month, newest first, linked to the current feed (`current`) and to the nearest older and
newer months that have items (`prev-archive`, `next-archive`; JSON Feed: `next_url`, older). The
current feed links the newest month (feeds.History).

Planned like the month sitemaps (plan.py): a document's signature is its items (ids and record
hashes) and its two neighbours, kept per file in the index's feeds table. A run looks only at
the months of the articles that changed (before and after: a moved article leaves one month
and joins another) and at their neighbours, whose links may have changed; every month when the
"archives" kind is stale (kinds.py). So a new article rewrites its month's three files, and the
month before once, when it is the first of a new month; a finished month changes only when one
of its own articles does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from .plan import (
    Output,
    OutputPlan,
    Rendering,
    feed_specs,
    month_of,
    months_between,
    output_changed,
    rows_signature,
)
from .store import Entry, instant

if TYPE_CHECKING:
    from .config import Config
    from .plan import FeedPlan
    from .records import Article
    from .render.feeds import FeedFormat, FeedSpec, History
    from .store import Store

# the files syndicate writes as archives, in any feed's folder: only these are ever removed
ARCHIVE_PATH = re.compile(r"(?:^|/)archive/\d{4}-\d{2}\.(?:rss\.xml|atom\.xml|json)$")

def archived(config: Config, spec: FeedSpec) -> bool:
    """Whether `spec` has archives: its kind is turned on in `archives:`."""
    return config.archives.follows(spec.kind)


class _Selection(NamedTuple):
    """What a feed lists, as the index is asked for it by month: every article (the site),
    a category's, or a tag's or an author's (by name)."""

    store: Store
    kind: str  # FeedSpec.kind
    key: str | None  # the category's slug, the tag's or author's name

    def between(self, start: int, end: int) -> list[Entry]:
        if self.kind in ("tag", "author"):
            return self.store.label_between(self.kind, self.key or "", start, end)
        return self.store.published_between(start, end, self.key)

    def around(self, start: int, end: int) -> tuple[int | None, int | None]:
        if self.kind in ("tag", "author"):
            return self.store.label_around(self.kind, self.key or "", start, end)
        return self.store.published_around(start, end, self.key)

    def span(self) -> tuple[int, int] | None:
        if self.kind in ("tag", "author"):
            return self.store.label_range(self.kind, self.key or "")
        return self.store.category_range(self.key)

    def holds(self, placed: str | None) -> bool:
        """Whether an article changed in category `placed` may be in this feed's months (a
        tag's or an author's: any; their changed months are few, and read again)."""
        return self.kind != "category" or placed == self.key


def _selection(store: Store, spec: FeedSpec) -> _Selection:
    if spec.kind in ("tag", "author"):
        return _Selection(store, spec.kind, store.label_name(spec.kind, spec.slug))
    return _Selection(store, spec.kind, spec.category.slug if spec.category else None)


def current_history(config: Config, spec: FeedSpec, items: list[Article]) -> History:
    """The history links of a current feed whose items are `items` (newest first): its
    prev-archive is the month of its newest item, the newest month with items."""
    from .render.feeds import CURRENT, History

    if not (items and archived(config, spec)):
        return CURRENT
    return History(prev=_label(month_of(instant(items[0].published), config.site.zone)))


class _Month(NamedTuple):
    """One month of one feed as its archive shows it."""

    spec: FeedSpec
    month: tuple[int, int]
    entries: list[Entry]
    prev: tuple[int, int] | None
    next: tuple[int, int] | None

    @property
    def signature(self) -> str:
        return rows_signature([*self.entries, [_label(self.prev), _label(self.next)]])


def plan_archives(config: Config, store: Store, *, render_all: bool,
                  labels: Sequence[FeedPlan] = ()) -> OutputPlan:
    """The archive files to write: of the months whose items changed, and of their neighbours
    whose links did, unless they show what they showed; of every month, for a full render or
    a feed that is new. The files to remove: of a month left with no items, and on a full
    render every archive file the index lists that is no longer wanted (a feed whose archives
    were turned off, a category removed). `labels`: the tag and author feeds this run plans
    (labels.py); a full render also takes every one already published. A tag or author feed
    that goes takes its archives with it (labels.py)."""
    specs = {spec.folder: spec for spec in feed_specs(config) if archived(config, spec)}
    if render_all and (config.archives.tags or config.archives.authors):
        from .labels import label_specs

        specs |= {spec.folder: spec for _, group in label_specs(config, store)
                  for spec in group if archived(config, spec)}
    specs |= {plan.spec.folder: plan.spec for plan in labels if archived(config, plan.spec)}
    loader = _Loader(config, store)
    write: list[Output] = []
    remove: set[str] = set()
    for spec in specs.values():
        new = store.signature(spec.folder) is None  # a tag's feed that comes now: all months
        months = (_all_months(config, store, spec) if render_all or new
                  else _touched(config, store, spec))
        for month in months:
            paths = _paths(month.spec, month.month)
            if not month.entries:
                remove |= {path for path in paths if store.signature(path) is not None}
            elif render_all or new or any(output_changed(store.signature(path), month.signature)
                                   for path in paths):
                write += _outputs(loader, month)
    if render_all:
        stored = {path for path, _, _ in store.outputs("") if ARCHIVE_PATH.search(path)}
        remove |= stored - {output.path for output in write}
    return OutputPlan(write, sorted(remove))


def _all_months(config: Config, store: Store, spec: FeedSpec) -> Iterator[_Month]:
    """Every month of the feed that has items, oldest first, each knowing its neighbours."""
    zone, selection = config.site.zone, _selection(store, spec)
    span = selection.span()
    if span is None:
        return
    found = [(month, entries) for month in months_between(*(month_of(i, zone) for i in span))
             if (entries := selection.between(*_bounds(month, zone)))]
    for n, (month, entries) in enumerate(found):
        yield _Month(spec, month, entries, found[n - 1][0] if n else None,
                     found[n + 1][0] if n + 1 < len(found) else None)


def _touched(config: Config, store: Store, spec: FeedSpec) -> list[_Month]:
    """The months of the feed's changed articles, and the nearest months with items around
    each: their prev-archive or next-archive link changes when the month gains its first item
    or loses its last."""
    zone, selection = config.site.zone, _selection(store, spec)
    changed = {month_of(published, zone) for placed, published in store.changed_placements()
               if selection.holds(placed)}
    months: dict[tuple[int, int], _Month] = {}
    for month in sorted(changed):
        found = _read(store, spec, month, zone)
        months[month] = found
        for neighbour in (found.prev, found.next):
            if neighbour is not None and neighbour not in months:
                months[neighbour] = _read(store, spec, neighbour, zone)
    return [months[month] for month in sorted(months)]


def _read(store: Store, spec: FeedSpec, month: tuple[int, int], zone: tzinfo) -> _Month:
    """One month's items and its neighbours, each from an index."""
    selection, (start, end) = _selection(store, spec), _bounds(month, zone)
    before, after = selection.around(start, end)
    return _Month(spec, month, selection.between(start, end),
                  None if before is None else month_of(before, zone),
                  None if after is None else month_of(after, zone))


def _bounds(month: tuple[int, int], zone: tzinfo) -> tuple[int, int]:
    """The month as instants [start, end) in the site's zone."""
    year, number = month
    return (instant(datetime(year, number, 1, tzinfo=zone)),
            instant(datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)))


def _label(month: tuple[int, int] | None) -> str | None:
    return None if month is None else f"{month[0]:04d}-{month[1]:02d}"


def _paths(spec: FeedSpec, month: tuple[int, int]) -> list[str]:
    from .render.feeds import FORMATS, archive_name

    label = _label(month)
    assert label is not None
    return [spec.folder + archive_name(fmt.filename, label) for fmt in FORMATS]


def _outputs(loader: _Loader, month: _Month) -> list[Output]:
    """The month's three files; each reads the month's articles again when it renders (the
    three in a row share one read), so a full render holds one month in memory at a time."""
    from .render.feeds import FORMATS, History

    history = History(_label(month.month), _label(month.prev), _label(month.next))
    return [Output(path, functools.partial(loader.render, month.spec, month.month, fmt, history),
                   len(month.entries), month.signature)
            for path, fmt in zip(_paths(month.spec, month.month), FORMATS, strict=True)]


class _Loader:
    """The articles of the last month rendered: the three formats of a month read them once."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config, self.store = config, store
        self.key: tuple[str, tuple[int, int]] | None = None
        self.items: list[Article] = []

    def render(self, spec: FeedSpec, month: tuple[int, int], fmt: FeedFormat,
               history: History) -> Rendering:
        from .query import articles

        if self.key != (spec.folder, month):
            entries = _selection(self.store, spec).between(
                *_bounds(month, self.config.site.zone))
            self.key, self.items = (spec.folder, month), articles(
                self.store, [entry.id for entry in entries])
        return Rendering(fmt.render(self.config, spec, self.items, history))


__all__ = ["ARCHIVE_PATH", "archived", "current_history", "plan_archives"]
