"""feed.xsl: the XSLT 1.0 stylesheet that RSS and Atom feeds name in <?xml-stylesheet?>, so
that a browser shows a person who clicked a feed link a readable zh-TW page (what a feed is,
its URL to copy, links to common readers, and the items) instead of raw XML. Feed readers
ignore the processing instruction; the W3C validator has no rule about it.

One stylesheet serves both formats and every feed: it reads the site's and the category's names
from the feed itself. The href is relative (feed.xsl, ../feed.xsl), because browsers apply only
a stylesheet from the feed's own origin, and the same folder is served from the site and from
`syndicate serve`.

The stylesheet itself is feed.xsl beside this module, package data, so that it reads (and diffs)
as XSLT rather than as a Python string.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

STYLESHEET_NAME = "feed.xsl"


def stylesheet_instruction(folder: str) -> bytes:
    """The processing instruction for a feed in `folder` ("" or "<slug>/")."""
    href = "../" * folder.count("/") + STYLESHEET_NAME
    return f'<?xml-stylesheet type="text/xsl" href="{href}"?>\n'.encode("ascii")


def with_stylesheet(feed: bytes, folder: str) -> bytes:
    """`feed` (an XML document that starts with its declaration) with the instruction after the
    declaration."""
    declaration_end = feed.index(b"?>") + 2
    newline = 1 if feed[declaration_end:declaration_end + 1] == b"\n" else 0
    cut = declaration_end + newline
    return feed[:cut] + (b"" if newline else b"\n") + stylesheet_instruction(folder) + feed[cut:]


@cache
def stylesheet() -> bytes:
    """feed.xsl as it is written beside the feeds: the package's own file, byte for byte. Read
    on first use, so a run that renders no feed never opens it."""
    return resources.files(__package__).joinpath(STYLESHEET_NAME).read_bytes()
