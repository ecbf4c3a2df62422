"""`syndicate serve`: the output folder over HTTP on 127.0.0.1, as a production server would
serve it, for looking at the feeds in a browser or a feed reader before they go live.

Standard library only. GET and HEAD; each file with its content type and charset, a strong
ETag (a hash of its bytes) and Last-Modified, 304 Not Modified, gzip for text, and
`Cache-Control: max-age=300` (cron publishes every five minutes). Nothing outside the folder is
reachable: the path is percent-decoded once, and a `..`, a dot file (`.syndicate.lock`, temporary
files), a backslash, NUL or a symlink anywhere on the way is refused.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import hashlib
import html
import os
import re
import signal
import stat
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from . import __version__
from .errors import ServeError
from .mediatypes import FEEDS_FOR_BROWSERS, content_type

# The cron job publishes every five minutes: a reader or a cache is at most one run behind, and
# after that a revalidation costs a 304 (the build leaves unchanged files, and so their ETags and
# mtimes, alone).
CACHE_CONTROL = "max-age=300"
ALLOW = "GET, HEAD"
IDLE_TIMEOUT = 30  # seconds a keep-alive connection may sit idle before its thread lets go

_GZIP_LEVEL = 6
_ETAG_CACHE_MAX = 10_000
_ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')
_CONTROL = str.maketrans({c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)})


def _is_browser(accept: list[str]) -> bool:
    """Whether the client asks for a page (browsers put text/html first in Accept; feed
    readers ask for feed types or */*)."""
    return any("text/html" in value.lower() for value in accept)


def make_server(root: Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server (bound, not yet serving) for the folder `root`; port 0 takes any free port, which
    `server.server_address[1]` tells."""
    return _Server(Path(root), (host, port))


def serve(root: Path, port: int) -> None:
    """Serve `root` on 127.0.0.1:`port` until Ctrl-C; prints the URL (the real port for 0)."""
    try:
        server = make_server(root, port)
    except (OSError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ServeError(f"cannot listen on 127.0.0.1:{port}: {reason}") from None
    # Ctrl-C or a kill stops it, also when started in the background by a shell, which makes
    # its jobs ignore SIGINT (Python then installs no handler of its own).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    with server:
        host, bound = server.server_address[:2]
        print(f"serving {root} at http://{host}:{bound}/ (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # how it stops: no traceback
            server.serve_forever()


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@dataclass(frozen=True)
class _Entity:
    """What a 200 would send: the bytes, their type and validators."""

    body: bytes
    content_type: str
    text: bool
    tag: str  # the opaque part of the identity ETag, without quotes
    mtime: int | None  # seconds, for Last-Modified; None for the generated index
    cache_control: str = CACHE_CONTROL


class _BadRequest(Exception):
    """A request path that is not a path (bad UTF-8, NUL, control characters, backslash)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, address: tuple[str, int]) -> None:
        self.root = root.resolve()
        self._tags: dict[tuple[str, int, int, int, int], str] = {}
        self._tags_lock = threading.Lock()
        super().__init__(address, _Handler)

    def etag(self, path: str, st: os.stat_result, body: bytes) -> str:
        """The hash of a file's bytes, remembered per (path, size, mtime, device, inode): the
        build replaces a changed file by a new one (a new inode), and leaves the others alone."""
        key = (path, st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)
        with self._tags_lock:
            tag = self._tags.get(key)
        if tag is None:
            tag = hashlib.blake2b(body, digest_size=16).hexdigest()
            with self._tags_lock:
                if len(self._tags) >= _ETAG_CACHE_MAX:
                    self._tags.clear()
                self._tags[key] = tag
        return tag

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is normal; anything else is one line, not a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        if os.environ.get("SYNDICATE_DEBUG"):
            super().handle_error(request, client_address)
            return
        sys.stderr.write(f"syndicate serve: error answering {client_address[0]}: "
                         f"{type(error).__name__}: {error}\n")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = f"syndicate/{__version__}"
    sys_version = ""
    timeout = IDLE_TIMEOUT

    # -- methods ------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:  # the same headers as GET; _send and _error leave out the body
        self._answer()

    def __getattr__(self, name: str) -> Any:
        """Every other method (`do_POST`, `do_PUT`, `do_FOO` …) is 405 with Allow."""
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.close_connection = True  # a request body we did not read must not become a request
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": ALLOW})

    # -- the answer ---------------------------------------------------------------------------

    def _answer(self) -> None:
        try:
            segments, folder = _segments(self.path)
        except _BadRequest:
            self.close_connection = True
            self._error(HTTPStatus.BAD_REQUEST)
            return
        found = _lookup(self.server.root, segments)
        if found is None:
            self._error(HTTPStatus.NOT_FOUND)
            return
        path, is_dir = found
        if is_dir:
            if segments and not folder:  # /local -> /local/, as web servers do
                if _regular(path / "index.html") is None:
                    self._error(HTTPStatus.NOT_FOUND)
                    return
                location = "/" + "/".join(quote(s, safe="") for s in segments) + "/"
                self._error(HTTPStatus.MOVED_PERMANENTLY, {"Location": location})
                return
            index = path / "index.html"
            if _regular(index) is not None:
                path = index
            elif not segments:
                self._send(_listing(self.server.root))
                return
            else:
                self._error(HTTPStatus.NOT_FOUND)  # no directory listings
                return
        elif folder:  # /rss.xml/ is not a folder
            self._error(HTTPStatus.NOT_FOUND)
            return
        entity = self._read(path)
        if entity is None:
            self._error(HTTPStatus.NOT_FOUND)
            return
        self._send(entity)

    def _read(self, path: Path) -> _Entity | None:
        """The file's bytes and validators, read from one open file (never through a symlink),
        so that the bytes, the ETag and Last-Modified belong together."""
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            body = handle.read()
        ctype, text = content_type(path.name)
        return _Entity(body, ctype, text, self.server.etag(str(path), st, body), int(st.st_mtime))

    def _send(self, entity: _Entity) -> None:
        zipped = entity.text and _accepts_gzip(self.headers.get_all("Accept-Encoding") or [])
        tag = f"{entity.tag}-gz" if zipped else entity.tag
        vary = ["Accept-Encoding"] if entity.text else []
        if entity.content_type.startswith(("application/rss+xml", "application/atom+xml")):
            vary.append("Accept")
            if _is_browser(self.headers.get_all("Accept") or []):
                entity = replace(entity, content_type=f"{FEEDS_FOR_BROWSERS}; charset=utf-8")
                tag += "-view"
        headers = {"ETag": f'"{tag}"', "Cache-Control": entity.cache_control}
        if entity.mtime is not None:
            headers["Last-Modified"] = email.utils.formatdate(entity.mtime, usegmt=True)
        if vary:
            headers["Vary"] = ", ".join(vary)
        if self._not_modified(tag, entity.mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._headers(headers)
            return
        body = gzip.compress(entity.body, _GZIP_LEVEL, mtime=0) if zipped else entity.body
        # logged before the answer goes out: a client that has its answer has its log line
        self._log(HTTPStatus.OK, len(body), "gzip" if zipped else "")
        self.send_response(HTTPStatus.OK)
        self._headers({"Content-Type": entity.content_type, "Content-Length": str(len(body)),
                       **({"Content-Encoding": "gzip"} if zipped else {}), **headers,
                       "X-Content-Type-Options": "nosniff"})
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_modified(self, tag: str, mtime: int | None) -> bool:
        """RFC 9110 13.1.2 and 13.2.2: If-None-Match (weak comparison, `*`, a list) decides
        when present; otherwise If-Modified-Since, when it is a valid date."""
        none_match = self.headers.get_all("If-None-Match")
        if none_match:
            value = ",".join(none_match)
            if value.strip() == "*":
                return True
            return tag in _ENTITY_TAG.findall(value)
        since = self.headers.get_all("If-Modified-Since")
        if mtime is None or not since or len(since) > 1:
            return False
        try:
            date = email.utils.parsedate_to_datetime(since[0])
        except (TypeError, ValueError, IndexError):
            return False
        if date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
        return mtime <= date.timestamp()

    def _error(self, code: HTTPStatus, extra: dict[str, str] | None = None) -> None:
        body = f"{code.value} {code.phrase}\n".encode()
        self.send_response(code)
        self._headers({"Content-Type": "text/plain; charset=utf-8",
                       "Content-Length": str(len(body)), "Cache-Control": "no-store",
                       "X-Content-Type-Options": "nosniff", **(extra or {})})
        if self.command != "HEAD":
            self.wfile.write(body)

    def _headers(self, headers: dict[str, str]) -> None:
        for name, value in headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    # -- http.server's own paths: errors it finds in the request line, and logging -------------

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """Errors http.server finds itself (a bad request line, too long a line): plain text."""
        self.close_connection = True
        self._error(HTTPStatus(code))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if code != HTTPStatus.OK:  # 200s are logged by _send, with their size
            self._log(code, None, "")

    def version_string(self) -> str:
        return self.server_version

    def log_error(self, format: str, *args: Any) -> None:
        """http.server's own error lines (an idle keep-alive connection timing out): none."""

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{time.strftime('%H:%M:%S')} {(format % args).translate(_CONTROL)}\n")
        sys.stderr.flush()

    def _log(self, code: int | str, size: int | None, note: str) -> None:
        """One short line per request on stderr: time, method, path, status, size."""
        command, path = getattr(self, "command", None), getattr(self, "path", None)
        request = f"{command or '-'} {path or '-'}".translate(_CONTROL)
        status = int(code) if isinstance(code, int) else code
        extra = f" {size:,} B" if size is not None else ""
        self.log_message("%s", f"{request} {status}{extra}{' ' + note if note else ''}")


# -- paths ------------------------------------------------------------------------------------


def _segments(target: str) -> tuple[list[str], bool]:
    """The decoded path segments of a request target, and whether it names a folder (ends in
    `/`). Decoded exactly once: `%252e%252e` is the name `%2e%2e`, never `..`."""
    if target[:8].lower().startswith(("http://", "https://")):  # absolute form
        slash = target.find("/", target.find("//") + 2)
        target = target[slash:] if slash >= 0 else "/"
    target = target.split("?", 1)[0].split("#", 1)[0]
    if not target.startswith("/"):
        raise _BadRequest(target)
    try:  # http.server read the request line as Latin-1: back to its bytes, then one decode
        path = unquote_to_bytes(target.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise _BadRequest(target) from None
    if "\\" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise _BadRequest(target)
    return [s for s in path.split("/") if s], path.endswith("/")


def _lookup(root: Path, segments: list[str]) -> tuple[Path, bool] | None:
    """`root/segments` when every step is a real folder or file inside `root`: no segment that
    starts with a dot (`.`, `..`, `.syndicate.lock`, temporary files) or holds a `:` (a drive),
    and no symlink at all, wherever it points. Returns (path, is a folder) or None."""
    path = root
    for index, segment in enumerate(segments):
        if segment.startswith(".") or ":" in segment:
            return None
        path = path / segment
        try:
            mode = os.lstat(path).st_mode
        except (OSError, ValueError):
            return None
        if stat.S_ISLNK(mode):
            return None
        if index < len(segments) - 1 and not stat.S_ISDIR(mode):
            return None
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        return None
    if not Path(os.path.realpath(path)).is_relative_to(root):  # belt and braces
        return None
    return path, stat.S_ISDIR(mode)


def _regular(path: Path) -> Path | None:
    """`path` when it is a regular file and not a symlink."""
    try:
        return path if stat.S_ISREG(os.lstat(path).st_mode) else None
    except OSError:
        return None


# -- content negotiation ---------------------------------------------------------------------


def _accepts_gzip(values: list[str]) -> bool:
    """Accept-Encoding allows gzip: `gzip` (or `x-gzip`) with q > 0, else `*` with q > 0."""
    gzip_q: float | None = None
    star_q: float | None = None
    for member in ",".join(values).split(","):
        coding, *params = (part.strip() for part in member.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


# -- the page at / when the folder has no index.html ------------------------------------------


def _listing(root: Path) -> _Entity:
    """A small page linking the feeds: the files at the top, and the files of each folder (a
    folder of more than ten files, such as articles/, by its count only)."""
    items: list[str] = []
    for entry in _visible(root):
        if entry.is_file(follow_symlinks=False):
            items.append(_link(entry.name))
        elif entry.is_dir(follow_symlinks=False):
            files = [f.name for f in _visible(Path(entry.path))
                     if f.is_file(follow_symlinks=False)]
            if len(files) > 10:
                items.append(f"{html.escape(entry.name)}/ ({len(files):,} files)")
            else:
                links = " ".join(_link(f"{entry.name}/{name}", name) for name in files)
                items.append(f"{html.escape(entry.name)}/ {links}")
    body = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>syndicate serve</title>"
            "</head><body>\n<h1>Feeds</h1>\n<ul>\n"
            + "".join(f"<li>{item}</li>\n" for item in items)
            + "</ul>\n</body></html>\n").encode("utf-8")
    return _Entity(body, "text/html; charset=utf-8", True,
                   hashlib.blake2b(body, digest_size=16).hexdigest(), None, "no-cache")


def _visible(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted((e for e in entries if not e.name.startswith(".")),
                          key=lambda e: e.name)
    except OSError:
        return []


def _link(href: str, text: str | None = None) -> str:
    return (f'<a href="{html.escape(quote(href))}">'
            f"{html.escape(text if text is not None else href)}</a>")
