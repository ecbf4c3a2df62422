"""Facebook re-scrapes (issue 12, item 5) against a fake Graph API on loopback: a run that changes
what an article's share card shows asks Facebook to read the article again, queued in the index
like the WebSub pings; every fault is one warning line, the URL stays queued for the next run,
the run still succeeds, and the access token shows nowhere."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import Run, Site, record
from fakewp import Loopback, QuietHandler

TOKEN = "1234567890123|0123456789abcdef0123456789abcdef"  # app_id|app_secret
FIRST = "https://nchn.example.com/2026/02/04/2026020401/"
SECOND = "https://nchn.example.com/2026/02/04/2026020402/"
GRAPH_ERROR = "(#100) The URL could not be scraped"


@dataclass
class FakeGraph(Loopback):
    """Graph's answer to `POST /?id=<url>&scrape=true&access_token=…`, or the fault to play."""

    fault: str | None = None
    posts: list[dict[str, list[str]]] = field(default_factory=list)  # query and form of each
    url: str = ""


class GraphHandler(QuietHandler):
    fake: FakeGraph

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(urlsplit(self.path).query) | parse_qs(self.rfile.read(length).decode())
        self.fake.posts.append(form)
        status, answer = 200, {"id": "9876", "url": form.get("id", [""])[0], "type": "article"}
        if self.fake.fault == "timeout":
            time.sleep(2)
        elif self.fake.fault == "slow":  # within any timeout, but slow
            time.sleep(1.5)
        elif self.fake.fault == "400":
            status, answer = 400, {"error": {"message": GRAPH_ERROR, "type": "OAuthException",
                                             "code": 100, "fbtrace_id": "AbCdEf"}}
        elif self.fake.fault == "500":
            status, answer = 500, {}
        elif self.fake.fault == "echo":  # an error that repeats the token it was given
            token = form.get("access_token", [""])[0]
            status, answer = 400, {"error": {"message": f"Invalid OAuth access token {token}",
                                             "type": "OAuthException", "code": 190}}
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (the timeout fault)
            self.wfile.write(body)


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    server = FakeGraph().serve(GraphHandler)
    yield server
    server.stop()


def articles(**first: Any) -> list[dict[str, Any]]:
    """Two articles; keyword arguments change the first."""
    return [record(**first),
            record(id="2026020402", url=SECOND, title="第二則",
                   published="2026-02-04T11:00:00+08:00")]


@pytest.fixture
def fb_site(site: Site, graph: FakeGraph, monkeypatch: pytest.MonkeyPatch) -> Site:
    """Re-scrapes on, the token in FB_TOKEN, Graph on loopback, no image fetched."""
    monkeypatch.setenv("FB_TOKEN", TOKEN)
    site.write_records(articles())
    site.write_config(share={"facebook_token_env": "FB_TOKEN", "facebook_graph": graph.url},
                      http={"timeout": 1, "retries": 0}, images={"probe": False})
    return site


def rows(site: Site, table: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(site.folder / "feeds.index.sqlite")) as db:
        return sorted(db.execute(f"SELECT * FROM {table}"))


def queued(site: Site) -> list[str]:
    return [url for (url,) in rows(site, "scrapes")]


def scrape(url: str) -> dict[str, list[str]]:
    return {"id": [url], "scrape": ["true"], "access_token": [TOKEN]}


def assert_no_token(site: Site, *results: Run) -> None:
    """Not in what the runs printed, not in build-report.json, not in the index."""
    secret = TOKEN.partition("|")[2]
    for text in [site.read("build-report.json"), *(r.out + r.err for r in results)]:
        assert secret not in text
    for index in site.folder.glob("feeds.index.sqlite*"):
        assert secret.encode() not in index.read_bytes()


def test_a_first_build_records_the_cards_and_asks_facebook_nothing(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run]) -> None:
    result = run("build", "--config", fb_site.config)
    assert (result.code, result.err) == (0, "")
    assert graph.posts == []
    assert [row[0] for row in rows(fb_site, "cards")] == ["2026020401", "2026020402"]
    assert queued(fb_site) == []


def test_a_changed_title_asks_facebook_to_read_that_article_again_once(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run]) -> None:
    assert run("build", "--config", fb_site.config).code == 0
    fb_site.write_records(articles(title="接見回國訪問團 卓揆:臺日「強強聯手」(更正)"))
    result = run("build", "--config", fb_site.config)
    assert (result.code, result.out, result.err) == (0, "", "")
    assert graph.posts == [scrape(FIRST)]
    assert queued(fb_site) == []
    graph.posts.clear()
    assert run("build", "--config", fb_site.config).code == 0  # nothing changed
    assert run("build", "--full", "--config", fb_site.config).code == 0  # nor did the cards
    assert graph.posts == []


@pytest.mark.parametrize(("changes", "asked"), [
    ({"summary": "行政院長卓榮泰今日接見日本訪問團。"}, True),  # og:description
    ({"image": "https://nchn.example.com/img/2026020401.jpg"}, True),  # og:image
    ({"content_html": "<p>只改了內文。</p>"}, False),
    ({"tags": ["外交"], "updated": "2026-02-04T12:00:00+08:00"}, False),
])
def test_only_what_the_card_shows_asks_facebook(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run], changes: dict[str, Any],
        asked: bool) -> None:
    assert run("build", "--config", fb_site.config).code == 0
    fb_site.write_records(articles(**changes))
    result = run("build", "-v", "--config", fb_site.config)
    assert (result.code, result.err) == (0, "")
    assert "1 article(s) changed" in result.out
    assert graph.posts == ([scrape(FIRST)] if asked else [])


@pytest.mark.parametrize(("fault", "reason"), [
    ("400", f"HTTP 400: {GRAPH_ERROR}"),
    ("500", "HTTP 500"),
    ("timeout", "no answer in time (http.timeout) (1 try)"),
])
def test_a_failure_is_one_warning_and_the_next_run_sends_it_again(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run], fault: str,
        reason: str) -> None:
    assert run("build", "--config", fb_site.config).code == 0
    graph.fault = fault
    fb_site.write_records(articles(title="改過的標題"))
    failed = run("build", "--config", fb_site.config)
    assert failed.code == 0
    assert failed.err == (f"syndicate: warning: Facebook re-scrape of {FIRST}: {reason}; "
                          "it stays queued for the next run\n")
    assert "改過的標題" in fb_site.read("articles/2026020401.html")  # published all the same
    assert queued(fb_site) == [FIRST]
    graph.fault = None
    graph.posts.clear()
    retried = run("build", "--config", fb_site.config)  # nothing changed: only the retry
    assert (retried.code, retried.err) == (0, "")
    assert graph.posts == [scrape(FIRST)]
    assert queued(fb_site) == []
    assert_no_token(fb_site, failed, retried)


def both_retitled(site: Site, graph: FakeGraph, run: Callable[..., Run], fault: str) -> Run:
    """Build, then change both titles and build again while Graph plays `fault`."""
    assert run("build", "--config", site.config).code == 0
    graph.fault = fault
    site.write_records([dict(item, title=item["title"] + "!") for item in articles()])
    result = run("build", "--config", site.config)
    assert result.code == 0
    return result


def test_re_scrapes_past_the_pings_deadline_stay_queued(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run]) -> None:
    fb_site.write_config(share={"facebook_token_env": "FB_TOKEN", "facebook_graph": graph.url},
                         http={"timeout": 5, "retries": 0}, images={"probe": False},
                         deadlines={"pings": 2})
    result = both_retitled(fb_site, graph, run, "slow")
    assert len(graph.posts) == 2  # the first was read; the second cut at the deadline
    assert result.err.count("warning") == 1
    assert "not done when deadlines.pings = 2 s passed; it stays queued" in result.err
    assert queued(fb_site) == [SECOND]
    graph.fault = None
    graph.posts.clear()
    assert run("build", "--config", fb_site.config).code == 0
    assert graph.posts == [scrape(SECOND)] and queued(fb_site) == []


def test_a_failure_about_one_url_goes_on_with_the_others(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run]) -> None:
    result = both_retitled(fb_site, graph, run, "400")
    assert graph.posts == [scrape(FIRST), scrape(SECOND)]
    assert len(result.err.splitlines()) == 2
    assert queued(fb_site) == [FIRST, SECOND]


def test_a_failure_every_url_would_meet_stops_asking_until_the_next_run(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run]) -> None:
    result = both_retitled(fb_site, graph, run, "500")
    assert graph.posts == [scrape(FIRST)]
    assert result.err == (f"syndicate: warning: Facebook re-scrape of {FIRST}: HTTP 500; it "
                          "stays queued with 1 other URL(s) for the next run\n")
    graph.fault = None
    graph.posts.clear()
    assert run("build", "--config", fb_site.config).err == ""
    assert graph.posts == [scrape(FIRST), scrape(SECOND)]


def test_the_token_shows_nowhere_even_when_graph_repeats_it(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run]) -> None:
    # a refused token (Graph's code 190): every other URL would be refused too
    result = both_retitled(fb_site, graph, run, "echo")
    assert result.err == (f"syndicate: warning: Facebook re-scrape of {FIRST}: HTTP 400: "
                          "Invalid OAuth access token …; it stays queued with 1 other URL(s) "
                          "for the next run\n")
    assert graph.posts == [scrape(FIRST)]
    assert_no_token(fb_site, result)


def test_a_missing_token_is_one_warning_a_run_and_the_urls_wait_for_it(
        fb_site: Site, graph: FakeGraph, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FB_TOKEN")
    warning = ("syndicate: warning: share.facebook_token_env: the environment variable "
               "FB_TOKEN is not set, so Facebook is not asked to read changed share cards again "
               "({} URL(s) queued for when it is)\n")
    first = run("build", "--config", fb_site.config)
    assert (first.code, first.err) == (0, warning.format(0))
    fb_site.write_records(articles(title="改過的標題"))
    changed = run("build", "--config", fb_site.config)
    assert (changed.code, changed.err) == (0, warning.format(1))
    assert graph.posts == []
    monkeypatch.setenv("FB_TOKEN", TOKEN)
    sent = run("build", "--config", fb_site.config)
    assert (sent.code, sent.err) == (0, "")
    assert graph.posts == [scrape(FIRST)]


def test_off_by_default_nothing_is_recorded_asked_or_loaded(
        site: Site, graph: FakeGraph, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FB_TOKEN", TOKEN)  # set, but no key names it
    site.write_records(articles())
    site.write_config(share={"facebook_graph": graph.url}, images={"probe": False})
    monkeypatch.delitem(sys.modules, "syndicate.rescrape", raising=False)
    assert run("build", "--config", site.config).code == 0
    site.write_records(articles(title="改過的標題"))
    result = run("build", "--config", site.config)
    assert (result.code, result.err) == (0, "")
    assert graph.posts == []
    assert rows(site, "cards") == rows(site, "scrapes") == []
    assert "syndicate.rescrape" not in sys.modules
