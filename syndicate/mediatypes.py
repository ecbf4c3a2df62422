"""The Content-Type of each file the output folder holds, as `syndicate serve` sends it and the
object-store target stores it: one table, so a file is the same type wherever it is served."""

from __future__ import annotations

import os

# Names first, then extensions. Every one of these is text: it gets charset=utf-8 (syndicate
# writes nothing else) and gzip.
#
# rss.xml and atom.xml go out as application/rss+xml and application/atom+xml, except to a
# browser (an Accept that names text/html): Chromium shows a document of those two types as
# plain text and never applies the <?xml-stylesheet?> (feed.xsl) the feeds carry, so a browser
# gets application/xml, which it styles (Vary: Accept, and an ETag of its own).
BY_NAME = {
    "rss.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
}
FEEDS_FOR_BROWSERS = "application/xml"
BY_SUFFIX = {
    ".xml": "application/xml",
    ".json": "application/json",
    # text/xsl: the type the feeds' processing instruction names (type="text/xsl"). Chromium
    # applies the stylesheet served as text/xsl, application/xslt+xml or application/xml alike;
    # text/xsl is the one every browser that has XSLT has always taken.
    ".xsl": "text/xsl",
    ".opml": "text/x-opml",
    ".html": "text/html",
    ".css": "text/css",
    ".txt": "text/plain",
}
# Images by extension: the output folder's, and the type a record's image URL implies when the
# record gives none (records.py). Our own table, not the mimetypes module's: that one reads the
# machine's /etc/mime.types, and Python 3.11's own list has no .webp, so the same record would
# give another og:image:type on another machine.
IMAGES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".heic": "image/heic",
    ".heif": "image/heif", ".svg": "image/svg+xml", ".ico": "image/x-icon", ".bmp": "image/bmp",
    ".tif": "image/tiff", ".tiff": "image/tiff", ".jp2": "image/jp2", ".jxl": "image/jxl",
}


def image_type(path: str) -> str | None:
    """The image type the extension of a file name or URL path names, or None."""
    return IMAGES.get(os.path.splitext(path)[1].lower())


def content_type(name: str) -> tuple[str, bool]:
    """The Content-Type for a file name, and whether it is text (charset, gzip)."""
    if name in BY_NAME:
        return f"{BY_NAME[name]}; charset=utf-8", True
    feed = name.partition(".")[2]  # a month's archive: 2026-05.rss.xml, 2026-05.atom.xml
    if feed in ("rss.xml", "atom.xml"):  # (its .json stays application/json: an article's
        return f"{BY_NAME[feed]}; charset=utf-8", True  # file may have the same name)
    suffix = os.path.splitext(name)[1].lower()
    if suffix in BY_SUFFIX:
        return f"{BY_SUFFIX[suffix]}; charset=utf-8", True
    return IMAGES.get(suffix, "application/octet-stream"), False
