"""Tweet text that fits: twitter-text v3 weighted length, and composition under 280.

The counting is twitter-text's own rules as ported by twitter-text-parser, which passes the
official conformance suite (tests/test_tweet.py runs it): text NFC-normalized, every URL counts
23, U+0000-10FF, U+2000-200D, U+2010-201F and U+2032-2037 count 1, an emoji sequence counts 2,
everything else (CJK, full-width punctuation, "…") counts 2.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .text import safe_cut

MAX_WEIGHTED_LENGTH = 280
ELLIPSIS = "…"
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
    return parse_tweet(text, config).weighted_length


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
        candidate = _weigh(Tweet(title[:safe_cut(title, middle)].rstrip() + ELLIPSIS,
                                 hashtags, via, url, 0))
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
