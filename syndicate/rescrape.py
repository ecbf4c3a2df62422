"""Facebook re-scrapes (share.facebook_token_env). Facebook caches what a shared link shows
(og:title, og:description, og:image) and reads the page again by itself only about every 30
days, so a run that changes the share card of an article already published asks the Graph API to
read that page again at once (POST id=<url>&scrape=true with an app access token). LINE and X
have no such API: only a new image URL changes what they show.

Like the WebSub pings, the URLs are queued in the index with the publish (queue_rescrapes,
before the commit) and sent after it (send_rescrapes), one try each: what fails stays queued for
the next run, with one warning line. The token is read from the environment when it is sent, and
is written nowhere: not in the index, not in a message; it travels in the POST body, not in a URL
that a log or an exception text could show.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from .config import Config
    from .network import Network
    from .records import Article
    from .store import Store

CARD = ("og:title", "og:description", "og:image")  # what a share card shows
# Facebook reads each page while the run waits: a change to every card (a new default image)
# is sent over several runs rather than holding one run for hours.
PER_RUN = 50
# Graph's error codes that every other URL would meet too: a request limit, a refused token.
_STOP_CODES = frozenset({4, 17, 32, 190, 613})
_CHUNK = 500  # articles whose cards are compared at a time


def queue_rescrapes(config: Config, store: Store, ids: Iterable[str]) -> None:
    """Record the share card of each of `ids` (the articles this run published anew), and queue
    the URL of each whose card differs from the one published before; a new article's card is
    only recorded."""
    from .query import stream

    articles = stream(store, ids)
    while chunk := list(itertools.islice(articles, _CHUNK)):
        cards = {article.id: _card(article, config) for article in chunk}
        before = store.card_hashes(list(cards))
        store.add_scrapes(url for record_id, (url, digest) in cards.items()
                          if before.get(record_id, digest) != digest)
        store.set_card_hashes((record_id, digest) for record_id, (_, digest) in cards.items())


def _card(article: Article, config: Config) -> tuple[str, str]:
    """The article's og:url, and a hash of what its share card shows."""
    from .render.meta import open_graph

    tags = dict(open_graph(article, config))
    shown = json.dumps([tags.get(name, "") for name in CARD], ensure_ascii=False)
    digest = hashlib.blake2b(shown.encode("utf-8", "surrogatepass"), digest_size=16)
    return tags["og:url"], digest.hexdigest()


def send_rescrapes(config: Config, store: Store, network: Network) -> list[str]:
    """Ask Facebook to read each queued URL again (PER_RUN at most), one request and one try
    each: the next run is the retry. What was read leaves the queue; what failed, or was not
    reached, stays. Returns one warning line per failure.

    :param network: the run's; its HTTP client is made only when a URL is queued.
    """
    name = config.share.facebook_token_env
    queued = store.pending_scrapes()
    token = os.environ.get(name or "", "").strip()
    if not token:
        return [f"share.facebook_token_env: the environment variable {name} is not set, so "
                f"Facebook is not asked to read changed share cards again ({len(queued)} "
                "URL(s) queued for when it is)"]
    warnings, sent = [], []
    for done, url in enumerate(queued[:PER_RUN], start=1):
        reason, stop = _scrape(network, config.share.facebook_graph, url, token)
        if reason is None:
            sent.append(url)
            continue
        others = len(queued) - done if stop else 0
        warnings.append(_without(
            f"Facebook re-scrape of {url}: {reason}; it stays queued"
            f"{f' with {others} other URL(s)' if others else ''} for the next run", token))
        if stop:
            break
    store.drop_scrapes(sent)
    return warnings


def _scrape(network: Network, graph: str, url: str, token: str) -> tuple[str | None, bool]:
    """Why Facebook did not read `url` again (None: it did), and whether to stop asking in this
    run: a failure that is not about this URL (no answer, a server error, a refused token, a
    request limit) would be every other URL's too."""
    from .errors import FetchError

    try:
        reply = network.client.within(network.deadline("pings")).post(
            graph, [("id", url), ("scrape", "true"), ("access_token", token)], retry=False)
    except FetchError as exc:
        return str(exc).removeprefix(f"{graph}: "), True
    if 200 <= reply.status < 300:
        return None, False
    error = _graph_error(reply.body)
    if reply.status >= 500 or error is None:
        return f"HTTP {reply.status}", True
    message, code = error
    return f"HTTP {reply.status}: {message}", code in _STOP_CODES


def _graph_error(body: bytes) -> tuple[str, object] | None:
    """The message and code of Graph's error answer, {"error": {"message": …, "code": …}}."""
    try:
        error = json.loads(body)["error"]
        return str(error["message"]), error.get("code")
    except (ValueError, LookupError, TypeError, AttributeError):
        return None


def _without(text: str, token: str) -> str:
    """`text` with the token cut out, whole, URL-encoded or its secret part alone."""
    for secret in (token, quote(token, safe=""), token.partition("|")[2]):
        if secret:
            text = text.replace(secret, "…")
    return text
