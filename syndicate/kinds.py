"""What each kind of output depends on besides the records: a fingerprint per kind of the config
values its renderers read and of its renderer version (render/__init__.py), and one of what
changes how records are read. The index keeps them once a run is published; a kind whose
fingerprint differs renders all its files again, the others only what changed, so changing
`output.items_per_feed` renders feeds and not a million article files (DESIGN.md, "Scale").

The parsed values are hashed, not the file's bytes: a comment or a reordered key changes nothing.
The output folder is in every fingerprint: another folder gets everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from . import render, sources

if TYPE_CHECKING:
    from .config import Config, Images

INGEST = "ingest"


def _ingest(config: Config) -> object:
    """Sources (less how often WordPress is listed whole), how a record's category maps to a
    slug, the zone of dates without one, how images without a size are measured."""
    return (sources.INGEST_VERSION,
            [replace(source, full_sync_hours=0) for source in config.sources],
            [(category.slug, category.name) for category in config.categories],
            config.site.timezone, _Measured(config.images))


class _Measured:
    """How images are measured, written as the fingerprint has always had it: when a failed
    probe is tried again (retry_hours, retry_per_run) changes no record, and a key added to
    `images:` must not make every index read all its sources again."""

    def __init__(self, images: Images) -> None:
        self.images = images

    def __repr__(self) -> str:
        images = self.images
        return (f"Images(probe={images.probe!r}, max_bytes={images.max_bytes!r}, "
                f"allow_private={images.allow_private!r})")


def _feeds(config: Config) -> object:
    """render/feeds.py, opml.py and the stylesheet; which tags and authors have feeds."""
    output = config.output
    return (render.FEEDS_VERSION, config.site, config.categories, output.items_per_feed,
            output.update_period, output.update_frequency, config.websub.hubs, config.archives,
            config.tags, config.authors)


def _archives(config: Config) -> object:
    """archives.py, with the item renderers of render/feeds.py: not the number of items of
    the current feeds, nor the hubs (an archive names none)."""
    output = config.output
    return (render.ARCHIVES_VERSION, render.FEEDS_VERSION, config.site, config.categories,
            output.update_period, output.update_frequency, config.archives, config.tags,
            config.authors)


def _articles(config: Config) -> object:
    """render/meta.py and share.py: every share key but those of Facebook's re-scrape."""
    return (render.ARTICLES_VERSION, config.site, config.categories,
            replace(config.share, facebook_token_env=None, facebook_graph=""))


def _pages(config: Config) -> object:
    """render/page.py; the items it shows are each page's signature (plan.py)."""
    share = config.share
    return (render.PAGES_VERSION, config.site, config.categories, config.output.pages,
            share.default_image, share.fb_app_id, share.twitter_site)


def _sitemaps(config: Config) -> object:
    """render/sitemap.py, with meta.lead_image for the News sitemap's images."""
    site = config.site
    return (render.SITEMAPS_VERSION, site.title, site.language, site.timezone, site.feeds_url,
            site.logo, config.sitemaps, config.share.default_image)


def _partners(config: Config) -> object:
    """render/partners/, which build on the RSS of render/feeds.py."""
    output = config.output
    return (render.PARTNERS_VERSION, render.FEEDS_VERSION, config.site, config.categories,
            config.partners, config.share.related, config.share.default_image,
            output.items_per_feed, output.update_period, output.update_frequency,
            config.websub.hubs)


# each kind of output -> the values it is rendered from
KINDS: dict[str, Callable[[Config], object]] = {
    "feeds": _feeds, "articles": _articles, "pages": _pages, "sitemaps": _sitemaps,
    "partners": _partners, "archives": _archives}


def fingerprints(config: Config) -> dict[str, str]:
    """"ingest" and each kind of output -> the hash of what it depends on in `config`."""
    where = str(config.output.dir.resolve())
    return {name: hashlib.sha256(f"{where}\0{values(config)!r}".encode()).hexdigest()
            for name, values in {INGEST: _ingest, **KINDS}.items()}


def key(name: str) -> str:
    """The index's meta key of a fingerprint."""
    return f"fingerprint {name}"


__all__ = ["INGEST", "KINDS", "fingerprints", "key"]
