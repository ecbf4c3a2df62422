"""Sitemaps (sitemaps.org 0.9): the Google News sitemap with its News and Image extensions, a
sitemap of every article of one month, and the sitemap index that lists them. Pure: the same
articles give the same bytes, and nothing in them says "now" (each <lastmod> is an article's own
time).

The News sitemap follows Google's rules (developers.google.com/search/docs/crawling-indexing/
sitemaps/news-sitemap): articles of the last two days, at most 1,000 <news:news> per file,
<news:name> exactly the publication's name, <news:language> an ISO 639 code except Chinese
(zh-cn or zh-tw), the original publication time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from ..config import Config
from ..dates import rfc3339
from ..records import Article
from .meta import lead_image

NS_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS_IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS_PER_FILE = 1000  # Google reads at most 1,000 news:news per file
URLS_PER_FILE = 50_000  # sitemaps.org: at most 50,000 URLs per file
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def news_language(language: str) -> str:
    """The <news:language> of a site language tag: zh-tw for zh-TW and zh-Hant, zh-cn for zh-CN
    and zh-Hans (the one exception Google makes to ISO 639), else the ISO 639 code."""
    parts = [part.lower() for part in language.replace("_", "-").split("-")]
    if parts[0] == "zh":
        traditional = {"tw", "hk", "mo", "hant"} & set(parts[1:])
        return "zh-tw" if traditional else "zh-cn"
    return parts[0]


def news_sitemap(config: Config, articles: Sequence[Article]) -> bytes:
    """One News sitemap file of at most NEWS_PER_FILE articles, newest first."""
    name = escape(config.sitemaps.publication or config.site.title)
    language = news_language(config.site.language)
    entries = []
    for article in articles:
        image = lead_image(article, config) if article.image else None
        picture = (f"<image:image><image:loc>{escape(image.url)}</image:loc></image:image>"
                   if image else "")
        entries.append(
            f"<url><loc>{escape(article.url)}</loc><news:news><news:publication>"
            f"<news:name>{name}</news:name><news:language>{language}</news:language>"
            f"</news:publication><news:publication_date>{rfc3339(article.published)}"
            f"</news:publication_date><news:title>{escape(article.title)}</news:title>"
            f"</news:news>{picture}</url>\n")
    return _urlset(entries, f' xmlns:news="{NS_NEWS}" xmlns:image="{NS_IMAGE}"')


def articles_sitemap(locations: Iterable[tuple[str, datetime]]) -> bytes:
    """A sitemap of (URL, last modified) pairs, in the order given."""
    return _urlset([f"<url><loc>{escape(url)}</loc><lastmod>{w3c(modified)}</lastmod>"
                    "</url>\n" for url, modified in locations], "")


def sitemap_index(sitemaps: Iterable[tuple[str, str | None]]) -> bytes:
    """The index of (absolute URL, lastmod or None) sitemaps, in the order given."""
    entries = "".join(
        f"<sitemap><loc>{escape(url)}</loc>"
        f"{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>\n"
        for url, lastmod in sitemaps)
    return (f'{_HEAD}<sitemapindex xmlns="{NS_SITEMAP}">\n{entries}</sitemapindex>\n'
            ).encode()


def lastmod(instant: int, config: Config) -> str:
    """An index instant (microseconds since the epoch) as a W3C datetime in the site zone."""
    return w3c(datetime.fromtimestamp(instant / 1_000_000, UTC).astimezone(config.site.zone))


def w3c(value: datetime) -> str:
    """A W3C datetime to the second, as the feeds give it."""
    return rfc3339(value)


def _urlset(entries: list[str], namespaces: str) -> bytes:
    return (f'{_HEAD}<urlset xmlns="{NS_SITEMAP}"{namespaces}>\n{"".join(entries)}</urlset>\n'
            ).encode()


__all__ = ["NEWS_PER_FILE", "URLS_PER_FILE", "articles_sitemap", "lastmod", "news_language",
           "news_sitemap", "sitemap_index", "w3c"]
