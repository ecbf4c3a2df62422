"""`syndicate check` for the partner files: the rules each aggregator applies (the same rules
their renderers in render/partners/ keep), told apart by where the file lives.

- partners/msn/: a title of more than 20 characters, at most 150 unless mi:shortTitle gives
  one that is; pubDate in UTC; a plain-text abstract; a body of MSN's allowed tags only, frames
  only from the platforms MSN lists.
- partners/line-today/: the <articles> document, every element of an article there, times as
  epoch milliseconds, start before end, absolute thumbnail and source URLs, plain titles.
- partners/yahoo/: each item's full content and section.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .check import _TAG, _url_value

if TYPE_CHECKING:
    from .check import _Report

NS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS_MI = "http://schemas.ingestion.microsoft.com/common/"
LINE_FIELDS = ("ID", "nativeCountry", "language", "startYmdtUnix", "endYmdtUnix", "title",
               "category", "publishTimeUnix", "updateTimeUnix", "contentType",
               "contents/text/content", "sourceUrl")
LINE_TIMES = ("startYmdtUnix", "endYmdtUnix", "publishTimeUnix", "updateTimeUnix")
_UTC = re.compile(r"(\+0000|GMT|UT|Z)$")
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)\b([^>]*)>")
_SRC = re.compile(r"""\bsrc\s*=\s*["']?([^"'\s>]+)""")


def partner_of(relative: str) -> str | None:
    """The partner whose file this is, from where it lives: partners/<name>/... (also when the
    folder checked is partners/ or below it, as long as the path names it)."""
    parts = relative.split("/")
    if "partners" in parts[:-2]:
        return parts[parts.index("partners") + 1]
    return parts[0] if len(parts) > 1 and parts[0] in ("yahoo", "line-today", "msn") else None


def check_partner(report: _Report, partner: str, root: Any) -> None:
    if partner == "line-today":
        _check_line_today(report, root)
    elif root.tag == "rss" and partner in ("msn", "yahoo"):
        for item in root.iter("item"):
            (_check_msn_item if partner == "msn" else _check_yahoo_item)(report, item)


def _check_msn_item(report: _Report, item: Any) -> None:
    from .render.partners.msn import EMBED_HOSTS, TAGS, TITLE_MAX, TITLE_MIN

    title = (item.findtext("title") or "").strip()
    short = (item.findtext(f"{{{NS_MI}}}shortTitle") or "").strip()
    if len(title) <= TITLE_MIN:
        report.error(item.sourceline, f"MSN: a title needs more than {TITLE_MIN} characters, "
                                      f"found {len(title)}: {title!r}")
    if len(title) > TITLE_MAX and not 0 < len(short) <= TITLE_MAX:
        report.error(item.sourceline, f"MSN: a title of {len(title)} characters needs an "
                                      f"mi:shortTitle of at most {TITLE_MAX}")
    published = (item.findtext("pubDate") or "").strip()
    if published and not _UTC.search(published):
        report.error(item.sourceline, f"MSN: dates must be in UTC, found {published!r}")
    if _TAG.search(item.findtext("description") or ""):
        report.error(item.sourceline, "MSN: the abstract (description) holds HTML; only the "
                                      "body may")
    for tag, attributes in _OPEN_TAG.findall(item.findtext(f"{{{NS_CONTENT}}}encoded") or ""):
        tag = tag.lower()
        if tag not in TAGS:
            report.error(item.sourceline, f"MSN: the body holds <{tag}>, which MSN strips")
        elif tag == "iframe":
            src = _SRC.search(attributes)
            host = (urlsplit(src.group(1)).hostname or "") if src else ""
            if not any(host == h or host.endswith("." + h) for h in EMBED_HOSTS):
                report.error(item.sourceline, f"MSN: a frame from {host or 'nowhere'}, which "
                                              "is not a platform MSN shows")


def _check_yahoo_item(report: _Report, item: Any) -> None:
    if not (item.findtext(f"{{{NS_CONTENT}}}encoded") or "").strip():
        report.error(item.sourceline, "Yahoo: an item needs its full content (content:encoded)")
    if item.find("category") is None:
        report.warning(item.sourceline, "Yahoo: an item without a category (its section)")


def _check_line_today(report: _Report, root: Any) -> None:
    if root.tag != "articles":
        report.error(root.sourceline, f"LINE TODAY: expected <articles>, found <{root.tag}>")
        return
    for name in ("UUID", "time"):
        if not (root.findtext(name) or "").strip():
            report.error(root.sourceline, f"LINE TODAY: missing element: {name}")
    _digits(report, root, "time")
    for article in root.findall("article"):
        for name in LINE_FIELDS:
            if not (article.findtext(name) or "").strip():
                report.error(article.sourceline, f"LINE TODAY: missing element: {name}")
        times = [_digits(report, article, name) for name in LINE_TIMES]
        if times[0] is not None and times[1] is not None and times[0] >= times[1]:
            report.error(article.sourceline, "LINE TODAY: startYmdtUnix is not before "
                                             "endYmdtUnix")
        for name in ("thumbnail", "sourceUrl"):
            element = article.find(name)
            if element is not None:
                _url_value(report, element.sourceline, (element.text or "").strip(), name)
        if _TAG.search(article.findtext("title") or ""):
            report.error(article.sourceline, "LINE TODAY: the title holds an HTML tag")


def _digits(report: _Report, parent: Any, name: str) -> int | None:
    text = (parent.findtext(name) or "").strip()
    if text and not (text.isdigit() and len(text) == 13):
        report.error(parent.sourceline, f"LINE TODAY: {name} is not epoch milliseconds: {text!r}")
        return None
    return int(text) if text else None
