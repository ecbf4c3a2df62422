"""`syndicate preview`: a page that shows each article's share cards as Facebook, LINE and X draw
them (render/preview.py), written outside the feeds folder so the web server never publishes it.

The articles come from the index, as the last build published them, else from the sources (an
article no build has published yet), as `syndicate share` finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .config import Config
from .errors import PublishError
from .publish import Publisher
from .query import Shared, newest_shared, share_view

PAGE_NAME = "index.html"


def default_output(config: Config) -> Path:
    """`<output.dir>-preview`, beside the feeds folder (feeds -> feeds-preview)."""
    folder = config.output.dir
    if not folder.name:  # "." or "/": name the folder it stands for
        folder = folder.resolve()
    return folder.with_name(folder.name + "-preview")


def write_preview(config: Config, ids: Sequence[str] = (), output: Path | None = None) -> Path:
    """Write `output/index.html` (default: `<output.dir>-preview/`) showing the share cards of
    the articles `ids` (ids or URLs), or of the site feed's newest `items_per_feed` articles.

    :returns: the path of the page.
    :raises UnknownArticle: an id that no article has, naming the closest ids.
    :raises PublishError: the folder is inside the feeds folder, or cannot be written.
    """
    from .render.preview import preview_html

    folder = output if output is not None else default_output(config)
    feeds = config.output.dir.resolve()
    if folder.resolve() == feeds or folder.resolve().is_relative_to(feeds):
        raise PublishError(f"refusing to write the preview into {folder}: it is inside the "
                           f"feeds folder {config.output.dir}, which the web server publishes; "
                           "choose a folder outside it")
    shared = preview_articles(config, ids)
    page = preview_html([article for article, _ in shared], config,
                        {article.id: related for article, related in shared})
    publisher = Publisher(folder)  # a browser that reloads sees the old page or the new one
    publisher.write(PAGE_NAME, page.encode("utf-8"))
    publisher.finish()
    return folder / PAGE_NAME


def preview_articles(config: Config, ids: Sequence[str] = ()) -> list[Shared]:
    """The articles of `ids` (each an id or a URL; the index first, then the sources), in the
    order given without repeats, or the site feed's newest `items_per_feed`; each with its
    related articles, as build resolves them."""
    if not ids:
        return newest_shared(config, config.output.items_per_feed)
    unique: dict[str, Shared] = {}
    for key in dict.fromkeys(ids):  # an id and the URL of one article show it once
        found = share_view(config, key)
        unique.setdefault(found[0].id, found)
    return list(unique.values())


__all__ = ["default_output", "preview_articles", "write_preview"]
