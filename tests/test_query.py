"""The read side agrees with build: `share`, `preview` and the API show the record and the image
sizes that build publishes, whether the index exists yet or not (issue 11: load_articles chose
the winner of a duplicate id by its own rule and never read image sizes)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
from conftest import Run, Site, record
from fakewp import FakeWordPress

import syndicate


@pytest.fixture
def images() -> Iterator[FakeWordPress]:
    server = FakeWordPress().start()  # serves tests/fixtures/images at /img/
    yield server
    server.stop()


def two_sources(site: Site, images: FakeWordPress) -> None:
    """The same id, updated at the same time, in two files named in the config in the order
    opposite to their names; and an image without sizes."""
    picture = {"url": f"{images.url}img/baseline-1200x630.jpg", "alt": "圖說"}
    site.write_records([record(id="dup", title="來自 z 檔", image=picture,
                               updated="2026-02-04T12:00:00+08:00")], "z.yaml")
    site.write_records([record(id="dup", title="來自 a 檔", image=picture,
                               updated="2026-02-04T12:00:00+08:00"),
                        record(id="other", title="另一則")], "a.yaml")
    site.write_config(sources=[{"type": "files", "path": "z.yaml"},
                               {"type": "files", "path": "a.yaml"}],
                      images={"allow_private": True})


class _Meta(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("property"):
            self.values.setdefault(str(found["property"]), str(found.get("content")))


def test_share_before_and_after_build_shows_what_build_publishes(
        site: Site, images: FakeWordPress, run: Callable[..., Run]) -> None:
    two_sources(site, images)
    before = run("share", "dup", "--config", site.config, "--format", "head")
    before_json = json.loads(run("share", "dup", "--config", site.config).out)
    assert not site.feeds.exists()  # share wrote nothing, not even an index
    assert run("build", "--config", site.config).code == 0
    published = site.read("articles/dup.html")
    after = run("share", "dup", "--config", site.config, "--format", "head")
    assert before.code == after.code == 0
    assert before.out == after.out == published
    assert before_json == site.json("articles/dup.json")
    meta = _Meta(published).values
    # the record of the later file by name wins a tie, read from the sources or the index
    assert meta["og:title"] == "來自 z 檔"
    # the image's size was read from its bytes, before the build as by it
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")


def test_the_api_and_the_feeds_agree_on_the_winner_and_the_image(
        site: Site, images: FakeWordPress) -> None:
    two_sources(site, images)
    config = syndicate.load_config(site.config)
    articles, report = syndicate.load_articles(config)
    assert [a.id for a in articles] == ["dup", "other"]
    assert (report.records_read, report.articles, report.rejected) == (3, 2, [])
    loaded = articles[0]
    assert syndicate.build(config).exit_code == 0
    built = syndicate.find_article(config, "dup")
    assert loaded == built
    assert (built.title, built.image and (built.image.width, built.image.height)) == (
        "來自 z 檔", (1200, 630))
    feed = json.loads((site.feeds / "feed.json").read_text(encoding="utf-8"))
    assert [item["title"] for item in feed["items"]] == ["來自 z 檔", "另一則"]


def test_preview_before_a_build_shows_the_published_winner(
        site: Site, images: FakeWordPress, run: Callable[..., Run]) -> None:
    two_sources(site, images)
    result = run("preview", "--config", site.config, "dup")
    assert result.code == 0
    page = (site.folder / "feeds-preview" / "index.html").read_text(encoding="utf-8")
    assert "來自 z 檔" in page and "來自 a 檔" not in page
    assert 'width="1200" height="630"' in page


def test_status_is_a_typed_result(site: Site, run: Callable[..., Run]) -> None:
    assert run("build", "--config", site.config).code == 0
    state = syndicate.status(syndicate.load_config(site.config))
    assert isinstance(state, syndicate.Status)
    assert (state.articles, state.files, state.rejected) == (1, 1, [])
    assert [(c.slug, c.articles) for c in state.categories] == [
        ("local", 0), ("life", 0), ("society", 1), ("world", 0)]
    assert state.last_run is not None and state.last_change is not None
