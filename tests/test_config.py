"""A wrong config exits 2 with file:line: key: expected, found — every problem at once."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pytest

import syndicate
from syndicate import config

DOCS_CONFIG = Path(__file__).resolve().parent.parent / "docs" / "config.md"

BAD_CONFIG = """\
site:
  title: 全國大小事新聞網
  url: https://nchn.example.com/
  timezone: Asia/Taipie
  langauge: zh-TW
categories:
  - {slug: local, name: 地方}
  - {slug: local, name: 生活}
  - {slug: 社會, name: 社會}
  - {name: 國際}
sources:
  - type: files
    path: missing.yaml
output:
  items_per_feed: fifty
"""


def test_every_config_problem_is_reported_at_once_by_line(site, run):
    site.config.write_text(BAD_CONFIG, encoding="utf-8")
    result = run("build", "--config", site.config)
    label = str(site.config)
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        f"{label}:4: site.timezone: expected an IANA time zone such as Asia/Taipei, "
        "found 'Asia/Taipie' (did you mean Asia/Taipei, Asia/Dili, Asia/Thimphu?)",
        f"{label}:5: site.langauge: unknown key; did you mean language? expected one of "
        "title, url, description, language, timezone, logo, feeds_url, tag_date, author",
        f"{label}:8: categories[1].slug: expected a unique slug, found 'local' a second time",
        f"{label}:9: categories[2].slug: expected an ASCII slug of a-z, 0-9 and '-', "
        "found '社會'",
        f"{label}:10: categories[3]: missing key 'slug': expected an ASCII slug",
        f"{label}:13: sources[0].path: expected a records file, a folder of them or a glob "
        f"such as exports/*.jsonl, found nothing at {site.folder / 'missing.yaml'}",
        f"{label}:15: output.items_per_feed: expected a whole number from 1 to 1000, "
        "found str 'fifty'",
        "syndicate: 7 problem(s) in the config; nothing was written",
    ]
    assert not site.feeds.exists()


def test_a_missing_section_and_a_wrong_type(site, run):
    site.config.write_text("site: [1, 2]\ncategories: {}\n", encoding="utf-8")
    result = run("build", "--config", site.config)
    assert result.code == 2
    label = str(site.config)
    assert result.err.splitlines()[:3] == [
        f"{label}:1: site: expected a mapping, found list [1, 2]",
        f"{label}:1: (top level): missing key 'sources': expected a list of sources",
        f"{label}:2: categories: expected a list, found dict {{}}",
    ]


def test_a_config_that_is_not_yaml(site, run):
    site.config.write_text("site:\n  title: [\n", encoding="utf-8")
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert result.err.startswith(f"{site.config}:3: expected valid YAML, found a syntax error")


def test_a_config_that_cannot_be_read(site, run):
    result = run("build", "--config", site.folder / "nope.yaml")
    assert result.code == 2
    assert result.err.startswith(f"{site.folder / 'nope.yaml'}:1: cannot read the config file: "
                                 "No such file or directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_records_file(site, run):
    (site.folder / "articles.yaml").chmod(0)
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert "sources[0].path: expected a readable records file" in result.err


def test_defaults_and_paths_relative_to_the_config(site):
    config = syndicate.load_config(site.config)
    assert config.output.dir == site.folder / "feeds"
    assert config.output.items_per_feed == 50
    assert config.site.feeds_url == "https://nchn.example.com/feeds/"
    assert config.site.author == "全國大小事新聞網"
    assert config.category("社會") is config.category("society")


def test_config_objects_are_frozen(site):
    config = syndicate.load_config(site.config)
    with pytest.raises(AttributeError):
        config.site.title = "x"  # type: ignore[misc]


def test_a_glob_needs_its_folder(site, run):
    site.write_config(records_file="exports/*.jsonl")
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert (f"sources[0].path: expected a records file, a folder of them or a glob such as "
            f"exports/*.jsonl, found no folder {site.folder / 'exports'} for the glob "
            f"{site.folder / 'exports/*.jsonl'}") in result.err


def test_a_config_built_in_python_has_the_files_defaults(site):
    loaded = syndicate.load_config(site.config)
    built = config.Config(path=site.config, site=config.Site(title="全國大小事新聞網",
                                                             url="https://nchn.example.com/"),
                          categories=loaded.categories, sources=loaded.sources)
    assert built.http == loaded.http == config.Http(timeout=10, retries=3, max_pages=1000,
                                                    max_response_mb=50)
    assert built.images == loaded.images
    assert built.websub == loaded.websub
    assert built.share.x_endpoint == loaded.share.x_endpoint == "https://x.com/intent/tweet"
    assert built.site.feeds_url == loaded.site.feeds_url == "https://nchn.example.com/feeds/"
    assert built.site.author == loaded.site.author == "全國大小事新聞網"


def test_twitter_site_falls_back_to_x_via_with_an_at_sign(site):
    site.write_config(share={"x_via": "@nchn_news"})
    assert syndicate.load_config(site.config).share.twitter_site == "@nchn_news"
    assert config.Share(x_via="nchn_news").twitter_site == "@nchn_news"


def test_docs_config_md_is_the_generated_reference():
    text = DOCS_CONFIG.read_text(encoding="utf-8")
    assert text == config.reference(), "docs/config.md is out of date: run make docs"


def test_docs_config_md_names_every_key():
    text = DOCS_CONFIG.read_text(encoding="utf-8")
    names = [f.name for f in fields(config.Config) if "help" in f.metadata]
    for section, cls, is_list in config._sections():
        prefix = f"{section}[]." if is_list else f"{section}."
        names += [prefix + f.name for f in fields(cls) if "help" in f.metadata]
    assert {"site", "site.title", "sources[].password_env", "websub.hubs"} <= set(names)
    missing = [name for name in names if f"| `{name}` |" not in text]
    assert not missing, f"docs/config.md does not name {', '.join(missing)}: run make docs"
