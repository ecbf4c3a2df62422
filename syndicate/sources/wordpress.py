"""The WordPress REST API as a source: /wp-json/wp/v2/posts (or ?rest_route= where pretty
permalinks are off), 100 posts a page with _embed, mapped to raw article records.

A sync is incremental: the posts modified since the newest modification seen last time (less a
minute, for posts saved in the same second). Every `full_sync_hours` it lists the id and
modification time of every published post instead, to notice posts unpublished, trashed or
deleted, and fetches only the posts that are new or changed. Everything is fetched and checked
before the index is touched, so a failure half-way changes nothing.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from .. import clock
from ..config import Config, Source
from ..errors import DeadlinePassed, SourceError
from ..net import Client, FetchError, Reply, url_with
from ..records import Origin
from . import Batch, Changes

if TYPE_CHECKING:
    from ..network import Network
    from ..store import Store

PER_PAGE = 100
OVERLAP = timedelta(minutes=1)
# post id -> version (modified_gmt) the index holds: of the ids given, or of every post (None)
Known = Callable[[Sequence[int] | None], Mapping[int, str | None]]
# WordPress's own excerpt_more, which ends an excerpt it cut from the content
_AUTO_EXCERPT = re.compile(r"\[(&hellip;|&#8230;|…|\.\.\.)\]\s*(</p>)?\s*$")


@dataclass
class Sync:
    """What one sync read: posts as (raw record, origin, version), and the ids of posts that a
    full listing no longer has."""

    full: bool
    posts: list[tuple[dict[str, Any], Origin, str]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    high_water: str | None = None  # the newest modified_gmt seen


class WordPressSource:
    """`type: wordpress`: a WordPress site's published posts. It keeps, in the index, the
    newest modification it has seen (the next sync asks for what came after it) and when it
    last listed every post."""

    type: ClassVar[str] = "wordpress"

    def __init__(self, spec: Source, config: Config, network: Network) -> None:
        self.spec = spec
        self.config = config
        self.network = network
        self.key = f"{spec.url}wp-json/wp/v2/posts"
        self.state = f"wordpress {self.key}"  # the prefix of its state in the index
        self.requests = 0

    def changes(self, store: Store, *, full: bool) -> Changes:
        """The posts new or modified since the last sync, or, when a full sync is due (or
        `full`), those that differ from the index and the ids of those gone. Nothing is stored
        yet: `save` keeps the high water mark once the run is published."""
        last_full = store.source_state(self.state, "full")
        due = last_full is None or clock.now() - datetime.fromisoformat(last_full) \
            >= timedelta(hours=self.spec.full_sync_hours)
        client = self.network.client.within(self.network.deadline("wordpress"))
        site = WordPress(client, self.spec, self.config, self.key)
        try:
            sync = site.sync(full=full or due, since=store.source_state(self.state, "high water"),
                             known=functools.partial(store.versions, self.key))
        finally:
            self.requests += site.requests

        def save(store: Store) -> None:
            if sync.high_water:
                store.set_source_state(self.state, "high water", sync.high_water)
            if sync.full:
                store.set_source_state(self.state, "full", clock.stamp())

        if not (sync.posts or sync.removed):
            return Changes(save=save)
        batch = Batch(self.key, lambda: [(raw, origin) for raw, origin, _ in sync.posts],
                      versions={origin.index: version for _, origin, version in sync.posts},
                      removed=sync.removed)
        return Changes([batch], save=save)


class WordPress:
    """One WordPress site's REST API, reached through `client`; its records' origins name
    `key`. Without a `config` it reads the site's facts only (`syndicate init`), not posts."""

    def __init__(self, client: Client, source: Source, config: Config | None, key: str
                 ) -> None:
        assert source.url is not None
        self.client = client
        self.source = source
        self.config = config
        self.key = key
        self.site = source.url
        self.pretty: bool | None = None  # /wp-json/ works; None until the first answer
        self.requests = 0
        self.auth = _auth(source)

    # --- one sync ---

    def sync(self, *, full: bool, since: str | None, known: Known) -> Sync:
        """Read what changed since `since` (a modified_gmt), or, with `full`, list every post.

        :param known: the versions (modified_gmt) the index holds for this source, asked for
            the posts an incremental sync read, or for all of them by a full one.
        :raises SourceError: naming the URL, when WordPress cannot be read or answers wrongly.
        """
        try:
            result = self._full(known) if full or since is None else self._since(since, known)
        except DeadlinePassed as exc:
            hint = "; a first or full sync of a large site may need a longer deadlines.wordpress"
            raise SourceError(f"{exc}{hint if exc.run else ''}") from exc
        except FetchError as exc:
            raise SourceError(str(exc)) from exc
        return result

    def _since(self, since: str, known: Known) -> Sync:
        after = _gmt(since) - OVERLAP
        posts = self._pages("/wp/v2/posts", {
            "modified_after": after.strftime("%Y-%m-%dT%H:%M:%SZ"), "orderby": "modified",
            "order": "asc", "_embed": "1"}, _check_post)
        held = known([post["id"] for post in posts]) if posts else {}
        changed = [post for post in posts if held.get(post["id"]) != post["modified_gmt"]]
        return self._records(Sync(full=False), changed, since)

    def _full(self, known: Known) -> Sync:
        held = known(None)
        listed = self._pages("/wp/v2/posts", {"_fields": "id,modified_gmt", "orderby": "id",
                                              "order": "asc"}, _check_stub)
        versions = {post["id"]: post["modified_gmt"] for post in listed}
        wanted = sorted(post_id for post_id, version in versions.items()
                        if held.get(post_id) != version)
        posts: list[dict[str, Any]] = []
        for start in range(0, len(wanted), PER_PAGE):
            chunk = wanted[start:start + PER_PAGE]
            posts += self._pages("/wp/v2/posts", {
                "include": ",".join(map(str, chunk)), "per_page": str(len(chunk)),
                "_embed": "1"}, _check_post, expect=len(chunk))
        sync = Sync(full=True, removed=sorted(set(held) - set(versions)))
        return self._records(sync, posts, max(versions.values(), default=None))

    def _records(self, sync: Sync, posts: list[dict[str, Any]], high_water: str | None) -> Sync:
        assert self.config is not None, "posts become records of a site's config"
        categories = self._categories() if posts else {}
        for post in posts:
            origin = Origin(self.key, post["id"], item=f"post {post['id']}")
            sync.posts.append((post_record(post, categories, self.source, self.config), origin,
                               post["modified_gmt"]))
        seen = [post["modified_gmt"] for post in posts] + ([high_water] if high_water else [])
        sync.high_water = max(seen, default=None)
        return sync

    def _categories(self) -> dict[int, dict[str, Any]]:
        """id -> category, for posts whose embedded terms are missing."""
        found = self._pages("/wp/v2/categories", {"_fields": "id,slug,name"}, _check_term)
        return {term["id"]: term for term in found}

    # --- the site's facts ---

    def index(self) -> dict[str, Any]:
        """The REST index (`/wp-json/`): the site's name, description, home, url,
        timezone_string and gmt_offset (its language is for administrators only).

        :raises SourceError, FetchError: naming the URL.
        """
        route, query = "/", {"_fields": "name,description,url,home,timezone_string,gmt_offset"}
        data = self._get(route, query)[1]
        if not isinstance(data, dict):
            raise SourceError(f"{self._shown(route, query)}: expected the REST index, a JSON "
                              f"object, found {type(data).__name__}")
        return data

    def categories(self) -> list[dict[str, Any]]:
        """Every category: id, slug, name, description and link (its page), oldest first.

        :raises SourceError, FetchError: naming the URL.
        """
        return self._pages("/wp/v2/categories", {"_fields": "id,slug,name,description,link",
                                                 "orderby": "id", "order": "asc"}, _check_term)

    # --- paging and answers ---

    def _pages(self, route: str, params: dict[str, str], check: Any,
               expect: int | None = None) -> list[dict[str, Any]]:
        """Every item of a paged listing, checking the pages against each other and against
        X-WP-Total, so that a listing that lies or never ends stops the source."""
        items: dict[int, dict[str, Any]] = {}
        page, pages, total = 1, 1, None
        while page <= pages:
            query = {"per_page": str(PER_PAGE), **params, "page": str(page)}
            reply, data = self._get(route, query)
            url = self._shown(route, query)
            if not isinstance(data, list):
                raise SourceError(f"{url}: expected a JSON list of items, found "
                                  f"{type(data).__name__}")
            if page == 1:
                pages, total = _paging(reply, url, len(data), int(query["per_page"]))
                if pages > self.client.policy.max_pages:
                    raise SourceError(f"{url}: WordPress says {pages:,} pages, over the limit "
                                      f"of {self.client.policy.max_pages:,} (http.max_pages)")
            if not data and page < pages:
                raise SourceError(f"{url}: page {page} of {pages} is empty; WordPress's page "
                                  f"count (X-WP-TotalPages) is wrong")
            for item in data:
                check(item, url)
                if item["id"] in items:
                    raise SourceError(f"{url}: post {item['id']} appears on two pages; the "
                                      "listing changed while it was read, or the pages repeat")
                items[item["id"]] = item
            page += 1
        if total is not None and len(items) != total and expect is None:
            raise SourceError(f"{self._shown(route, params)}: WordPress says {total} items "
                              f"(X-WP-Total), its pages held {len(items)}")
        return list(items.values())

    def _get(self, route: str, params: dict[str, str]) -> tuple[Reply, Any]:
        """The JSON answer for a REST route, trying /wp-json/ first and ?rest_route= when the
        site has no pretty permalinks."""
        forms = [True, False] if self.pretty is None else [self.pretty]
        for pretty in forms:
            url, query = self._where(route, params, pretty)
            self.requests += 1
            reply = self.client.get(url, query, auth=self.auth,
                                    headers={"Accept": "application/json"})
            if reply.status == 404 and self.pretty is None and pretty:
                continue  # no pretty permalinks: the ?rest_route= form
            data = _json(reply, self._shown(route, params, pretty))
            self.pretty = pretty
            return reply, data
        raise SourceError(f"{self.site}: no WordPress REST API at {self.site}wp-json/ "
                          f"or {self.site}?rest_route=/")

    def _where(self, route: str, params: dict[str, str], pretty: bool
               ) -> tuple[str, dict[str, str]]:
        if pretty:
            return f"{self.site}wp-json{route}", params
        return self.site, {"rest_route": route, **params}

    def _shown(self, route: str, params: dict[str, str], pretty: bool | None = None) -> str:
        return url_with(*self._where(route, params, self.pretty is not False
                                     if pretty is None else pretty))


def _auth(source: Source) -> tuple[str, str] | None:
    if not source.username or not source.password_env:
        return None
    password = os.environ.get(source.password_env)
    if not password:
        raise SourceError(f"{source.url}: the environment variable {source.password_env} "
                          f"(sources[].password_env) is not set; it holds the application "
                          f"password of {source.username}")
    return source.username, password


def _json(reply: Reply, url: str) -> Any:
    """The answer's JSON, or a SourceError that says what came instead."""
    if reply.redirected and re.search(r"wp-login\.php|/login", reply.url):
        raise SourceError(f"{url}: redirected to a login page ({reply.url}); a private site "
                          f"needs username and password_env in the source's config")
    if reply.status in (401, 403):
        raise SourceError(f"{url}: HTTP {reply.status}: WordPress refused the request; "
                          f"check username and password_env")
    if reply.status >= 400:
        raise SourceError(f"{url}: HTTP {reply.status}{_snippet(reply)}")
    if "json" not in reply.media_type:
        raise SourceError(f"{url}: expected JSON, found {reply.media_type or 'no content type'}"
                          f"{_snippet(reply)} (an error page, a login page or a cache?)")
    try:
        return json.loads(reply.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{url}: expected JSON, found invalid or truncated JSON "
                          f"({exc}; {len(reply.body):,} bytes)") from exc


def _snippet(reply: Reply) -> str:
    text = reply.body[:2000].decode("utf-8", "replace")
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    words = (title.group(1) if title else re.sub(r"<[^>]+>", " ", text))
    words = " ".join(words.split())[:80]
    return f": {words!r}" if words else ""


def _paging(reply: Reply, url: str, count: int, per_page: int) -> tuple[int, int | None]:
    """(pages, total) from X-WP-TotalPages and X-WP-Total."""
    values = []
    for name in ("X-WP-TotalPages", "X-WP-Total"):
        value = reply.headers.get(name)
        if value is None:
            values.append(None)
        elif value.strip().isdigit():
            values.append(int(value))
        else:
            raise SourceError(f"{url}: expected a number in {name}, found {value!r}")
    pages, total = values
    if pages is None:  # a proxy that drops headers: one page, unless it is full
        if count >= per_page:
            raise SourceError(f"{url}: a full page without X-WP-TotalPages; cannot tell "
                              "how many pages there are")
        return 1, None
    if total is not None and pages != max((total + per_page - 1) // per_page, 1 if total else 0):
        raise SourceError(f"{url}: X-WP-TotalPages {pages} does not fit X-WP-Total {total} "
                          f"at {per_page} a page; WordPress's page count is wrong")
    return max(pages, 1), total


def _check_stub(item: object, url: str) -> None:
    if not (isinstance(item, dict) and isinstance(item.get("id"), int)
            and isinstance(item.get("modified_gmt"), str)):
        raise SourceError(f"{url}: expected posts with id and modified_gmt, found "
                          f"{_preview(item)}")


def _check_post(item: object, url: str) -> None:
    _check_stub(item, url)
    assert isinstance(item, dict)
    for key in ("link", "date_gmt", "title"):
        if key not in item:
            raise SourceError(f"{url}: post {item['id']}: expected {key}, found none "
                              f"(a plugin filtering the REST API?)")


def _check_term(item: object, url: str) -> None:
    if not (isinstance(item, dict) and isinstance(item.get("id"), int)
            and isinstance(item.get("slug"), str)):
        raise SourceError(f"{url}: expected categories with id and slug, found "
                          f"{_preview(item)}")


def _preview(item: object) -> str:
    return json.dumps(item, ensure_ascii=False)[:80]


def _gmt(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


# --- a post as a raw record ---

def post_record(post: Mapping[str, Any], categories: Mapping[int, Mapping[str, Any]],
                source: Source, config: Config) -> dict[str, Any]:
    """The raw record (our field names) of one REST post with _embed. Text stays HTML as
    WordPress renders it: records.normalize decodes its entities exactly once."""
    embedded = post.get("_embedded") or {}
    terms = [term for group in embedded.get("wp:term") or [] if isinstance(group, list)
             for term in group if isinstance(term, dict)]
    content = _rendered(post.get("content"))
    return {
        "id": str(post["id"]),
        "url": post["link"],
        "title": _rendered(post.get("title")),
        "category": _category(post, terms, categories, source, config),
        "published": _utc(post.get("date_gmt")) or post.get("date"),
        "updated": _utc(post.get("modified_gmt")),
        "summary": _summary(post),
        "content_html": content,
        "tags": [term["name"] for term in terms if term.get("taxonomy") == "post_tag"],
        "author": [author["name"] for author in embedded.get("author") or []
                   if isinstance(author, dict) and author.get("name")],
        "image": _featured(embedded.get("wp:featuredmedia")),
    }


def _rendered(value: object) -> str:
    if isinstance(value, dict):
        if value.get("protected"):
            return ""  # a password-protected post: its text is not for feeds
        return str(value.get("rendered") or "")
    return str(value or "")


def _utc(value: object) -> str | None:
    return f"{value}Z" if isinstance(value, str) and value else None


def _summary(post: Mapping[str, Any]) -> str | None:
    """The excerpt the editor wrote; None for one WordPress cut from the content itself (it
    ends in "[…]" and may hold the whole text of a Chinese post, which has no spaces)."""
    excerpt = _rendered(post.get("excerpt")).strip()
    return None if not excerpt or _AUTO_EXCERPT.search(excerpt) else excerpt


def _category(post: Mapping[str, Any], terms: Iterable[Mapping[str, Any]],
              categories: Mapping[int, Mapping[str, Any]], source: Source,
              config: Config) -> str:
    """The config category of the post's first WordPress category that maps to one: by the
    source's `categories:` mapping (slug, name or id), then by slug, then by name."""
    by_id = {**categories, **{term["id"]: term for term in terms
                              if term.get("taxonomy") == "category" and "id" in term}}
    names = []
    for term_id in post.get("categories") or []:
        term = by_id.get(term_id, {})
        slug, name = str(term.get("slug", "")), _plain(str(term.get("name", "")))
        for key in (str(term_id), slug, name):
            mapped = source.categories.get(key)
            if mapped and config.category(mapped):
                return mapped
        for key in (slug, name):
            if key and config.category(key):
                return key
        names.append(name or slug or str(term_id))
    return names[0] if names else ""  # rejected by normalize, naming the WordPress category


def _plain(name: str) -> str:
    import html

    return html.unescape(name)


def _featured(media: object) -> dict[str, Any] | None:
    if not isinstance(media, list) or not media or not isinstance(media[0], dict):
        return None
    item = media[0]
    if "code" in item or not item.get("source_url"):  # an error object: the media is private
        return None
    details = item.get("media_details") or {}
    width, height = details.get("width"), details.get("height")
    return {
        "url": item["source_url"],
        "width": width if isinstance(width, int) and width > 0 else None,
        "height": height if isinstance(height, int) and height > 0 else None,
        "alt": item.get("alt_text") or "",
        "type": item.get("mime_type") or None,
    }
