"""Sources have one protocol: a new kind of source is one module and one line of registration,
and the pipeline, the read side and the config take it as they take files and WordPress."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from conftest import Run, Site

import syndicate
from syndicate import sources

# A source of pipe-separated lines: id|title|category|published|url. The whole module.
LINES_SOURCE = '''
from __future__ import annotations

import os

from syndicate.records import Origin
from syndicate.sources import Batch, Changes
from syndicate.store import Stat


class Lines:
    type = "lines"

    def __init__(self, spec, config, network):
        self.key = str(spec.path)
        self.requests = 0

    def changes(self, store, *, full):
        info = os.stat(self.key)
        stat = Stat(info.st_size, info.st_mtime_ns, info.st_ino)
        if store.file_stats(self.key).get(self.key) == stat:
            return Changes()
        return Changes([Batch(self.key, self.read)],
                       save=lambda store: store.set_file(self.key, self.key, stat))

    def read(self):
        with open(self.key, encoding="utf-8") as handle:
            rows = [line.rstrip("\\n").split("|") for line in handle if line.strip()]
        return [(dict(zip(("id", "title", "category", "published", "url"), row)),
                 Origin(self.key, index, index + 1)) for index, row in enumerate(rows)]
'''


@pytest.fixture
def lines_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    (tmp_path / "lines_source.py").write_text(textwrap.dedent(LINES_SOURCE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sources.register("lines", "lines_source:Lines", keys=("path",))  # the one line
    yield
    del sources.REGISTRY["lines"]


def lines_site(site: Site) -> Path:
    news = site.folder / "news.txt"
    news.write_text("L1|颱風過境 停班停課|local|2026-02-04 09:00|https://nchn.example.com/l1/\n"
                    "L2|國際書展開幕|world|2026-02-05|https://nchn.example.com/l2/\n",
                    encoding="utf-8")
    site.write_config(sources=[{"type": "lines", "path": "news.txt"}])
    return news


def test_a_registered_source_builds_feeds(site: Site, run: Callable[..., Run],
                                          lines_type: None) -> None:
    news = lines_site(site)
    assert run("build", "--config", site.config) == Run(0, "", "")
    assert [item["url"] for item in site.json("feed.json")["items"]] == [
        "https://nchn.example.com/l2/", "https://nchn.example.com/l1/"]
    assert site.json("local/feed.json")["items"][0]["title"] == "颱風過境 停班停課"
    unchanged = run("build", "-v", "--config", site.config)
    assert unchanged.out.startswith("nothing changed in the sources")
    news.write_text(news.read_text(encoding="utf-8") + "L3|第三則|life|2026-02-06|"
                    "https://nchn.example.com/l3/\n", encoding="utf-8")
    assert run("build", "--config", site.config).code == 0
    assert len(site.json("feed.json")["items"]) == 3
    state = syndicate.status(syndicate.load_config(site.config))
    assert (state.articles, state.files) == (3, 1)


def test_a_registered_source_answers_share_before_a_build(site: Site, run: Callable[..., Run],
                                                          lines_type: None) -> None:
    lines_site(site)
    result = run("share", "L2", "--config", site.config, "--format", "buttons")
    assert result.code == 0
    assert "https%3A%2F%2Fnchn.example.com%2Fl2%2F" in result.out


def test_the_config_knows_a_registered_type_and_its_keys(site: Site, run: Callable[..., Run],
                                                         lines_type: None) -> None:
    site.config.write_text(yaml.safe_dump({
        **yaml.safe_load(site.config.read_text(encoding="utf-8")),
        "sources": [{"type": "lines", "url": "https://nchn.example.com/"}]},
        allow_unicode=True), encoding="utf-8")
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert [line.split(": ", 1)[1] for line in result.err.splitlines()[:-1]] == [
        "sources[0]: missing key 'path': expected a records file for a lines source",
        "sources[0].url: expected no url in a lines source: url belongs to wordpress sources",
    ]


def test_an_unregistered_type_is_a_config_error(site: Site, run: Callable[..., Run]) -> None:
    site.write_config(sources=[{"type": "lines", "path": "articles.yaml"}])
    result = run("build", "--config", site.config)
    assert result.code == 2
    assert "sources[0].type: expected one of files, wordpress, found str 'lines'" in result.err
