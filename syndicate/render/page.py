"""index.html: the landing page of one feed's folder (the site's, or a category's), for a person
who opens the folder in a browser. Browsers are dropping XSLT, so feed.xsl alone no longer
explains a feed: this page says what a feed is, gives its three addresses to copy, one-click
links to readers, the OPML list and the newest items, and carries the autodiscovery links and
the Open Graph / Twitter Card tags of a link preview.

Pure: the config, the feed and its items in, bytes out. A static page: no script of any kind
(its Content-Security-Policy forbids them too). Every value from a record or the config is
plain text, HTML-escaped exactly once; only http(s) URLs reach an href or src.

The preview image (og:image) is the site's share image, stable whatever the newest article is:
`share.default_image`, else `site.logo`, else the lead image of the newest item that has one.
With none of them the page has no og:image, and `syndicate check` warns about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from ..config import Config
from ..dates import rfc3339
from ..records import SUMMARY_CHARS, Article, Image
from ..text import excerpt
from ..urls import WEB_SCHEMES
from .feeds import FORMATS, FeedSpec
from .meta import (
    OG_DESCRIPTION_CHARS,
    TWITTER_DESCRIPTION_CHARS,
    TWITTER_TITLE_CHARS,
    alternate_lines,
    attr,
    image_properties,
    meta_lines,
    spec_links,
)
from .opml import OPML_FORMAT
from .share import encode

# How a run knows a page in the output folder is its own (and may be rewritten) even when the
# index does not list it: an index made again, a page written before the index listed pages.
GENERATOR_META = b'<meta name="generator" content="syndicate">'
FEEDLY = "https://feedly.com/i/subscription/feed/"
INOREADER = "https://www.inoreader.com/?add_feed="
# Twitter shows a large card from 300 x 157 px; a logo is a small square mark.
LARGE_CARD_WIDTH = 300
# Nothing runs, loads or submits but the page itself, its inline style and http(s) images.
CSP = ("default-src 'none'; img-src http: https:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")
FORMAT_NAMES = {"application/rss+xml": "RSS", "application/atom+xml": "Atom",
                "application/feed+json": "JSON Feed"}


@dataclass(frozen=True)
class Words:
    """The page's own sentences, in one language."""

    kind: str  # after the feed's title in <title>
    what: str  # {title} is the feed's title
    addresses: str
    subscribe: str
    other_reader: str
    opml: str
    site_feed: str
    categories: str
    newest: str
    nothing_yet: str
    separator: str  # between authors


ZH = Words(
    kind="訂閱源",
    what="這是「{title}」的訂閱源，不是一般網頁。把下面任一個網址貼到閱讀器（RSS reader，例如 "
         "Feedly、Inoreader）裡，有新文章時閱讀器就會自動收到，不必再回來查看。三個網址內容相同，"
         "格式不同：大多數閱讀器都認得 RSS。",
    addresses="訂閱網址",
    subscribe="一鍵訂閱：",
    other_reader="其他閱讀器（feed:）",
    opml="一次訂閱所有分類：匯入 OPML 清單",
    site_feed="全站訂閱源",
    categories="分類訂閱源",
    newest="最新文章",
    nothing_yet="還沒有文章。",
    separator="、",
)
EN = Words(
    kind="news feed",
    what="This is the news feed of “{title}”, not an ordinary web page. Paste one of the "
         "addresses below into a feed reader (Feedly or Inoreader, say) and new articles come "
         "to you as they are published. The three hold the same articles in different formats; "
         "every reader knows RSS.",
    addresses="Feed addresses",
    subscribe="Subscribe with one click:",
    other_reader="Another reader (feed:)",
    opml="Every category at once: import the OPML list",
    site_feed="The whole site's feed",
    categories="Category feeds",
    newest="Newest articles",
    nothing_yet="No article yet.",
    separator=", ",
)


def words(language: str) -> Words:
    """zh-TW text for a Chinese site (zh, zh-TW, zh-Hant ...), English for any other."""
    return ZH if language.lower().split("-")[0] == "zh" else EN


def page_url(config: Config, spec: FeedSpec) -> str:
    """Where the page is served: its folder's URL."""
    return spec.url(config, "")


def share_image(config: Config, articles: Sequence[Article]) -> Image | None:
    """The page's preview image: the site's share image, the logo, else the newest item's."""
    if config.share.default_image:
        return Image(**config.share.default_image)
    if config.site.logo:
        return Image(url=config.site.logo)
    return next((article.image for article in articles
                 if article.image and _web(article.image.url)), None)


def card_type(config: Config, image: Image | None) -> str:
    """summary_large_image for a picture, summary for the logo, a narrow image or none."""
    if image is None or image.url == config.site.logo or (
            image.width and image.width < LARGE_CARD_WIDTH):
        return "summary"
    return "summary_large_image"


def open_graph(config: Config, spec: FeedSpec, image: Image | None) -> list[tuple[str, str]]:
    tags = [("og:type", "website"), ("og:title", spec.title),
            ("og:description", excerpt(spec.description, OG_DESCRIPTION_CHARS)),
            ("og:url", page_url(config, spec)), ("og:site_name", config.site.title),
            ("og:locale", config.site.language.replace("-", "_"))]
    tags += image_properties(image) if image else []
    if config.share.fb_app_id:
        tags.append(("fb:app_id", config.share.fb_app_id))
    return tags


def twitter_card(config: Config, spec: FeedSpec, image: Image | None) -> list[tuple[str, str]]:
    tags = [("twitter:card", card_type(config, image))]
    if config.share.twitter_site:
        tags.append(("twitter:site", config.share.twitter_site))
    tags += [("twitter:title", excerpt(spec.title, TWITTER_TITLE_CHARS)),
             ("twitter:description", excerpt(spec.description, TWITTER_DESCRIPTION_CHARS))]
    if image:
        tags.append(("twitter:image", image.url))
        if image.alt:
            tags.append(("twitter:image:alt", image.alt))
    return tags


def render_page(config: Config, spec: FeedSpec, articles: Sequence[Article]) -> bytes:
    """The landing page of `spec`'s folder, listing `articles` (the feed's items, in its order).

    :param config: the site; its language chooses the page's language.
    :param spec: the feed whose folder the page is the index of.
    :param articles: the items the feed shows, newest first.
    """
    text = words(config.site.language)
    image = share_image(config, articles)
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{attr(CSP)}">',
        GENERATOR_META.decode("ascii"),
        f"<title>{attr(spec.title)} · {attr(text.kind)}</title>",
        f'<meta name="description" content="{attr(excerpt(spec.description, SUMMARY_CHARS))}">',
        f'<link rel="canonical" href="{attr(page_url(config, spec))}">',
        *meta_lines(open_graph(config, spec, image), twitter_card(config, spec, image)),
        *alternate_lines(spec_links(spec, config)),
        f"<style>\n{_css()}</style>",
    ]
    body = [_about(config, spec, text), _categories(config, spec, text),
            _items(config, articles, text)]
    return (f'<!doctype html>\n<html lang="{attr(config.site.language)}">\n<head>\n'
            + "\n".join(head) + "\n</head>\n<body>\n<main>\n"
            + "\n".join(part for part in body if part)
            + "\n</main>\n</body>\n</html>\n").encode("utf-8")


def _about(config: Config, spec: FeedSpec, text: Words) -> str:
    """What the feed is, its three addresses, the reader links and the OPML list."""
    title = _link(spec.home_url, spec.title)
    # the address to copy is absolute; the link relative, so that `syndicate serve` opens
    # the local file
    addresses = "".join(
        f'<dt>{FORMAT_NAMES[fmt.media_type]}</dt><dd><a class="url" href="{fmt.filename}">'
        f"{attr(spec.url(config, fmt.filename))}</a></dd>" for fmt in FORMATS)
    rss = spec.url(config, OPML_FORMAT[0])
    readers = " ".join((_link(FEEDLY + encode(rss), "Feedly"),
                        _link(INOREADER + encode(rss), "Inoreader"),
                        f'<a href="feed:{attr(rss)}">{attr(text.other_reader)}</a>'))
    up = "" if spec.kind == "site" else (
        f'<p class="nav"><a href="{"../" * spec.folder.count("/")}">'
        f'{attr(text.site_feed)}</a></p>\n')
    opml = "../" * spec.folder.count("/") + "index.opml"
    # a category's description is its name unless configured: the title says it already
    description = ("" if spec.description in spec.title else
                   f'<p class="description">{attr(spec.description)}</p>\n')
    return (f'<header class="about">\n{up}<h1>{title}</h1>\n{description}'
            f'<p class="what">{attr(text.what.format(title=spec.title))}</p>\n'
            f"<h2>{attr(text.addresses)}</h2>\n<dl class=\"urls\">{addresses}</dl>\n"
            f'<p class="readers">{attr(text.subscribe)} {readers}</p>\n'
            f'<p class="opml"><a href="{opml}">{attr(text.opml)}</a></p>\n</header>')


def _categories(config: Config, spec: FeedSpec, text: Words) -> str:
    """On the site's page, a link to each category's page."""
    if spec.kind != "site" or not config.categories:
        return ""
    links = "".join(f'<li><a href="{attr(category.slug)}/">{attr(category.name)}</a></li>'
                    for category in config.categories)
    return f'<nav class="categories">\n<h2>{attr(text.categories)}</h2>\n<ul>{links}</ul>\n</nav>'


def _items(config: Config, articles: Sequence[Article], text: Words) -> str:
    items = "".join(_item(config, article, text) + "\n" for article in articles)
    listing = f"<ol>\n{items}</ol>" if articles else f"<p>{attr(text.nothing_yet)}</p>"
    return f'<section class="items">\n<h2>{attr(text.newest)}</h2>\n{listing}\n</section>'


def _item(config: Config, article: Article, text: Words) -> str:
    published = article.published.astimezone(config.site.zone)
    facts = [f'<time datetime="{attr(rfc3339(published))}">{published:%Y-%m-%d %H:%M}</time>']
    if article.authors:
        facts.append(f'<span class="author">{attr(text.separator.join(article.authors))}</span>')
    summary = excerpt(article.summary, SUMMARY_CHARS)
    return (f'<li class="item">{_image(article.image)}<div>'
            f"<h3>{_link(article.url, article.title)}</h3>"
            f'<p class="meta">{" · ".join(facts)}</p>'
            + (f'<p class="summary">{attr(summary)}</p>' if summary != article.title else "")
            + "</div></li>")


def _image(image: Image | None) -> str:
    if image is None or not _web(image.url):
        return ""
    size = "".join(f' {key}="{value}"' for key, value in (("width", image.width),
                                                           ("height", image.height)) if value)
    return (f'<img src="{attr(image.url)}" alt="{attr(image.alt)}"{size} loading="lazy" '
            'decoding="async">')


def _link(url: str, label: str) -> str:
    """An <a> to `url` when it is http(s); the label alone otherwise."""
    return f'<a href="{attr(url)}">{attr(label)}</a>' if _web(url) else attr(label)


def _web(url: str) -> bool:
    return urlsplit(url).scheme.lower() in WEB_SCHEMES


@cache
def _css() -> str:
    """page.css beside this module: read on first use."""
    return resources.files(__package__).joinpath("page.css").read_bytes().decode("utf-8")
