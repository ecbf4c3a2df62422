"""`syndicate check` for sitemaps (sitemaps.org 0.9 with Google's News and Image extensions):
the rules a search engine applies that a schema cannot say. Every <loc> absolute and listed once,
at most 50,000 URLs, dates in W3C datetime; in a News sitemap at most 1,000 <news:news>, each with
the publication's name and language, a title without markup, and publication dates within two
days of each other (Google News reads only the last two days).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .check import _TAG, _unique, _url_value

if TYPE_CHECKING:
    from .check import _Report

NS_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
MAX_URLS = 50_000
MAX_NEWS = 1_000
NEWS_WINDOW = timedelta(days=2)
# W3C datetime (www.w3.org/TR/NOTE-datetime): a year, a month, a day, or a time with a zone
_W3C = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")


def is_sitemap(root: Any) -> bool:
    return root.tag in (f"{{{NS_SITEMAP}}}urlset", f"{{{NS_SITEMAP}}}sitemapindex")


def check_sitemap(report: _Report, root: Any) -> None:
    index = root.tag == f"{{{NS_SITEMAP}}}sitemapindex"
    entries = root.findall(f"{{{NS_SITEMAP}}}{'sitemap' if index else 'url'}")
    if len(entries) > MAX_URLS:
        report.error(root.sourceline, f"{len(entries):,} entries: a sitemap holds at most "
                                      f"{MAX_URLS:,}")
    seen: dict[str, int] = {}
    for entry in entries:
        loc = entry.find(f"{{{NS_SITEMAP}}}loc")
        if loc is None:
            report.error(entry.sourceline, "missing element: loc")
            continue
        value = (loc.text or "").strip()
        _url_value(report, loc.sourceline, value, "loc")
        _unique(report, seen, value, loc.sourceline, "loc")
        _w3c(report, entry.find(f"{{{NS_SITEMAP}}}lastmod"), "lastmod")
    if not index:
        _check_news(report, root)


def _check_news(report: _Report, root: Any) -> None:
    news = list(root.iter(f"{{{NS_NEWS}}}news"))
    if len(news) > MAX_NEWS:
        report.error(root.sourceline, f"{len(news):,} news:news: a News sitemap holds at most "
                                      f"{MAX_NEWS:,}")
    dates = []
    for item in news:
        for path in ("publication/name", "publication/language", "publication_date", "title"):
            element = item.find("/".join(f"{{{NS_NEWS}}}{part}" for part in path.split("/")))
            if element is None or not (element.text or "").strip():
                report.error(item.sourceline, f"missing element: news:{path}")
        title = item.find(f"{{{NS_NEWS}}}title")
        if title is not None and _TAG.search(title.text or ""):
            report.error(title.sourceline, f"news:title holds an HTML tag: {title.text!r}")
        when = _w3c(report, item.find(f"{{{NS_NEWS}}}publication_date"),
                    "news:publication_date")
        if when is not None and when.tzinfo is not None:
            dates.append(when)
    if dates and max(dates) - min(dates) > NEWS_WINDOW:
        report.warning(root.sourceline, f"publication dates from {min(dates).isoformat()} to "
                                        f"{max(dates).isoformat()}: Google News reads only the "
                                        "last two days")


def _w3c(report: _Report, element: Any, what: str) -> datetime | None:
    if element is None:
        return None
    text = (element.text or "").strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00")) if _W3C.match(text) else None
    except ValueError:
        when = None
    if when is None and not re.fullmatch(r"\d{4}(-\d{2})?", text):
        report.error(element.sourceline, f"{what} is not a W3C datetime: {text!r}")
    return when
