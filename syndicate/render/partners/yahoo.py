"""Yahoo奇摩新聞's partner feed: RSS 2.0 with the media and dc namespaces.

Yahoo publishes no specification; the shape is the one a Taiwanese publisher's public cron job
feeds it (mirror-media/cronjobs, feed/yahoo_rss): language zh-TW, a ttl, the channel image and
copyright; per item a stable guid, pubDate in the site's zone, media:content for the lead image,
the plain brief as description, and as content:encoded the lead image with its caption, the
body without embedded frames (Yahoo drops YouTube iframes) and up to three related articles as
links that carry a UTM source. content:encoded is escaped text, not CDATA: an XML parser reads
both the same, and escaping cannot break on a "]]>" inside an attribute.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from ...config import Config
from ...records import Article
from ..share import with_utm
from . import Related, Rendered, partner_content, related_of, rss_generator, rss_item

PATH = "partners/yahoo/rss.xml"  # under the output folder


@dataclass(frozen=True)
class YahooOptions:
    utm_source: str = "yahoo"
    utm_campaign: str = "partner_feed"  # share.with_utm adds no UTM at all without a campaign
    ttl_minutes: int = 5  # Yahoo polls about as often as the cron job runs
    items: int = 50
    related: int = 3  # related links at the end of each item's content
    copyright: str = ""  # empty: "© <site title>" (no year: nothing in the file says "now")
    path: str = PATH  # partners/yahoo/<slug>/rss.xml for a category's file
    title: str = ""  # empty: the site's title


def render(config: Config, articles: Sequence[Article], related: Related,
           options: YahooOptions) -> Rendered:
    """partners/yahoo/rss.xml for the newest `options.items` of `articles` (newest first).

    :param related: article id -> its related articles, resolved and de-duplicated.
    """
    chosen = list(articles[:options.items])
    fg = rss_generator(config, options.path, chosen, options.title)
    fg.ttl(options.ttl_minutes)
    fg.rights(options.copyright or f"© {config.site.title}")
    for article in chosen:
        links = [(other.title, with_utm(other.url, options.utm_source, options.utm_campaign))
                 for other in related_of(article, related, options.related)]
        # RSS readers take a description as HTML: the plain summary is escaped for it once
        rss_item(fg, config, article, article.published, partner_content(article, links),
                 html.escape(article.summary, quote=False))
    return Rendered(fg.rss_str(pretty=True))
