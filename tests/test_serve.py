"""`syndicate serve`: the bundled example built into a temporary folder and served on a free port
of 127.0.0.1, asked with http.client (which sends a path exactly as given) or a raw socket."""

from __future__ import annotations

import email.utils
import gzip
import http.client
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import EXAMPLE_CONFIG

import syndicate
from syndicate.records import safe_name
from syndicate.serve import make_server

SECRET = "a file outside the served folder 7f3a"
SYNDICATE = Path(sys.executable).with_name("syndicate")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Served:
    root: Path
    port: int
    server: object

    def get(self, path: str, method: str = "GET", **headers: str) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request(method, path, headers={k.replace("_", "-"): v
                                                for k, v in headers.items()})
            return _response(conn.getresponse())
        finally:
            conn.close()

    def raw(self, request: bytes) -> bytes:
        """Everything the server sends back for `request` (which should ask it to close)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def _response(response: http.client.HTTPResponse) -> Response:
    body = response.read()
    return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("serve")
    root = base / "feeds"
    report = syndicate.build(syndicate.load_config(EXAMPLE_CONFIG), output=root)
    assert report.exit_code == 0
    assert (root / ".syndicate.lock").exists()
    (base / "site.yaml").write_text(SECRET, encoding="utf-8")
    (root / "logo.png").write_bytes(PNG)
    (root / "data.bin").write_bytes(b"\0\1\2")
    (root / "測試").mkdir()
    (root / "測試" / "新聞.json").write_text('{"標題": "新聞"}', encoding="utf-8")
    (root / "articles" / f"{safe_name('新聞一')}.json").write_text("{}", encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.html").write_text("<p>文件</p>", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "rss.xml").write_text(SECRET, encoding="utf-8")
    (root / "leak.xml").symlink_to(base / "site.yaml")
    (root / "up").symlink_to(base, target_is_directory=True)
    (root / "alias.xml").symlink_to(root / "rss.xml")  # inside, and still refused
    server = make_server(root, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(root, server.server_address[1], server)
    finally:
        server.shutdown()
        server.server_close()


BROWSER_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                  "image/webp,*/*;q=0.8")  # what Chromium sends for a page


@pytest.mark.parametrize(("path", "accept", "expected"), [
    ("local/rss.xml", BROWSER_ACCEPT, "application/xml; charset=utf-8"),
    ("local/atom.xml", BROWSER_ACCEPT, "application/xml; charset=utf-8"),
    ("local/rss.xml", "application/rss+xml, application/xml;q=0.9, */*;q=0.8",
     "application/rss+xml; charset=utf-8"),
    ("local/atom.xml", "*/*", "application/atom+xml; charset=utf-8"),
])
def test_a_browser_gets_feeds_as_xml_it_styles_and_readers_the_feed_types(
        served: Served, path: str, accept: str, expected: str) -> None:
    """Chromium shows application/rss+xml and application/atom+xml as plain text and never
    applies feed.xsl; to a client that asks for a page the feeds go out as application/xml,
    as their own variant (Vary: Accept, another ETag)."""
    response = served.get("/" + path, Accept=accept)
    plain = served.get("/" + path)
    assert response.status == 200 and response.body == plain.body
    assert response.headers["content-type"] == expected
    assert response.headers["vary"] == "Accept-Encoding, Accept"
    browser = expected.startswith("application/xml")
    assert (response.headers["etag"] != plain.headers["etag"]) is browser
    again = served.get("/" + path, Accept=accept, If_None_Match=response.headers["etag"])
    assert again.status == 304


def an_article(root: Path, suffix: str) -> str:
    return "articles/" + sorted(p.name for p in (root / "articles").glob(f"20*{suffix}"))[0]


@pytest.mark.parametrize(("path", "expected"), [
    ("rss.xml", "application/rss+xml; charset=utf-8"),
    ("atom.xml", "application/atom+xml; charset=utf-8"),
    ("local/rss.xml", "application/rss+xml; charset=utf-8"),
    ("local/atom.xml", "application/atom+xml; charset=utf-8"),
    ("feed.json", "application/feed+json; charset=utf-8"),
    ("local/feed.json", "application/feed+json; charset=utf-8"),
    ("build-report.json", "application/json; charset=utf-8"),
    ("ARTICLE.json", "application/json; charset=utf-8"),
    ("ARTICLE.html", "text/html; charset=utf-8"),
    ("index.opml", "text/x-opml; charset=utf-8"),
    ("feed.xsl", "text/xsl; charset=utf-8"),
    ("logo.png", "image/png"),
    ("data.bin", "application/octet-stream"),
])
def test_each_file_has_its_content_type_and_validators(served: Served, path: str,
                                                       expected: str) -> None:
    if path.startswith("ARTICLE"):
        path = an_article(served.root, path.removeprefix("ARTICLE"))
    response = served.get("/" + path)
    on_disk = served.root / path
    assert response.status == 200
    assert response.headers["content-type"] == expected
    assert response.body == on_disk.read_bytes()
    assert response.headers["content-length"] == str(len(response.body))
    assert "content-encoding" not in response.headers
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["etag"])  # strong: no W/
    assert response.headers["last-modified"] == email.utils.formatdate(
        int(on_disk.stat().st_mtime), usegmt=True)
    assert response.headers["cache-control"] == "max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert ("vary" in response.headers) == expected.endswith("charset=utf-8")


def test_the_feeds_name_their_stylesheet_which_is_served(served: Served) -> None:
    for feed, href in (("rss.xml", "feed.xsl"), ("local/atom.xml", "../feed.xsl")):
        assert f'<?xml-stylesheet type="text/xsl" href="{href}"?>'.encode() in served.get(
            "/" + feed).body
    assert served.get("/local/../feed.xsl").status == 404  # no .. even inside the folder
    assert served.get("/feed.xsl").status == 200


def replace_file(path: Path, data: bytes) -> None:
    """As the build publishes: a new file renamed over the old one."""
    temp = path.with_name(f".tmp-{path.name}")
    temp.write_bytes(data)
    os.replace(temp, path)


def test_the_etag_is_stable_and_follows_the_bytes(served: Served) -> None:
    path = served.root / "etag.xml"
    replace_file(path, b"<a>one</a>")
    first = served.get("/etag.xml").headers["etag"]
    assert served.get("/etag.xml").headers["etag"] == first
    assert served.get("/rss.xml").headers["etag"] != first
    replace_file(path, b"<a>two</a>")  # the same size
    second = served.get("/etag.xml")
    assert second.body == b"<a>two</a>"
    assert second.headers["etag"] != first
    assert served.get("/etag.xml", If_None_Match=first).status == 200
    replace_file(path, b"<a>one</a>")  # the same bytes again: the same tag
    assert served.get("/etag.xml").headers["etag"] == first


def test_if_none_match_gives_304(served: Served) -> None:
    full = served.get("/rss.xml")
    tag = full.headers["etag"]
    for value in (tag, f'"nope", {tag}', f'"nope",{tag} , "other"', "*", f"W/{tag}",
                  f'W/"nope", W/{tag}'):
        response = served.get("/rss.xml", If_None_Match=value)
        assert response.status == 304, value
        assert response.body == b""
        for name in ("etag", "last-modified", "cache-control", "vary"):
            assert response.headers[name] == full.headers[name]
    for value in ('"nope"', tag.strip('"'), f'"{tag}"', '""'):
        assert served.get("/rss.xml", If_None_Match=value).status == 200, value


def test_if_modified_since_gives_304_only_without_if_none_match(served: Served) -> None:
    path = served.root / "dated.xml"
    replace_file(path, b"<a/>")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    modified = served.get("/dated.xml").headers["last-modified"]
    assert modified == "Tue, 14 Nov 2023 22:13:20 GMT"
    later, earlier = "Wed, 15 Nov 2023 00:00:00 GMT", "Tue, 14 Nov 2023 22:13:19 GMT"
    assert served.get("/dated.xml", If_Modified_Since=modified).status == 304
    assert served.get("/dated.xml", If_Modified_Since=later).status == 304
    assert served.get("/dated.xml", If_Modified_Since=earlier).status == 200
    for invalid in ("yesterday", "", "Tue, 99 Nov 2023 22:13:20 GMT"):
        assert served.get("/dated.xml", If_Modified_Since=invalid).status == 200
    # If-None-Match decides when present, even when If-Modified-Since would say 304
    assert served.get("/dated.xml", If_None_Match='"nope"',
                      If_Modified_Since=later).status == 200
    os.utime(path, (1_700_000_100, 1_700_000_100))  # the file is newer than the client's copy
    assert served.get("/dated.xml", If_Modified_Since=modified).status == 200


def test_gzip_is_a_variant_with_its_own_etag(served: Served) -> None:
    plain = served.get("/rss.xml")
    zipped = served.get("/rss.xml", Accept_Encoding="gzip, deflate, br")
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == (served.root / "rss.xml").read_bytes() == plain.body
    assert zipped.headers["content-length"] == str(len(zipped.body)) != str(len(plain.body))
    assert zipped.headers["vary"] == plain.headers["vary"] == "Accept-Encoding, Accept"
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gz"'
    assert zipped.headers["content-type"] == plain.headers["content-type"]
    assert served.get("/rss.xml", Accept_Encoding="gzip").body == zipped.body  # same bytes
    not_modified = served.get("/rss.xml", Accept_Encoding="gzip",
                              If_None_Match=zipped.headers["etag"])
    assert not_modified.status == 304
    assert not_modified.headers["etag"] == zipped.headers["etag"]
    # a tag of the other variant does not match the one that would be sent
    assert served.get("/rss.xml", If_None_Match=zipped.headers["etag"]).status == 200
    assert served.get("/rss.xml", Accept_Encoding="gzip",
                      If_None_Match=plain.headers["etag"]).status == 200


@pytest.mark.parametrize(("accept", "zipped"), [
    ("gzip", True), ("GZIP;q=0.5", True), ("br, gzip;q=0.1", True), ("*", True),
    ("x-gzip", True), ("gzip;q=0", False), ("gzip;q=0.0, *", False), ("*;q=0", False),
    ("deflate, br", False), ("identity", False), ("gzip;q=nonsense", False),
])
def test_accept_encoding_q_values(served: Served, accept: str, zipped: bool) -> None:
    response = served.get("/feed.json", Accept_Encoding=accept)
    assert (response.headers.get("content-encoding") == "gzip") == zipped
    assert response.headers["vary"] == "Accept-Encoding"
    body = gzip.decompress(response.body) if zipped else response.body
    assert body == (served.root / "feed.json").read_bytes()


def test_images_are_not_gzipped(served: Served) -> None:
    response = served.get("/logo.png", Accept_Encoding="gzip")
    assert response.body == PNG
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers


@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_head_sends_the_headers_of_get_and_no_body(served: Served, encoding: str) -> None:
    get = served.get("/local/atom.xml", Accept_Encoding=encoding)
    request = (f"HEAD /local/atom.xml HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Accept-Encoding: {encoding}\r\nConnection: close\r\n\r\n").encode()
    head, _, rest = served.raw(request).partition(b"\r\n\r\n")
    assert rest == b""  # nothing after the headers
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}
    for response in (get.headers, headers):
        response.pop("date")
    headers.pop("connection")
    assert headers == get.headers
    assert int(headers["content-length"]) == len(get.body) > 0


def test_one_connection_carries_many_answers(served: Served) -> None:
    """Content-Length is right on every answer, and 304 and HEAD have no body: one keep-alive
    connection reads them all in turn."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    try:
        answers = []
        for method, path, headers in [
                ("GET", "/rss.xml", {}), ("HEAD", "/rss.xml", {}),
                ("GET", "/rss.xml", {"If-None-Match": "*"}),
                ("GET", "/rss.xml", {"Accept-Encoding": "gzip"}), ("GET", "/missing.xml", {}),
                ("HEAD", "/missing.xml", {}), ("GET", "/", {}), ("GET", "/feed.json", {})]:
            conn.request(method, path, headers=headers)
            answers.append(_response(conn.getresponse()).status)
        assert answers == [200, 200, 304, 200, 404, 404, 200, 200]
    finally:
        conn.close()


def test_missing_files_and_folders_are_404(served: Served) -> None:
    for path in ("/missing.xml", "/local/missing.xml", "/nope/", "/articles/", "/articles",
                 "/rss.xml/", "/rss.xml/x"):
        response = served.get(path)
        assert response.status == 404, path
        assert response.body == b"404 Not Found\n"
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert served.get("/missing.xml", "HEAD").body == b""


def test_a_folder_with_an_index_html_serves_it(served: Served) -> None:
    response = served.get("/docs/")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.body == "<p>文件</p>".encode()
    redirect = served.get("/docs?x=1")
    assert redirect.status == 301
    assert redirect.headers["location"] == "/docs/"


def test_a_feed_folder_serves_its_landing_page(served: Served) -> None:
    for folder in ("/", "/local/", "/world/"):
        response = served.get(folder)
        assert response.status == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.body == (served.root / folder.lstrip("/") / "index.html").read_bytes()
        assert b'<link rel="alternate" type="application/rss+xml"' in response.body
    assert served.get("/local").headers["location"] == "/local/"


def test_the_root_without_index_html_lists_the_feeds(served: Served) -> None:
    page_file = served.root / "index.html"  # the landing page (output.pages) set aside
    page_file.rename(served.root / ".index.html")
    try:
        response = served.get("/")
        again = served.get("/", If_None_Match=response.headers["etag"])
    finally:
        (served.root / ".index.html").rename(page_file)
    assert again.status == 304
    page = response.body.decode("utf-8")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    for href in ("rss.xml", "atom.xml", "feed.json", "index.opml", "feed.xsl", "local/rss.xml",
                 "world/feed.json"):
        assert f'href="{href}"' in page
    assert re.search(r"<li>articles/ \([0-9,]+ files\)</li>", page)  # counted, not listed
    assert ".syndicate" not in page and ".hidden" not in page
    assert "leak.xml" not in page and "up/" not in page  # symlinks are not served


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_are_405(served: Served, method: str) -> None:
    response = served.get("/rss.xml", method)
    assert response.status == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert (served.root / "rss.xml").exists()


@pytest.mark.parametrize("path", [
    "/../site.yaml", "/%2e%2e/site.yaml", "/%2E%2E/site.yaml", "/%2E%2E%2Fsite.yaml",
    "/..%2fsite.yaml", "/..%2Fsite.yaml", "/%252e%252e/site.yaml", "/%252e%252e%252fsite.yaml",
    "/articles/../../site.yaml", "/articles/%2e%2e/%2e%2e/site.yaml", "/./../site.yaml",
    "/local/..%2f..%2fsite.yaml", "/articles/..%5c..%5csite.yaml", "/..\\site.yaml",
    "//etc/passwd", "///etc/passwd", "/%2f%2fetc/passwd", "/%2fetc%2fpasswd",
    "/C:/Windows/win.ini", "/C:%5cWindows%5cwin.ini", "/.syndicate.lock", "/%2esyndicate.lock",
    "/.hidden/rss.xml", "/.hidden/", "/leak.xml", "/up/site.yaml", "/up/feeds/rss.xml",
    "/alias.xml", "/rss.xml%00.png", "/%00", "/%ff%fe", "/%c0%ae%c0%ae/site.yaml",
])
def test_nothing_outside_the_folder_is_reachable(served: Served, path: str) -> None:
    response = served.get(path)
    assert response.status in (400, 404), path
    assert SECRET.encode() not in response.body
    assert b"root:" not in response.body


def test_dot_files_and_symlinks_are_404(served: Served) -> None:
    for path in ("/.syndicate.lock", "/.hidden/rss.xml", "/leak.xml", "/up/site.yaml",
                 "/alias.xml", "/%2e%2e/site.yaml", "/%252e%252e/site.yaml"):
        assert served.get(path).status == 404, path
    for path in ("/%00", "/articles/..%5c..%5csite.yaml", "/%ff"):
        assert served.get(path).status == 400, path


def test_absolute_form_and_raw_requests_stay_inside(served: Served) -> None:
    answer = served.raw(b"GET http://127.0.0.1/../site.yaml HTTP/1.1\r\nHost: x\r\n"
                        b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404 ")
    assert SECRET.encode() not in answer
    answer = served.raw(b"GET http://127.0.0.1/rss.xml?x HTTP/1.1\r\nHost: x\r\n"
                        b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    answer = served.raw(b"GET ../site.yaml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_utf8_paths(served: Served) -> None:
    response = served.get("/" + quote("測試/新聞.json") + "?query=ignored")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.body == (served.root / "測試" / "新聞.json").read_bytes()
    raw = served.raw("GET /測試/新聞.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                     .encode())  # as some clients send it, not percent-encoded
    assert raw.startswith(b"HTTP/1.1 200 ")
    # An article id is a file name made safe by percent-encoding it, so its URL encodes the
    # "%" again, as on any web server that decodes a path once.
    name = safe_name("新聞一")
    assert name.startswith("%E6%96%B0")
    assert served.get(f"/articles/{quote(name)}.json").status == 200
    assert served.get(f"/articles/{name}.json").status == 404


def test_a_client_that_goes_away_is_not_an_error(served: Served,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for error in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
        try:
            raise error
        except ConnectionError:
            served.server.handle_error(None, ("127.0.0.1", 1))  # type: ignore[attr-defined]
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as sock:
        sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    assert served.get("/rss.xml").status == 200
    assert "Traceback" not in capsys.readouterr().err


def test_serve_prints_its_address_and_stops_cleanly_on_ctrl_c(served: Served) -> None:
    # as a shell's background job: SIGINT ignored on the way in, which serve must undo
    process = subprocess.Popen(
        [str(SYNDICATE), "serve", "--config", str(EXAMPLE_CONFIG), "--output",
         str(served.root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"serving (.+) at http://127\.0\.0\.1:(\d+)/ \(Ctrl-C stops\)\n",
                             line)
        assert match, line
        assert Path(match[1]) == served.root
        conn = http.client.HTTPConnection("127.0.0.1", int(match[2]), timeout=5)
        conn.request("GET", "/rss.xml")
        response = conn.getresponse()
        assert response.status == 200 and response.read()
        conn.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0
    assert out == ""
    assert "Traceback" not in err and "interrupted" not in err
    assert "GET /rss.xml 200" in err  # one line per request


def test_serve_on_a_busy_port_is_one_line_and_exit_1(served: Served) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = subprocess.run(
            [str(SYNDICATE), "serve", "--config", str(EXAMPLE_CONFIG), "--output",
             str(served.root), "--port", str(busy.getsockname()[1])],
            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.startswith("syndicate: error: cannot listen on 127.0.0.1:")
    assert result.stderr.count("\n") == 1
