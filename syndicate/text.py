"""Text helpers: XML-illegal characters, HTML to plain text, CJK-aware excerpts."""

from __future__ import annotations

import html
import re
import unicodedata

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


def _extends_cluster(char: str) -> bool:
    """True when `char` belongs to the grapheme before it (marks, joiners, selectors, modifiers)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or code == 0x200D  # zero width joiner
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
    )


def safe_cut(text: str, limit: int) -> int:
    """The largest index <= limit that does not split a grapheme cluster of `text`."""
    if limit >= len(text):
        return len(text)
    cut = max(limit, 0)
    while cut > 0 and (_extends_cluster(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    # A regional-indicator pair (a flag) is one grapheme: never leave half of it.
    run = 0
    while cut - run > 0 and 0x1F1E6 <= ord(text[cut - run - 1]) <= 0x1F1FF:
        run += 1
    return cut - (run % 2)


def excerpt(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` characters of `text`, cut at a sentence end (。！？) when one falls in the
    second half of the budget, else on a grapheme boundary with `ellipsis` appended."""
    if len(text) <= limit:
        return text
    budget = limit - len(ellipsis)
    window = text[: budget + 1]
    end = max(window.rfind(mark) for mark in SENTENCE_ENDS)
    if end + 1 >= limit // 2:
        return text[: end + 1]
    return text[: safe_cut(text, budget)].rstrip() + ellipsis
