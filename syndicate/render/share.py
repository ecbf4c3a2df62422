"""Share links for Facebook, LINE and X, and the buttons that carry them.

Every value is percent-encoded exactly once as UTF-8, a space as %20 (never "+", which some
dialogs show literally), and the shared URL carries per-network UTM parameters when the config
names a campaign, keeping the URL's own query and fragment.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

from ..config import Config
from ..records import Article
from ..tweet import Tweet, compose_tweet

FACEBOOK_SHARER = "https://www.facebook.com/sharer/sharer.php"
LINE_WEB = "https://social-plugins.line.me/lineit/share"
LINE_APP = "https://line.me/R/share"
NETWORKS = ("facebook", "line", "x")
BUTTON_LABELS = {"facebook": "分享到Facebook", "line": "分享到LINE", "x": "分享到Twitter"}


# Each UTF-8 byte as it stands in a query value: unreserved characters as they are, every other
# byte percent-encoded (the same as urllib's quote(value, safe=""), a table lookup per byte).
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_BYTE = tuple(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256))


def encode(value: str) -> str:
    """One query value: UTF-8, every reserved character and space percent-encoded (%20)."""
    return "".join(map(_BYTE.__getitem__, value.encode("utf-8")))


def query(pairs: list[tuple[str, str | None]]) -> str:
    return "&".join(f"{key}={encode(value)}" for key, value in pairs if value)


def with_utm(url: str, network: str, campaign: str | None) -> str:
    """`url` with utm_source=<network>, utm_medium=social and utm_campaign added after its own
    query, its fragment kept; `url` itself when no campaign is configured."""
    if not campaign:
        return url
    # What urlunsplit(urlsplit(url)) with the query extended gives for an absolute URL as
    # records.normalize leaves it (scheme in lower case, no blanks), without splitting it all:
    # the fragment starts at the first "#", the query at the first "?" before it.
    rest, _, fragment = url.partition("#")
    base, _, own = rest.partition("?")
    utm = _utm(network, campaign)
    shared = f"{base}?{own}&{utm}" if own else f"{base}?{utm}"
    return f"{shared}#{fragment}" if fragment else shared


@lru_cache(maxsize=64)
def _utm(network: str, campaign: str) -> str:
    return query([("utm_source", network), ("utm_medium", "social"), ("utm_campaign", campaign)])


@dataclass(frozen=True)
class ShareLinks:
    facebook: str
    line: str
    line_app: str
    x: str
    line_text: str
    tweet: Tweet


def share_links(article: Article, config: Config) -> ShareLinks:
    """The share dialogs' URLs for one article."""
    share = config.share
    shared = {network: with_utm(article.url, network, share.utm_campaign) for network in NETWORKS}
    tweet = compose_tweet(article.title, article.tags, shared["x"], share.x_via)
    line_text = f"{article.title} {shared['line']}"
    x_query = query([("text", tweet.text), ("url", shared["x"]),
                     ("hashtags", ",".join(tweet.hashtags)), ("via", tweet.via)])
    return ShareLinks(
        facebook=f"{FACEBOOK_SHARER}?{query([('u', shared['facebook'])])}",
        line=f"{LINE_WEB}?{query([('url', shared['line'])])}",
        line_app=f"{LINE_APP}?{query([('text', line_text)])}",
        x=f"{share.x_endpoint}?{x_query}",
        line_text=line_text,
        tweet=tweet,
    )


def buttons_html(links: ShareLinks) -> str:
    """Plain links labelled as on the seed page; no JavaScript, each opens a new tab."""
    anchors = [
        f'<a class="share-{network}" href="{html.escape(href)}" target="_blank" '
        f'rel="noopener noreferrer">{BUTTON_LABELS[network]}</a>'
        for network, href in (("facebook", links.facebook), ("line", links.line), ("x", links.x))
    ]
    return '<div class="syndicate-share">' + "".join(anchors) + "</div>"
