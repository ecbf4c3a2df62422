"""MSN Partner Hub's feed: RSS 2.0 with the media, dc, dcterms and mi namespaces.

MSN documents its rules (support.microsoft.com, "MSN feed item metadata requirements", "MSN HTML
guidelines and tag restrictions"): times in UTC; a title of more than 20 and at most 150
characters, or a short title (mi:shortTitle) beside a longer one; no HTML but in the body; a body
of a few allowed tags, with frames only from listed platforms; updates noticed through a newer
dcterms:modified under the same guid. An article that breaks a rule is left out with a warning.

The mi namespace is declared only when an item carries mi:shortTitle: the W3C validator knows
no such namespace and warns (UnknownNamespace) wherever it is declared.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import nh3
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from ...config import Config
from ...content import absolute_url
from ...records import Article
from ...text import excerpt
from ..feeds import NS_MEDIA, feed_updated
from . import Related, Rendered, lead_html, left_out, rss_generator, rss_item, without_frames

PATH = "partners/msn/rss.xml"  # under the output folder
NS_DCTERMS = "http://purl.org/dc/terms/"
NS_MI = "http://schemas.ingestion.microsoft.com/common/"
TITLE_MIN = 20  # "more than 20 characters"
TITLE_MAX = 150  # "not exceed 150 characters unless a short title is also provided"
# The tags MSN keeps in a body; every other tag goes, its text kept (MSN may drop both).
TAGS = {"b", "i", "em", "strong", "sub", "sup", "small", "h1", "h2", "h3", "h4", "h5", "a",
        "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "col",
        "colgroup", "ul", "ol", "li", "p", "div", "span", "br", "blockquote", "iframe"}
# MSN removes attributes that no feature of its own uses: links, sources, sizes and spans stay.
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "iframe": {"src"},
              "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
# Gone with their content: a script's code or a style sheet is no text of the article.
DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "object", "applet"}
# Hosts whose frames MSN shows (the platforms it lists for video and social embeds) and their
# subdomains (www., player., platform.).
EMBED_HOSTS = ("youtube.com", "youtube-nocookie.com", "twitter.com", "x.com", "facebook.com",
               "instagram.com", "tiktok.com", "vimeo.com")


@dataclass(frozen=True)
class MsnOptions:
    items: int = 20  # MSN reads about the 20 newest items
    require_image: bool = False  # leave out articles without a lead image
    embed_hosts: tuple[str, ...] = EMBED_HOSTS


def render(config: Config, articles: Sequence[Article], related: Related,
           options: MsnOptions) -> Rendered:
    """partners/msn/rss.xml for the newest `options.items` of `articles` that keep MSN's rules.

    :param related: unused: MSN's body carries no related links; taken so that every partner
        renderer is called alike.
    """
    chosen: list[Article] = []
    warnings: list[str] = []
    for article in articles:
        if len(chosen) == options.items:
            break
        rule = broken_rule(article, options)
        if rule:
            warnings.append(left_out("msn", article, rule))
        else:
            chosen.append(article)
    fg = rss_generator(config, PATH, chosen)
    fg.lastBuildDate(feed_updated(chosen, config).astimezone(UTC))
    fg.register_extension("msn", _Channel, _Item)
    fg.msn.short_titles = any(len(article.title) > TITLE_MAX for article in chosen)
    for article in chosen:
        # MSN reads the abstract as plain text, not as HTML: the summary goes as it is
        entry = rss_item(fg, config, article, article.published.astimezone(UTC),
                         body_html(article, options.embed_hosts), article.summary)
        entry.msn.article = article
        entry.msn.credit = article.authors[0] if article.authors else config.site.title
    return Rendered(fg.rss_str(pretty=True), tuple(warnings))


def broken_rule(article: Article, options: MsnOptions) -> str | None:
    """The MSN rule `article` breaks, in words, or None."""
    if len(article.title) <= TITLE_MIN:
        return f"title of {len(article.title)} characters, MSN needs more than {TITLE_MIN}"
    if options.require_image and article.image is None:
        return "no lead image, and require_image is set"
    return None


def short_title(title: str) -> str | None:
    """mi:shortTitle for a title over MSN's 150 characters: cut on a grapheme boundary."""
    return excerpt(title, TITLE_MAX) if len(title) > TITLE_MAX else None


def embeddable(url: str, hosts: Sequence[str]) -> bool:
    """Whether MSN shows a frame from `url`: https, on a listed host or one of its subdomains."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in hosts)


def body_html(article: Article, hosts: Sequence[str]) -> str:
    """The article's body as MSN keeps it: allowed tags only, absolute http(s) links and image
    sources (mailto: links too), frames from `hosts` only, led by the lead image when the body
    shows none (MSN places an <img> whose src is the media:content URL where the tag stands)."""
    base = article.url

    def listed(src: str) -> bool:
        url = absolute_url(src, base)
        return url is not None and embeddable(url, hosts)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        url = absolute_url(value, base)
        schemes = ("https:", "http:", "mailto:") if attribute == "href" else ("https:", "http:")
        if url is None or not url.lower().startswith(schemes):
            return None
        return url if tag != "iframe" or embeddable(url, hosts) else None

    markup = (without_frames(article.body, listed) if article.body
              else f"<p>{html.escape(article.summary, quote=False)}</p>")
    if article.image and "<img" not in markup.lower():
        markup = lead_html(article.image, caption=False) + markup
    return nh3.clean(markup, tags=TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
                     attributes=ATTRIBUTES, attribute_filter=keep,
                     url_schemes={"http", "https", "mailto"}, link_rel=None,
                     strip_comments=True).strip()


def w3cdtf(value: datetime) -> str:
    """A UTC time as dcterms wants it (W3C-DTF), in whole seconds: 2026-02-04T02:00:00Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Channel(BaseExtension):
    def __init__(self) -> None:
        self.short_titles = False

    def extend_ns(self) -> dict[str, str]:
        return {"dcterms": NS_DCTERMS, **({"mi": NS_MI} if self.short_titles else {})}


class _Item(BaseEntryExtension):
    """What MSN reads beyond feeds.py's item extension, which runs first and writes
    dc:creator, media:content (with media:description) and media:thumbnail."""

    def __init__(self) -> None:
        self.article: Article | None = None
        self.credit = ""

    def extend_rss(self, entry):  # type: ignore[no-untyped-def]
        article = self.article
        assert article is not None
        media = entry.find(f"{{{NS_MEDIA}}}content")
        if media is not None and article.image:
            xml_elem(f"{{{NS_MEDIA}}}credit", media).text = self.credit
            if article.image.alt:
                xml_elem(f"{{{NS_MEDIA}}}title", media, type="plain").text = article.image.alt
        title = short_title(article.title)
        if title:
            xml_elem(f"{{{NS_MI}}}shortTitle", entry).text = title
        # To the second, as it is written: a fraction alone is no modification a reader sees
        if w3cdtf(article.updated) != w3cdtf(article.published):
            xml_elem(f"{{{NS_DCTERMS}}}modified", entry).text = w3cdtf(article.updated)
        return entry
