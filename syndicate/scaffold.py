"""`syndicate init`: a commented config for a new site, proposed from nothing, from a records
export or from a WordPress site, written where `syndicate build` finds it. Never overwrites.

The file goes to FOLDER/config/site.yaml, the example's layout: run in FOLDER, `syndicate build`
finds it without `--config`, and its relative paths (the records, `output.dir: ../feeds`) are
relative to config/, as every config's are. Its comments are the help texts of the keys
(config_keys.key()), so that the file says what docs/config.md says.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from . import clock
from . import config_keys as parse
from .config import RECORD_FIELDS, SLUG, Category, Config, Http, Output, Site, Source, _keys
from .errors import SourceError, UsageError
from .records import REQUIRED
from .text import clean_line

if TYPE_CHECKING:
    import requests

    from .net import Client

CONFIG_PATH = Path("config") / "site.yaml"  # below FOLDER, where `syndicate build` looks
RECORDS_FILE = "articles.yaml"  # in FOLDER: where a config made without --from reads records
FEEDS_DIR = "../feeds"  # relative to config/: FOLDER/feeds, the index beside it
SAMPLE = 1000  # records whose keys propose `fields:`; categories come from every record
LANGUAGE, TIMEZONE = "zh-TW", "Asia/Taipei"  # proposed when nothing says otherwise
PLACEHOLDER_URL = "https://example.com/"
WIDTH = 100  # of the comments, as ruff's line length
FIELDS_EXAMPLE = {"headline": "title", "post_id": "id"}
MORE_SECTIONS = ("share", "sitemaps", "partners", "websub", "http", "images")  # named at the end

# Keys of exports that mean a record field, compared without case, `_`, `-`, `:` or spaces; the
# first alias an export has wins. The field's own name comes first (`Title`, `CONTENT_HTML`).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("postid", "articleid", "guid", "uuid", "nid", "identifier"),
    "url": ("link", "permalink", "canonical", "canonicalurl", "articleurl", "weburl", "href"),
    "title": ("headline", "name", "subject", "heading", "posttitle"),
    "category": ("section", "articlesection", "categoryname", "sectionname", "channel",
                 "column", "catname"),
    "published": ("pubdate", "datepublished", "publishedat", "publishdate", "publishtime",
                  "postdate", "date", "created", "createdat", "issued", "time"),
    "updated": ("modified", "datemodified", "updatedat", "modifiedat", "lastmodified",
                "postmodified", "edited"),
    "summary": ("excerpt", "description", "abstract", "lead", "lede", "dek", "teaser",
                "standfirst", "postexcerpt"),
    "content_html": ("body", "content", "html", "bodyhtml", "articlebody", "contentencoded",
                     "postcontent", "fulltext", "text"),
    "tags": ("keywords", "tag", "labels", "topics", "hashtags", "keyword"),
    "author": ("creator", "byline", "authors", "dccreator", "writer", "reporter", "authorname",
               "by"),
    "image": ("thumbnail", "featuredimage", "imageurl", "thumbnailurl", "featuredmedia",
              "cover", "coverimage", "leadimage", "ogimage", "photo", "picture"),
    "related": ("relatedarticles", "relatedposts", "relatedlinks", "relatedids", "seealso"),
}

# Readable slugs for the section names of Chinese news sites (the example config's ten first).
# Any other name that is not ASCII becomes `category-N`, N its place in the list: no library
# transliterates Chinese well enough to promise a stable, readable slug.
KNOWN_SLUGS = {
    "地方": "local", "生活": "life", "健康": "health", "文教": "education", "旅遊": "travel",
    "消費": "consumer", "社會": "society", "國際": "world", "藝術": "arts", "綜合": "general",
    "政治": "politics", "財經": "business", "經濟": "economy", "體育": "sports",
    "運動": "sports", "娛樂": "entertainment", "科技": "tech", "兩岸": "cross-strait",
    "教育": "education", "文化": "culture", "環境": "environment", "醫療": "health",
    "社論": "editorial", "評論": "opinion", "言論": "opinion", "影音": "video", "要聞": "top",
    "焦點": "headlines", "即時": "latest", "產業": "industry", "農業": "agriculture",
    "未分類": "uncategorized", "新聞": "news", "国际": "world", "体育": "sports",
    "财经": "business", "娱乐": "entertainment", "艺术": "arts", "社会": "society",
    "旅游": "travel", "消费": "consumer", "综合": "general", "两岸": "cross-strait",
}


@dataclass(frozen=True)
class NewSite:
    """What init_site wrote and proposed."""

    config: Path  # the config file written: FOLDER/config/site.yaml
    records: Path | None  # the records file its source reads; None for a WordPress source
    fields: Mapping[str, str]  # the export's key -> record field, as `fields:` renames them
    categories: tuple[tuple[str, str], ...]  # (slug, name) of each category
    notes: tuple[str, ...]  # what to check before the first build


@dataclass
class _Proposal:
    """The values of a config to write: each section's keys, and what the user should check."""

    origin: str  # what it was proposed from, for the file's first line
    site: dict[str, Any]
    categories: list[dict[str, str]]
    source: dict[str, Any]
    records: Path | None = None
    hints: dict[str, Any] = field(default_factory=dict)  # site and source keys shown commented
    unread: list[str] = field(default_factory=list)  # keys of the export that no field reads
    notes: list[str] = field(default_factory=list)


def init_site(folder: str | os.PathLike[str] = ".", *,
              records: str | os.PathLike[str] | None = None, wordpress: str | None = None,
              session: requests.Session | None = None) -> NewSite:
    """Write a commented config for a new site to FOLDER/config/site.yaml.

    :param folder: the site's folder, made when missing; `syndicate build` runs in it.
    :param records: a records export (JSON array, JSON Lines or YAML) whose keys propose the
        `fields:` mapping and whose categories become the config's; the source reads it.
    :param wordpress: a WordPress site whose REST API gives the site's name, description, time
        zone and categories; the source reads its posts.
    :param session: the requests.Session to ask WordPress with (a test's), else a new one.
    :raises UsageError: the config file exists (nothing is overwritten), or the records file
        cannot be read.
    :raises SyndicateError: WordPress cannot be read (FetchError, SourceError: naming the URL).
    """
    if records is not None and wordpress is not None:
        raise UsageError("--from and --wordpress cannot be used together")
    folder = Path(folder)
    target = folder / CONFIG_PATH
    _refuse_existing(target)
    if wordpress is not None:
        proposal = _from_wordpress(wordpress, session)
    elif records is not None:
        proposal = _from_records(Path(records), target.parent)
    else:
        proposal = _blank(folder)
    _write_new(target, config_text(proposal))
    return NewSite(config=target, records=proposal.records,
                   fields=dict(proposal.source.get("fields", {})),
                   categories=tuple((c["slug"], c["name"]) for c in proposal.categories),
                   notes=tuple(proposal.notes))


def _refuse_existing(target: Path) -> None:
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} exists; init never overwrites a file: move it away or "
                         "choose another folder")


def _write_new(target: Path, text: str) -> None:
    """Create the file, never replacing one (`x`: also one made since _refuse_existing)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{target.parent}: cannot make the folder: {exc.strerror or exc}"
                         ) from exc
    try:
        with target.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        _refuse_existing(target)
        raise
    except OSError as exc:
        target.unlink(missing_ok=True)  # no half a config: the next init may write it whole
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from exc


# --- the proposals ---

def _blank(folder: Path) -> _Proposal:
    records = folder / RECORDS_FILE
    return _Proposal(
        origin="without a records file",
        site=_site(_folder_name(folder), PLACEHOLDER_URL),
        categories=[{"slug": "news", "name": "新聞"}],
        source={"type": "files", "path": f"../{RECORDS_FILE}"}, records=records,
        hints={"logo": PLACEHOLDER_URL + "logo.png", "fields": FIELDS_EXAMPLE},
        notes=[f"put your records in {records} (docs/records.md says what a record holds)",
               "site.url is a placeholder: give your home page",
               "the one category is a placeholder: list your site's"])


def _from_records(path: Path, config_dir: Path) -> _Proposal:
    raws = read_records(path)
    keys = list(dict.fromkeys(key for raw in raws[:SAMPLE] for key in raw))
    renames = propose_fields(keys)
    fields = set(RECORD_FIELDS) & set(keys) | set(renames.values())
    category_key = next((k for k, f in renames.items() if f == "category"), "category")
    names = category_names(raws, category_key)
    url_key = next((k for k, f in renames.items() if f == "url"), "url")
    home = _home_page(raw.get(url_key) for raw in raws[:SAMPLE])
    notes = [f"no key of {path} looks like the record field {name} (required): name the key "
             "that holds it under fields:" for name in REQUIRED if name not in fields]
    if home is None:
        notes.append("site.url is a placeholder: give your home page")
    if not names:
        notes.append(f"{path} names no category: the one category is a placeholder")
    source: dict[str, Any] = {"type": "files", "path": _relative(path, config_dir)}
    if renames:
        source["fields"] = renames
    title = urlsplit(home).hostname if home else None
    return _Proposal(
        origin=f"from {path.name}",
        site=_site(title or _folder_name(config_dir.parent), home or PLACEHOLDER_URL),
        categories=propose_categories(names) if names else [{"slug": "news", "name": "新聞"}],
        source=source, records=path, notes=notes,
        hints={"logo": (home or PLACEHOLDER_URL) + "logo.png", "fields": FIELDS_EXAMPLE},
        unread=[key for key in keys if key not in renames and key not in RECORD_FIELDS])


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of an export as the files source reads them (mappings only).

    :raises UsageError: naming the file, when it cannot be read or holds no record.
    """
    from .sources.files import read_file

    try:
        raws = [raw for raw, _ in read_file(path, Source(type="files", path=path))]
    except SourceError as exc:
        raise UsageError(f"{exc} (--from)") from exc
    mappings = [raw for raw in raws if isinstance(raw, dict)]
    if not mappings:
        raise UsageError(f"{path}: expected records (mappings of fields), found "
                         f"{len(raws)} record(s) and none a mapping (--from)")
    return mappings


def propose_fields(keys: Sequence[str]) -> dict[str, str]:
    """The export's key -> record field, for the keys that look like a field under another
    name (ALIASES); a field the export already has by its own name is not renamed to."""
    by_plain: dict[str, str] = {}
    for key in keys:
        by_plain.setdefault(_plain(key), key)
    renames: dict[str, str] = {}
    for name, aliases in ALIASES.items():
        if name in keys:
            continue
        for alias in (_plain(name), *aliases):
            theirs = by_plain.get(alias)
            if theirs is not None and theirs not in renames and theirs not in RECORD_FIELDS:
                renames[theirs] = name
                break
    return renames


def _plain(key: str) -> str:
    return re.sub(r"[\s_:\-]", "", str(key)).lower()


def category_names(raws: Iterable[Mapping[str, Any]], key: str) -> list[str]:
    """The records' categories, as records.normalize looks them up, in order of first use."""
    names: dict[str, None] = {}
    for raw in raws:
        value = raw.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            name = clean_line(str(value))
            if name:
                names[name] = None
    return list(names)


def propose_categories(values: Sequence[str]) -> list[dict[str, str]]:
    """A category per category the records name, in order of first use. A record may name one
    by its slug or by its name (`society` or `社會`): a value that is a slug is the slug of the
    name proposed that slug (_slug), else a category of its own."""
    used: set[str] = set()
    names = [value for value in values if not SLUG.match(value)]
    by_name = {name: _slug(name, number, used) for number, name in enumerate(names, start=1)}
    return [{"slug": by_name[value], "name": value} if value in by_name
            else {"slug": value, "name": value}
            for value in values if value in by_name or value not in used]


def _slug(name: str, number: int, used: set[str]) -> str:
    """A known section's slug (KNOWN_SLUGS), the name made ASCII when it is Latin text, else
    `category-N`, N the category's place in the list; never one in `used`, to which it goes."""
    return _free(KNOWN_SLUGS.get(name) or _ascii_slug(name) or f"category-{number}", used)


def _free(base: str, used: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… when it is used; then it is."""
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    used.add(slug)
    return slug


def _ascii_slug(name: str) -> str:
    """`Économie & Finance` -> `economie-finance`; "" for a name with other letters."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", name)
                      if not unicodedata.combining(c))
    if not letters.isascii():
        return ""
    slug = re.sub(r"[^a-z0-9]+", "-", letters.lower()).strip("-")[:60].strip("-")
    return slug if SLUG.match(slug) else ""


def _home_page(urls: Iterable[object]) -> str | None:
    """The origin most of the records' URLs are on, as the home page."""
    origins = Counter(f"{parts.scheme}://{parts.netloc}/" for parts in
                      (urlsplit(url.strip()) for url in urls if isinstance(url, str))
                      if parts.scheme in ("http", "https") and parts.hostname)
    return origins.most_common(1)[0][0] if origins else None


def _relative(path: Path, config_dir: Path) -> str:
    """The records file as the config names it: relative to config/ when it is inside the
    site's folder (which can then move), else absolute."""
    records, folder = path.resolve(), config_dir.parent.resolve()
    if records.is_relative_to(folder):
        return os.path.relpath(records, config_dir.resolve())
    return str(records)


def _folder_name(folder: Path) -> str:
    return folder.resolve().name or "news"


def _site(title: str, url: str, description: str = "", language: str = LANGUAGE,
          timezone: str = TIMEZONE) -> dict[str, Any]:
    """The keys of `site:`; tag_date is today, when the site's host is surely its own."""
    return {"title": title, "url": url, **({"description": description} if description else {}),
            "language": language, "timezone": timezone,
            "tag_date": clock.now().date().isoformat()}


# --- from WordPress ---

def _from_wordpress(url: str, session: requests.Session | None) -> _Proposal:
    from .net import Client, new_session
    from .sources.wordpress import WordPress

    base = _wordpress_url(url)
    client = Client(session or new_session(base), Http())
    wordpress = WordPress(client, Source(type="wordpress", url=base), None, base)
    facts, terms = wordpress.index(), wordpress.categories()
    home = _valid(parse.folder_url, facts.get("home") or facts.get("url")) or base
    notes: list[str] = []
    language = _page_language(client, home)
    if language is None:
        notes.append(f"{home} names no language (<html lang>): site.language is {LANGUAGE}")
    zone = _zone(facts.get("timezone_string"), facts.get("gmt_offset"))
    if zone is None:
        notes.append(f"WordPress gives no time zone that is an IANA zone: site.timezone is "
                     f"{TIMEZONE}")
    site = _site(clean_line(str(facts.get("name") or "")) or urlsplit(home).hostname or base,
                 home, description=clean_line(str(facts.get("description") or "")),
                 language=language or LANGUAGE, timezone=zone or TIMEZONE)
    categories, mapping = wordpress_categories(terms)
    if not categories:
        notes.append(f"{base} has no category: the one category is a placeholder")
        categories = [{"slug": "news", "name": "新聞"}]
    source: dict[str, Any] = {"type": "wordpress", "url": base}
    if mapping:
        source["categories"] = mapping
    return _Proposal(origin=f"from the WordPress site {base}", site=site,
                     categories=categories, source=source, notes=notes,
                     hints={"logo": home + "logo.png", "username": "editor",
                            "password_env": "WP_PASSWORD"})


def _wordpress_url(url: str) -> str:
    """The site's home page: what the user gave, less a pasted `wp-json/…` path."""
    try:
        base = parse.folder_url(url)
    except ValueError as exc:
        raise UsageError(f"--wordpress: {exc}") from None
    return base.split("wp-json/", 1)[0] if "/wp-json/" in base else base


def _valid(check: Callable[[Any], Any], value: object) -> Any:
    """`value` if `check` accepts it, else None."""
    try:
        return check(value) if value is not None else None
    except ValueError:
        return None


def _zone(name: object, offset: object) -> str | None:
    """WordPress's timezone_string, or the Etc/ zone of a whole-hour gmt_offset."""
    zone = _valid(parse.timezone, name) if name else None
    if zone:
        return str(zone)
    try:
        hours = float(str(offset))
    except ValueError:
        return None
    if not hours.is_integer():
        return None
    return "UTC" if hours == 0 else f"Etc/GMT{-int(hours):+d}"  # Etc/ signs are inverted


def _page_language(client: Client, home: str) -> str | None:
    """The `lang` of the home page's <html>, which WordPress writes from its site language (the
    REST API tells it only to an administrator)."""
    from .errors import FetchError

    try:
        reply = client.get(home, headers={"Accept": "text/html"}, prefix=65536)
    except FetchError:
        return None
    found = re.search(rb"<html\b[^>]*?\slang\s*=\s*[\"']?([A-Za-z0-9-]+)", reply.body, re.I)
    if reply.status >= 400 or not found:
        return None
    return _valid(parse.language, found.group(1).decode("ascii"))


def wordpress_categories(terms: Sequence[Mapping[str, Any]]
                         ) -> tuple[list[dict[str, str]], dict[str, str]]:
    """A config category per WordPress category, keeping its slug when that is ASCII, and the
    source's `categories:` entries for those the source would match neither by slug nor by name
    (a slug that is not ASCII and a name that another category has)."""
    wp_slugs = [str(term.get("slug", "")) for term in terms]
    used = {slug for slug in wp_slugs if SLUG.match(slug)}
    categories: list[dict[str, str]] = []
    mapping: dict[str, str] = {}
    names: set[str] = set()
    for number, (term, wp_slug) in enumerate(zip(terms, wp_slugs, strict=True), start=1):
        name = clean_line(str(term.get("name") or "")) or wp_slug
        slug = wp_slug if SLUG.match(wp_slug) else _slug(name, number, used)
        if name in names:
            name = f"{name} ({slug})"
        names.add(name)
        if slug != wp_slug and name != html.unescape(str(term.get("name", ""))):
            mapping[str(term["id"])] = slug
        category = {"slug": slug, "name": name}
        if _valid(parse.url, term.get("link")):
            category["url"] = str(term["link"])
        description = clean_line(str(term.get("description") or ""))
        if description:
            category["description"] = description
        categories.append(category)
    return categories, mapping


# --- the file ---

def config_text(proposal: _Proposal) -> str:
    """The commented YAML of a proposal: each key under its help text."""
    lines = [
        *_comment(f"The config of {proposal.site['title']}, proposed by `syndicate init` "
                  f"{proposal.origin}."),
        "# Relative paths are relative to this file's folder; docs/config.md lists every key.",
        "# Check site: and categories:, then run `syndicate build` in the folder above this one.",
        "",
        *_help(Config, "site"), "site:",
    ]
    for name in _keys(Site):
        lines += _entry(Site, name, proposal.site, proposal.hints, "  ")
    lines += ["", *_help(Config, "categories"),
              *_comment("each: " + "; ".join(f"{name}: {_key_help(Category, name)}"
                                             for name in ("slug", "name", "url"))),
              "categories:"]
    lines += [f"  - {_yaml(category)}" for category in proposal.categories]
    lines += ["", *_help(Config, "sources"), "sources:", *_source(proposal)]
    lines += ["", *_help(Config, "output"), "output:", *_help(Output, "dir", "  "),
              f"  dir: {FEEDS_DIR}", ""]
    lines += ["# More sections, each in docs/config.md:",
              *(f"#   {name}: {_key_help(Config, name)}" for name in MORE_SECTIONS)]
    return "\n".join(lines) + "\n"


def _entry(cls: type, name: str, values: Mapping[str, Any], hints: Mapping[str, Any],
           indent: str) -> list[str]:
    """One key under its help: its value, or commented out with an example (`hints`)."""
    if name in values:
        value = values[name]
        if isinstance(value, dict) and value:
            return [*_help(cls, name, indent), f"{indent}{name}:",
                    *(f"{indent}  {_yaml(k)}: {_yaml(v)}" for k, v in value.items())]
        return [*_help(cls, name, indent), f"{indent}{name}: {_yaml(value)}"]
    if name in hints:
        return [*_help(cls, name, indent), f"{indent}# {name}: {_yaml(hints[name])}"]
    return []


def _source(proposal: _Proposal) -> list[str]:
    lines = [f"  - type: {proposal.source['type']}"]
    for name in _keys(Source):
        if name != "type":
            lines += _entry(Source, name, proposal.source, proposal.hints, "    ")
    if proposal.unread:
        lines += _comment("not record fields, so not read: " + ", ".join(proposal.unread), "    ")
    return lines


def _key_help(cls: type, name: str) -> str:
    """A key's help text as plain text: no code marks, a link as its text and address."""
    text = str(_keys(cls)[name].metadata["help"]).replace("`", "")
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", text)


def _help(cls: type, name: str, indent: str = "") -> list[str]:
    return _comment(_key_help(cls, name), indent)


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(
        text, WIDTH - len(indent) - 2, break_long_words=False, break_on_hyphens=False)]


def _yaml(value: object) -> str:
    """One value as YAML on one line (flow style for a mapping), quoted where it must be."""
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True,
                            sort_keys=False, width=10**6)
    return dumped.removesuffix("\n...\n").strip()


__all__ = ["NewSite", "init_site"]
