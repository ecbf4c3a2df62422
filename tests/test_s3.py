"""The object-store target against a real S3 API server on 127.0.0.1 (moto's standalone server,
tests/s3server.py): what goes up, with which headers, in which order, how many requests a run
makes, and how a failed, timed-out or killed upload is finished by the next run."""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import pytest
from conftest import ROOT, Run, Site, record
from s3server import Fault, Proxy, objects, start_moto, start_proxy, stop_proxy

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto")

PREFIX = "feeds/"


@pytest.fixture(scope="module")
def moto() -> Iterator[tuple[str, int]]:
    server, address = start_moto()
    yield address
    server.stop()


@dataclass
class Bucket:
    name: str
    proxy: Proxy
    client: Any  # a boto3 client of the test's own, straight to moto: never counted

    def contents(self) -> dict[str, dict[str, Any]]:
        return {entry["key"].removeprefix(PREFIX): entry
                for entry in objects(self.client, self.name, PREFIX)}

    def files(self) -> dict[str, bytes]:
        """Each object's bytes as a reader gets them (gzip undone)."""
        return {key: gzip.decompress(entry["body"]) if entry["encoding"] == "gzip"
                else entry["body"] for key, entry in self.contents().items()}


@pytest.fixture
def bucket(moto: tuple[str, int], monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> Iterator[Bucket]:
    """A bucket of the test's own, reached through a proxy that logs and fails on cue; the
    AWS credential chain sees only the environment (no file, no instance metadata)."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_EC2_METADATA_DISABLED": "true",
                        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials")
                        }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    name = f"news-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=f"http://{moto[0]}:{moto[1]}",
                          region_name="us-east-1")
    client.create_bucket(Bucket=name)
    proxy = start_proxy(moto)
    yield Bucket(name, proxy, client)
    stop_proxy(proxy)


def s3_section(bucket: Bucket, **keys: Any) -> dict[str, Any]:
    return {"bucket": bucket.name, "prefix": PREFIX, "endpoint_url": bucket.proxy.url,
            "region": "us-east-1", "path_style": True, **keys}


def three_records() -> list[dict[str, Any]]:
    return [record(id=f"2026020{n}01", url=f"https://nchn.example.com/2026/02/0{n}/a{n}/",
                   title=f"第{n}則新聞", category=("society", "local", "world")[n - 1],
                   published=f"2026-02-0{n}T10:00:00+08:00") for n in (1, 2, 3)]


@pytest.fixture
def s3site(site: Site, bucket: Bucket) -> Site:
    site.write_records(three_records())
    site.write_config(s3=s3_section(bucket), http={"timeout": 1, "retries": 1})
    return site


def build(run: Callable[..., Run], site: Site, *args: str) -> Run:
    return run("build", "--config", site.config, *args)


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


# --- what goes up ---

@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_first_run_puts_every_file_with_its_headers(s3site: Site, bucket: Bucket,
                                                    run: Callable[..., Run], compress: bool):
    s3site.write_config(s3=s3_section(bucket, gzip=compress,
                                      cache_control={"articles": "max-age=86400, immutable"}))
    assert build(run, s3site).code == 0
    assert bucket.files() == s3site.files()  # byte for byte, every file and nothing else
    stored = bucket.contents()
    expected_types = {
        "rss.xml": "application/rss+xml; charset=utf-8",
        "society/atom.xml": "application/atom+xml; charset=utf-8",
        "feed.json": "application/feed+json; charset=utf-8",
        "index.html": "text/html; charset=utf-8",
        "index.opml": "text/x-opml; charset=utf-8",
        "feed.xsl": "text/xsl; charset=utf-8",
        "build-report.json": "application/json; charset=utf-8",
        "articles/2026020101.html": "text/html; charset=utf-8",
        "articles/2026020101.json": "application/json; charset=utf-8",
    }
    assert {path: stored[path]["type"] for path in expected_types} == expected_types
    assert stored["rss.xml"]["cache"] == "max-age=300"
    assert stored["local/index.html"]["cache"] == "max-age=300"
    assert stored["articles/2026020101.json"]["cache"] == "max-age=86400, immutable"
    assert {entry["encoding"] for entry in stored.values()} == ({"gzip"} if compress else {None})
    for entry in stored.values():  # the ETag is the MD5 of what is stored: one PUT each
        assert entry["etag"] == hashlib.md5(entry["body"]).hexdigest()
    assert set(bucket.proxy.requests("POST")) == set()  # no multipart upload
    # a feed reader reads the feed as the bucket holds it
    parsed = feedparser.parse(bucket.files()["rss.xml"])
    assert not parsed.bozo and len(parsed.entries) == 3


def test_uploads_go_up_articles_first_then_feeds_then_the_rest(s3site: Site, bucket: Bucket,
                                                               run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    puts = [key.removeprefix(PREFIX) for key in bucket.proxy.requests("PUT")]
    last_article = max(i for i, key in enumerate(puts) if key.startswith("articles/"))
    first_feed = min(i for i, key in enumerate(puts) if key.endswith(("rss.xml", "atom.xml",
                                                                      "feed.json")))
    feeds = [i for i, key in enumerate(puts) if key.endswith(("rss.xml", "atom.xml", "feed.json"))]
    rest = [puts.index(name) for name in ("index.opml", "feed.xsl", "build-report.json",
                                          "index.html")]
    assert last_article < first_feed
    assert max(feeds) < min(rest)


# --- what a run costs ---

def test_a_run_with_nothing_to_do_sends_no_request(s3site: Site, bucket: Bucket,
                                                   run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    bucket.proxy.clear()
    assert build(run, s3site).code == 0  # the no-op path that reads no YAML
    assert build(run, s3site, "--output", s3site.feeds).code == 0  # and the long way round
    assert bucket.proxy.requests() == []


def test_a_run_with_nothing_to_upload_imports_no_s3_client(s3site: Site, bucket: Bucket,
                                                           run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    s3site.write_records([*three_records(), record(id="x1", url="https://nchn.example.com/x1/",
                                                   published="2026-02-05T10:00:00+08:00")])
    s3site.write_config(s3=s3_section(bucket), http={"timeout": 1, "retries": 1},
                        output={"dir": "feeds", "items_per_feed": 20})
    probe = ("import sys; from syndicate.cli import main; code = main(sys.argv[1:]); "
             "print(code, 'boto3' in sys.modules, 'botocore' in sys.modules)")
    config = str(s3site.config)
    upload = subprocess.run([sys.executable, "-c", probe, "build", "--config", config],
                            capture_output=True, text=True, check=True, env=os.environ)
    assert upload.stdout.split() == ["0", "True", "True"]
    for argv in (["build", "--config", config], ["build", "--output", str(s3site.feeds),
                                                  "--config", config]):
        idle = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True,
                              text=True, check=True, env=os.environ)
        assert idle.stdout.split() == ["0", "False", "False"], idle.stderr


def test_one_new_article_puts_exactly_the_files_the_folder_rewrote(
        s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    before = s3site.files()
    bucket.proxy.clear()
    s3site.write_records([*three_records(),
                          record(id="2026020601", url="https://nchn.example.com/2026/02/06/a6/",
                                 title="第四則新聞", category="local",
                                 published="2026-02-06T10:00:00+08:00")])
    assert build(run, s3site).code == 0
    rewritten = changed_files(before, s3site.files())
    puts = [key.removeprefix(PREFIX) for key in bucket.proxy.requests("PUT")]
    assert sorted(puts) == sorted(rewritten)  # each once, and nothing else
    assert bucket.proxy.requests() == [PREFIX + path for path in puts]  # no listing, no GET
    assert "articles/2026020601.json" in rewritten and "local/rss.xml" in rewritten
    assert "world/rss.xml" not in rewritten
    assert bucket.files() == s3site.files()


def test_a_removed_article_is_deleted_after_the_feeds_stop_listing_it(
        s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    bucket.proxy.clear()
    s3site.write_records(three_records()[1:])  # 2026020101 (society) is gone
    assert build(run, s3site).code == 0
    log = [(method, key.removeprefix(PREFIX)) for method, key in bucket.proxy.log]
    deletes = [i for i, (method, _) in enumerate(log) if method == "DELETE"]
    # society's only article was of February: its archive of February goes too
    assert sorted(log[i][1] for i in deletes) == ["articles/2026020101.html",
                                                  "articles/2026020101.json",
                                                  "society/archive/2026-02.atom.xml",
                                                  "society/archive/2026-02.json",
                                                  "society/archive/2026-02.rss.xml"]
    feeds = [i for i, (method, key) in enumerate(log)
             if method == "PUT" and key in ("rss.xml", "society/rss.xml", "society/atom.xml")]
    assert len(feeds) == 3 and max(feeds) < min(deletes)
    assert bucket.files() == s3site.files()
    assert "2026020101" not in bucket.files()["rss.xml"].decode()


# --- faults ---

def test_a_server_error_half_way_keeps_the_queue_for_the_next_run(
        s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    s3site.write_records([*three_records(), record(id="n1", url="https://nchn.example.com/n1/",
                                                   published="2026-02-07T10:00:00+08:00")])
    bucket.proxy.clear()
    bucket.proxy.fault = Fault(after=2, status=500)
    failed = build(run, s3site)
    assert failed.code == 1
    lines = failed.err.strip().splitlines()
    assert len(lines) == 1, failed.err
    assert lines[0].startswith(f"syndicate: error: s3://{bucket.name}/{PREFIX}")
    assert "InternalError (HTTP 500)" in lines[0]
    assert "the folder is published" in lines[0] and "stay queued for the next run" in lines[0]
    assert "n1" in s3site.read("rss.xml")  # the folder is published
    status = run("status", "--config", s3site.config)
    pending = next(line for line in status.out.splitlines() if "upload(s)" in line)
    assert int(pending.split()[1].replace(",", "")) > 0
    bucket.proxy.heal()
    bucket.proxy.clear()
    assert build(run, s3site).code == 0  # nothing changed in the records: the queue remains
    assert bucket.files() == s3site.files()
    assert 0 < len(bucket.proxy.requests()) < 20  # the rest, not all again
    assert " 0 upload(s), 0 deletion(s)" in run("status", "--config", s3site.config).out
    bucket.proxy.clear()
    assert build(run, s3site).code == 0
    assert bucket.proxy.requests() == []


def test_a_store_that_stops_answering_half_way_times_out_and_the_next_run_finishes(
        s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    bucket.proxy.fault = Fault(after=5, delay=2.5)  # past http.timeout: 1
    failed = build(run, s3site)
    assert failed.code == 1
    assert "timeout" in failed.err.lower() and f"s3://{bucket.name}/" in failed.err
    bucket.proxy.heal()
    assert build(run, s3site).code == 0
    assert bucket.files() == s3site.files()


def test_uploads_past_their_deadline_stay_queued_and_the_pings_wait(
        site: Site, bucket: Bucket, run: Callable[..., Run]):
    site.write_records(three_records())
    site.write_config(s3=s3_section(bucket, connections=1), http={"timeout": 5},
                      deadlines={"uploads": 2}, websub={"hubs": "http://127.0.0.1:9/hub"})
    bucket.proxy.fault = Fault(after=0, delay=1.5)  # each request slow, none past a timeout
    late = build(run, site)
    assert late.code == 0, late.err
    warning = next(line for line in late.err.splitlines() if "deadlines.uploads" in line)
    assert "file(s) stay queued for the next run" in warning
    assert "WebSub hub" not in late.err  # no ping was sent for a bucket half up to date
    put = bucket.files()
    assert 0 < len(put) < len(site.files())
    bucket.proxy.heal()
    bucket.proxy.clear()
    assert build(run, site).code == 0
    assert bucket.files() == site.files()
    assert not set(bucket.proxy.requests("PUT")) & {PREFIX + path for path in put}


def test_throttling_is_retried_with_backoff(s3site: Site, bucket: Bucket,
                                            run: Callable[..., Run]):
    s3site.write_config(s3=s3_section(bucket, connections=1), http={"retries": 2})
    bucket.proxy.fault = Fault(after=3, status=503, code="SlowDown", times=2)
    assert build(run, s3site).code == 0
    keys = bucket.proxy.requests()  # the listing, then one PUT at a time
    assert keys[3] == keys[4] == keys[5] != keys[6]  # refused twice, then put
    assert bucket.files() == s3site.files()


def test_a_run_killed_during_the_upload_is_finished_by_the_next(
        s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    bucket.proxy.fault = Fault(after=20, stall=True)
    child = subprocess.Popen([sys.executable, "-m", "syndicate", "build", "--config",
                              str(s3site.config)], cwd=ROOT, env=os.environ,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert bucket.proxy.stalled.wait(60), "the upload never reached the stall"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert 0 < len(bucket.contents()) < len(s3site.files())
    status = run("status", "--config", s3site.config)
    assert "upload(s)" in status.out and " 0 upload(s)" not in status.out
    bucket.proxy.heal()
    assert build(run, s3site).code == 0
    assert bucket.files() == s3site.files()


def test_a_run_that_died_before_recording_its_files_is_compared_whole(
        s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    """A run killed after renaming files into place and before committing the index leaves
    files no queue knows of, and the next run finds them unchanged: the publishing mark it
    leaves makes the next run compare the bucket with the folder."""
    from syndicate import publish

    assert build(run, s3site).code == 0
    (s3site.feeds / "local" / "rss.xml").write_bytes(b"<rss>what the dead run wrote</rss>")
    (s3site.feeds / publish.MARKER_NAME).touch()
    s3site.write_records([*three_records(), record(id="n1", url="https://nchn.example.com/n1/",
                                                   published="2026-02-07T10:00:00+08:00")])
    assert build(run, s3site).code == 0
    assert bucket.files() == s3site.files()


def test_a_wrong_bucket_is_one_line_and_the_folder_is_published(
        s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    s3site.write_config(s3={**s3_section(bucket), "bucket": "no-such-bucket"})
    failed = build(run, s3site)
    assert failed.code == 1
    assert failed.err.strip().splitlines() == [failed.err.strip()]
    assert failed.err.startswith(f"syndicate: error: s3://no-such-bucket/{PREFIX}: NoSuchBucket")
    assert failed.err.endswith(f"; the folder is published, and {len(s3site.files())} file(s) "
                               "and a comparison with the folder stay queued for the next run\n")
    assert (s3site.feeds / "rss.xml").is_file()
    assert "pending" in run("status", "--config", s3site.config).out


def test_a_denied_write_names_the_key(s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    bucket.proxy.fault = Fault(after=1, status=403, code="AccessDenied")
    failed = build(run, s3site)
    assert failed.code == 1
    assert failed.err.count("\n") == 1
    key = failed.err.split(f"s3://{bucket.name}/", 1)[1].split(":", 1)[0]
    assert key.startswith(PREFIX + "articles/")
    assert "AccessDenied (HTTP 403)" in failed.err


def test_missing_credentials_are_one_line(s3site: Site, bucket: Bucket,
                                          run: Callable[..., Run],
                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    failed = build(run, s3site)
    assert failed.code == 1
    assert failed.err.count("\n") == 1
    assert "no credentials found" in failed.err and f"s3://{bucket.name}/" in failed.err
    assert bucket.proxy.requests() == []


# --- repairs ---

def tamper(bucket: Bucket) -> None:
    """Change the bucket behind syndicate's back: one object altered, one gone, one foreign."""
    bucket.client.put_object(Bucket=bucket.name, Key=PREFIX + "rss.xml", Body=b"defaced")
    bucket.client.delete_object(Bucket=bucket.name, Key=PREFIX + "local/atom.xml")
    bucket.client.put_object(Bucket=bucket.name, Key=PREFIX + "articles/stray.json", Body=b"{}")


@pytest.mark.parametrize("command", [["build", "--full"], ["sync"]])
def test_a_bucket_changed_behind_our_back_is_repaired(s3site: Site, bucket: Bucket,
                                                      run: Callable[..., Run],
                                                      command: list[str]):
    assert build(run, s3site).code == 0
    tamper(bucket)
    assert build(run, s3site).code == 0  # an ordinary run trusts its queue
    assert bucket.files() != s3site.files()
    bucket.proxy.clear()
    assert run(*command, "--config", s3site.config).code == 0
    assert bucket.files() == s3site.files()
    repaired = sorted(key.removeprefix(PREFIX) for key in bucket.proxy.requests()
                      if key.startswith(PREFIX))
    assert repaired == ["articles/stray.json", "local/atom.xml", "rss.xml"]


def test_new_header_settings_put_every_file_again(s3site: Site, bucket: Bucket,
                                                  run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    s3site.write_config(s3=s3_section(bucket, cache_control={"feeds": "max-age=60"}))
    bucket.proxy.clear()
    assert build(run, s3site).code == 0
    assert len(bucket.proxy.requests("PUT")) == len(s3site.files())
    assert bucket.contents()["rss.xml"]["cache"] == "max-age=60"


def test_sync_without_a_bucket_is_a_usage_error(site: Site, run: Callable[..., Run]):
    assert build(run, site).code == 0
    result = run("sync", "--config", site.config)
    assert result.code == 2
    assert result.err == (f"syndicate: error: {site.config}: no s3.bucket is set, so there is "
                          "nothing to sync (docs/deploy.md)\n")


def test_status_names_the_target(s3site: Site, bucket: Bucket, run: Callable[..., Run]):
    assert build(run, s3site).code == 0
    out = run("status", "--config", s3site.config).out
    assert f"target       s3://{bucket.name}/{PREFIX} at {bucket.proxy.url}\n" in out
    assert "  pending    0 upload(s), 0 deletion(s)\n" in out


@pytest.mark.parametrize(("section", "message"), [
    ({"bucket": "Bad_Bucket!"}, "s3.bucket: expected a bucket name"),
    ({"bucket": "news", "cache_control": {"feed": "max-age=1"}},
     "s3.cache_control: expected kinds among feeds, pages, articles, sitemaps, partners, "
     "other, found feed"),
    ({"bucket": "news", "prefix": "a/../b"}, "s3.prefix: expected a key prefix"),
    ({"bucket": "news", "endpoint_url": "ftp://x"}, "s3.endpoint_url:"),
])
def test_bad_s3_settings_name_the_line(site: Site, run: Callable[..., Run],
                                       section: dict[str, Any], message: str):
    site.write_config(s3=section)
    result = build(run, site)
    assert result.code == 2
    assert f"{site.config}:" in result.err and message in result.err


def test_a_trial_build_into_another_folder_uploads_nothing(s3site: Site, bucket: Bucket,
                                                          run: Callable[..., Run],
                                                          tmp_path: Path):
    assert build(run, s3site, "--output", tmp_path / "trial").code == 0
    assert (tmp_path / "trial" / "rss.xml").is_file()
    assert bucket.proxy.requests() == []
    assert build(run, s3site).code == 0
    assert bucket.files() == s3site.files()


def test_a_profile_that_does_not_exist_is_one_line(s3site: Site, bucket: Bucket,
                                                   run: Callable[..., Run]):
    s3site.write_config(s3=s3_section(bucket, profile="nchn"))
    failed = build(run, s3site)
    assert failed.code == 1
    files = len(s3site.files())
    assert failed.err == (f"syndicate: error: s3://{bucket.name}: The config profile (nchn) "
                          f"could not be found; the folder is published, and {files} file(s) "
                          "and a comparison with the folder stay queued for the next run\n")
    assert bucket.proxy.requests() == []
