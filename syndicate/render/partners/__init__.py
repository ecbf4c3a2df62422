"""Aggregator outputs (Yahoo奇摩, LINE TODAY, MSN): one pure renderer per partner, and the pieces
they share. Each renderer takes the config, the articles (newest first), their related articles
and its own options, and gives back the file's bytes with one warning line per article it left
out; the rules come from docs the partners publish, or from public code that feeds them
(../shared/research/partners.md).

    render(config, articles, related, options) -> Rendered
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import lxml.html
from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator

from ...config import Config
from ...content import clean_html
from ...records import Article, Image
from ..feeds import NS_DC, NS_MEDIA, FeedSpec, _generator, article_id

RELATED_HEADING = "相關的文章"  # the words the site's own pages put above related articles

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Related = Mapping[str, Sequence[Article]]  # article id -> its related articles


@dataclass(frozen=True)
class Rendered:
    """One partner file: its bytes, and one line per article left out, naming the rule."""

    data: bytes
    warnings: tuple[str, ...] = ()


def left_out(partner: str, article: Article, rule: str) -> str:
    """The warning line for an article a partner's rule keeps out of its file."""
    return f"partners/{partner}: {article.id}: left out: {rule}"


def related_of(article: Article, related: Related, limit: int) -> list[Article]:
    """At most `limit` related articles of `article`, each URL once and never the article
    itself: the caller de-duplicates already, but a repeated link would show twice."""
    seen = {article.url}
    found: list[Article] = []
    for other in related.get(article.id, ()):
        if len(found) == limit:
            break
        if other.url not in seen and other.id != article.id:
            seen.add(other.url)
            found.append(other)
    return found


def lead_html(image: Image, caption: bool = True) -> str:
    """The lead image as the first element of a partner's content, its alt text as caption."""
    size = "".join(f' {key}="{value}"' for key, value in
                   (("width", image.width), ("height", image.height)) if value)
    img = f'<img src="{html.escape(image.url)}" alt="{html.escape(image.alt)}"{size}>'
    if caption and image.alt:
        img += f"<figcaption>{html.escape(image.alt, quote=False)}</figcaption>"
    return f"<figure>{img}</figure>"


def shows_image(markup: str, url: str) -> bool:
    """Whether sanitized `markup` already shows the image at `url` (nh3 escapes & as &amp;)."""
    return f'src="{html.escape(url)}"' in markup


def related_html(links: Sequence[tuple[str, str]]) -> str:
    """(title, url) pairs as the list of links that ends a partner's content."""
    if not links:
        return ""
    items = "".join(f'<li><a href="{html.escape(url)}">{html.escape(title, quote=False)}</a></li>'
                    for title, url in links)
    return f"<p>{RELATED_HEADING}</p><ul>{items}</ul>"


def without_frames(markup: str, keep: Callable[[str], bool] = lambda src: False) -> str:
    """`markup` less every <iframe> whose src `keep` refuses (all of them by default).

    content.clean_html turns a frame into a link to what it showed, which is right for feed
    readers; partners want the frame gone (Yahoo, LINE) or kept only from listed hosts (MSN).
    """
    if "<iframe" not in markup.lower():
        return markup
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    for frame in list(root.iter("iframe")):
        if not keep(frame.get("src") or ""):
            frame.drop_tree()  # keeps the text that follows the frame
    return html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root)


def partner_content(article: Article, links: Sequence[tuple[str, str]]) -> str:
    """Lead image (with its caption) first, the sanitized body without frames, then the related
    links: the content Yahoo and LINE TODAY show."""
    body = clean_html(without_frames(article.body), article.url) if article.body else ""
    if not body:
        body = f"<p>{html.escape(article.summary, quote=False)}</p>"
    image = article.image
    lead = lead_html(image) if image and not shows_image(body, image.url) else ""
    return lead + body + related_html(links)


def epoch_ms(value: datetime) -> int:
    """Whole milliseconds since 1970 UTC, by integer arithmetic (no float rounding)."""
    return (value - EPOCH) // timedelta(milliseconds=1)


# --- RSS 2.0 for partners, on feeds.py's feedgen setup and its workarounds ---

class Namespaces(BaseExtension):
    """Declares, on <rss>, the namespaces that feeds.py's item extension writes into."""

    def extend_ns(self) -> dict[str, str]:
        return {"dc": NS_DC, "media": NS_MEDIA}


def rss_generator(config: Config, path: str, articles: Sequence[Article],
                  title: str = "") -> FeedGenerator:
    """A feedgen RSS 2.0 channel for the partner file at `path` (under the output folder): the
    site's title (or `title`), language and logo, its self link (added first: feedgen writes
    the last link as the channel <link>), and lastBuildDate = the newest item's change, never
    now."""
    site = config.site
    spec = FeedSpec(path.rpartition("/")[0] + "/", title or site.title, site.description,
                    site.url, None)
    fg = _generator(config, spec, articles, Namespaces)
    fg.link(href=site.feeds_url + path, rel="self", type="application/rss+xml")
    fg.link(href=site.url, rel="alternate")
    if site.logo:  # the validator wants the image titled as the channel
        fg.image(url=site.logo, title=spec.title, link=site.url)
    return fg


def rss_item(fg: FeedGenerator, config: Config, article: Article, published: datetime,
             content: str, description: str) -> FeedEntry:
    """One item: feeds.py's stable guid, dc:creator per author and media:content (its item
    extension), the section as its category."""
    entry = fg.add_entry(order="append")
    entry.syndicate.article = article
    entry.title(article.title)
    entry.link(href=article.url)
    entry.guid(article_id(config, article), permalink=False)
    entry.pubDate(published)
    entry.description(description)
    entry.content(content)  # with a description, this is content:encoded
    section = config.category(article.category)
    if section:
        entry.category([{"term": section.name}])
    return entry
