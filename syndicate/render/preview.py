"""The share preview page: each article drawn as Facebook, LINE and X draw its link preview, from
the values meta.py publishes, with warnings for what they would cut or refuse. Pure: articles and
the config in, one self-contained HTML page out (inline CSS, no script, no external resource but
the articles' images).

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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ..config import Config
from ..dates import rfc3339
from ..records import Article, Image
from ..text import columns, fit
from ..tweet import MAX_WEIGHTED_LENGTH
from .meta import (
    OG_DESCRIPTION_CHARS,
    TWITTER_DESCRIPTION_CHARS,
    TWITTER_TITLE_CHARS,
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

WARNING_KINDS = (
    "no-image", "image-too-small", "image-small", "image-small-x", "image-size-unknown",
    "no-alt", "title-cut-facebook", "title-cut-line", "title-cut-x", "description-cut",
    "tweet-cut",
)


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


def _smaller(image: Image, minimum: tuple[int, int]) -> bool:
    return bool(image.width and image.height
                and (image.width < minimum[0] or image.height < minimum[1]))


def warnings_for(article: Article, config: Config,
                 payload: dict[str, Any] | None = None) -> list[CardWarning]:
    """What Facebook, LINE or X would cut or refuse of the article's share card."""
    payload = payload or share_payload(article, config)
    found: list[CardWarning] = []
    image = lead_image(article, config)
    if article.image is None:
        fallback = _fallback(article, config)
        if fallback and image:
            found.append(CardWarning(
                "no-image", f"文章沒有圖片,卡片改用 {fallback}:{image.url}",
                f"the article has no image; the cards show {fallback} ({image.url})"))
        else:
            found.append(CardWarning(
                "no-image", "文章沒有圖片,也沒有 share.default_image 或 site.logo:卡片沒有圖",
                "the article has no image and there is no share.default_image or site.logo: "
                "the cards have no picture"))
    if image:
        size = f"{image.width}×{image.height}"
        if _smaller(image, FACEBOOK_MIN):
            found.append(CardWarning(
                "image-too-small", f"圖片 {size} 小於 200×200:Facebook 不顯示這張圖",
                f"the image is {size}, under 200×200: Facebook does not show it"))
        elif _smaller(image, FACEBOOK_LARGE):
            found.append(CardWarning(
                "image-small", f"圖片 {size} 小於 600×315:Facebook 只畫小縮圖,不是大卡片",
                f"the image is {size}, under 600×315: Facebook draws a small thumbnail, "
                "not a large card"))
        if _smaller(image, X_LARGE_MIN):
            found.append(CardWarning(
                "image-small-x", f"圖片 {size} 小於 300×157:X 的大圖卡片不顯示這張圖",
                f"the image is {size}, under 300×157: X's large image card does not show it"))
        if not (image.width and image.height):
            found.append(CardWarning(
                "image-size-unknown", "不知道圖片的寬高:Facebook 第一次分享時可能不畫大卡片",
                "the image's width and height are unknown: Facebook may draw no large card on "
                "the first share"))
        if not image.alt:
            found.append(CardWarning(
                "no-alt", "圖片沒有替代文字(og:image:alt、twitter:image:alt)",
                "the image has no alt text (og:image:alt, twitter:image:alt)"))
    title = article.title
    if columns(title) > FACEBOOK_TITLE:
        found.append(CardWarning(
            "title-cut-facebook", f"標題太長:Facebook 約只顯示兩行({FACEBOOK_TITLE // 2} 個中文字)",
            f"the title is longer than the ~2 lines Facebook shows ({FACEBOOK_TITLE} columns, "
            f"{FACEBOOK_TITLE // 2} CJK characters)"))
    if columns(title) > LINE_TITLE:
        found.append(CardWarning(
            "title-cut-line", f"標題太長:LINE 約只顯示兩行({LINE_TITLE // 2} 個中文字)",
            f"the title is longer than the ~2 lines LINE shows ({LINE_TITLE} columns, "
            f"{LINE_TITLE // 2} CJK characters)"))
    if payload["twitter"]["twitter:title"] != title:
        found.append(CardWarning(
            "title-cut-x", f"標題超過 {TWITTER_TITLE_CHARS} 字:twitter:title 被截斷",
            f"the title is longer than {TWITTER_TITLE_CHARS} characters: twitter:title is cut"))
    summary = article.summary
    cut = [f"{key} ({limit})" for key, limit, value in (
        ("og:description", OG_DESCRIPTION_CHARS, payload["open_graph"]["og:description"]),
        ("twitter:description", TWITTER_DESCRIPTION_CHARS,
         payload["twitter"]["twitter:description"])) if value != summary]
    if cut:
        found.append(CardWarning("description-cut", f"摘要太長,被截斷:{'、'.join(cut)}",
                             f"the summary is cut in {', '.join(cut)}"))
    x = payload["share"]["x"]
    if unicodedata.normalize("NFC", title) not in x["tweet"]:
        found.append(CardWarning(
            "tweet-cut", f"推文放不下整個標題({MAX_WEIGHTED_LENGTH} 的限制),標題以「…」截斷",
            f"the tweet cannot hold the whole title ({MAX_WEIGHTED_LENGTH} limit): it is cut "
            "with \"…\""))
    return found


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


def _facebook(payload: dict[str, Any], image: Image | None) -> str:
    og = payload["open_graph"]
    title = fit(og["og:title"], FACEBOOK_TITLE)
    description = fit(og.get("og:description", ""), FACEBOOK_DESCRIPTION)
    if image is None or _smaller(image, FACEBOOK_MIN):
        layout, media = "fb-text", ""
    elif _smaller(image, FACEBOOK_LARGE):
        layout, media = "fb-small", f'<div class="media">{_img(image)}</div>'
    else:
        layout, media = "fb-large", f'<div class="media">{_img(image)}</div>'
    return (
        '<figure class="card card-facebook" data-service="facebook">'
        '<figcaption class="service">Facebook</figcaption>'
        f'<div class="fb {layout}">{media}<div class="text">'
        f'<div class="domain">{_esc(_domain(og["og:url"]).upper())}</div>'
        f'<div class="title">{_esc(title)}</div>'
        f'<div class="desc">{_esc(description)}</div>'
        "</div></div></figure>"
    )


def _line(payload: dict[str, Any], image: Image | None) -> str:
    og = payload["open_graph"]
    line = payload["share"]["line"]
    title = fit(og["og:title"], LINE_TITLE)
    description = fit(og.get("og:description", ""), LINE_DESCRIPTION)
    media = f'<div class="media">{_img(image)}</div>' if image else ""
    return (
        '<figure class="card card-line" data-service="line">'
        '<figcaption class="service">LINE</figcaption>'
        '<div class="chat">'
        f'<p class="bubble line-text">{_esc(line["text"])}</p>'
        f'<div class="bubble line-preview">{media}<div class="text">'
        f'<div class="title">{_esc(title)}</div>'
        f'<div class="desc">{_esc(description)}</div>'
        f'<div class="domain">{_esc(_domain(og["og:url"]))}</div>'
        "</div></div></div></figure>"
    )


def _x(payload: dict[str, Any], image: Image | None) -> str:
    card = payload["twitter"]
    x = payload["share"]["x"]
    shown = image if image and not _smaller(image, X_LARGE_MIN) else None
    alt = card.get("twitter:image:alt", "")
    over = "over" if shown else "plain"
    return (
        '<figure class="card card-x" data-service="x">'
        '<figcaption class="service">X</figcaption>'
        f'<div class="x"><div class="media">{_img(shown, alt)}'
        f'<span class="title {over}">{_esc(card["twitter:title"])}</span></div></div>'
        f'<div class="domain">來自 {_esc(_domain(payload["open_graph"]["og:url"]))}</div>'
        '<div class="tweet"><p class="label">推文 · tweet</p>'
        f'<p class="tweet-text">{_esc(x["tweet"])}</p>'
        f'<p class="tweet-length"><data value="{x["weighted_length"]}">'
        f'{x["weighted_length"]}</data> / {MAX_WEIGHTED_LENGTH}</p></div>'
        "</figure>"
    )


def _warnings(found: Sequence[CardWarning]) -> str:
    if not found:
        return '<p class="ok">沒有問題:三個服務都會完整顯示。 · No warnings.</p>'
    items = "".join(f'<li class="warning" data-kind="{_esc(w.kind)}">{_esc(w.zh)} '
                    f'<span class="en" lang="en">{_esc(w.en)}</span></li>' for w in found)
    return f'<ul class="warnings">{items}</ul>'


def _section(article: Article, config: Config) -> tuple[str, int]:
    payload = share_payload(article, config)
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
        f"<pre>{_esc(head_html(article, config))}</pre></details>"
        "</section>"
    )
    return body, len(found)


_CSS = """
:root{color-scheme:light;--ink:#1c1e21;--muted:#65676b;--line:#dadde1;--warn:#b3261e}
*{box-sizing:border-box}
body{margin:0;background:#f0f2f5;color:var(--ink);font:15px/1.5 system-ui,-apple-system,
"PingFang TC","Noto Sans TC","Microsoft JhengHei",sans-serif}
header,main{max-width:1240px;margin:0 auto;padding:16px 20px}
h1{font-size:22px;margin:8px 0}
h2{font-size:19px;margin:0 0 4px;overflow-wrap:anywhere}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.legend{color:var(--muted);font-size:13px}
.toc{columns:2 320px;padding-left:20px;font-size:14px}
.toc a{overflow-wrap:anywhere}
.toc .count{color:var(--warn);margin-left:6px}
.article{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px;
margin:18px 0}
.facts{color:var(--muted);font-size:13px;margin:0 0 10px;overflow-wrap:anywhere}
.warnings{margin:0 0 14px;padding:10px 12px 10px 30px;background:#fdecea;border-radius:8px;
color:var(--warn)}
.warning .en{display:block;color:#6d1b16;font-size:12px}
.ok{margin:0 0 14px;padding:8px 12px;background:#e7f5ea;border-radius:8px;color:#1e6b34}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:18px;
align-items:start}
.card{margin:0;min-width:0}
.service{font-weight:600;font-size:13px;color:var(--muted);margin-bottom:6px}
.media{position:relative;overflow:hidden;background:#e4e6eb}
.media img{display:block;width:100%;height:100%;object-fit:cover}
.noimage{display:flex;align-items:center;justify-content:center;width:100%;height:100%;
color:var(--muted);font-size:13px}
.title,.desc{overflow-wrap:anywhere}
/* widths that hold the column budgets: 22 CJK characters of 16 px, 17 of 15 px */
.fb{border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#f0f2f5;
width:378px;max-width:100%}
.fb-large .media{aspect-ratio:1200/630}
.fb-small{display:flex}
.fb-small .media{flex:0 0 120px;aspect-ratio:1/1}
.fb .text{padding:10px 12px;min-width:0}
.fb .domain{font-size:12px;color:var(--muted);letter-spacing:.02em}
.fb .title{font-weight:600;font-size:16px;line-height:1.3;display:-webkit-box;
-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}
.fb .desc{font-size:14px;color:var(--muted);white-space:nowrap;overflow:hidden;
text-overflow:ellipsis}
.chat{background:#8cabd9;border-radius:8px;padding:12px;width:306px;max-width:100%}
.bubble{background:#fff;border-radius:14px;margin:0 0 6px;overflow:hidden}
.line-text{padding:8px 12px;font-size:14px;overflow-wrap:anywhere}
.line-preview{width:282px;max-width:100%}
.line-preview .media{aspect-ratio:1200/630}
.line-preview .text{padding:8px 12px}
.line-preview .title{font-weight:700;font-size:15px;line-height:1.35;display:-webkit-box;
-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}
.line-preview .desc{font-size:13px;color:#777;display:-webkit-box;-webkit-box-orient:vertical;
-webkit-line-clamp:2;overflow:hidden}
.line-preview .domain{font-size:12px;color:#999;margin-top:4px}
.x{border:1px solid #cfd9de;border-radius:16px;overflow:hidden;max-width:500px}
.x .media{aspect-ratio:2/1}
.x .title{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:13px}
.x .title.over{position:absolute;left:12px;bottom:12px;max-width:calc(100% - 24px);
padding:0 6px;border-radius:4px;background:rgba(0,0,0,.77);color:#fff}
.x .title.plain{position:absolute;left:12px;right:12px;bottom:12px;color:var(--ink)}
.card-x>.domain{font-size:13px;color:#536471;margin-top:4px}
.tweet{border:1px solid #cfd9de;border-radius:12px;padding:10px 12px;margin-top:10px;
max-width:500px}
.tweet .label{margin:0;font-size:12px;color:#536471}
.tweet-text{margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.tweet-length{margin:0;font-size:13px;color:#536471;text-align:right}
.buttons{margin-top:16px}
.syndicate-share{display:flex;flex-wrap:wrap;gap:8px}
.syndicate-share a{padding:6px 14px;border-radius:6px;color:#fff;text-decoration:none;
font-size:14px}
.share-facebook{background:#1877f2}.share-line{background:#06c755}.share-x{background:#0f1419}
details{margin-top:12px;font-size:13px}
details pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:10px;
border-radius:6px}
"""


def preview_html(articles: Sequence[Article], config: Config) -> str:
    """The whole page: one section per article, in the order given."""
    sections, toc = [], []
    for article in articles:
        body, count = _section(article, config)
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
        "X 大圖卡片 2:1,至少 300×157。"
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
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>分享預覽 · {site}</h1>"
        f'<p>{len(sections)} 篇文章在 Facebook、LINE 和 X 上的連結預覽,用的是 build 發布的 '
        "Open Graph 和 Twitter Card 值。</p>"
        f'<p class="legend">{_esc(legend)}</p>{listing}</header>\n'
        "<main>\n" + "\n".join(sections) + "\n</main>\n</body>\n</html>\n"
    )
