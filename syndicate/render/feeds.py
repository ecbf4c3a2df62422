"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for one feed (the site's, a category's, a tag's or an
author's).

RSS and Atom are built with feedgen 1.0.0. Each of its defects that the W3C validator would flag
is worked around here, and tests/test_feedgen_workarounds.py pins every one:

* entry links lose their attributes (an Atom enclosure would become a second alternate link),
  so every Atom entry link is written by our own entry extension;
* ``content(type='CDATA')`` writes type="CDATA", which Atom does not know: content is type html;
* the RSS channel <link> is the *last* link added: the self link is added first;
* feedgen's syndication extension writes ``sy:UpdatePeriod``: we write ``sy:updatePeriod``;
* feedgen's media extension wraps one image in media:group: we write media:content directly;
* lastBuildDate / updated default to now: both are set to the newest item's time;
* entries are prepended by default: they are appended, in our order;
* RSS <author> must be an e-mail address: names go to dc:creator.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from ..config import Category, Config
from ..dates import rfc3339
from ..records import Article
from .stylesheet import with_stylesheet

GENERATOR = "syndicate"  # no version: an upgrade alone must not rewrite every feed
NS_SY = "http://purl.org/rss/1.0/modules/syndication/"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_MEDIA = "http://search.yahoo.com/mrss/"
NS_ATOM = "http://www.w3.org/2005/Atom"
NS_FH = "http://purl.org/syndication/history/1.0"  # RFC 5005: fh:archive
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedSpec:
    """One feed: the whole site (`category` None), one category, or one tag or author."""

    folder: str  # "" for the site, "<slug>/" for a category, "tags/<slug>/", "authors/<slug>/"
    title: str
    description: str
    home_url: str
    category: Category | None
    kind: str = "site"  # what the feed follows: "site", "category", "tag" or "author"
    slug: str = ""  # a tag's or an author's slug (labels.py), raw in `folder`

    @classmethod
    def for_site(cls, config: Config) -> FeedSpec:
        site = config.site
        return cls("", site.title, site.description, site.url, None)

    @classmethod
    def for_category(cls, config: Config, category: Category) -> FeedSpec:
        return cls(f"{category.slug}/", f"{category.name} | {config.site.title}",
                   category.description, category.url, category, "category")

    @classmethod
    def for_label(cls, config: Config, kind: str, folder: str, name: str, slug: str
                  ) -> FeedSpec:
        """A tag's or an author's feed (`kind` "tag" or "author") in `folder` ("tags/"):
        titled with the raw name; its home is its landing page when pages are written."""
        spec = cls(f"{folder}{slug}/", f"{name} | {config.site.title}", name, config.site.url,
                   None, kind, slug)
        if config.output.pages:
            spec = replace(spec, home_url=spec.url(config, ""))
        return spec

    def url(self, config: Config, filename: str) -> str:
        """The feed's address: its folder percent-encoded (UTF-8), as a CJK slug needs."""
        return f"{config.site.feeds_url}{quote(self.folder)}{filename}"

    def id(self, config: Config) -> str:
        if self.slug:
            return tag_uri(config, f"feed/{self.kind}/{quote(self.slug, safe='')}")
        name = f"feed/{self.category.slug}" if self.category else "feed"
        return tag_uri(config, name)


ARCHIVE = "archive/"  # a feed's monthly archives, in its folder
_ARCHIVE_SUFFIX = {"rss.xml": ".rss.xml", "atom.xml": ".atom.xml", "feed.json": ".json"}


def archive_name(filename: str, month: str) -> str:
    """Where the archive of `month` ("2026-05") of a feed's format `filename` lives, in the
    feed's folder: archive/2026-05.rss.xml, .atom.xml, .json."""
    return f"{ARCHIVE}{month}{_ARCHIVE_SUFFIX[filename]}"


@dataclass(frozen=True)
class History:
    """Where one document of a feed stands among its archives (RFC 5005 section 4, archived
    feeds): the current (subscription) feed when `month` is None, else the archive of that
    month ("2026-05"); `prev` and `next` are the older and the newer month it links as
    prev-archive and next-archive (None: no such link). CURRENT links none: a feed without
    archives."""

    month: str | None = None
    prev: str | None = None
    next: str | None = None

    def document(self, filename: str) -> str:
        """The document's file name in the feed's folder, for the format `filename`."""
        return archive_name(filename, self.month) if self.month else filename

    def links(self, filename: str) -> list[tuple[str, str]]:
        """(rel, file name in the feed's folder) of each history link, for the format
        `filename`: an archive names the current feed, each document its neighbours."""
        found = [("current", filename)] if self.month else []
        return found + [(rel, archive_name(filename, month)) for rel, month in
                        (("prev-archive", self.prev), ("next-archive", self.next)) if month]


CURRENT = History()


def tag_uri(config: Config, name: str) -> str:
    """A tag: URI (RFC 4151) that never changes for the same site, date and name."""
    return f"tag:{config.site.host},{config.site.tag_date}:{name}"


def article_id(config: Config, article: Article) -> str:
    """The id of an article in every format: its record id, inside the site's tag: URI.

    An id holding '%' (a permalink used as the id, say) would be written with %25, which the
    W3C validator decodes twice and flags as a non-canonical URI; such ids are written as
    base64url under their own name, article-b64/, where no other id can land.
    """
    quoted = quote(article.id, safe="-._~")
    if "%25" in quoted:
        encoded = base64.urlsafe_b64encode(article.id.encode("utf-8")).decode("ascii")
        return tag_uri(config, "article-b64/" + encoded.rstrip("="))
    return tag_uri(config, "article/" + quoted)


def labels(config: Config, article: Article) -> list[str]:
    """Every category of an article as readers see it: its section's name, then its tags."""
    section = config.category(article.category)
    names = [section.name] if section else []
    return names + [tag for tag in article.tags if tag not in names]


def feed_updated(articles: Sequence[Article], config: Config) -> datetime:
    """The newest change among the items: a feed never says "now", so its bytes are stable.
    A feed with no item yet dates from the site's `tag_date`."""
    if not articles:
        year, month, day = ([*config.site.tag_date.split("-"), "1", "1"])[:3]
        return datetime(int(year), int(month), int(day), tzinfo=config.site.zone)
    return max(article.updated for article in articles)


# --- feedgen extensions: the elements feedgen gets wrong, written by us ---

class _ChannelExtension(BaseExtension):
    def __init__(self) -> None:
        self.period = "hourly"
        self.frequency = 1
        self.hubs: tuple[str, ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return {"sy": NS_SY, "dc": NS_DC, "media": NS_MEDIA}

    def extend_rss(self, feed):  # type: ignore[no-untyped-def]
        channel = feed[0]
        xml_elem(f"{{{NS_SY}}}updatePeriod", channel).text = self.period
        xml_elem(f"{{{NS_SY}}}updateFrequency", channel).text = str(self.frequency)
        for hub in self.hubs:  # WebSub (W3C REC section 4): readers subscribe at the hub
            xml_elem(f"{{{NS_ATOM}}}link", channel, rel="hub", href=hub)
        return feed


class _HistoryExtension(BaseExtension):
    """fh:archive in an archive, and in RSS the history links (atom:link, as the self link is;
    Atom gets them from feedgen's own links)."""

    def __init__(self) -> None:
        self.archive = False
        self.links: list[tuple[str, str, str]] = []  # (rel, href, media type), RSS only

    def extend_ns(self) -> dict[str, str]:
        return {"fh": NS_FH} if self.archive else {}

    def extend_rss(self, feed):  # type: ignore[no-untyped-def]
        self._extend(feed[0])
        return feed

    def extend_atom(self, feed):  # type: ignore[no-untyped-def]
        self._extend(feed)
        return feed

    def _extend(self, parent):  # type: ignore[no-untyped-def]
        if self.archive:
            xml_elem(f"{{{NS_FH}}}archive", parent)
        for rel, href, media_type in self.links:
            xml_elem(f"{{{NS_ATOM}}}link", parent, href=href, rel=rel, type=media_type)


class _ItemExtension(BaseEntryExtension):
    def __init__(self) -> None:
        self.article: Article | None = None

    def extend_rss(self, entry):  # type: ignore[no-untyped-def]
        assert self.article is not None
        for name in self.article.authors:
            xml_elem(f"{{{NS_DC}}}creator", entry).text = name
        image = self.article.image
        if image:
            content = xml_elem(f"{{{NS_MEDIA}}}content", entry, url=image.url, medium="image")
            thumbnail = xml_elem(f"{{{NS_MEDIA}}}thumbnail", entry, url=image.url)
            if image.type:
                content.set("type", image.type)
            for key, value in (("width", image.width), ("height", image.height)):
                if value:
                    content.set(key, str(value))
                    thumbnail.set(key, str(value))
            if image.alt:
                xml_elem(f"{{{NS_MEDIA}}}description", content, type="plain").text = image.alt
        return entry

    def extend_atom(self, entry):  # type: ignore[no-untyped-def]
        assert self.article is not None
        xml_elem("link", entry, rel="alternate", type="text/html", href=self.article.url)
        image = self.article.image
        if image:
            link = xml_elem("link", entry, rel="enclosure", href=image.url)
            if image.type:
                link.set("type", image.type)
        return entry


def _generator(config: Config, spec: FeedSpec, articles: Sequence[Article],
               channel: type[BaseExtension], history: History = CURRENT) -> FeedGenerator:
    fg = FeedGenerator()
    fg.register_extension("syndicate", channel, _ItemExtension)
    fg.register_extension("history", _HistoryExtension, BaseEntryExtension)
    fg.history.archive = history.month is not None
    fg.title(spec.title)
    fg.description(spec.description)
    fg.language(config.site.language)
    fg.generator(GENERATOR)
    fg.updated(feed_updated(articles, config))
    return fg


def render_rss(config: Config, spec: FeedSpec, articles: Sequence[Article],
               history: History = CURRENT) -> bytes:
    """RSS 2.0 with content:encoded, dc:creator, media:content and the syndication module;
    `history` places it among the feed's archives."""
    fg = _generator(config, spec, articles, _ChannelExtension, history)
    # feedgen writes the *last* link as the channel <link>, so the self link goes first.
    fg.link(href=spec.url(config, history.document("rss.xml")), rel="self",
            type="application/rss+xml")
    fg.history.links = [(rel, spec.url(config, name), "application/rss+xml")
                        for rel, name in history.links("rss.xml")]
    fg.link(href=spec.home_url, rel="alternate")
    if config.site.logo:
        fg.image(url=config.site.logo, title=spec.title, link=spec.home_url)
    fg.syndicate.period = config.output.update_period
    fg.syndicate.frequency = config.output.update_frequency
    fg.syndicate.hubs = _hubs(config, history)
    for article in articles:
        entry = fg.add_entry(order="append")
        entry.syndicate.article = article
        entry.title(article.title)
        entry.link(href=article.url)
        entry.guid(article_id(config, article), permalink=False)
        entry.pubDate(article.published)
        # RSS readers take a description as HTML: the plain summary is escaped for it once
        entry.description(html.escape(article.summary, quote=False))
        entry.content(article.content_html)  # with a description, this is content:encoded
        entry.category([{"term": name} for name in labels(config, article)])
    return with_stylesheet(fg.rss_str(pretty=True), _folder(spec, history))


def render_atom(config: Config, spec: FeedSpec, articles: Sequence[Article],
                history: History = CURRENT) -> bytes:
    """Atom 1.0 with tag: ids, text summaries, html content and image enclosures; `history`
    places it among the feed's archives, which share its id (RFC 5005 section 4)."""
    fg = _generator(config, spec, articles, BaseExtension, history)
    fg.id(spec.id(config))
    fg.subtitle(spec.description)
    fg.author({"name": config.site.author, "uri": config.site.url})
    fg.link(href=spec.url(config, history.document("atom.xml")), rel="self",
            type="application/atom+xml")
    fg.link(href=spec.home_url, rel="alternate", type="text/html")
    for rel, name in history.links("atom.xml"):
        fg.link(href=spec.url(config, name), rel=rel, type="application/atom+xml")
    for hub in _hubs(config, history):
        fg.link(href=hub, rel="hub")
    if config.site.logo:
        fg.logo(config.site.logo)
    for article in articles:
        section = config.category(article.category)
        entry = fg.add_entry(order="append")
        entry.syndicate.article = article
        entry.id(article_id(config, article))
        entry.title(article.title)
        entry.published(article.published)
        entry.updated(article.updated)
        entry.author([{"name": name} for name in article.authors] or None)
        entry.summary(article.summary, type="text")
        entry.content(article.content_html, type="html")
        # The scheme names the site's own list of sections; tags have none.
        categories = [{"term": section.slug, "label": section.name, "scheme": config.site.url}
                      ] if section else []
        entry.category(categories + [{"term": tag} for tag in article.tags
                                     if section is None or tag != section.name] or None)
    return with_stylesheet(fg.atom_str(pretty=True), _folder(spec, history))


def _folder(spec: FeedSpec, history: History) -> str:
    """The folder the document lives in, relative to the output folder."""
    return spec.folder + (ARCHIVE if history.month else "")


def _hubs(config: Config, history: History) -> tuple[str, ...]:
    """The WebSub hubs a document links: an archive has no subscribers to notify."""
    return () if history.month else config.websub.hubs


def render_json_feed(config: Config, spec: FeedSpec, articles: Sequence[Article],
                     history: History = CURRENT) -> bytes:
    """JSON Feed 1.1 carrying every item fact the RSS and Atom feeds carry; with archives,
    `next_url` leads to the next older page: the newest month's archive from the current feed,
    the month before from an archive."""
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "home_page_url": spec.home_url,
        "feed_url": spec.url(config, history.document("feed.json")),
        "description": spec.description,
        "language": config.site.language,
        "authors": [{"name": config.site.author, "url": config.site.url}],
    }
    if _hubs(config, history):
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in _hubs(config, history)]
    if history.prev:
        feed["next_url"] = spec.url(config, archive_name("feed.json", history.prev))
    feed["items"] = [_json_item(config, article) for article in articles]
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_item(config: Config, article: Article) -> dict[str, object]:
    item: dict[str, object] = {
        "id": article_id(config, article),
        "url": article.url,
        "title": article.title,
        "content_html": article.content_html,
        "summary": article.summary,
        "date_published": rfc3339(article.published),
        "date_modified": rfc3339(article.updated),
    }
    if article.image:
        item["image"] = article.image.url
    if article.authors:
        item["authors"] = [{"name": name} for name in article.authors]
    item["tags"] = labels(config, article)
    return item


@dataclass(frozen=True)
class FeedFormat:
    filename: str
    media_type: str
    render: Callable[[Config, FeedSpec, Sequence[Article], History], bytes]


FORMATS = (
    FeedFormat("rss.xml", "application/rss+xml", render_rss),
    FeedFormat("atom.xml", "application/atom+xml", render_atom),
    FeedFormat("feed.json", "application/feed+json", render_json_feed),
)
