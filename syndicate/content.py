"""Article HTML made fit for feeds: an allowlist of elements and attributes, absolute URLs.

Feed readers show content_html inside their own pages, and the W3C validator warns about every
element or attribute a reader would have to strip (script, style, iframe, object, on*
handlers: SecurityRisk). WordPress content carries all of those (tweet and video embeds), so
content is sanitized once, on the way in, with nh3 (the Ammonia sanitizer): scripts and styles go
with their content, other unknown elements go but keep their text, an <iframe> embed becomes a
link to what it showed, and every href/src/srcset becomes an absolute, percent-encoded URL.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

from .text import strip_xml_illegal
from .urls import URLError, web_url

# Elements every reader renders and the W3C validator accepts (its acceptable_elements, less
# forms and legacy presentational elements).
TAGS = {
    "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "blockquote", "br",
    "caption", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "rp", "rt",
    "ruby", "s", "samp", "section", "small", "source", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "track", "u", "ul", "var",
    "video", "wbr",
}
ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "track": {"src", "kind", "srclang", "label"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"}, "time": {"datetime"},
    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed", "type"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_URL_ATTRIBUTES = {"href", "src", "poster", "cite"}
_DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript"}
_IFRAME = re.compile(r"<iframe\b[^>]*>", re.IGNORECASE)


def clean_html(markup: str, base: str) -> str:
    """`markup` sanitized for feeds, its URLs made absolute against `base` (the article URL)."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES:
            return absolute_url(value, base)
        if attribute == "srcset":
            return ", ".join(filter(None, (_srcset_candidate(c, base) for c in value.split(","))))
        return value

    markup = _IFRAME.sub(lambda match: _iframe_as_link(match.group(0), base),
                         strip_xml_illegal(markup))
    return nh3.clean(
        markup, tags=TAGS, clean_content_tags=_DROPPED_WITH_CONTENT, attributes=ATTRIBUTES,
        attribute_filter=keep, url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True,
    ).strip()


def absolute_url(value: str, base: str) -> str | None:
    """An absolute, percent-encoded http(s) URL; a fragment or mailto:/tel: link as written;
    None (the attribute is dropped) for anything else."""
    value = value.strip()
    if value.startswith("#") or value.lower().startswith(("mailto:", "tel:")):
        return value
    try:
        return web_url(value, base)
    except URLError:
        return None


def _srcset_candidate(candidate: str, base: str) -> str | None:
    url, _, descriptor = candidate.strip().partition(" ")
    absolute = absolute_url(url, base)
    return f"{absolute} {descriptor.strip()}".strip() if absolute else None


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found = dict(attrs)


def _iframe_as_link(start_tag: str, base: str) -> str:
    """An embedded frame (a video, a map) becomes a link to what it showed; readers drop frames."""
    parser = _Attributes()
    parser.feed(start_tag)
    url = absolute_url(parser.found.get("src") or "", base)
    if not url or url.startswith(("#", "mailto:", "tel:")):
        return ""
    label = html.escape(parser.found.get("title") or url)
    return f'<a href="{html.escape(url)}">{label}</a>'
