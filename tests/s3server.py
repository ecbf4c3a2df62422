"""An S3-compatible server on 127.0.0.1 for the object-store tests: moto's standalone server
(ThreadedMotoServer), which speaks the S3 REST API over HTTP to boto3 as a cloud endpoint does,
behind a small proxy of our own that logs every request syndicate sends and can fail on cue: an
HTTP error, a stall until released (for a SIGKILL mid-upload), or a wait past the client's
timeout.

The tests reach the bucket through the proxy; they check it with a boto3 client of their own
that talks to moto directly, so their own requests are never counted.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

FAULT_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>"
              "<Message>{message}</Message></Error>")


@dataclass
class Fault:
    """What the proxy does from its `after`-th request on (0: the first)."""

    after: int
    status: int = 0  # answer this status with an S3 error body
    code: str = "InternalError"
    stall: bool = False  # hold the request until release() (or the test ends)
    delay: float = 0.0  # wait this long before forwarding
    times: int | None = None  # how many requests fail (None: all from `after` on)
    served: int = 0


@dataclass
class Proxy:
    """The endpoint syndicate is given: forwards to moto, logs, and fails as told."""

    upstream: tuple[str, int]
    log: list[tuple[str, str]] = field(default_factory=list)  # (method, bucket key or path)
    fault: Fault | None = None
    released: threading.Event = field(default_factory=threading.Event)
    stalled: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def requests(self, method: str | None = None) -> list[str]:
        """The keys (or paths) of the requests logged, of one method or all."""
        with self._lock:
            return [key for verb, key in self.log if method in (None, verb)]

    def clear(self) -> None:
        with self._lock:
            self.log.clear()

    def heal(self) -> None:
        self.fault = None
        self.released.set()

    def _count(self, method: str, path: str) -> int:
        with self._lock:
            self.log.append((method, path))
            return len(self.log) - 1


def _handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = unquote(urlsplit(self.path).path)
            number = proxy._count(self.command, path.split("/", 2)[-1] if path.count("/") > 1
                                  else path)
            fault = proxy.fault
            if fault and number >= fault.after and (fault.times is None
                                                    or fault.served < fault.times):
                fault.served += 1
                if fault.stall:
                    proxy.stalled.set()
                    proxy.released.wait(60)
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.status:
                    reply = FAULT_BODY.format(code=fault.code, message="injected by the test "
                                              "proxy").encode()
                    self.send_response(fault.status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                    return
            connection = http.client.HTTPConnection(*proxy.upstream, timeout=30)
            try:
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() not in ("connection", "keep-alive")}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                connection.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

    return Handler


def start_moto() -> tuple[Any, tuple[str, int]]:
    """moto's S3 server on a free port of 127.0.0.1: (server, (host, port))."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, (host, port)


def start_proxy(upstream: tuple[str, int]) -> Proxy:
    proxy = Proxy(upstream)
    proxy.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    proxy.server.daemon_threads = True
    threading.Thread(target=proxy.server.serve_forever, daemon=True).start()
    return proxy


def stop_proxy(proxy: Proxy) -> None:
    proxy.heal()
    assert proxy.server
    proxy.server.shutdown()
    proxy.server.server_close()


def objects(client: Any, bucket: str, prefix: str = "") -> Iterator[dict[str, Any]]:
    """Every object under `prefix`, with its headers and bytes as stored."""
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", ()):
            got = client.get_object(Bucket=bucket, Key=entry["Key"])
            yield {"key": entry["Key"], "etag": entry["ETag"].strip('"'),
                   "body": got["Body"].read(), "type": got.get("ContentType"),
                   "cache": got.get("CacheControl"), "encoding": got.get("ContentEncoding")}
