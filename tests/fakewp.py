"""A small WordPress REST API on loopback for the fault tests: posts with _embed, paging with
X-WP-Total / X-WP-TotalPages, modified_after, include and _fields as WordPress 6 answers them,
images with Range support, a WebSub hub that records pings, and a switch per fault.

The real WordPress test (test_wordpress_real.py) checks the same code against WordPress itself;
this one makes the faults that a real WordPress cannot be asked to make.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

IMAGES = Path(__file__).parent / "fixtures" / "images"
CATEGORIES = [(2, "local", "地方"), (3, "life", "生活"), (4, "society", "社會"),
              (5, "world", "國際")]


def wp_post(post_id: int, title: str, *, category: int = 2, minutes: int = 0,
            image: str | None = None, excerpt: str = "", tags: tuple[str, ...] = ("臺日關係",),
            author: str = "行政院") -> dict[str, Any]:
    """A post as WordPress 6 renders it with _embed (dates in the site zone and in GMT)."""
    when = datetime(2026, 2, 4, 2, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    slug = next(s for i, s, _ in CATEGORIES if i == category)
    post: dict[str, Any] = {
        "id": post_id,
        "date": (when + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_gmt": when.strftime("%Y-%m-%dT%H:%M:%S"),
        "modified": (when + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S"),
        "modified_gmt": when.strftime("%Y-%m-%dT%H:%M:%S"),
        "slug": f"post-{post_id}", "status": "publish", "type": "post",
        "link": f"https://nchn.example.com/2026/02/post-{post_id}/",
        "title": {"rendered": title},
        "content": {"rendered": f"<p>{title} 內文第一段。</p>\n<p>第二段。</p>\n",
                    "protected": False},
        "excerpt": {"rendered": excerpt or f"<p>{title[:10]} [&hellip;]</p>\n",
                    "protected": False},
        "author": 1, "featured_media": 0, "categories": [category], "tags": [],
        "_embedded": {
            "author": [{"id": 1, "name": author}],
            "wp:term": [
                [{"id": category, "taxonomy": "category", "slug": slug,
                  "name": next(n for i, _, n in CATEGORIES if i == category)}],
                [{"id": 100 + n, "taxonomy": "post_tag", "slug": f"t{n}", "name": tag}
                 for n, tag in enumerate(tags)],
            ],
        },
    }
    if image:
        post["featured_media"] = 900 + post_id
        post["_embedded"]["wp:featuredmedia"] = [{
            "id": 900 + post_id, "source_url": image, "alt_text": "圖說", "mime_type": None,
            "media_details": {}}]
    return post


def touch(post: dict[str, Any], minutes: int) -> None:
    """Mark a post modified `minutes` after its publication."""
    when = datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=UTC) + timedelta(
        minutes=minutes)
    post["modified_gmt"] = when.strftime("%Y-%m-%dT%H:%M:%S")
    post["modified"] = (when + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S")


class Loopback:
    """A fake served on a free loopback port, in a thread of its own."""

    url: str

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> Self:
        """Start answering with `handler`, whose `fake` is this object; sets `url`."""
        bound = type("Bound", (handler,), {"fake": self})
        self.server = _QuietServer(("127.0.0.1", 0), bound)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class FakeWordPress(Loopback):
    """The site's state and the fault to play; `url` once started."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    fault: str | None = None  # see Handler._fault
    fault_times: int = 10**9  # how many requests the fault answers before it heals
    pretty: bool = True  # False: /wp-json/ is 404, only ?rest_route= works
    requests: list[str] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    pings: list[dict[str, list[str]]] = field(default_factory=list)
    hub_status: int = 204
    hub_drip: bool = False  # the hub answers one byte a second, for ever
    redirect_to: str = ""  # where img/moved.jpg redirects
    image_bytes_sent: int = 0
    image_status: dict[str, int] = field(default_factory=dict)  # name -> a status to answer
    image_delay: float = 0.0  # seconds each image answer waits before it is sent
    categories: list[tuple[int, str, str]] = field(default_factory=lambda: list(CATEGORIES))
    # the REST index (/wp-json/) less `url` and `home`, which are the fake's own, and the home
    # page, whose <html lang> is the site's language
    index: dict[str, Any] = field(default_factory=lambda: {
        "name": "全國大小事新聞網", "description": "全國大小事，一網打盡",
        "timezone_string": "Asia/Taipei", "gmt_offset": 8})
    home_html: str = '<!DOCTYPE html>\n<html lang="zh-TW">\n<head><title>全國大小事新聞網</title>'
    url: str = ""

    def start(self) -> FakeWordPress:
        return self.serve(Handler)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is expected; say nothing on stderr, where it
        would land in the next test's captured output."""


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, as real servers answer, and no log line on stderr."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Handler(QuietHandler):
    fake: FakeWordPress

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        self.fake.requests.append("POST " + self.path)
        if self.fake.hub_drip:
            return self._drip()
        self.fake.pings.append(form)
        self._send(self.fake.hub_status, b"", "text/plain")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.fake.requests.append(self.path)
        if parts.path.startswith("/img/"):
            return self._image(parts.path[len("/img/"):])
        route = query.pop("rest_route", None)
        if route is None and parts.path.startswith("/wp-json"):
            route = None if not self.fake.pretty else parts.path[len("/wp-json"):]
        if route is None and parts.path == "/":
            return self._send(200, self.fake.home_html.encode(), "text/html; charset=UTF-8")
        if route is None:
            return self._send(404, b"<html><title>Not Found</title></html>", "text/html")
        self.fake.authorizations.append(self.headers.get("Authorization"))
        if self.fake.fault and self.fake.fault_times > 0 and route == "/wp/v2/posts":
            self.fake.fault_times -= 1
            if self._fault(self.fake.fault, query):
                return None
        if route == "/wp/v2/categories":
            items = [{"id": i, "slug": s, "name": n, "description": "",
                      "link": f"{self.fake.url}category/{s}/"} for i, s, n in self.fake.categories]
            return self._json(items, len(items), 1)
        if route in ("/", ""):
            index = {**self.fake.index, "url": self.fake.url.rstrip("/"),
                     "home": self.fake.url.rstrip("/")}
            return self._send(200, json.dumps(index, ensure_ascii=False).encode(),
                              "application/json; charset=UTF-8")
        if route == "/wp/v2/posts":
            return self._posts(query)
        return self._send(404, b'{"code":"rest_no_route"}', "application/json")

    def _posts(self, query: dict[str, str]) -> None:
        posts = sorted(self.fake.posts, key=lambda p: p["id"])
        if "modified_after" in query:
            after = datetime.fromisoformat(query["modified_after"].replace("Z", "+00:00"))
            posts = [p for p in posts if datetime.fromisoformat(p["modified_gmt"]).replace(
                tzinfo=UTC) > after]
            posts.sort(key=lambda p: p["modified_gmt"])
        if "include" in query:
            wanted = {int(i) for i in query["include"].split(",")}
            posts = [p for p in posts if p["id"] in wanted]
        per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
        pages = (len(posts) + per_page - 1) // per_page
        chunk = posts[(page - 1) * per_page: page * per_page]
        if "_fields" in query:
            keep = query["_fields"].split(",")
            chunk = [{key: post[key] for key in keep} for post in chunk]
        elif "_embed" not in query:
            chunk = [{k: v for k, v in post.items() if k != "_embedded"} for post in chunk]
        self._json(chunk, len(posts), pages)

    def _fault(self, fault: str, query: dict[str, str]) -> bool:
        """Play a fault; False lets the request through (a fault that only hits some pages)."""
        if fault == "drip":
            self._drip()
        elif fault == "timeout":
            time.sleep(3)
            self._send(200, b"[]", "application/json")
        elif fault == "500":
            self._send(500, b"<html><title>Internal Server Error</title></html>", "text/html")
        elif fault == "503":
            self._send(503, b"busy", "text/plain", {"Retry-After": "1"})
        elif fault == "503-long":
            self._send(503, b"busy", "text/plain", {"Retry-After": "86400"})
        elif fault == "truncated":
            body = json.dumps(self.fake.posts).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-WP-Total", str(len(self.fake.posts)))
            self.send_header("X-WP-TotalPages", "1")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif fault == "bad-json":
            self._send(200, b'[{"id": 1, "title": ', "application/json",
                       {"X-WP-Total": "1", "X-WP-TotalPages": "1"})
        elif fault == "html":
            self._send(200, b"<!DOCTYPE html><html><head><title>Database Error</title></head>"
                            b"<body><h1>Error establishing a database connection</h1></body>"
                            b"</html>", "text/html; charset=UTF-8")
        elif fault == "login":
            self._send(302, b"", "text/html",
                       {"Location": "/wp-login.php?redirect_to=%2Fwp-json%2F"})
        elif fault == "lying-pages":
            if query.get("page", "1") == "1" and "_fields" in query:
                return False
            self._json([], len(self.fake.posts) + 300, 4)
        elif fault == "lying-total":
            page = int(query.get("page", 1))
            self._json([{"id": page * 1000 + n, "modified_gmt": "2026-02-04T02:00:00"}
                        for n in range(3)], 250, 3)
        elif fault == "endless":
            page = int(query.get("page", 1))
            self._json([{"id": page * 1000 + n, "modified_gmt": "2026-02-04T02:00:00"}
                        for n in range(100)], 10**7, 10**5)
        elif fault == "empty":
            self._json([], 0, 0)
        else:
            raise AssertionError(f"unknown fault {fault}")
        return True

    def _drip(self, seconds: int = 600) -> None:
        """Answer one byte a second: every read gets a byte well within any read timeout, so
        only a deadline on the whole request stops the client."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(seconds))
        self.end_headers()
        try:
            for _ in range(seconds):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        except OSError:  # the client gave up: what the test wants
            pass
        self.close_connection = True

    def _image(self, name: str) -> None:
        if name == "moved.jpg":
            return self._send(302, b"", "text/plain", {"Location": self.fake.redirect_to})
        if self.fake.image_delay:
            time.sleep(self.fake.image_delay)
        if name in self.fake.image_status:
            return self._send(self.fake.image_status[name], b"no", "text/plain")
        if name == "endless.jpg":  # a JPEG whose header never ends: EXIF without end
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.end_headers()
            try:
                self.wfile.write(b"\xff\xd8")
                for _ in range(20_000):  # 80 MB of fill, if anybody read it all
                    self.wfile.write(b"\xff" * 4096)
                    self.fake.image_bytes_sent += 4096
            except OSError:
                pass
            self.close_connection = True
            return
        path = IMAGES / name
        if not path.is_file():
            return self._send(404, b"not found", "text/plain")
        data = path.read_bytes()
        ranged = self.headers.get("Range", "")
        if ranged.startswith("bytes=0-"):
            end = min(int(ranged[len("bytes=0-"):]), len(data) - 1)
            self.fake.image_bytes_sent += end + 1
            return self._send(206, data[: end + 1], "image/x-unknown",
                              {"Content-Range": f"bytes 0-{end}/{len(data)}"})
        self.fake.image_bytes_sent += len(data)
        return self._send(200, data, "image/x-unknown")

    def _json(self, items: list[Any], total: int, pages: int) -> None:
        self._send(200, json.dumps(items, ensure_ascii=False).encode(), "application/json; "
                   "charset=UTF-8", {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)})

    def _send(self, status: int, body: bytes, kind: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)
