"""build --jobs N: article files rendered by worker processes (issue 14).

The same records give the same bytes and the same report whatever N is; the workers really
render (each call of the renderer notes its process id in a file); a worker that raises or dies
fails the run as a renderer in the run's own process does, with nothing published; and no
process holds the lock, or is left behind, once the run is over.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CATEGORIES, Run, Site, lock_held, record

from syndicate.cli import main
from syndicate.render import meta

LOCK = ".syndicate.lock"
COUNT = 600  # more than workers.THRESHOLD: a first build renders them on workers
INTERNAL = ("syndicate: internal error: ValueError: cannot render {id} (set SYNDICATE_DEBUG=1 "
            "for the traceback); files already published are intact\n")


def records(count: int, title: str = "卓揆:臺日「強強聯手」") -> list[dict[str, Any]]:
    """Varied records: some with a narrow image (a Discover warning), some naming related
    articles, some ids that need escaping in a file name."""
    made = []
    for n in range(count):
        extra: dict[str, Any] = {}
        if n % 7 == 0:
            extra["image"] = {"url": f"https://nchn.example.com/img/{n}.jpg", "width": 600,
                              "height": 400}
        if n % 5 == 0 and n:
            extra["related"] = [f"a{n - 1:04d}",
                                f"https://nchn.example.com/2026/02/04/a{n - 3:04d}/"]
        made.append(record(id=f"a{n:04d}" if n % 11 else f"a/{n:04d}",
                           url=f"https://nchn.example.com/2026/02/04/a{n:04d}/",
                           category=CATEGORIES[n % len(CATEGORIES)]["slug"],
                           published=f"2026-02-{1 + n // 720:02d}T{n // 60 % 12 + 8:02d}:"
                                     f"{n % 60:02d}:00+08:00",
                           title=f"第{n}則 {title}", **extra))
    return made


def make_site(folder: Path, count: int = COUNT) -> Site:
    folder.mkdir()
    made = Site(folder)
    made.write_records(records(count), "articles.jsonl")
    made.write_config("articles.jsonl")
    return made


@pytest.fixture
def renderers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[int]]:
    """Every render of an article's files notes the id of the process that made it; returns the
    function that reads them (and forgets them)."""
    log = tmp_path / "renderers.log"
    article_files = meta.article_files

    def noting(*args: Any, **kwargs: Any) -> tuple[bytes, bytes]:
        with open(log, "a", encoding="ascii") as handle:
            handle.write(f"{os.getpid()}\n")
        return article_files(*args, **kwargs)

    monkeypatch.setattr(meta, "article_files", noting)

    def read() -> list[int]:
        pids = [int(line) for line in log.read_text(encoding="ascii").split()]
        log.unlink()
        return pids

    return read


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def temp_files(feeds: Path) -> list[Path]:
    return [path for path in feeds.rglob(".syndicate-tmp-*")]


def test_jobs_1_and_4_give_the_same_bytes_and_the_same_report(
        tmp_path: Path, run: Callable[..., Run], renderers: Callable[[], list[int]]) -> None:
    one, four = make_site(tmp_path / "one"), make_site(tmp_path / "four")
    built, pids = {}, {}
    for made, jobs in ((one, "1"), (four, "4")):
        built[jobs] = run("build", "-v", "--jobs", jobs, "--config", made.config)
        assert built[jobs].code == 0, built[jobs]
        pids[jobs] = set(renderers())
        assert not lock_held(made.feeds / LOCK)
        assert no_child_left()
    assert pids["1"] == {os.getpid()}
    assert len(pids["4"]) == 4 and os.getpid() not in pids["4"], pids
    assert built["1"] == built["4"]
    assert "articles/a%2F0011.json" in built["4"].out
    assert "lead image 600 px wide" in built["4"].err
    assert one.files() == four.files()
    assert len(one.files()) > 2 * COUNT


def test_the_workers_render_a_first_build_and_the_run_itself_a_small_change(
        site: Site, run: Callable[..., Run], renderers: Callable[[], list[int]]) -> None:
    site.write_records(records(COUNT), "articles.jsonl")
    site.write_config("articles.jsonl")
    assert run("build", "-q", "--jobs", "4", "--config", site.config).code == 0
    pids = renderers()
    assert len(pids) == COUNT
    assert len(set(pids)) == 4 and os.getpid() not in pids, set(pids)

    changed = records(COUNT)
    for item in changed[:3]:
        item["title"] += "（更正）"
    site.write_records(changed, "articles.jsonl")
    assert run("build", "-q", "--jobs", "4", "--config", site.config).code == 0
    assert renderers() == [os.getpid()] * 3  # no fork for three articles
    assert no_child_left()


def test_jobs_1_renders_in_the_run_itself(site: Site, run: Callable[..., Run],
                                         renderers: Callable[[], list[int]]) -> None:
    site.write_records(records(COUNT), "articles.jsonl")
    site.write_config("articles.jsonl", output={"dir": "feeds", "jobs": 1})
    assert run("build", "-q", "--config", site.config).code == 0
    assert set(renderers()) == {os.getpid()}
    site.write_records(records(COUNT, title="改寫"), "articles.jsonl")
    assert run("build", "-q", "--jobs", "2", "--config", site.config).code == 0  # overrides
    assert len(set(renderers()) - {os.getpid()}) == 2


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Callable[[str], None]], None]:
    """Make the files of one article fail to render, as `fail(article id)` does."""
    def install(record_id: str, fail: Callable[[str], None]) -> None:
        article_files = meta.article_files

        def rendering(article: Any, *args: Any, **kwargs: Any) -> tuple[bytes, bytes]:
            if article.id == record_id:
                fail(record_id)
            return article_files(article, *args, **kwargs)

        monkeypatch.setattr(meta, "article_files", rendering)
    return install


def raise_value_error(record_id: str) -> None:
    raise ValueError(f"cannot render {record_id}")


def die(record_id: str) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_renderer_that_raises_fails_the_run_as_with_one_process(
        tmp_path: Path, run: Callable[..., Run], failing: Any, jobs: str) -> None:
    made = make_site(tmp_path / "site")
    assert run("build", "-q", "--config", made.config, "--jobs", "1").code == 0
    before = made.files()
    made.write_records(records(COUNT, title="改寫"), "articles.jsonl")
    failing("a0450", raise_value_error)
    failed = run("build", "-q", "--jobs", jobs, "--config", made.config)
    assert failed == Run(1, "", INTERNAL.format(id="a0450"))
    assert made.files() == before
    assert not temp_files(made.feeds)
    assert not lock_held(made.feeds / LOCK)
    assert no_child_left()


def test_a_renderer_that_dies_fails_the_run_and_the_next_run_does_the_work(
        tmp_path: Path, run: Callable[..., Run], failing: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = make_site(tmp_path / "site")
    assert run("build", "-q", "--config", made.config, "--jobs", "1").code == 0
    before = made.files()
    made.write_records(records(COUNT, title="改寫"), "articles.jsonl")
    failing("a0450", die)
    failed = run("build", "-q", "--jobs", "2", "--config", made.config)
    assert failed.code == 1 and failed.out == "", failed
    prefix, _, rest = failed.err.partition(" (pid ")
    assert prefix == "syndicate: error: a renderer process"
    assert rest.split(") ", 1)[1] == (
        "ended before its work was done (killed by signal 9); the files not yet renamed into "
        "place keep their old bytes\n")
    assert made.files() == before
    assert not temp_files(made.feeds)
    assert not lock_held(made.feeds / LOCK)
    assert no_child_left()

    monkeypatch.undo()
    assert run("build", "-q", "--jobs", "2", "--config", made.config) == Run(0, "", "")
    reference = make_site(tmp_path / "reference")
    reference.write_records(records(COUNT, title="改寫"), "articles.jsonl")
    assert run("build", "-q", "--jobs", "1", "--config", reference.config) == Run(0, "", "")
    assert made.files() == reference.files()


def test_jobs_must_be_a_positive_whole_number(site: Site, capsys: pytest.CaptureFixture[str]
                                              ) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["build", "--jobs", "0", "--config", str(site.config)])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith(
        "syndicate build: error: argument --jobs: expected a whole number from 1 to 256, "
        "found '0'\n")
