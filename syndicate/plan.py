"""The plan: from what changed in the index to which outputs to render. A feed whose items (ids
and record hashes) are what it last showed is not rendered again; a feed that would lose most of
its items stops the run (the shrink guard, DESIGN.md "Publish"); another config or another
syndicate makes everything stale.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, NamedTuple

from . import __version__
from .errors import BuildError
from .report import REPORT_NAME

if TYPE_CHECKING:
    from .config import Config
    from .render.feeds import FeedSpec
    from .store import Store

# A feed that would lose more than half of at least this many items is not published: most
# likely a source answered with far fewer records than it has (DESIGN.md, "Publish").
SHRINK_GUARD_ITEMS = 10


class Scope(NamedTuple):
    """How much of the output a run must consider."""

    fingerprint: str  # of the config and program, kept in the index once published
    reconfigured: bool  # another config or program than the one that built the output
    reset: bool  # read every source again: reconfigured, or `build --full`
    render_all: bool  # render every file: reset, or an output folder without a report


class FeedPlan(NamedTuple):
    spec: FeedSpec
    ids: list[str]  # the items, newest first
    signature: str | None  # None: unchanged since the feed was last written


def scope(config: Config, store: Store, *, full: bool) -> Scope:
    """How stale the output is: `full` asks for everything to be read again."""
    digest = fingerprint(config)
    reconfigured = store.get("fingerprint") != digest
    reset = full or reconfigured
    render_all = reset or not (config.output.dir / REPORT_NAME).is_file()
    return Scope(digest, reconfigured, reset, render_all)


def fingerprint(config: Config) -> str:
    """What the output depends on besides the records: the config's bytes, the program and
    where the output goes."""
    digest = hashlib.sha256(config.path.read_bytes())
    digest.update(f"\0{__version__}\0{config.output.dir.resolve()}".encode())
    return digest.hexdigest()


def feed_specs(config: Config) -> list[FeedSpec]:
    """The site feed, then one feed per category in the config's order."""
    from .render.feeds import FeedSpec

    return [FeedSpec.for_site(config)] + [FeedSpec.for_category(config, category)
                                         for category in config.categories]


def plan_feeds(config: Config, store: Store, *, render_all: bool, allow_shrink: bool
               ) -> list[FeedPlan]:
    """Each feed's items, and whether it must be rendered.

    :raises BuildError: naming the feeds that would shrink, unless `allow_shrink`.
    """
    plans, shrunk = [], []
    for spec in feed_specs(config):
        top = store.top(spec.category.slug if spec.category else None,
                        config.output.items_per_feed)
        signature = hashlib.sha256(
            json.dumps([[entry.id, entry.hash] for entry in top]).encode()).hexdigest()
        last = store.signature(spec.folder)
        before = last[1] if last and last[1] is not None else 0
        if before >= SHRINK_GUARD_ITEMS and len(top) * 2 < before:
            shrunk.append(f"{spec.folder or '(site)/'} from {before} to {len(top)}")
        unchanged = not render_all and last is not None and last[0] == signature
        plans.append(FeedPlan(spec, [entry.id for entry in top],
                              None if unchanged else signature))
    if shrunk and not allow_shrink:
        raise BuildError(f"feeds would lose most of their items ({'; '.join(shrunk)} items): "
                         "did a source answer with far fewer records than it has? Nothing was "
                         "published, the feeds stay as they were; if the records really are "
                         "gone, run once with --allow-shrink")
    return plans


__all__ = ["SHRINK_GUARD_ITEMS", "FeedPlan", "Scope", "feed_specs", "fingerprint", "plan_feeds",
           "scope"]
