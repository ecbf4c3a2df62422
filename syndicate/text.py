"""Text helpers: XML-illegal characters, HTML to plain text, CJK-aware excerpts."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
# C1 controls (U+007F-U+009F) are allowed by XML but are never text in a news article
# (they come from mis-decoded Windows-1252) and feed validators flag them, so they go too.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")
SENTENCE_ENDS = "。！？!?"

# Elements whose text is never shown, and elements that end a line of text.
_HIDDEN = {"script", "style", "template", "noscript", "head"}
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "figure", "figcaption", "table", "tr", "td", "th", "section", "article",
}


def strip_xml_illegal(value: str) -> str:
    """Drop what XML 1.0 forbids (NUL, C0 and C1 controls, lone surrogates, U+FFFE)."""
    return _XML_ILLEGAL.sub("", value)


def clean_line(value: str) -> str:
    """One line of text: entities decoded once, illegal characters dropped, spaces collapsed."""
    return _SPACE.sub(" ", strip_xml_illegal(html.unescape(value))).strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, as one line (entities decoded exactly once)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return _SPACE.sub(" ", strip_xml_illegal("".join(parser.parts))).strip()


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
