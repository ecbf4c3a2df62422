"""HTTP for the network sources, image facts and WebSub: one requests.Session, timeouts, retries
with backoff that honour Retry-After, a cap on what an answer may hold, and errors that name the
URL. Imported only by runs that touch the network, so a files-only cron run never loads requests.
"""

from __future__ import annotations

import email.utils
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from . import __version__
from .config import Http
from .deadline import Deadline
from .errors import DeadlinePassed, FetchError
from .sockets import ENDS, PinnedAdapter, PrivateAddress

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 120.0  # the longest Retry-After honoured; a longer one fails the source for this run
REDIRECTS = 5


@dataclass(frozen=True)
class Reply:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]
    body: bytes
    redirected: bool = False

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


def new_session(site_url: str) -> requests.Session:
    """The one session of a run, with a User-Agent that names syndicate and the site, whose
    connections resolve each name once and cut every wait at the request's deadline."""
    session = requests.Session()
    session.headers["User-Agent"] = f"syndicate/{__version__} (+{site_url})"
    _mount(session, public=False)
    return session


def deadline_bound(session: requests.Session) -> requests.Session:
    """`session`, its http(s) connections made as new_session's are."""
    _mount(session, public=False)
    return session


def _mount(session: requests.Session, *, public: bool) -> None:
    for scheme in ("http://", "https://"):
        session.mount(scheme, PinnedAdapter(public=public))


@dataclass
class Client:
    """Requests with the config's timeout, retries and size cap, each ending by its own
    deadline (http.deadline) and by the run's deadline for its kind of work, if given."""

    session: requests.Session
    policy: Http
    backoff: float = 1.0  # the first wait after a failure; it doubles with each try
    deadline: Deadline | None = None  # the run's, for this kind of work

    def within(self, deadline: Deadline) -> Client:
        """This client, its requests ending by `deadline` too."""
        return replace(self, deadline=deadline)

    @property
    def max_bytes(self) -> int:
        return self.policy.max_response_mb * 1024 * 1024

    def get(self, url: str, params: Mapping[str, Any] | None = None, *,
            auth: Any = None, headers: Mapping[str, str] | None = None,
            prefix: int | None = None, redirects: bool = True) -> Reply:
        """GET `url`, retrying what may pass. With `prefix`, read at most that many bytes of
        the body and stop (an image header); otherwise an answer over the cap is an error.

        :raises FetchError: no answer after the retries, or an answer too large.
        """
        return self._send("GET", url, params=params, auth=auth, headers=headers,
                          prefix=prefix, redirects=redirects)

    def post(self, url: str, data: Mapping[str, Any] | list[tuple[str, str]], *,
             retry: bool = True) -> Reply:
        """POST a form; without `retry`, one try (the caller tries again on its next run)."""
        return self._send("POST", url, data=data, tries=None if retry else 1)

    def _send(self, method: str, url: str, *, prefix: int | None = None,
              redirects: bool = True, tries: int | None = None, **kwargs: Any) -> Reply:
        tries = tries or self.policy.retries + 1
        for attempt in range(1, tries + 1):
            ends, run = self._ends(url, kwargs)
            token = ENDS.set(ends)
            try:
                with self.session.request(method, url, timeout=self.policy.timeout, stream=True,
                                          allow_redirects=redirects, **kwargs) as response:
                    if response.status_code in RETRY_STATUSES and attempt < tries:
                        self._wait(url, attempt, response.headers.get("Retry-After"))
                        continue
                    body = _read(response, url, prefix, self.max_bytes)
                    return Reply(response.url, response.status_code, response.headers, body,
                                 bool(response.history))
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                refused = _cause(exc, PrivateAddress)
                if refused is not None:
                    raise FetchError(f"{_shown(url, kwargs)}: {refused}") from exc
                unknown = _cause(exc, socket.gaierror)
                if unknown is not None:  # not retried: the next run asks the resolver again
                    raise FetchError(f"{_shown(url, kwargs)}: cannot resolve "
                                     f"{urlsplit(url).hostname}: {unknown.args[-1]}") from exc
                if time.monotonic() >= ends:
                    if run or attempt == tries:
                        raise self._passed(url, kwargs, run, tries) from exc
                elif attempt == tries:
                    raise FetchError(f"{_shown(url, kwargs)}: {_reason(exc)} "
                                     f"({tries} {'try' if tries == 1 else 'tries'})") from exc
                self._wait(url, attempt, None)
            except requests.RequestException as exc:  # an invalid URL, too many redirects
                raise FetchError(f"{_shown(url, kwargs)}: {_reason(exc)}") from exc
            finally:
                ENDS.reset(token)
        raise AssertionError("unreachable")  # pragma: no cover

    def _ends(self, url: str, kwargs: Mapping[str, Any]) -> tuple[float, bool]:
        """When this try must end, and whether that is the run's deadline rather than the
        request's own.

        :raises DeadlinePassed: the run's deadline has passed already.
        """
        ends = time.monotonic() + self.policy.deadline
        if self.deadline is None or ends < self.deadline.ends:
            return ends, False
        if self.deadline.passed():
            raise self._passed(url, kwargs, True)
        return self.deadline.ends, True

    def _passed(self, url: str, kwargs: Mapping[str, Any], run: bool, tries: int = 1
                ) -> DeadlinePassed:
        if run:
            return DeadlinePassed(f"{_shown(url, kwargs)}: not done when {self.deadline} "
                                  "passed", run=True)
        return DeadlinePassed(f"{_shown(url, kwargs)}: no whole answer within http.deadline = "
                              f"{self.policy.deadline} s ({tries} "
                              f"{'try' if tries == 1 else 'tries'})", run=False)

    def _wait(self, url: str, attempt: int, retry_after: str | None) -> None:
        wait = self.backoff * 2 ** (attempt - 1)
        if retry_after:
            asked = retry_after_seconds(retry_after)
            if asked is not None:
                if asked > MAX_WAIT:
                    raise FetchError(f"{url}: the server asks to retry after {asked:.0f} s "
                                     f"(Retry-After: {retry_after}); the next run will try again")
                wait = max(asked, 0.0)
        if self.deadline is not None and wait >= self.deadline.left():
            raise DeadlinePassed(f"{url}: a retry in {wait:.0f} s would pass {self.deadline}; "
                                 "the next run will try again", run=True)
        _sleep(wait)


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The `kind` exception among those that led to `exc` (urllib3 wraps its reasons)."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None),
                 *current.args]
    return None


def _sleep(seconds: float) -> None:
    """Wait before a retry (a test replaces it, to count the waits instead of waiting)."""
    time.sleep(seconds)


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110 10.2.3)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _read(response: requests.Response, url: str, prefix: int | None, cap: int) -> bytes:
    limit = prefix if prefix is not None else cap
    declared = response.headers.get("Content-Length", "")
    if prefix is None and declared.isdigit() and int(declared) > cap:
        raise FetchError(f"{url}: the answer is {int(declared):,} bytes, over the cap of "
                         f"{cap:,} (http.max_response_mb)")
    chunks, size = [], 0
    for chunk in response.iter_content(min(limit, 65536) or 1):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            if prefix is None and size > cap:
                raise FetchError(f"{url}: the answer is over the cap of {cap:,} bytes "
                                 "(http.max_response_mb)")
            break
    return b"".join(chunks)[:limit]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, requests.Timeout):
        return "no answer in time (http.timeout)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut short"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return str(exc) or type(exc).__name__


def _shown(url: str, kwargs: Mapping[str, Any]) -> str:
    return url_with(url, kwargs.get("params"))


def url_with(url: str, params: Mapping[str, Any] | None) -> str:
    """`url` with `params` as its query, as a request would send it: for messages."""
    if not params:
        return url
    return requests.Request("GET", url, params=params).prepare().url or url


def _http_only(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: only http(s) URLs are fetched")


def public_client(client: Client, *, allow_private: bool) -> Client:
    """A client on its own session whose connections go only to public addresses (unless
    `allow_private`): each host is resolved once, every address it has is checked, and the
    connection goes to exactly the address checked (a redirect's too). Proxies from the
    environment are not used for it: a proxy would resolve the names itself."""
    if allow_private:
        return client
    base = client.session
    session = requests.Session()
    session.headers.update(base.headers)
    session.verify, session.cert, session.trust_env = base.verify, base.cert, False
    _mount(session, public=True)
    return replace(client, session=session)


def get_following(client: Client, url: str, *, prefix: int,
                  headers: Mapping[str, str]) -> Reply:
    """GET with redirects followed one by one, each an http(s) URL (the client checks where
    each connects)."""
    for _ in range(REDIRECTS + 1):
        _http_only(url)
        reply = client.get(url, headers=headers, prefix=prefix, redirects=False)
        location = reply.headers.get("Location")
        if reply.status not in (301, 302, 303, 307, 308) or not location:
            return reply
        url = urljoin(url, location)
    raise FetchError(f"{url}: more than {REDIRECTS} redirects")
