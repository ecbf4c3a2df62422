"""LINE TODAY's partner feed: its own XML (not RSS), one <article> per item.

LINE publishes no specification; the shape is the one a Taiwanese publisher's public cron job
feeds it (mirror-media/cronjobs, feed/line_today_xml). Every time is epoch milliseconds. That job
writes a random UUID and the current time on every run; here the UUID is derived from the
rendered articles and <time> is the newest item's change, so unchanged articles give the same
bytes and the file is not rewritten. The content HTML is escaped text, not CDATA: an XML parser
reads both the same, and escaping cannot break on a "]]>" inside an attribute.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from lxml import etree

from ...config import Config
from ...records import Article
from ..feeds import feed_updated
from ..meta import lead_image
from ..share import with_utm
from . import Related, Rendered, epoch_ms, partner_content, related_of

PATH = "partners/line-today/articles.xml"  # under the output folder
CONTENT_TYPE_ARTICLE = "0"  # LINE's contentType for a text article


@dataclass(frozen=True)
class LineTodayOptions:
    utm_source: str = "line_today"
    utm_campaign: str = "partner_feed"  # share.with_utm adds no UTM at all without a campaign
    items: int = 50
    related: int = 3  # recommendArticles, and links at the end of the content
    available_days: int = 365  # endYmdtUnix: LINE shows an article this long after publication
    country: str = "TW"
    language: str = "zh"


def render(config: Config, articles: Sequence[Article], related: Related,
           options: LineTodayOptions) -> Rendered:
    """partners/line-today/articles.xml for the newest `options.items` of `articles`.

    :param related: article id -> its related articles, resolved and de-duplicated.
    """
    chosen = list(articles[:options.items])
    items = [_article(config, article, related, options) for article in chosen]
    digest = hashlib.sha256(b"".join(etree.tostring(item, encoding="UTF-8") for item in items))
    root = etree.Element("articles")
    _add(root, "UUID", str(uuid.uuid5(uuid.NAMESPACE_URL,
                                      f"{config.site.feeds_url}{PATH}#{digest.hexdigest()}")))
    _add(root, "time", epoch_ms(feed_updated(chosen, config)))
    root.extend(items)
    return Rendered(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                   pretty_print=True))


def _add(parent: etree._Element, tag: str, text: str | int) -> etree._Element:
    """A child element holding `text`; lxml escapes it (and refuses what XML cannot hold)."""
    child = etree.SubElement(parent, tag)
    child.text = str(text)
    return child


def _article(config: Config, article: Article, related: Related,
             options: LineTodayOptions) -> etree._Element:
    others = related_of(article, related, options.related)
    links = [(other.title, with_utm(other.url, options.utm_source, options.utm_campaign))
             for other in others]
    element = etree.Element("article")
    section = config.category(article.category)
    for tag, text in (
        ("ID", article.id), ("nativeCountry", options.country), ("language", options.language),
        # available from its last change (updated is never before published) for a year
        ("startYmdtUnix", epoch_ms(article.updated)),
        ("endYmdtUnix", epoch_ms(article.published + timedelta(days=options.available_days))),
        ("title", article.title), ("category", section.name if section else ""),
        ("publishTimeUnix", epoch_ms(article.published)),
        ("updateTimeUnix", epoch_ms(article.updated)), ("contentType", CONTENT_TYPE_ARTICLE),
    ):
        _add(element, tag, text)
    thumbnail = lead_image(article, config)  # LINE lists no article without one: the default
    if thumbnail:
        _add(element, "thumbnail", thumbnail.url)
    text = etree.SubElement(etree.SubElement(element, "contents"), "text")
    _add(text, "content", partner_content(article, links))
    _add(element, "author", "、".join(article.authors) or config.site.author)
    _add(element, "sourceUrl", with_utm(article.url, options.utm_source, options.utm_campaign))
    if article.tags:
        tags = etree.SubElement(element, "tags")
        for tag in article.tags:
            _add(tags, "tag", tag)
    if others:
        recommended = etree.SubElement(element, "recommendArticles")
        for other, (_, url) in zip(others, links, strict=True):
            entry = etree.SubElement(recommended, "article")
            _add(entry, "title", other.title)
            _add(entry, "url", url)
            if other.image:
                _add(entry, "thumbnail", other.image.url)
    return element
