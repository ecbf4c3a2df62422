"""The share preview page: each article drawn as Facebook, LINE and X draw its link preview, from
the values meta.py publishes, with warnings for what they would cut or refuse. Pure: articles and
the config in, one self-contained HTML page out (inline CSS, from preview.css, no script, no
external resource but the articles' images).

Image sizes are the services' documented ones:

* Facebook (developers.facebook.com/docs/sharing/webmasters/images): og:image at least 200 x 200
  or it is not shown; at least 600 x 315 for the large 1.91:1 card, else a small thumbnail;
  1200 x 630 recommended.
* X (developer.x.com, "Summary Card with Large Image"): a 2:1 image of at least 300 x 157;
  twitter:title at most 70 characters, twitter:description at most 200.
* LINE (developers.line.biz FAQ, "URL previews"): reads og:title, og:description and og:image.

How much of a title a card shows is not documented by any of them and depends on the screen, so
it is a budget in columns, a CJK (East Asian wide or full-width) character counting 2 and other
characters 1, the way a monospaced CJK font draws them:

* Facebook: a line is 44 columns (22 CJK characters: a phone-width card, ~343 CSS px, at 16 px);
  the title gets 2 lines (88 columns, the "~88 characters" Facebook is measured to show of a
  Latin title), the description 1.
* LINE: a chat bubble is ~250 px wide, a line is 34 columns (17 CJK characters at 15 px); the
  title gets 2 lines (68 columns), the description 2.
* X: the card shows twitter:title as meta.py cut it (70 characters) on one line over the image.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

from ..config import Config
from ..dates import rfc3339
from ..records import Article, Image
from ..text import columns, fit
from ..tweet import MAX_WEIGHTED_LENGTH
from .meta import (
    DISCOVER_WIDTH,
    OG_DESCRIPTION_CHARS,
    TWITTER_DESCRIPTION_CHARS,
    TWITTER_TITLE_CHARS,
    discover_problem,
    head_html,
    lead_image,
    share_payload,
)

FACEBOOK_MIN = (200, 200)  # og:image smaller than this is not shown at all
FACEBOOK_LARGE = (600, 315)  # the smallest image Facebook draws as a large 1.91:1 card
X_LARGE_MIN = (300, 157)  # the smallest summary_large_image image
FACEBOOK_LINE = 44  # columns: 22 CJK characters
FACEBOOK_TITLE = 2 * FACEBOOK_LINE
FACEBOOK_DESCRIPTION = 1 * FACEBOOK_LINE
LINE_LINE = 34  # columns: 17 CJK characters
LINE_TITLE = 2 * LINE_LINE
LINE_DESCRIPTION = 2 * LINE_LINE


@dataclass(frozen=True)
class CardWarning:
    kind: str  # one of WARNING_KINDS
    zh: str
    en: str


# --- warnings ---


def _fallback(article: Article, config: Config) -> str | None:
    """Which configured image stands in for a missing one: its config key, or None."""
    if article.image:
        return None
    if config.share.default_image:
        return "share.default_image"
    return "site.logo" if config.site.logo else None


def _smaller(image: Image | None, minimum: tuple[int, int]) -> bool:
    """Whether `image` is known to be smaller than `minimum` (an image of unknown size is not)."""
    return bool(image and image.width and image.height
                and (image.width < minimum[0] or image.height < minimum[1]))


def _unsized(image: Image | None) -> bool:
    return image is not None and not (image.width and image.height)


@dataclass(frozen=True)
class _Facts:
    """What the warning rules look at, worked out once per article."""

    article: Article
    image: Image | None  # what the cards show: the article's image or the configured fallback
    fallback: str | None  # the config key of that fallback
    nfc_title: str  # the article's title as the tweet holds it
    title_columns: int
    cut: tuple[str, ...]  # the descriptions the summary is cut in: "og:description (300)"
    payload: dict[str, Any]
    discover: str | None  # meta.discover_problem: "logo", "narrow" or None

    def fields(self) -> dict[str, object]:
        """The values a warning's text names, beside the fixed _LIMITS."""
        image = self.image
        return {**_LIMITS, "fallback": self.fallback, "url": image.url if image else "",
                "size": f"{image.width}×{image.height}" if image else "",
                "width": image.width if image else "",
                "cut_zh": "、".join(self.cut), "cut_en": ", ".join(self.cut)}


def _facts(article: Article, config: Config, payload: dict[str, Any]) -> _Facts:
    described = (("og:description", OG_DESCRIPTION_CHARS, payload["open_graph"]),
                 ("twitter:description", TWITTER_DESCRIPTION_CHARS, payload["twitter"]))
    cut = tuple(f"{key} ({limit})" for key, limit, tags in described
                if tags[key] != article.summary)
    return _Facts(article, lead_image(article, config), _fallback(article, config),
                  unicodedata.normalize("NFC", article.title), columns(article.title), cut,
                  payload, discover_problem(article, config))


def _size(minimum: tuple[int, int]) -> str:
    return f"{minimum[0]}×{minimum[1]}"


_LIMITS = {
    "facebook_min": _size(FACEBOOK_MIN), "facebook_large": _size(FACEBOOK_LARGE),
    "x_large_min": _size(X_LARGE_MIN),
    "facebook_title": FACEBOOK_TITLE, "facebook_title_cjk": FACEBOOK_TITLE // 2,
    "line_title": LINE_TITLE, "line_title_cjk": LINE_TITLE // 2,
    "twitter_title": TWITTER_TITLE_CHARS, "tweet": MAX_WEIGHTED_LENGTH,
    "discover_width": DISCOVER_WIDTH,
}


@dataclass(frozen=True)
class _Rule:
    kind: str
    applies: Callable[[_Facts], bool]
    zh: str  # str.format templates over _Facts.fields()
    en: str


# One row a warning, in the order the page lists them. "no-image" has two rows: whether a
# configured image stands in or the cards have none.
_RULES = (
    _Rule("no-image", lambda f: f.article.image is None and bool(f.fallback and f.image),
          "文章沒有圖片,卡片改用 {fallback}:{url}",
          "the article has no image; the cards show {fallback} ({url})"),
    _Rule("no-image", lambda f: f.article.image is None and not (f.fallback and f.image),
          "文章沒有圖片,也沒有 share.default_image 或 site.logo:卡片沒有圖",
          "the article has no image and there is no share.default_image or site.logo: "
          "the cards have no picture"),
    _Rule("image-too-small", lambda f: _smaller(f.image, FACEBOOK_MIN),
          "圖片 {size} 小於 {facebook_min}:Facebook 不顯示這張圖",
          "the image is {size}, under {facebook_min}: Facebook does not show it"),
    _Rule("image-small",
          lambda f: _smaller(f.image, FACEBOOK_LARGE) and not _smaller(f.image, FACEBOOK_MIN),
          "圖片 {size} 小於 {facebook_large}:Facebook 只畫小縮圖,不是大卡片",
          "the image is {size}, under {facebook_large}: Facebook draws a small thumbnail, "
          "not a large card"),
    _Rule("image-small-x", lambda f: _smaller(f.image, X_LARGE_MIN),
          "圖片 {size} 小於 {x_large_min}:X 的大圖卡片不顯示這張圖",
          "the image is {size}, under {x_large_min}: X's large image card does not show it"),
    _Rule("image-size-unknown", lambda f: _unsized(f.image),
          "不知道圖片的寬高:Facebook 第一次分享時可能不畫大卡片",
          "the image's width and height are unknown: Facebook may draw no large card on the "
          "first share"),
    _Rule("discover", lambda f: f.discover == "narrow",
          "圖片寬 {width} px,不到 {discover_width} px:Google 探索(Discover)不顯示大圖",
          "the image is {width} px wide, under {discover_width} px: Google Discover shows no "
          "large image"),
    _Rule("discover", lambda f: f.discover == "logo",
          "文章的圖片是網站標誌(site.logo):Google 探索(Discover)建議用文章自己的圖片",
          "the article's image is the site logo (site.logo): Google Discover advises an image "
          "of the article"),
    _Rule("no-alt", lambda f: f.image is not None and not f.image.alt,
          "圖片沒有替代文字(og:image:alt、twitter:image:alt)",
          "the image has no alt text (og:image:alt, twitter:image:alt)"),
    _Rule("title-cut-facebook", lambda f: f.title_columns > FACEBOOK_TITLE,
          "標題太長:Facebook 約只顯示兩行({facebook_title_cjk} 個中文字)",
          "the title is longer than the ~2 lines Facebook shows ({facebook_title} columns, "
          "{facebook_title_cjk} CJK characters)"),
    _Rule("title-cut-line", lambda f: f.title_columns > LINE_TITLE,
          "標題太長:LINE 約只顯示兩行({line_title_cjk} 個中文字)",
          "the title is longer than the ~2 lines LINE shows ({line_title} columns, "
          "{line_title_cjk} CJK characters)"),
    _Rule("title-cut-x", lambda f: f.payload["twitter"]["twitter:title"] != f.article.title,
          "標題超過 {twitter_title} 字:twitter:title 被截斷",
          "the title is longer than {twitter_title} characters: twitter:title is cut"),
    _Rule("description-cut", lambda f: bool(f.cut),
          "摘要太長,被截斷:{cut_zh}", "the summary is cut in {cut_en}"),
    _Rule("tweet-cut", lambda f: f.nfc_title not in f.payload["share"]["x"]["tweet"],
          "推文放不下整個標題({tweet} 的限制),標題以「…」截斷",
          "the tweet cannot hold the whole title ({tweet} limit): it is cut with \"…\""),
)
WARNING_KINDS = tuple(dict.fromkeys(rule.kind for rule in _RULES))


def warnings_for(article: Article, config: Config,
                 payload: dict[str, Any] | None = None) -> list[CardWarning]:
    """What Facebook, LINE or X would cut or refuse of the article's share card."""
    facts = _facts(article, config, payload or share_payload(article, config))
    fields = facts.fields()
    return [CardWarning(rule.kind, rule.zh.format_map(fields), rule.en.format_map(fields))
            for rule in _RULES if rule.applies(facts)]


# --- the page ---


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def anchor(record_id: str) -> str:
    """The id attribute of an article's section: letters, digits and "-" kept, every other
    character "_" and the hex of its UTF-8 bytes, so that any two ids stay apart."""
    return "article-" + "".join(
        char if char.isascii() and (char.isalnum() or char == "-")
        else "".join(f"_{byte:02X}" for byte in char.encode("utf-8"))
        for char in record_id)


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _web_url(url: str | None) -> str | None:
    """`url` when it is http(s), else None: nothing else may reach an src or href."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def _img(image: Image | None, alt: str | None = None) -> str:
    src = _web_url(image.url) if image else None
    if image is None or src is None:
        return '<div class="noimage">沒有圖片 · no image</div>'
    size = (f' width="{image.width}" height="{image.height}"'
            if image.width and image.height else "")
    return (f'<img src="{_esc(src)}" alt="{_esc(image.alt if alt is None else alt)}"{size} '
            'referrerpolicy="no-referrer">')


def _card(service: str, name: str, body: str) -> str:
    """One service's card: a figure captioned with the service's name."""
    return (f'<figure class="card card-{service}" data-service="{service}">'
            f'<figcaption class="service">{name}</figcaption>{body}</figure>')


def _media(image: Image | None) -> str:
    return f'<div class="media">{_img(image)}</div>'


def _og_lines(og: dict[str, Any], title_columns: int, description_columns: int) -> str:
    """og:title and og:description, each cut to the columns the service shows of it."""
    return (f'<div class="title">{_esc(fit(og["og:title"], title_columns))}</div>'
            f'<div class="desc">{_esc(fit(og.get("og:description", ""), description_columns))}'
            "</div>")


def _facebook_layout(image: Image | None) -> str:
    """How Facebook draws the link for `image`: as text alone, a small thumbnail or a large card."""
    if image is None or _smaller(image, FACEBOOK_MIN):
        return "fb-text"
    return "fb-small" if _smaller(image, FACEBOOK_LARGE) else "fb-large"


def _facebook(payload: dict[str, Any], image: Image | None) -> str:
    og = payload["open_graph"]
    layout = _facebook_layout(image)
    media = "" if layout == "fb-text" else _media(image)
    return _card("facebook", "Facebook", (
        f'<div class="fb {layout}">{media}<div class="text">'
        f'<div class="domain">{_esc(_domain(og["og:url"]).upper())}</div>'
        f"{_og_lines(og, FACEBOOK_TITLE, FACEBOOK_DESCRIPTION)}</div></div>"
    ))


def _line(payload: dict[str, Any], image: Image | None) -> str:
    og = payload["open_graph"]
    media = _media(image) if image else ""
    return _card("line", "LINE", (
        '<div class="chat">'
        f'<p class="bubble line-text">{_esc(payload["share"]["line"]["text"])}</p>'
        f'<div class="bubble line-preview">{media}<div class="text">'
        f"{_og_lines(og, LINE_TITLE, LINE_DESCRIPTION)}"
        f'<div class="domain">{_esc(_domain(og["og:url"]))}</div>'
        "</div></div></div>"
    ))


def _x(payload: dict[str, Any], image: Image | None) -> str:
    card = payload["twitter"]
    x = payload["share"]["x"]
    shown = image if image and not _smaller(image, X_LARGE_MIN) else None
    alt = card.get("twitter:image:alt", "")
    over = "over" if shown else "plain"
    return _card("x", "X", (
        f'<div class="x"><div class="media">{_img(shown, alt)}'
        f'<span class="title {over}">{_esc(card["twitter:title"])}</span></div></div>'
        f'<div class="domain">來自 {_esc(_domain(payload["open_graph"]["og:url"]))}</div>'
        '<div class="tweet"><p class="label">推文 · tweet</p>'
        f'<p class="tweet-text">{_esc(x["tweet"])}</p>'
        f'<p class="tweet-length"><data value="{x["weighted_length"]}">'
        f'{x["weighted_length"]}</data> / {MAX_WEIGHTED_LENGTH}</p></div>'
    ))


def _warnings(found: Sequence[CardWarning]) -> str:
    if not found:
        return '<p class="ok">沒有問題:三個服務都會完整顯示。 · No warnings.</p>'
    items = "".join(f'<li class="warning" data-kind="{_esc(w.kind)}">{_esc(w.zh)} '
                    f'<span class="en" lang="en">{_esc(w.en)}</span></li>' for w in found)
    return f'<ul class="warnings">{items}</ul>'


def _section(article: Article, config: Config, related: Sequence[Article]) -> tuple[str, int]:
    payload = share_payload(article, config, related)
    image = lead_image(article, config)
    found = warnings_for(article, config, payload)
    section = config.category(article.category)
    link = _web_url(article.url)
    shown = unquote(article.url)  # readable; the link itself is the URL as published
    where = (f'<a href="{_esc(link)}" target="_blank" rel="noopener noreferrer">'
             f'{_esc(shown)}</a>' if link else _esc(shown))
    facts = [where, f"id <code>{_esc(article.id)}</code>"]
    if section:
        facts.append(_esc(section.name))
    facts.append(f'<time datetime="{_esc(rfc3339(article.published))}">'
                 f'{_esc(article.published.strftime("%Y-%m-%d %H:%M"))}</time>')
    body = (
        f'<section class="article" id="{_esc(anchor(article.id))}" '
        f'data-id="{_esc(article.id)}" data-warnings="{len(found)}">'
        f'<h2>{_esc(article.title)}</h2>'
        f'<p class="facts">{" · ".join(facts)}</p>'
        f"{_warnings(found)}"
        '<div class="cards">'
        f"{_facebook(payload, image)}{_line(payload, image)}{_x(payload, image)}"
        "</div>"
        f'<div class="buttons">{payload["buttons_html"]}</div>'
        '<details><summary>head 片段 · the head fragment</summary>'
        f"<pre>{_esc(head_html(article, config, related))}</pre></details>"
        "</section>"
    )
    return body, len(found)


@cache
def _css() -> str:
    """The page's style sheet, preview.css beside this module: read on first use, so a run that
    draws no preview page never opens it."""
    return resources.files(__package__).joinpath("preview.css").read_bytes().decode("utf-8")


def preview_html(articles: Sequence[Article], config: Config,
                 related: Mapping[str, Sequence[Article]] | None = None) -> str:
    """The whole page: one section per article, in the order given.

    :param related: article id -> its related articles, resolved (query.related_articles).
    """
    sections, toc = [], []
    for article in articles:
        body, count = _section(article, config, (related or {}).get(article.id, ()))
        sections.append(body)
        badge = f'<span class="count">{count} 個警告</span>' if count else ""
        toc.append(f'<li><a href="#{_esc(anchor(article.id))}">{_esc(fit(article.title, 80))}</a>'
                   f"{badge}</li>")
    site = _esc(config.site.title)
    legend = (
        f"標題預算以欄計,中文字與 emoji 2 欄、其他 1 欄:Facebook 標題 {FACEBOOK_TITLE} 欄(兩行)、"
        f"描述 {FACEBOOK_DESCRIPTION} 欄(一行);LINE 標題 {LINE_TITLE} 欄、描述 "
        f"{LINE_DESCRIPTION} 欄(各兩行);X 的 twitter:title 最多 {TWITTER_TITLE_CHARS} 字。"
        "圖片:Facebook 至少 200×200,大卡片要 600×315(建議 1200×630,1.91:1);"
        f"X 大圖卡片 2:1,至少 300×157;Google 探索的大圖至少 {DISCOVER_WIDTH} px 寬。"
    )
    listing = f'<ol class="toc">{"".join(toc)}</ol>' if toc else "<p>沒有文章。 · No articles.</p>"
    return (
        "<!doctype html>\n"
        '<html lang="zh-TW">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src http: https: data:; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'\">\n"
        '<meta name="robots" content="noindex">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>分享預覽 · {site}</title>\n"
        f"<style>\n{_css()}</style>\n</head>\n<body>\n"
        f"<header><h1>分享預覽 · {site}</h1>"
        f'<p>{len(sections)} 篇文章在 Facebook、LINE 和 X 上的連結預覽,用的是 build 發布的 '
        "Open Graph 和 Twitter Card 值。</p>"
        f'<p class="legend">{_esc(legend)}</p>{listing}</header>\n'
        "<main>\n" + "\n".join(sections) + "\n</main>\n</body>\n</html>\n"
    )
