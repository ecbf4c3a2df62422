"""`syndicate check`: an offline linter for a published feeds folder, syndicate's or any other
site's. It reads every RSS, Atom, JSON Feed, OPML, sitemap (check_sitemaps.py), partner file
(check_partners.py), head fragment and landing page (index.html) below the folder and reports,
one line each with the file and line: XML that is not well-formed, missing required elements,
dates that are not RFC 822 (RSS) or RFC 3339 (Atom, JSON Feed), ids used twice in a feed,
relative or non-http URLs, self links that do not match where the file lives (archive documents
included, RFC 5005), an archive that names no current feed, image sizes that
are not positive whole numbers, Open Graph / Twitter tags a link preview needs, and a script in
a landing page.

Reading files and reporting are its only jobs: it never writes. Untrusted XML is parsed
without entities, DTDs or the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

NS_ATOM = "http://www.w3.org/2005/Atom"
NS_MEDIA = "http://search.yahoo.com/mrss/"
NS_FH = "http://purl.org/syndication/history/1.0"  # RFC 5005: archived feeds
_HISTORY_RELS = ("current", "prev-archive", "next-archive")
JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")
_RFC822 = re.compile(
    r"^(?:(?P<day>Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<year>\d{2}|\d{4}) "
    r"\d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT|UTC|[ECMP][SD]T|[A-IK-Z])$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
_OG_REQUIRED = ("og:title", "og:type", "og:url", "og:image")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_TWITTER_CARDS = ("summary", "summary_large_image", "app", "player")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
               "application/json")
DISCOVER_WIDTH = 1200  # Google Discover shows an image large from this width (render/meta.py)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str
    error: bool = True  # False: a warning, which does not fail the check

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {'error' if self.error else 'warning'}: {self.message}"


class _Report:
    """The problems of one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warning(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, error=False))


def check_folder(folder: Path) -> tuple[int, list[Problem]]:
    """(files checked, problems) for every feed, OPML and head fragment below `folder`."""
    checked, problems = 0, []
    for path in sorted(_files(folder)):
        relative = path.relative_to(folder).as_posix()
        report = _Report(relative)
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.error(None, f"cannot read: {exc.strerror or exc}")
        else:
            _check_file(report, relative, data)
        checked += 1
        problems += report.problems
    return checked, problems


def _files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.startswith(".") and path.suffix in (
                ".xml", ".json", ".opml", ".html", ".rss", ".atom"):
            yield path


def _check_file(report: _Report, relative: str, data: bytes) -> None:
    suffix = PurePosixPath(relative).suffix
    if suffix == ".html":
        _check_head(report, data)
    elif suffix == ".json":
        _check_json(report, relative, data)
    else:
        _check_xml(report, relative, data)


# --- XML: RSS 2.0, Atom 1.0, OPML ---

def _check_xml(report: _Report, relative: str, data: bytes) -> None:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        report.error(exc.lineno or None, f"not well-formed XML: {exc.msg}")
        return
    from .check_partners import check_partner, partner_of
    from .check_sitemaps import check_sitemap, is_sitemap

    partner = partner_of(relative)
    if partner:
        check_partner(report, partner, root)
    if root.tag == "rss":
        _check_rss(report, relative, root)
    elif root.tag == f"{{{NS_ATOM}}}feed":
        _check_atom(report, relative, root)
    elif is_sitemap(root):
        check_sitemap(report, root)
    elif root.tag != "opml" and not partner:
        report.warning(root.sourceline, f"not a feed: the root element is {root.tag}")


def _check_rss(report: _Report, relative: str, root: Any) -> None:
    if root.get("version") != "2.0":
        report.error(root.sourceline,
                     f"expected rss version=\"2.0\", found {root.get('version')!r}")
    channel = root.find("channel")
    if channel is None:
        report.error(root.sourceline, "missing element: channel")
        return
    for name in ("title", "link", "description"):
        _required_text(report, channel, name, "channel")
    _url(report, channel.find("link"), "channel link")
    for name in ("pubDate", "lastBuildDate"):
        _rfc822(report, channel.find(name))
    _self_link(report, relative, channel.findall(f"{{{NS_ATOM}}}link"), "atom:link")
    _history(report, channel, channel.findall(f"{{{NS_ATOM}}}link"))
    for link in channel.findall(f"{{{NS_ATOM}}}link"):  # Atom's are all checked below
        if link.get("rel") in _HISTORY_RELS:
            _url_value(report, link.sourceline, link.get("href"),
                       f"atom:link rel={link.get('rel')}")
    seen: dict[str, int] = {}
    for item in channel.iter("item"):
        if item.find("title") is None and item.find("description") is None:
            report.error(item.sourceline, "an item needs a title or a description")
        _plain_title(report, item.find("title"))
        guid = item.find("guid")
        if guid is not None:
            _unique(report, seen, (guid.text or "").strip(), guid.sourceline, "guid")
            if guid.get("isPermaLink", "true") == "true":
                _url(report, guid, "guid (isPermaLink)")
        _url(report, item.find("link"), "item link")
        _rfc822(report, item.find("pubDate"))
        for media in item.iter(f"{{{NS_MEDIA}}}content", f"{{{NS_MEDIA}}}thumbnail"):
            _url_value(report, media.sourceline, media.get("url"), "media url")
            for key in ("width", "height"):
                _size(report, media.sourceline, media.get(key), f"media {key}")
        enclosure = item.find("enclosure")
        if enclosure is not None:
            _url_value(report, enclosure.sourceline, enclosure.get("url"), "enclosure url")
            for key in ("length", "type"):
                if not enclosure.get(key):
                    report.error(enclosure.sourceline, f"enclosure without {key}")


def _check_atom(report: _Report, relative: str, root: Any) -> None:
    ns = f"{{{NS_ATOM}}}"
    for name in ("id", "title", "updated"):
        _required_text(report, root, ns + name, "feed")
    _rfc3339(report, root.find(ns + "updated"))
    _self_link(report, relative, root.findall(ns + "link"), "link")
    _history(report, root, root.findall(ns + "link"))
    feed_author = root.find(ns + "author") is not None
    seen: dict[str, int] = {}
    for link in root.iter(ns + "link"):
        _url_value(report, link.sourceline, link.get("href"), f"link rel={link.get('rel')}")
    for entry in root.iter(ns + "entry"):
        for name in ("id", "title", "updated"):
            _required_text(report, entry, ns + name, "entry")
        title = entry.find(ns + "title")
        if title is not None and title.get("type", "text") == "text":
            _plain_title(report, title)
        entry_id = entry.find(ns + "id")
        if entry_id is not None:
            _unique(report, seen, (entry_id.text or "").strip(), entry_id.sourceline, "id")
        for name in ("updated", "published"):
            _rfc3339(report, entry.find(ns + name))
        if not feed_author and entry.find(ns + "author") is None:
            report.error(entry.sourceline, "an entry needs an author when the feed has none")


def _plain_title(report: _Report, element: Any) -> None:
    """A title is text: a tag in it is shown as markup by some readers and run by none."""
    if element is not None and _TAG.search(element.text or ""):
        report.warning(element.sourceline, f"the title holds an HTML tag: {element.text!r}")


def _required_text(report: _Report, parent: Any, name: str, where: str) -> None:
    element = parent.find(name)
    if element is None or not (element.text or "").strip():
        shown = name.rpartition("}")[2]
        report.error(parent.sourceline, f"missing element: {where} {shown}")


def _self_link(report: _Report, relative: str, links: list[Any], what: str) -> None:
    selves = [link for link in links if link.get("rel") == "self"]
    if not selves:
        report.warning(None, f"no {what} rel=\"self\": readers cannot tell the feed's own URL")
        return
    _matches_location(report, selves[0].sourceline, selves[0].get("href"), relative)


def _history(report: _Report, parent: Any, links: list[Any]) -> None:
    """RFC 5005 section 4: an archive document (fh:archive) names the subscription feed
    (rel=current)."""
    rels = [link.get("rel") for link in links]
    archive = parent.find(f"{{{NS_FH}}}archive")
    if archive is not None and "current" not in rels:
        report.warning(archive.sourceline, "an archive document (fh:archive) without a "
                                           "rel=\"current\" link: a reader cannot find the "
                                           "feed to subscribe to")


def _matches_location(report: _Report, line: int | None, href: str | None,
                      relative: str) -> None:
    if not href:
        return
    path = unquote(urlsplit(href).path)
    if not path.endswith("/" + relative):
        report.error(line, f"the self link {href} does not end in /{relative}, where this file "
                           "lives")


def _unique(report: _Report, seen: dict[str, int], value: str, line: int | None,
            what: str) -> None:
    if not value:
        report.error(line, f"empty {what}")
    elif value in seen:
        report.error(line, f"{what} {value!r} appears twice (first on line {seen[value]})")
    else:
        seen[value] = line or 0


def _url(report: _Report, element: Any, what: str) -> None:
    if element is not None:
        _url_value(report, element.sourceline, (element.text or "").strip(), what)


def _url_value(report: _Report, line: int | None, value: str | None, what: str) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        report.error(line, f"{what} is not an absolute http(s) URL: {value!r}")
    elif parts.username or parts.password:
        report.error(line, f"{what} carries a user name or password: {value!r}")
    elif any(char.isspace() or ord(char) > 126 for char in value):
        report.error(line, f"{what} is not percent-encoded: {value!r}")


def _size(report: _Report, line: int | None, value: str | None, what: str) -> None:
    if value is not None and not (value.isdigit() and int(value) > 0):
        report.error(line, f"{what} is not a positive whole number: {value!r}")


def _rfc822(report: _Report, element: Any) -> None:
    if element is None:
        return
    text = (element.text or "").strip()
    match = _RFC822.match(text)
    if not match:
        report.error(element.sourceline, f"not an RFC 822 date: {text!r}")
        return
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        report.error(element.sourceline, f"not a real date: {text!r}")
        return
    if match["day"] and when.strftime("%a") != match["day"]:
        report.error(element.sourceline, f"wrong day of the week in {text!r}: it is a "
                                         f"{when.strftime('%a')}")
    if len(match["year"]) == 2:
        report.warning(element.sourceline, f"two-digit year in {text!r}")


def _rfc3339(report: _Report, element: Any) -> None:
    if element is not None:
        _rfc3339_value(report, element.sourceline, (element.text or "").strip())


def _rfc3339_value(report: _Report, line: int | None, text: str) -> None:
    ok = bool(_RFC3339.match(text))
    if ok:
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            ok = False
    if not ok:
        report.error(line, f"not an RFC 3339 date-time: {text!r}")


# --- JSON Feed ---

def _check_json(report: _Report, relative: str, data: bytes) -> None:
    try:
        text = data.decode("utf-8")
        feed = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        report.error(line, f"not valid JSON: {getattr(exc, 'msg', exc)}")
        return
    if not isinstance(feed, dict) or feed.get("version") not in JSON_FEED_VERSIONS:
        return  # not a JSON Feed (build-report.json, articles/<id>.json)
    lines = _JsonLines(text)
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        report.error(1, "missing title")
    for key in ("home_page_url", "feed_url"):
        if key in feed:
            _url_value(report, lines.of(key, feed[key]), feed[key], key)
    if isinstance(feed.get("feed_url"), str):
        _matches_location(report, lines.of("feed_url", feed["feed_url"]), feed["feed_url"],
                          relative)
    items = feed.get("items")
    if not isinstance(items, list):
        report.error(1, "missing items (a list)")
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            report.error(None, f"items[{index}] is not an object")
            continue
        line = lines.of("id", item.get("id"))
        if not isinstance(item.get("id"), str):
            report.error(line, f"items[{index}]: id must be a string")
        else:
            _unique(report, seen, item["id"], line, "id")
        if not (item.get("content_html") or item.get("content_text")):
            report.error(line, f"items[{index}]: needs content_html or content_text")
        for key in ("url", "external_url", "image", "banner_image"):
            if key in item:
                _url_value(report, lines.of(key, item[key]), item[key], f"items[{index}].{key}")
        for key in ("date_published", "date_modified"):
            if key in item:
                _rfc3339_value(report, lines.of(key, item[key]), str(item[key]))


class _JsonLines:
    """The line of a key-value pair in a JSON text, found by its text (good enough to point at)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cursor = 0

    def of(self, key: str, value: object) -> int | None:
        needle = f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        at = self.text.find(needle, self.cursor)
        if at < 0:
            at = self.text.find(json.dumps(key))
            return self.text.count("\n", 0, at) + 1 if at >= 0 else None
        self.cursor = at
        return self.text.count("\n", 0, at) + 1


# --- head fragments: Open Graph, Twitter Card, JSON-LD ---

class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[tuple[str, int]]] = {}
        self.links: list[tuple[dict[str, str], int]] = []
        self.scripts: list[tuple[str, str, int]] = []  # (type, text, line)
        self.tags: list[tuple[str, int]] = []
        self.page = False  # a whole document (a landing page), not a head fragment
        self._script: tuple[str, int] | None = None

    def handle_decl(self, decl: str) -> None:
        self.page = self.page or decl.lower().startswith("doctype")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        line = self.getpos()[0]
        self.tags.append((tag, line))
        self.page = self.page or tag in ("html", "body")
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta.setdefault(key, []).append((values.get("content", ""), line))
        elif tag == "link":
            self.links.append((values, line))
        elif tag == "script":
            self._script = (values.get("type", ""), line)
            self.scripts.append((values.get("type", ""), "", line))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            kind, text, line = self.scripts[-1]
            self.scripts[-1] = (kind, text + data, line)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def _check_head(report: _Report, data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.error(None, f"not UTF-8: {exc.reason}")
        return
    head = _Head()
    head.feed(text)
    head.close()
    if head.page:
        _check_page(report, head)
        return
    allowed = {"meta", "link", "script", "title"}
    for tag, line in head.tags:
        if tag not in allowed:
            report.error(line, f"<{tag}> does not belong in a head fragment")
    first = _check_preview(report, head)
    logos: set[str | None] = set()
    for kind, script, line in head.scripts:
        if kind != "application/ld+json":
            report.error(line, f"a script of type {kind or 'text/javascript'!r} in a head "
                               "fragment")
            continue
        try:
            logos.add(_publisher_logo(json.loads(script)))
        except json.JSONDecodeError as exc:
            report.error(line + exc.lineno - 1, f"JSON-LD is not valid JSON: {exc.msg}")
    _check_discover(report, first, logos - {None})


def _check_page(report: _Report, head: _Head) -> None:
    """A whole page (a feed folder's index.html): a link preview of it as of a fragment, no
    script at all, and the autodiscovery links that lead a reader from it to the feeds."""
    _check_preview(report, head, image_required=False)
    for kind, _, line in head.scripts:
        report.error(line, f"a script (type {kind or 'text/javascript'!r}) in a page of the "
                           "feeds folder: its landing pages are static")
    if not any(values.get("rel") == "alternate" and values.get("type") in _FEED_TYPES
               for values, _ in head.links):
        report.warning(None, "no <link rel=\"alternate\"> to a feed: a reader given this "
                             "page's address cannot find the feeds")


def _check_preview(report: _Report, head: _Head, *, image_required: bool = True
                   ) -> dict[str, tuple[str, int]]:
    """The Open Graph and Twitter Card tags a link preview needs, and the canonical and
    alternate links; returns the first value (and line) of each meta tag."""
    for key, values in head.meta.items():
        for content, line in values:
            if _TAG.search(content):
                report.error(line, f"{key} holds an HTML tag: {content!r}; a preview shows it")
    first = {key: values[0] for key, values in head.meta.items()}
    for key in _OG_REQUIRED:
        if first.get(key, ("", 0))[0].strip():
            continue
        if key == "og:image" and not image_required:
            report.warning(None, "missing Open Graph tag og:image: a link preview of this page "
                                 "has no picture (syndicate: set share.default_image or site.logo)")
        else:
            report.error(None, f"missing Open Graph tag {key}")
    for key in ("og:url", "og:image", "og:image:secure_url", "twitter:image"):
        if key in first:
            _url_value(report, first[key][1], first[key][0], key)
    for key in ("og:image:width", "og:image:height"):
        if key in first:
            _size(report, first[key][1], first[key][0], key)
    if "og:image" in first and not ("og:image:width" in first and "og:image:height" in first):
        report.warning(first["og:image"][1], "og:image without og:image:width and height: "
                                             "Facebook shows a small card on the first share")
    card = first.get("twitter:card")
    if card is None:
        report.warning(None, "missing twitter:card")
    elif card[0] not in _TWITTER_CARDS:
        report.error(card[1], f"twitter:card {card[0]!r} is not one of "
                              f"{', '.join(_TWITTER_CARDS)}")
    for values, line in head.links:
        if values.get("rel") in ("canonical", "alternate") and "href" in values:
            _url_value(report, line, values["href"], f"link rel={values['rel']}")
    return first


def _check_discover(report: _Report, first: dict[str, tuple[str, int]],
                    logos: set[str | None]) -> None:
    """Google Discover shows an image large from DISCOVER_WIDTH px, and not the site logo. The
    fragment names no site logo of its own: the JSON-LD publisher's logo is the one it gives,
    so without one (another site's fragment, a site without logo) that half is not checked."""
    if "og:image" not in first:
        return
    width = first.get("og:image:width")
    if width and width[0].isdigit() and int(width[0]) < DISCOVER_WIDTH:
        report.warning(width[1], f"og:image is {width[0]} px wide: Google Discover shows large "
                                 f"images from {DISCOVER_WIDTH} px")
    image, line = first["og:image"]
    if image in logos:
        report.warning(line, "og:image is the site logo (the JSON-LD publisher's logo): Google "
                             "Discover wants an image of the article")


def _publisher_logo(data: Any) -> str | None:
    """The URL of a JSON-LD object's publisher logo, if it gives one."""
    publisher = data.get("publisher") if isinstance(data, dict) else None
    logo = publisher.get("logo") if isinstance(publisher, dict) else None
    url = logo.get("url") if isinstance(logo, dict) else logo
    return url if isinstance(url, str) else None


__all__ = ["Problem", "check_folder"]
