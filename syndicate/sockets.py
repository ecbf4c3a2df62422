"""The transport under net.py's client: connections that go to exactly the address that was
checked, and socket waits cut short at the request's deadline.

A read timeout bounds one wait for bytes, so a server that sends one byte every few seconds
never trips it; here every wait (connecting, the TLS handshake, each read and write) is given
at most the time left before the deadline of the request being made, which net.py sets in a
context variable around each request. Nothing waits in another thread: a request simply ends
by its deadline.

Name resolution happens once per connection, here: every address the name has must be public
(unless private ones are allowed), and the socket connects to one of those very addresses, so
a name that answers a public address to a check and a private one to the connection (DNS
rebinding) cannot reach the private one. The host name stays the connection's `host`, so TLS
sends it as SNI and checks the certificate against it, and the Host header names it.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from contextvars import ContextVar
from typing import Any, ClassVar

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError
from urllib3.poolmanager import ProxyManager
from urllib3.util.ssl_ import create_urllib3_context

# When the request being made on this thread must end (time.monotonic()); None: no deadline.
ENDS: ContextVar[float | None] = ContextVar("syndicate_request_ends", default=None)


class PrivateAddress(OSError):
    """The host has an address that the connection may not go to."""


def _cut(timeout: float | None) -> float | None:
    """`timeout`, shortened to what is left of the current request's time."""
    ends = ENDS.get()
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out (the request's deadline passed)")
    return left if timeout is None else min(timeout, left)


class _Cut:
    """Mixed into a socket class: each wait is the timeout asked for, or the time left."""

    _wanted: float | None = None

    def settimeout(self, value: float | None) -> None:
        self._wanted = value
        super().settimeout(_cut(value))  # type: ignore[misc]

    def gettimeout(self) -> float | None:
        return self._wanted

    def _narrow(self) -> None:
        super().settimeout(_cut(self._wanted))  # type: ignore[misc]

    def connect(self, address: Any) -> None:
        self._narrow()
        super().connect(address)  # type: ignore[misc]

    def recv(self, *args: Any) -> bytes:
        self._narrow()
        return super().recv(*args)  # type: ignore[misc]

    def recv_into(self, *args: Any) -> int:
        self._narrow()
        return super().recv_into(*args)  # type: ignore[misc]

    def send(self, *args: Any) -> int:
        self._narrow()
        return super().send(*args)  # type: ignore[misc]

    def sendall(self, *args: Any) -> None:
        self._narrow()
        super().sendall(*args)  # type: ignore[misc]


class _Socket(_Cut, socket.socket):
    pass


class _SSLSocket(_Cut, ssl.SSLSocket):
    def do_handshake(self, *args: Any) -> None:
        self._narrow()
        super().do_handshake(*args)

    def read(self, *args: Any) -> Any:
        self._narrow()
        return super().read(*args)

    def write(self, *args: Any) -> int:
        self._narrow()
        return super().write(*args)


def _context() -> ssl.SSLContext:
    """urllib3's default TLS context, whose sockets cut their waits too. urllib3 still sets the
    verification mode and loads the CA certificates requests names (certifi) into it."""
    context = create_urllib3_context()
    context.sslsocket_class = _SSLSocket
    return context


def resolve(host: str, port: int, *, public: bool) -> list[tuple[Any, ...]]:
    """The addresses of `host` (getaddrinfo), resolved once; with `public`, every one of them
    must be a public address.

    :raises PrivateAddress: naming the host and the address.
    :raises socket.gaierror: the name does not resolve.
    """
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    if public:
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            mapped = getattr(address, "ipv4_mapped", None)
            if not address.is_global or (mapped is not None and not mapped.is_global):
                raise PrivateAddress(f"{host} is {address}, not a public address "
                                     "(images.allow_private)")
    return infos


def connect(infos: list[tuple[Any, ...]], timeout: float | None,
            options: list[tuple[int, int, int]] | None) -> socket.socket:
    """A socket connected to the first of `infos` that answers, and to nothing else."""
    error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = _Socket(family, kind, proto)
        try:
            for option in options or ():
                sock.setsockopt(*option)
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError("no address to connect to")


class _Pinned:
    """Mixed into urllib3's connection classes: resolve once, check, connect to that address."""

    public: ClassVar[bool] = False
    host: str
    port: int
    timeout: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            infos = resolve(self.host, self.port, public=self.public)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        return connect(infos, timeout, self.socket_options)


class _HTTP(_Pinned, HTTPConnection):
    pass


class _HTTPS(_Pinned, HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = kwargs.get("ssl_context") or _context()
        super().__init__(*args, **kwargs)


class _PublicHTTP(_HTTP):
    public = True


class _PublicHTTPS(_HTTPS):
    public = True


def _pool(base: type, connection: type) -> type:
    return type(f"Pinned{base.__name__}", (base,), {"ConnectionCls": connection})


_POOLS = {
    False: {"http": _pool(HTTPConnectionPool, _HTTP), "https": _pool(HTTPSConnectionPool, _HTTPS)},
    True: {"http": _pool(HTTPConnectionPool, _PublicHTTP),
           "https": _pool(HTTPSConnectionPool, _PublicHTTPS)},
}


class PinnedAdapter(HTTPAdapter):
    """requests' adapter over those connections; with `public`, to public addresses only."""

    def __init__(self, *, public: bool, **kwargs: Any) -> None:
        self.public = public
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS[self.public]

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        """An HTTP proxy's connections (HTTP_PROXY, HTTPS_PROXY) are cut at the deadline too;
        the public-only sessions use no proxy (net.public_client)."""
        manager = super().proxy_manager_for(proxy, **kwargs)
        if isinstance(manager, ProxyManager) and not self.public:
            manager.pool_classes_by_scheme = _POOLS[False]
        return manager


__all__ = ["ENDS", "PinnedAdapter", "PrivateAddress", "connect", "resolve"]
