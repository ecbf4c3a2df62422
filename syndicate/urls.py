"""URL helpers: IRI to URI, absolutizing, scheme checks."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from .text import strip_xml_illegal

WEB_SCHEMES = ("http", "https")
# Characters that stay as they are in each part: the URI reserved and unreserved sets and '%'
# (an IRI that is already percent-encoded must not be encoded twice).
_SAFE = "/:@!$&'()*+,;=-._~%?#[]"


class URLError(ValueError):
    """A URL that cannot be published."""


def iri_to_uri(iri: str) -> str:
    """Percent-encode an IRI as UTF-8 (RFC 3987 section 3.1); an ASCII URI comes back unchanged.

    The host is IDNA-encoded; every other non-ASCII character or space is percent-encoded once.
    """
    parts = urlsplit(iri.strip())
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        try:
            host = parts.hostname.encode("idna").decode("ascii")
            port = f":{parts.port}" if parts.port else ""
        except (UnicodeError, ValueError) as exc:
            raise URLError(f"expected a valid host name, found {parts.hostname!r}") from exc
        userinfo = netloc.rpartition("@")[0]
        netloc = (userinfo + "@" if userinfo else "") + host + port
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            _quote(parts.path),
            _quote(parts.query),
            _quote(parts.fragment),
        )
    )


_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _quote(part: str) -> str:
    """Percent-encode what is not ASCII or not allowed; an existing %XX stays, a '%' that
    starts no %XX becomes %25 (else the URL is invalid, and X ends its link before it)."""
    return quote(_STRAY_PERCENT.sub("%25", part), safe=_SAFE)


def web_url(value: str, base: str | None = None) -> str:
    """An absolute http(s) URI for `value`, resolved against `base` when given.

    Raises URLError for another scheme (javascript:, data:, ftp:), a relative URL without a
    base, a URL without a host, one with a user name or password, or one holding control
    characters or lone surrogates.
    """
    if strip_xml_illegal(value) != value:
        raise URLError(f"expected a URL of printable characters, found control characters or "
                       f"lone surrogates in {value!r}")
    url = urljoin(base, value.strip()) if base else value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in WEB_SCHEMES:
        if not parts.scheme:
            raise URLError(f"expected an absolute http(s) URL, found a relative one {value!r}")
        raise URLError(f"expected an http(s) URL, found scheme {parts.scheme!r} in {value!r}")
    if not parts.hostname:
        raise URLError(f"expected a URL with a host name, found {value!r}")
    if parts.username is not None or parts.password is not None:
        # https://nchn.example.com@evil.example/ reads as our site and goes elsewhere
        raise URLError(f"expected a URL without a user name or password, found {value!r}")
    return iri_to_uri(url)
