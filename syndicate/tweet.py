"""Tweet text that fits: twitter-text v3 weighted length, and composition under 280.

The counting is twitter-text's own rules as ported by twitter-text-parser, which passes the
official conformance suite (tests/test_tweet.py runs it): text NFC-normalized, every URL counts
23, U+0000-10FF, U+2000-200D, U+2010-201F and U+2032-2037 count 1, an emoji sequence counts 2,
everything else (CJK, full-width punctuation, "…") counts 2.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from .text import ELLIPSIS, clip

MAX_WEIGHTED_LENGTH = 280
MIN_TITLE_CHARS = 10  # a title cut shorter than this loses a hashtag instead
# Characters that twitter-text lets continue a hashtag besides letters, marks and decimal digits
# (its hashtag_alphanumeric class); any other character ends the hashtag where Twitter ends it.
_HASHTAG_EXTRA = set("_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0"
                     "\u30fb\u3003\u0f0b\u0f0c\u00b7")


@cache
def _parser() -> Any:
    # Imported on first use: compiling its emoji expression costs about 0.3 s, which a run that
    # renders no tweet should not pay.
    from twitter_text import parse_tweet

    return parse_tweet


def weighted_length(text: str, config: Mapping[str, Any] | None = None) -> int:
    """The length X counts for `text`: twitter-text v3, or `config` in its JSON form."""
    if config is None:
        quick = _plain_length(text)
        if quick is not None:
            return quick
        if " " in text:
            first, *words = text.split(" ")
            return _piece_length(first) + sum(_piece_length(" " + word) for word in words)
    return parse_tweet(text, config).weighted_length


@lru_cache(maxsize=4096)
def _piece_length(piece: str) -> int:
    """The weight of one word of a tweet, with the space before it unless it is the first.

    twitter-text's weight adds up across spaces: no URL and no emoji sequence holds one, and
    NFC never composes across one. A URL may start differently at the start of the text than
    after a space ("énchn.example.com" is a URL from its second letter there, whole after a
    space), so each word is weighed with what stands before it. A tweet that needs the library
    is thus weighed word by word, and the words that repeat (an emoji, a hashtag, "via") once;
    the URL, the longest word, takes the fast path."""
    quick = _plain_length(piece)
    return quick if quick is not None else parse_tweet(piece).weighted_length


# The fast exact path. twitter-text weighs text outside URLs code point by code point, and an
# emoji sequence as 2; its emoji expression costs about 0.5 ms a tweet. A lone emoji code point
# weighs 2 either way (it is outside the weight-1 ranges; © and ® are the exceptions), so only
# sequences (joiners, selectors, keycaps, skin tones, flags, tags) need the library, and a dot
# could start a URL without a scheme. Text free of those, whose URLs are plain http(s) URLs of a
# host the library takes as one URL, weighs exactly 23 per URL plus each code point's weight.
# Anything else goes to the library; tests/test_tweet.py checks that both paths agree.
# A dot followed by a digit ("長照3.0") starts no URL: every top-level domain twitter-text knows
# starts with a letter.
# twitter-text ends a URL's path and query only on some characters (validUrlPathEndingChars,
# validUrlQueryEndingChars): "https://host/a%" or "…/a~" is a URL and one more character.
_PLAIN_URL = re.compile(r"(?<!\S)https?://([a-z0-9-]+(?:\.[a-z0-9-]+)+)"
                        r"(?:/(?:[A-Za-z0-9_~%/-]*[A-Za-z0-9_/-])?)?"
                        r"(?:\?(?:[A-Za-z0-9_~%&=-]*[A-Za-z0-9_&=-])?)?(?!\S)")
_NOT_PLAIN = re.compile(
    r"\.(?![0-9])|[\x00-\x1f\x7f-\x9f\u00a9\u00ae\u200b-\u200f\u2028-\u202f\u2060-\u206f\u20e3"
    r"\ufe00-\ufe0f\ufeff\ufff0-\uffff\U0001f1e6-\U0001f1ff\U0001f3fb-\U0001f3ff"
    r"\U000e0000-\U000e007f]"
)
_WEIGHT_ONE = re.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")


def _plain_length(text: str) -> int | None:
    text = unicodedata.normalize("NFC", text)
    urls = list(_PLAIN_URL.finditer(text))
    if not all(_one_url(match.group(1)) for match in urls):
        return None
    rest = _PLAIN_URL.sub("", text)
    if _NOT_PLAIN.search(rest):
        return None
    heavy = len(_WEIGHT_ONE.sub("", rest))  # code points that weigh 2
    return 23 * len(urls) + len(rest) + heavy


# Top-level domains in every twitter-text TLD list: a host under one of them with valid labels
# is one URL, and a run that renders a handful of tweets need not load the library to know it.
_COMMON_TLDS = frozenset({"com", "net", "org", "edu", "gov", "info", "io", "tw", "jp", "hk",
                          "cn", "kr", "sg", "uk", "us", "de", "fr", "co"})
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@cache
def _one_url(host: str) -> bool:
    """Whether twitter-text takes https://host/ as one URL (a known TLD, a valid host)."""
    labels = host.split(".")
    if labels[-1] in _COMMON_TLDS and all(_LABEL.fullmatch(label) for label in labels):
        return True
    return parse_tweet(f"https://{host}/").weighted_length == 23


@dataclass(frozen=True)
class ParsedTweet:
    weighted_length: int
    valid: bool
    permillage: int
    display_range: tuple[int, int]
    valid_range: tuple[int, int]


def parse_tweet(text: str, config: Mapping[str, Any] | None = None) -> ParsedTweet:
    """Everything twitter-text says of `text`: weighted length, validity and ranges (UTF-16)."""
    parse = _parser()
    result = parse(text) if config is None else parse(text, _options(config))
    return ParsedTweet(result.weightedLength, result.valid, result.permillage,
                       (result.displayRangeStart, result.displayRangeEnd),
                       (result.validRangeStart, result.validRangeEnd))


def _options(config: Mapping[str, Any]) -> dict[str, Any]:
    """twitter-text's JSON configuration (config/v3.json) in the parser's spelling."""
    return {
        "version": config["version"],
        "max_weighted_tweet_length": config["maxWeightedTweetLength"],
        "scale": config["scale"],
        "default_weight": config["defaultWeight"],
        "emoji_parsing_enabled": config.get("emojiParsingEnabled", False),
        "transformed_url_length": config["transformedURLLength"],
        "ranges": config["ranges"],
    }


@lru_cache(maxsize=4096)  # a site's tags repeat from article to article
def hashtag(tag: str) -> str | None:
    """A tag as a hashtag Twitter reads whole: spaces and punctuation removed; None when nothing
    is left or only digits are (Twitter does not link an all-digit hashtag)."""
    kept = "".join(char for char in unicodedata.normalize("NFC", tag)
                   if unicodedata.category(char)[0] in "LM" or unicodedata.category(char) == "Nd"
                   or char in _HASHTAG_EXTRA)
    kept = kept.strip("\u200c\u200d")
    if not any(unicodedata.category(char)[0] in "LM" for char in kept):
        return None
    return kept


@dataclass(frozen=True)
class Tweet:
    """What the X intent is given, and what the posted tweet will weigh."""

    text: str  # the title, cut to fit when needed
    hashtags: tuple[str, ...]
    via: str | None
    url: str
    weighted_length: int

    @property
    def composed(self) -> str:
        """The tweet as the intent composes it: text, hashtags, URL, then "via @account"."""
        parts = [self.text, *(f"#{tag}" for tag in self.hashtags), self.url]
        if self.via:
            parts.append(f"via @{self.via}")
        return " ".join(part for part in parts if part)


def compose_tweet(title: str, tags: Sequence[str], url: str, via: str | None = None) -> Tweet:
    """The longest tweet of at most 280 that starts with `title`.

    When the whole title does not fit, it is cut on a grapheme boundary and ends with "…";
    when that would keep fewer than MIN_TITLE_CHARS of it, the last hashtag goes first. Without
    hashtags an ellipsis, the URL and "via" always fit, so this always returns.
    """
    hashtags = tuple(dict.fromkeys(h for h in (hashtag(tag) for tag in tags) if h))
    title = unicodedata.normalize("NFC", title)
    while True:
        tweet = _fit(title, hashtags, url, via)
        if tweet is not None:
            return tweet
        hashtags = hashtags[:-1]


def _fit(title: str, hashtags: tuple[str, ...], url: str, via: str | None) -> Tweet | None:
    """The tweet with the whole title, or the longest cut of it ending in "…"; None when that
    would keep fewer than MIN_TITLE_CHARS characters of the title beside hashtags."""
    whole = _weigh(Tweet(title, hashtags, via, url, 0))
    if whole.weighted_length <= MAX_WEIGHTED_LENGTH:
        return whole
    low, high, best = 0, len(title), None
    while low <= high:  # the weight grows with the cut, so search for the longest that fits
        middle = (low + high) // 2
        candidate = _weigh(Tweet(clip(title, middle), hashtags, via, url, 0))
        if candidate.weighted_length <= MAX_WEIGHTED_LENGTH:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    if hashtags and (best is None or len(best.text) - len(ELLIPSIS) < MIN_TITLE_CHARS):
        return None
    return best


def _weigh(tweet: Tweet) -> Tweet:
    return Tweet(tweet.text, tweet.hashtags, tweet.via, tweet.url,
                 weighted_length(tweet.composed))
