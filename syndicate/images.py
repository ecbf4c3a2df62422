"""Image facts over HTTP: the width, height and type of an article image that its record does
not give, read from the image's first bytes (a Range request, capped), once per URL.

Facebook shows a large card on an article's first share only when og:image:width and height
are in the page, and feed readers lay out media:content better with them. Only http(s) URLs
are fetched, and, unless images.allow_private is set, never from a private, loopback or
link-local address: a record must not make the build machine read its own network.

An image that cannot be read is stored with the reason and the time it was tried, and its
articles are published without a size. It is tried again images.retry_hours later, at most
images.retry_per_run of them a run, the oldest first; when it is read, the records of the
articles that use it get its facts, and those articles (their files and feeds) are rendered
again. Probing stops at the run's deadline (deadlines.images): an image not read by then is
stored as not read yet, due at once, and the next run reads it first, before old failures
and outside their cap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from . import clock
from .config import Config
from .errors import DeadlinePassed, FetchError
from .imagefacts import image_facts
from .records import Article, Image, article_from_json, article_to_json
from .store import Store

if TYPE_CHECKING:
    from .net import Client

WORKERS = 8  # images are read in parallel: a first build may meet thousands


class Facts(NamedTuple):
    width: int | None
    height: int | None
    type: str | None
    error: str | None  # why the image could not be read; None when it was


class ImageProbes:
    """The image probing of one run: its store, its client (`Network.images`, whose
    requests end by the run's image deadline) and the images the deadline left unread."""

    def __init__(self, store: Store, client: Client, config: Config) -> None:
        self.store = store
        self.client = client
        self.config = config
        self.unread: set[str] = set()  # not read because the run's deadline passed

    def complete(self, articles: Sequence[Article]) -> list[Article]:
        """The articles, each image that lacks a width or height given the facts read from
        its first bytes; what cannot be read is remembered with the reason and left as it
        was, and so is each article that uses it (for when it is read)."""
        wanted = sorted({a.image.url for a in articles if a.image and not _complete(a.image)})
        if not wanted:
            return list(articles)
        known = self.store.image_facts(wanted)
        known.update(self._probe([url for url in wanted if url not in known]))
        self.store.add_image_uses(
            (a.image.url, a.id) for a in articles
            if a.image and a.image.url in known and known[a.image.url][3] is not None)
        return [_with_facts(article, known.get(article.image.url)) if article.image else article
                for article in articles]

    def retry_due(self) -> int:
        """Probe again the images not read yet and the failures due (images.retry_hours,
        at most images.retry_per_run); put the facts of those read into the records that use
        them, touching their ids (refresh() then finds them changed). Returns how many were
        read."""
        images = self.config.images
        unread, failed = self.store.images_due(clock.stamp_before(images.retry_hours),
                                               images.retry_per_run)
        read = 0
        for url, facts in self._probe(unread + failed).items():
            if facts.error is None:
                read += 1
                self._complete_records(url, facts)
        return read

    def _probe(self, urls: Sequence[str]) -> dict[str, Facts]:
        """Probe `urls` in parallel and store what each gave. Once the run's deadline has
        passed, a probe not started yet does not start, and the pool is joined before this
        returns: no request goes on after it."""
        if not urls:
            return {}
        deadline = self.client.deadline

        def task(url: str) -> Facts | None:  # None: not read, the run's deadline passed
            try:  # once it has passed, the client refuses to start a request
                return probe(url, self.client, self.config)
            except DeadlinePassed:  # the run's (probe() returns a request's own as a failure)
                return None

        found: dict[str, Facts] = {}
        with ThreadPoolExecutor(min(WORKERS, len(urls))) as pool:
            results = list(pool.map(task, urls))
        tried = clock.stamp()
        for url, facts in zip(urls, results, strict=True):
            if facts is None:
                self.unread.add(url)
                facts = Facts(None, None, None, f"not read yet: {deadline} passed")
                self.store.set_image_facts(url, *facts, tried=None)
            else:
                self.unread.discard(url)
                self.store.set_image_facts(url, *facts, tried=tried)
            found[url] = facts
        return found

    def _complete_records(self, url: str, facts: Facts) -> None:
        ids = set()
        for rowid, digest, text in self.store.image_records(url):
            article = article_from_json(text)
            completed = _with_facts(article, facts)
            if completed == article:
                continue
            # A new hash, so that refresh() finds the article changed and its feeds'
            # signatures change; the record is normalized again if its source changes.
            mark = f"{digest} {facts.width}x{facts.height} {facts.type}".encode()
            self.store.update_record(rowid, hashlib.blake2b(mark, digest_size=16).hexdigest(),
                                     article_to_json(completed))
            ids.add(article.id)
        self.store.touch(sorted(ids))


def probe(url: str, client: Client, config: Config) -> Facts:
    """The facts of the image at `url`, or why there are none.

    :param client: `Network.images`, which connects only where images may be read from.
    :raises DeadlinePassed: with `run` True, when the run's deadline for images passed
        during the request (the image is not read yet, rather than failed).
    """
    from .net import get_following

    limit = config.images.max_bytes
    try:
        reply = get_following(client, url, prefix=limit,
                              headers={"Range": f"bytes=0-{limit - 1}"})
    except DeadlinePassed as exc:
        if exc.run:
            raise
        return Facts(None, None, None, str(exc))
    except FetchError as exc:
        return Facts(None, None, None, str(exc))
    if reply.status not in (200, 206):
        return Facts(None, None, None, f"{url}: HTTP {reply.status}")
    facts = image_facts(reply.body)
    if facts is None:
        return Facts(None, None, None, f"{url}: no image size in the first "
                                       f"{len(reply.body):,} bytes (images.max_bytes)")
    return Facts(facts.width, facts.height, facts.type, None)


def _complete(image: Image) -> bool:
    return bool(image.width and image.height)


def _with_facts(article: Article, facts: Sequence[object] | None) -> Article:
    if not facts or facts[3] is not None or article.image is None:
        return article
    width, height, kind, _ = facts
    image = replace(article.image, width=article.image.width or width,
                    height=article.image.height or height, type=kind or article.image.type)
    return replace(article, image=image)


__all__ = ["Facts", "ImageProbes", "probe"]
