"""How long a run takes when every upstream is hostile: the deadlines against the wall clock.

    python bench/deadlines.py                      # deadlines of 10 s, 200 articles
    python bench/deadlines.py --seconds 3 --articles 50 --results /tmp/d.md

Each scenario is one `syndicate build` in a process of its own, against servers on
127.0.0.1 that answer one byte a second (well within any read timeout, so only a deadline ends
them) or an object store (moto's S3 server behind tests/s3server.py's proxy) that waits a second
before each request. Every deadline is `--seconds`, so that the scenarios end in a minute; the
table sets the wall time of each run beside the sum of the deadlines it can meet, and the same
site with healthy upstreams gives the run's own work. With the defaults (wordpress 900 s, images
300 s, pings 120 s, uploads 900 s) the same sums are what README.md states.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import run as bench  # noqa: E402  (bench/run.py: machine())
from s3server import Fault, stop_proxy  # noqa: E402
from uploads import AWS_ENV, start_bucket  # noqa: E402

CATEGORIES = [("local", "地方"), ("life", "生活")]


class Drip(BaseHTTPRequestHandler):
    """Every GET and POST is answered one byte a second for ten minutes, or until the client
    hangs up; when `healthy`, a GET gets the first bytes of a PNG at once and a POST 204."""

    protocol_version = "HTTP/1.1"
    healthy = False
    IHDR = b"IHDR" + struct.pack(">IIBBBBB", 1200, 630, 8, 2, 0, 0, 0)
    PNG = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + IHDR
           + struct.pack(">I", zlib.crc32(IHDR)))  # the header of a 1200 x 630 picture

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    def _answer(self) -> None:
        if self.healthy:
            body = self.PNG if self.command == "GET" else b""
            self.send_response(200 if body else 204)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Length", "600")
        self.end_headers()
        try:
            for _ in range(600):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass
        self.close_connection = True


def serve() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def write_site(folder: Path, articles: int, upstream: str, sections: dict[str, Any]) -> Path:
    """A files-source site whose every article has an image without a size on `upstream`."""
    records = folder / "records.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for n in range(articles):
            out.write(json.dumps({
                "id": f"a{n}", "url": f"https://news.example.com/a{n}/", "title": f"第{n}則",
                "summary": "摘要", "category": CATEGORIES[n % 2][0],
                "published": f"2026-02-04T{n % 24:02d}:{n % 60:02d}:00+08:00",
                "image": f"{upstream}img/{n}.png"}, ensure_ascii=False) + "\n")
    config = {
        "site": {"title": "T", "url": "https://news.example.com/", "language": "zh-TW",
                 "timezone": "Asia/Taipei"},
        "categories": [{"slug": slug, "name": name} for slug, name in CATEGORIES],
        "sources": [{"type": "files", "path": "records.jsonl"}],
        "output": {"dir": "feeds"}, "images": {"allow_private": True}, **sections}
    path = folder / "site.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def build(config: Path, env: dict[str, str]) -> tuple[float, int, list[str]]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "syndicate.cli", "build", "--config",
                           str(config)], env=env, capture_output=True, text=True)
    return time.monotonic() - started, done.returncode, done.stderr.splitlines()


def summary(lines: list[str], upstream: str) -> str:
    """What a run printed, each line cut to where it says why, for a table cell."""
    shown = []
    for line in lines:
        line = re.sub(r"\?[^ :]*", "?…", line.replace(upstream, "…/")).replace("|", "¦")
        shown.append(line if len(line) < 300 else line[:150] + " … " + line[-140:])
    return "<br>".join(shown) or "nothing"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="every deadline")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--data", type=Path, default=HERE / ".data" / "deadlines")
    parser.add_argument("--results", type=Path, default=HERE / "DEADLINES.md")
    args = parser.parse_args()
    s = args.seconds
    env = {**os.environ, **AWS_ENV, "FB_TOKEN": "1|secret"}
    drip, upstream = serve()
    moto, proxy, bucket = start_bucket()
    deadlines = {"wordpress": s, "images": s, "pings": s, "uploads": s}
    http = {"timeout": 60, "retries": 3, "deadline": 3600}  # only the run deadlines end them
    s3 = {"bucket": bucket, "endpoint_url": proxy.url, "region": "us-east-1",
          "path_style": True, "connections": 2}
    pings = {"websub": {"hubs": f"{upstream}hub"},
             "share": {"facebook_token_env": "FB_TOKEN", "facebook_graph": upstream}}
    scenarios = [
        ("healthy upstreams (the run's own work)", {**pings, "s3": s3}, False, "—", 0),
        ("WordPress drips", {"sources": [{"type": "wordpress", "url": upstream}]}, True,
         "wordpress", s),
        ("images drip, hub drips", pings, True, "images + pings", 2 * s),
        ("images drip, object store slow", {"s3": s3}, True, "images + uploads", 2 * s),
    ]
    rows = []
    try:
        for name, sections, hostile, which, bound in scenarios:
            folder = args.data / uuid.uuid4().hex[:8]
            folder.mkdir(parents=True)
            config = write_site(folder, args.articles, upstream,
                                {"deadlines": deadlines, "http": http, **sections})
            Drip.healthy = not hostile
            proxy.fault = Fault(after=0, delay=1.0) if hostile and "s3" in sections else None
            wall, code, lines = build(config, env)
            rows.append((name, which, bound, wall, code, summary(lines, upstream)))
            print(f"{name}: {wall:.1f} s, exit {code}", file=sys.stderr)
    finally:
        stop_proxy(proxy)
        moto.stop()
        drip.shutdown()
    table = ["| scenario | deadlines met | their sum (s) | wall (s) | exit | what it printed |",
             "| --- | --- | ---: | ---: | ---: | --- |"]
    table += [f"| {name} | {which} | {bound} | {wall:.1f} | {code} | {shown} |"
              for name, which, bound, wall, code, shown in rows]
    text = (f"# How long a run takes when the upstreams are hostile\n\n{bench.machine()}\n\n"
            f"`python bench/deadlines.py --seconds {s} --articles {args.articles}`: every "
            f"deadline {s} s, `http.timeout` 60 s (so no read timeout ends a request), "
            f"{args.articles} articles, each with an image without a size. Dripping servers "
            "answer one byte a second; the slow object store waits 1 s before each request.\n\n"
            + "\n".join(table) + "\n")
    args.results.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
