"""index.opml: every feed of the site, for a reader to import in one go."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from ..config import Config
from .feeds import FeedSpec

# One format per feed: a reader that imports the list subscribes once to each feed, not three
# times. RSS is the format every reader knows.
OPML_FORMAT = ("rss.xml", "rss")


def render_opml(config: Config, specs: Sequence[FeedSpec],
                groups: Sequence[tuple[str, Sequence[FeedSpec]]] = ()) -> bytes:
    """OPML 2.0 listing the site feed and each category feed, then each group of feeds (the
    tags', the authors') as an outline of its own. No `dateModified`: the list changes only
    when a feed comes or goes, and with 20,000 tag feeds it is megabytes that a date would
    rewrite (and upload) on every run.

    :param groups: (heading, feeds) of each group, in order.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = config.site.title
    body = ET.SubElement(root, "body")
    for spec in specs:
        _outline(config, body, spec)
    for heading, group in groups:
        parent = ET.SubElement(body, "outline", text=heading, title=heading)
        for spec in group:
            _outline(config, parent, spec)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _outline(config: Config, parent: ET.Element, spec: FeedSpec) -> None:
    filename, kind = OPML_FORMAT
    ET.SubElement(parent, "outline", type=kind, text=spec.title, title=spec.title,
                  xmlUrl=spec.url(config, filename), htmlUrl=spec.home_url,
                  language=config.site.language)
