"""Article records: one raw mapping from a source in, one normalized Article (or a RecordError) out.

Everything is normalized here, once, on the way in, so that the renderers only emit: text is
trimmed, entities are decoded exactly once, XML-illegal characters are dropped, URLs are
absolute and percent-encoded, dates are aware datetimes in the site's time zone.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlsplit

from .config import RECORD_FIELDS, Config
from .content import clean_html
from .dates import DateError, parse_date
from .errors import RecordError
from .mediatypes import image_type
from .text import clean_line, excerpt, html_to_text, strip_xml_illegal
from .urls import URLError, web_url

REQUIRED = ("id", "url", "title", "category", "published")
SUMMARY_CHARS = 160  # a derived summary: about two sentences of Chinese
_ID_MAX = 200
_NAME_MAX = 150  # characters of a file name before its hash
# The longest value a field may hold, in characters as given: a record past these is broken or
# hostile, and one 10 MB title would be copied into every feed, page and tweet that shows it.
FIELD_MAX = {"url": 2_048, "title": 1_000, "category": 200, "summary": 10_000,
             "content_html": 2_000_000, "tags": 200, "author": 200, "image.url": 2_048,
             "image.alt": 1_000, "related": 2_048}
_TAG_SEPARATORS = re.compile(r"[,，、]")  # in tags given as one string
RELATED_MAX = 50  # entries of `related` kept: a page shows a handful, and more is an export bug


@dataclass(frozen=True)
class Origin:
    """Where a record came from: the file, its position in the file and, when known, the line."""

    source: str
    index: int
    line: int | None = None
    item: str | None = None  # what the source calls the record ("post 12"), else "record #n"

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where} ({self.item or f'record #{self.index + 1}'})"


@dataclass(frozen=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None
    alt: str = ""
    type: str | None = None


@dataclass(frozen=True)
class Article:
    id: str
    url: str
    title: str
    category: str  # the category's slug
    published: datetime
    updated: datetime
    summary: str
    body: str  # the record's content HTML as given, less XML-illegal characters
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    image: Image | None
    origin: Origin
    # ids or URLs of other articles, as the record gives them; query.related_articles resolves
    # them. A default, so that article JSON indexed before the field existed still loads.
    related: tuple[str, ...] = ()

    @cached_property
    def content_html(self) -> str:
        """The full content for feeds: the body sanitized, its URLs absolute, led by the image.

        Computed on first use, because only the articles a feed shows need it: sanitizing is
        the dearest step of normalization, and most articles of an archive are in no feed.
        """
        content = clean_html(self.body, self.url) if self.body else ""
        if not content:
            content = f"<p>{html.escape(self.summary, quote=False)}</p>"
        if self.image and "<img" not in content.lower():
            content = _lead_image(self.image) + content
        return content


def article_to_json(article: Article) -> str:
    """The article as compact JSON, for the index; article_from_json reads it back."""
    data = {name: getattr(article, name) for name in _FIELDS}
    data["published"] = article.published.isoformat()
    data["updated"] = article.updated.isoformat()
    data["image"] = vars(article.image) if article.image else None
    data["origin"] = vars(article.origin)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def article_from_json(text: str) -> Article:
    data = json.loads(text)
    return Article(
        **{**data,
           "published": datetime.fromisoformat(data["published"]),
           "updated": datetime.fromisoformat(data["updated"]),
           "tags": tuple(data["tags"]), "authors": tuple(data["authors"]),
           "related": tuple(data.get("related", ())),
           "image": Image(**data["image"]) if data["image"] else None,
           "origin": Origin(**data["origin"])},
    )


_FIELDS = [f.name for f in fields(Article)]


def safe_name(record_id: str) -> str:
    """The one mapping from an article id to a file name: stable, never `/`, `..`, NUL or a
    leading dot, at most 150 + 17 characters (long ids end in a hash of the whole id)."""
    name = quote(record_id, safe="-_~")
    if name.startswith("."):
        name = "%2E" + name[1:]
    if len(name) > _NAME_MAX:
        digest = hashlib.sha256(record_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        name = f"{name[:_NAME_MAX].rstrip('%')}-{digest}"
    return name or "%00"


class Unparsable(str):
    """A raw record that did not even parse (a bad JSON Lines line); the text says why."""


_Fail = Callable[[str, str], "RecordError"]  # makes the error for a field of the current record


def rename_fields(raw: Mapping[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    """The record with a user's keys renamed to ours (config `fields:`); other keys kept."""
    return {renames.get(key, key): value for key, value in raw.items()}


def normalize(raw: object, config: Config, origin: Origin) -> Article:
    """The Article for one raw record.

    :param raw: the mapping read from a source, keys already renamed to the record fields.
    :param config: the site configuration (categories, time zone, base URL).
    :param origin: where the record came from, for error messages.
    :raises RecordError: naming the first field that cannot be made valid.
    """
    if isinstance(raw, Unparsable):
        raise RecordError(origin, None, "(record)", str(raw))
    if not isinstance(raw, Mapping):
        raise RecordError(origin, None, "(record)",
                          f"expected a mapping of fields, found {type(raw).__name__}")
    record_id = _id(raw.get("id"), origin, raw)

    def fail(field: str, reason: str) -> RecordError:
        return RecordError(origin, record_id, field, reason)

    for name in REQUIRED:
        if _is_blank(raw.get(name)):
            raise fail(name, _missing(name, raw))
    try:
        url = web_url(_text_value(raw["url"], fail, "url"))
    except URLError as exc:
        raise fail("url", str(exc)) from None
    # Titles, names and alt texts are plain text: markup in them is dropped, not escaped, so no
    # page that prints them as text shows "<b>" and no meta tag carries a tag.
    title = html_to_text(_text_value(raw["title"], fail, "title"))
    if not title:
        raise fail("title", "expected a title, found only markup or control characters")
    category = config.category(clean_line(_text_value(raw["category"], fail, "category")))
    if category is None:
        choices = ", ".join(f"{c.slug} ({c.name})" for c in config.categories)
        raise fail("category", f"unknown category {raw['category']!r}; expected one of {choices}")
    zone = config.site.zone
    published = _date(raw["published"], zone, fail, "published")
    updated = published if _is_blank(raw.get("updated")) else _date(raw["updated"], zone, fail,
                                                                     "updated")
    image = None if _is_blank(raw.get("image")) else _image(raw["image"], url, fail)
    body = ("" if _is_blank(raw.get("content_html"))
            else strip_xml_illegal(_text_value(raw["content_html"], fail, "content_html")).strip())
    summary = (html_to_text(_text_value(raw["summary"], fail, "summary"))
               if not _is_blank(raw.get("summary")) else "")
    if not summary and body:
        summary = derived_summary(body)
    return Article(
        id=record_id, url=url, title=title, category=category.slug,
        published=published, updated=max(updated, published),
        summary=summary or title, body=body, tags=_names(raw.get("tags"), fail, "tags"),
        authors=_names(raw.get("author"), fail, "author"), image=image, origin=origin,
        related=_related(raw.get("related"), fail),
    )


def derived_summary(body: str) -> str:
    """The first sentences of the body's text, reading only as much markup as that needs."""
    size = SUMMARY_CHARS * 8
    while True:
        text = html_to_text(body[:size])
        if size >= len(body) or len(text) > SUMMARY_CHARS + 64:  # the cut end is far behind
            return excerpt(text, SUMMARY_CHARS)
        size *= 4


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _string(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return str(value)


def _text_value(value: object, fail: _Fail, field: str) -> str:
    try:
        text = _string(value)
    except TypeError as exc:
        raise fail(field, str(exc)) from None
    if len(text) > FIELD_MAX.get(field, len(text)):
        raise fail(field, f"expected at most {FIELD_MAX[field]:,} characters, "
                          f"found {len(text):,}")
    return text


def _missing(name: str, raw: Mapping[str, object]) -> str:
    """Why a required field is missing, with the keys we do not read when the record has some:
    an export whose keys have other names (a first run without a `fields:` mapping)."""
    foreign = [str(key) for key in raw if key not in RECORD_FIELDS]
    if not foreign:
        return "required field is missing or empty"
    listed = ", ".join(foreign[:8]) + (", …" if len(foreign) > 8 else "")
    return (f"required field is missing or empty; the record has fields syndicate does not "
            f"read ({listed}): map the one that holds the {name} with `fields:` in the config "
            "(`syndicate init --from FILE` proposes a mapping)")


def _id(value: object, origin: Origin, raw: Mapping[str, object]) -> str:
    if _is_blank(value):
        raise RecordError(origin, None, "id", _missing("id", raw))
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(origin, None, "id",
                          f"expected a string or a number, found {type(value).__name__}")
    text = str(value).strip()
    if strip_xml_illegal(text) != text or len(text) > _ID_MAX:
        raise RecordError(origin, strip_xml_illegal(text[:40]), "id",
                          f"expected at most {_ID_MAX} printable characters, found {text[:40]!r}")
    return text


def _date(value: object, zone: Any, fail: _Fail, field: str) -> datetime:
    try:
        return parse_date(value, zone)
    except DateError as exc:
        raise fail(field, str(exc)) from None


def _names(value: object, fail: _Fail, field: str) -> tuple[str, ...]:
    """Tags or authors: a list, or one string (tags may also be comma-separated)."""
    if _is_blank(value):
        return ()
    if isinstance(value, str):
        items: list[object] = _TAG_SEPARATORS.split(value) if field == "tags" else [value]
    elif isinstance(value, list):
        items = [item.get("name") if isinstance(item, Mapping) else item for item in value]
    elif isinstance(value, Mapping) and field == "author":
        items = [value.get("name")]
    else:
        raise fail(field, f"expected a string or a list of strings, found {type(value).__name__}")
    names: list[str] = []
    for item in items:
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise fail(field, f"expected a string or a list of strings, found {item!r}"[:200])
        name = html_to_text(_text_value(item, fail, field))
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _related(value: object, fail: _Fail) -> tuple[str, ...]:
    """Ids or absolute URLs of other articles: trimmed, blanks dropped, each once, in the order
    given, the first RELATED_MAX kept. Which of them are published is known only when the
    article is rendered (query.related_articles)."""
    if _is_blank(value):
        return ()
    if not isinstance(value, list):
        raise fail("related", f"expected a list of ids or URLs, found {type(value).__name__}")
    entries: dict[str, None] = {}
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise fail("related", f"expected a list of ids or URLs, found {item!r}"[:200])
        entry = _text_value(item, fail, "related").strip()
        if strip_xml_illegal(entry) != entry:
            raise fail("related", f"expected printable ids or URLs, found {entry[:40]!r}")
        if entry:
            entries[entry] = None
    return tuple(entries)[:RELATED_MAX]


def _image(value: object, base: str, fail: _Fail) -> Image:
    spec: Mapping[str, Any] = value if isinstance(value, Mapping) else {"url": value}
    if _is_blank(spec.get("url")):
        raise fail("image", "expected an image URL or a mapping with url, found no url")
    try:
        url = web_url(_text_value(spec["url"], fail, "image.url"), base)
    except URLError as exc:
        raise fail("image.url", str(exc)) from None
    size = {}
    for key in ("width", "height"):
        number = spec.get(key)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)
                                   or number <= 0):
            raise fail(f"image.{key}", f"expected a positive whole number, found {number!r}")
        size[key] = number
    kind = spec.get("type") or image_type(urlsplit(url).path)
    if kind is not None and not (isinstance(kind, str) and kind.startswith("image/")):
        raise fail("image.type", f"expected an image MIME type such as image/jpeg, found {kind!r}")
    alt = html_to_text(_text_value(spec.get("alt") or "", fail, "image.alt"))
    return Image(url=url, width=size["width"], height=size["height"], alt=alt, type=kind)


def _lead_image(image: Image) -> str:
    size = "".join(f' {key}="{value}"' for key, value in
                   (("width", image.width), ("height", image.height)) if value)
    return (f'<p><img src="{html.escape(image.url)}" alt="{html.escape(image.alt)}"{size}></p>')


__all__ = ["RECORD_FIELDS", "Article", "Image", "Origin", "RecordError", "Unparsable",
           "article_from_json", "article_to_json", "normalize", "rename_fields"]
