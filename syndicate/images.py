"""Image facts over HTTP: the width, height and type of an article image that its record does
not give, read from the image's first bytes (a Range request, capped), once per URL.

Facebook shows a large card on an article's first share only when og:image:width and height
are in the page, and feed readers lay out media:content better with them. Only http(s) URLs
are fetched, and, unless images.allow_private is set, never from a private, loopback or
link-local address: a record must not make the build machine read its own network.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from .config import Config
from .imagefacts import image_facts
from .net import Client, FetchError, get_following
from .records import Article, Image
from .store import Store

WORKERS = 8  # images are read in parallel: a first build may meet thousands


def complete_images(articles: Sequence[Article], store: Store, client: Client,
                    config: Config) -> list[Article]:
    """The articles, each image that lacks a width or height given the facts read from its
    first bytes; what cannot be read is remembered with the reason and left as it was."""
    wanted = sorted({a.image.url for a in articles if a.image and not _complete(a.image)})
    if not wanted:
        return list(articles)
    known = store.image_facts(wanted)
    todo = [url for url in wanted if url not in known]
    with ThreadPoolExecutor(min(WORKERS, max(len(todo), 1))) as pool:
        for url, facts in zip(todo, pool.map(lambda u: probe(u, client, config), todo),
                              strict=True):
            store.set_image_facts(url, *facts)
            known[url] = facts
    return [_with_facts(article, known.get(article.image.url)) if article.image else article
            for article in articles]


def probe(url: str, client: Client, config: Config
          ) -> tuple[int | None, int | None, str | None, str | None]:
    """(width, height, type, None), or (None, None, None, why not).

    :param client: `Network.images`, which connects only where images may be read from.
    """
    limit = config.images.max_bytes
    try:
        reply = get_following(client, url, prefix=limit,
                              headers={"Range": f"bytes=0-{limit - 1}"})
    except FetchError as exc:
        return None, None, None, str(exc)
    if reply.status not in (200, 206):
        return None, None, None, f"{url}: HTTP {reply.status}"
    facts = image_facts(reply.body)
    if facts is None:
        return None, None, None, (f"{url}: no PNG, JPEG, GIF or WebP size in the first "
                                  f"{len(reply.body):,} bytes (images.max_bytes)")
    return facts.width, facts.height, facts.type, None


def _complete(image: Image) -> bool:
    return bool(image.width and image.height)


def _with_facts(article: Article, facts: tuple[object, ...] | None) -> Article:
    if not facts or facts[3] is not None or article.image is None:
        return article
    width, height, kind, _ = facts
    image = replace(article.image, width=article.image.width or width,
                    height=article.image.height or height, type=kind or article.image.type)
    return replace(article, image=image)


__all__ = ["complete_images", "probe"]
