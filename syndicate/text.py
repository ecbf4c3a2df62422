"""Text helpers: XML-illegal characters, HTML to plain text, and grapheme clusters: where text
may be cut, how wide it is drawn, CJK-aware excerpts."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator

# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
# C1 controls (U+007F-U+009F) are allowed by XML but are never text in a news article
# (they come from mis-decoded Windows-1252) and feed validators flag them, so they go too.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")
# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a title or a name
# they reorder what follows ("abc\u202egnp.exe" shows as "abcexe.png"), in every page and feed
# reader that prints it. Plain text has no use for them; the marks LRM/RLM stay.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SENTENCE_ENDS = "。！？!?"

# Elements whose text is never shown, and elements that end a line of text.
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "figure", "figcaption", "table", "tr", "td", "th", "section", "article",
}


def strip_xml_illegal(value: str) -> str:
    """Drop what XML 1.0 forbids (NUL, C0 and C1 controls, lone surrogates, U+FFFE)."""
    return _XML_ILLEGAL.sub("", value)


def clean_line(value: str) -> str:
    """One line of text: entities decoded once, illegal characters and bidi controls dropped,
    spaces collapsed."""
    return _SPACE.sub(" ", _BIDI_CONTROLS.sub("", strip_xml_illegal(html.unescape(value)))).strip()


_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)", re.DOTALL)
_HIDDEN_ELEMENTS = re.compile(
    r"<(script|style|template|noscript|head)\b[^>]*>.*?(?:</\1\s*>|$)", re.DOTALL | re.IGNORECASE)
_ATTRIBUTES = r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*\s*/?"""
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_BLOCKS)) + r")\b" + _ATTRIBUTES + ">",
                        re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][^\s/>]*" + _ATTRIBUTES + r">|<![^>]*>|<\?[^>]*>")
_DANGLING_TAG = re.compile(r"<[A-Za-z/!?].*$", re.DOTALL)  # a tag the text ends inside


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, as one line (entities decoded exactly once).

    Regular expressions rather than an HTML parser: this runs on every title, name and
    summary of an archive, and html.parser costs ten times as much for the same text.
    """
    if "<" in markup:
        markup = _COMMENT.sub("", markup)
        markup = _HIDDEN_ELEMENTS.sub("", markup)
        markup = _BLOCK_TAG.sub(" ", markup)
        markup = _ANY_TAG.sub("", markup)
        markup = _DANGLING_TAG.sub("", markup)
    if "&" in markup:
        markup = html.unescape(markup)
        if "<" in markup:  # "&lt;script&gt;" was markup too: a title or a meta value holds none
            markup = _ANY_TAG.sub("", _HIDDEN_ELEMENTS.sub("", markup))
    return _SPACE.sub(" ", _BIDI_CONTROLS.sub("", strip_xml_illegal(markup))).strip()


# --- grapheme clusters: one rule, and every cut and width derived from it ---

ELLIPSIS = "…"
_ELLIPSIS_COLUMNS = 2  # CJK fonts draw "…" full width
_ZWJ = "\u200d"


def _always_continues(char: str) -> bool:
    """Whether `char` belongs to the grapheme before it wherever it stands (marks, the zero
    width joiner, variation selectors, skin tone modifiers, emoji tag characters)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or code == 0x200D
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _regional(char: str) -> bool:
    """A regional indicator: two in a row are one flag."""
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _regional_run(text: str, end: int) -> int:
    """How many regional indicators stand right before text[end]."""
    start = end
    while start > 0 and _regional(text[start - 1]):
        start -= 1
    return end - start


def _continues(text: str, index: int) -> bool:
    """Whether text[index] continues the grapheme cluster before it, so that no cut may fall
    before it: a mark, joiner, selector, skin tone or tag; the character after a zero width
    joiner; the second regional indicator of a pair. An approximation of UAX #29 that keeps
    what titles hold whole (accents, emoji sequences, flags); the start and the end of `text`
    are always boundaries."""
    if not 0 < index < len(text):
        return False
    char = text[index]
    if _always_continues(char) or text[index - 1] == _ZWJ:
        return True
    return _regional(char) and _regional_run(text, index) % 2 == 1


def graphemes(text: str) -> Iterator[str]:
    """The user-perceived characters of `text`, by the rule of `_continues`."""
    start = 0
    for index in range(1, len(text) + 1):
        if not _continues(text, index):
            yield text[start:index]
            start = index


def safe_cut(text: str, limit: int) -> int:
    """The largest index <= limit that does not split a grapheme cluster of `text`."""
    cut = min(max(limit, 0), len(text))
    while _continues(text, cut):
        cut -= 1
    return cut


def clip(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """The first `limit` characters of `text` or fewer, cut on a grapheme boundary, trailing
    space dropped, with `ellipsis` appended."""
    return text[:safe_cut(text, limit)].rstrip() + ellipsis


def _cluster_columns(cluster: str) -> int:
    first = cluster[0]
    if unicodedata.category(first) in ("Cc", "Cf"):
        return 0
    if (any(unicodedata.east_asian_width(char) in "WF" for char in cluster)
            or "\ufe0f" in cluster or _regional(first)):
        return 2
    return 1


def columns(text: str) -> int:
    """How many columns `text` takes, the way a monospaced CJK font draws it: a grapheme that
    is East Asian wide or full-width, or an emoji (a flag, or presentation selector U+FE0F),
    2; a control or format character 0; anything else 1."""
    return sum(_cluster_columns(cluster) for cluster in graphemes(text))


def fit(text: str, budget: int) -> str:
    """`text` when it fits `budget` columns, else its longest start that fits with "…" (2
    columns) after it, never splitting a grapheme."""
    if columns(text) <= budget:
        return text
    kept = used = 0
    for cluster in graphemes(text):
        used += _cluster_columns(cluster)
        if used > budget - _ELLIPSIS_COLUMNS:
            break
        kept += len(cluster)
    return clip(text, kept)


def excerpt(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """At most `limit` characters of `text`, cut at a sentence end (。！？) when one falls in the
    second half of the budget, else on a grapheme boundary with `ellipsis` appended."""
    if len(text) <= limit:
        return text
    budget = limit - len(ellipsis)
    window = text[: budget + 1]
    end = max(window.rfind(mark) for mark in SENTENCE_ENDS)
    if end + 1 >= limit // 2:
        return text[: end + 1]
    return clip(text, budget, ellipsis)
