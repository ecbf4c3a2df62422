"""Slow and hostile upstreams on loopback (tests/fakewp.py): a server that drips one byte a
second stops a request at http.deadline and a run at its deadlines.*, a WordPress sync past its
deadline publishes nothing, and image connections go only to the public address they checked,
redirects included, with TLS still checking the host name.

How long a run takes is bounded generously (a dripping server would hold the old code for ten
minutes); no assertion is about speed.
"""

from __future__ import annotations

import datetime
import socket
import sqlite3
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, Site, lock_held
from fakewp import IMAGES, FakeWordPress, QuietHandler, touch, wp_post
from test_wordpress import snapshot, wp_site

from syndicate import sockets

# A generous bound: every run here ends in seconds, the drip would last ten minutes.
BOUND = 90
PUBLIC = "93.184.215.14"  # a global address; connections to it are sent to a loopback fake


@pytest.fixture
def fake() -> Iterator[FakeWordPress]:
    server = FakeWordPress(posts=[wp_post(100 + n, f"第{n}則", minutes=n) for n in range(6)]
                           ).start()
    yield server
    server.stop()


@pytest.fixture
def internal() -> Iterator[FakeWordPress]:
    """A service on the build machine's own network that no record may make us read."""
    server = FakeWordPress().start()
    yield server
    server.stop()


def timed(call: Callable[[], Run]) -> tuple[Run, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def port_of(server: FakeWordPress) -> int:
    return int(server.url.rstrip("/").rpartition(":")[2])


class Resolver:
    """socket.getaddrinfo for the names of a test, each answering its list of addresses in
    turn (the last one for ever); other names go to the real resolver."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
        self.names = names
        self.asked: list[str] = []
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in self.names:
            return self.real(host, port, *args, **kwargs)
        self.asked.append(host)
        answers = self.names[host]
        address = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]


def route_public_to(monkeypatch: pytest.MonkeyPatch, server: FakeWordPress) -> list[Any]:
    """Send connections for PUBLIC to `server`, as the internet would carry them; returns the
    addresses connected to other than `server` itself (the WordPress fake)."""
    connected: list[Any] = []
    real = sockets.connect
    itself = ("127.0.0.1", port_of(server))

    def connect(infos: list[tuple[Any, ...]], timeout: Any, options: Any) -> socket.socket:
        connected.extend(info[4] for info in infos if info[4][:2] != itself)
        infos = [(*info[:4], ("127.0.0.1", port_of(server)) if info[4][0] == PUBLIC
                  else info[4]) for info in infos]
        return real(infos, timeout, options)

    monkeypatch.setattr(sockets, "connect", connect)
    return connected


def image_error(site: Site) -> str:
    """Why the image was not read, as the index keeps it."""
    with sqlite3.connect(site.folder / "feeds.index.sqlite") as db:
        return "\n".join(str(error) for (error,) in db.execute("SELECT error FROM images"))


def head_meta(site: Site, article: str) -> dict[str, str]:
    found: dict[str, str] = {}

    class Meta(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag == "meta" and values.get("property"):
                found[str(values["property"])] = str(values.get("content"))

    Meta().feed(site.read(f"articles/{article}.html"))
    return found


# --- deadlines ---

def test_a_dripping_wordpress_stops_at_the_request_deadline_and_publishes_nothing(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    wp_site(site, fake, http={"timeout": 5, "retries": 0, "deadline": 2})
    assert run("build", "--config", site.config).code == 0
    before = snapshot(site)
    index = (site.folder / "feeds.index.sqlite").read_bytes()
    fake.posts[0]["title"]["rendered"] = "不該出現的新標題"
    touch(fake.posts[0], 500)
    fake.fault = "drip"  # one byte a second: each read is far within http.timeout
    result, took = timed(lambda: run("build", "--config", site.config))
    assert result.code == 1, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"syndicate: error: {fake.url}"), lines
    assert "no whole answer within http.deadline = 2 s (1 try)" in lines[0]
    assert lines[0].endswith("nothing was published, the feeds stay as they were")
    assert took < BOUND
    assert snapshot(site) == before
    assert (site.folder / "feeds.index.sqlite").read_bytes() == index  # byte for byte
    assert not lock_held(site.feeds / ".syndicate.lock")
    fake.fault = None
    assert run("build", "--config", site.config).code == 0
    assert "不該出現的新標題" in site.read("rss.xml")


def test_a_sync_past_its_run_deadline_fails_the_run_however_it_retries(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    wp_site(site, fake, http={"timeout": 5, "retries": 10, "deadline": 600},
            deadlines={"wordpress": 3})
    assert run("build", "--config", site.config).code == 0
    before = snapshot(site)
    touch(fake.posts[0], 500)
    fake.fault = "drip"
    result, took = timed(lambda: run("build", "--config", site.config))
    assert result.code == 1, result.err
    assert "not done when deadlines.wordpress = 3 s passed; a first or full sync of a large " \
        "site may need a longer deadlines.wordpress" in result.err
    assert "nothing was published" in result.err
    assert took < BOUND
    assert snapshot(site) == before


def test_a_proxy_from_the_environment_is_held_to_the_deadline_too(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake answers a proxy's absolute-form requests as it answers its own."""
    wp_site(site, fake, http={"timeout": 5, "retries": 0, "deadline": 2})
    monkeypatch.setenv("HTTP_PROXY", fake.url)
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.delenv("no_proxy", raising=False)
    site.write_config(sources=[{"type": "wordpress", "url": "http://wp.example/"}],
                      images={"allow_private": True}, http={"timeout": 5, "retries": 0,
                                                            "deadline": 2})
    assert run("build", "--config", site.config).code == 0
    assert any(path.startswith("http://wp.example/wp-json/") for path in fake.requests)
    touch(fake.posts[0], 500)
    fake.fault = "drip"
    result, took = timed(lambda: run("build", "--config", site.config))
    assert result.code == 1, result.err
    assert "no whole answer within http.deadline = 2 s" in result.err
    assert took < BOUND


def test_a_dripping_hub_keeps_its_pings_for_the_next_run(
        site: Site, fake: FakeWordPress, run: Callable[..., Run]) -> None:
    wp_site(site, fake, websub={"hubs": f"{fake.url}hub"}, http={"timeout": 5, "deadline": 600},
            deadlines={"pings": 2})
    fake.hub_drip = True
    result, took = timed(lambda: run("build", "--config", site.config))
    assert result.code == 0, result.err
    assert took < BOUND
    warning = next(line for line in result.err.splitlines() if "WebSub hub" in line)
    assert "not done when deadlines.pings = 2 s passed" in warning
    assert "will be announced on the next run" in warning
    assert fake.pings == []
    fake.hub_drip = False
    assert run("build", "--config", site.config).code == 0  # nothing changed: only the pings
    topics = {topic for ping in fake.pings for topic in ping["hub.url"]}
    assert "https://nchn.example.com/feeds/rss.xml" in topics


# --- pinned addresses ---

def test_a_name_that_turns_private_after_the_check_never_reaches_the_private_address(
        site: Site, fake: FakeWordPress, internal: FakeWordPress, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name answers a public address first and 127.0.0.1 after. The one
    answer is checked and connected to; the private service sees nothing."""
    image = f"http://cdn.example:{port_of(internal)}/img/baseline-1200x630.jpg"
    fake.posts[0].update(wp_post(100, "有圖", image=image))
    wp_site(site, fake, images={"allow_private": False})
    resolver = Resolver(monkeypatch, {"cdn.example": [PUBLIC, "127.0.0.1"]})
    connected = route_public_to(monkeypatch, fake)
    assert run("build", "--config", site.config).code == 0
    assert internal.requests == []
    assert resolver.asked == ["cdn.example"]  # resolved once
    assert connected == [(PUBLIC, port_of(internal))]
    meta = head_meta(site, "100")
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")


def test_a_redirect_to_a_private_address_is_refused(
        site: Site, fake: FakeWordPress, internal: FakeWordPress, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake.redirect_to = f"http://metadata.example:{port_of(internal)}/img/baseline-1200x630.jpg"
    fake.posts[0].update(wp_post(100, "有圖", image="http://cdn.example/img/moved.jpg"))
    wp_site(site, fake, images={"allow_private": False})
    Resolver(monkeypatch, {"cdn.example": [PUBLIC], "metadata.example": ["127.0.0.1"]})
    route_public_to(monkeypatch, fake)
    assert run("build", "--config", site.config).code == 0
    assert "/img/moved.jpg" in fake.requests  # the first hop was read
    assert internal.requests == []  # the second was refused before connecting
    assert "og:image:width" not in head_meta(site, "100")
    assert "metadata.example is 127.0.0.1, not a public address" in image_error(site)


def test_a_private_address_among_several_refuses_the_name(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch) -> None:
    image = "http://mixed.example/img/baseline-1200x630.jpg"
    fake.posts[0].update(wp_post(100, "有圖", image=image))
    wp_site(site, fake, images={"allow_private": False})
    real = socket.getaddrinfo

    def two_answers(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "mixed.example":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]

    monkeypatch.setattr(socket, "getaddrinfo", two_answers)
    connected = route_public_to(monkeypatch, fake)
    assert run("build", "--config", site.config).code == 0
    assert connected == []
    assert not any("/img/" in path for path in fake.requests)
    assert "og:image:width" not in head_meta(site, "100")


# --- TLS keeps the name ---

def certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TLSImages:
    """An HTTPS image server on loopback that records the SNI name and Host header it got."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.names: list[str | None] = []
        self.hosts: list[str | None] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda sock, name, ctx: self.names.append(name)
        outer = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                outer.hosts.append(self.headers.get("Host"))
                data = (IMAGES / "baseline-1200x630.jpg").read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("certified", ["img.example", "other.example"])
def test_tls_to_a_pinned_address_sends_and_checks_the_host_name(
        site: Site, fake: FakeWordPress, run: Callable[..., Run],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, certified: str) -> None:
    cert, key = certificate(tmp_path, certified)
    server = TLSImages(cert, key)
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        Resolver(monkeypatch, {"img.example": ["127.0.0.1"]})
        image = f"https://img.example:{server.port}/photo.jpg"
        fake.posts[0].update(wp_post(100, "有圖", image=image))
        wp_site(site, fake, images={"allow_private": True})
        assert run("build", "--config", site.config).code == 0
        meta = head_meta(site, "100")
    finally:
        server.stop()
    assert server.names and set(server.names) == {"img.example"}  # SNI: the name, not the IP
    if certified == "img.example":
        assert server.hosts == [f"img.example:{server.port}"]
        assert meta["og:image:width"] == "1200"
    else:  # a certificate for another name is refused, though the address is the right one
        assert server.hosts == []
        assert "og:image:width" not in meta
