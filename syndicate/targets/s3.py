"""The S3 API target: AWS S3, Google Cloud Storage (its interoperability API, with HMAC keys),
Cloudflare R2, MinIO and Ceph RGW, through boto3, which only a run that uploads imports.

Every file goes up in one PutObject with its Content-MD5, so the store checks what it received,
and a single PUT is atomic: a reader gets the old object or the new one, never half of one.
Multipart uploads are never used: a single PUT takes up to 5 GiB, and the largest file
syndicate writes (a sitemap of 50,000 URLs) is about 10 MB. Timeouts, connection errors, 5xx
and throttling (SlowDown, 503) are retried by botocore's standard mode with exponential backoff,
`http.retries` more tries of `http.timeout` each.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..deadline import Deadline
from ..errors import PublishError, TargetError
from ..mediatypes import content_type
from ..publish import inside
from . import kind

if TYPE_CHECKING:
    from ..config import Config


class Bucket:
    """One bucket and prefix, and the client that reaches them; counts the HTTP requests sent
    (retries included)."""

    def __init__(self, config: Config) -> None:
        s3, http = config.s3, config.http
        assert s3.bucket
        self.name, self.prefix = s3.bucket, s3.prefix
        self.gzip, self.cache_control = s3.gzip, s3.cache_control
        self.connections = s3.connections
        self.requests = 0
        self._lock = threading.Lock()
        try:
            import boto3
            from botocore.config import Config as ClientConfig
            from botocore.exceptions import BotoCoreError
        except ImportError:
            raise TargetError(f"s3.bucket is set in {config.path}, but boto3 is not "
                              "installed: pip install 'syndicate[s3]'") from None
        settings = ClientConfig(
            connect_timeout=http.timeout, read_timeout=http.timeout,
            retries={"mode": "standard", "total_max_attempts": http.retries + 1},
            max_pool_connections=s3.connections,
            s3={"addressing_style": "path" if s3.path_style else "auto"},
            # boto3 1.36 began to send CRC checksums by default, which Google Cloud Storage and
            # other S3-compatible stores refuse; a Content-MD5 of our own does that job.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            user_agent_extra=f"syndicate/{__version__}")
        try:
            session = boto3.session.Session(profile_name=s3.profile)
            self.client = session.client("s3", endpoint_url=s3.endpoint_url,
                                         region_name=s3.region, config=settings)
        except BotoCoreError as exc:
            raise TargetError(f"s3://{self.name}: {exc}") from None
        self.client.meta.events.register("before-send.s3", self._count)

    def _count(self, **_: Any) -> None:
        with self._lock:
            self.requests += 1

    def key(self, path: str) -> str:
        return self.prefix + path

    def body(self, path: str, data: bytes) -> bytes:
        """What is stored for the file at `path` holding `data`: gzip-compressed text when
        s3.gzip is on (with mtime 0: the same bytes give the same object)."""
        if self.gzip and content_type(path.rpartition("/")[2])[1]:
            return gzip.compress(data, compresslevel=6, mtime=0)
        return data

    def etag(self, path: str, data: bytes) -> str:
        """The ETag a single PUT of the file gets: the MD5 of what is stored."""
        return hashlib.md5(self.body(path, data), usedforsecurity=False).hexdigest()

    def listing(self) -> Iterator[tuple[str, str]]:
        """(path relative to the prefix, ETag) of every object under the prefix."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name,
                                                                      Prefix=self.prefix)
        try:
            for page in pages:
                for entry in page.get("Contents", ()):
                    path = entry["Key"][len(self.prefix):]
                    if path and not path.endswith("/"):
                        yield path, entry.get("ETag", "").strip('"')
        except Exception as exc:
            raise TargetError(self.describe(exc, self.prefix)) from None

    def mirror(self, root: Path, paths: list[str], deadline: Deadline | None = None
               ) -> tuple[list[tuple[str, bool]], str | None]:
        """Put each of `paths` that the folder holds and delete the others, `s3.connections` at
        a time, none started after `deadline`: (path, whether it was put) of those done, and why
        the first of the others failed (None when none did)."""
        went: list[tuple[str, bool]] = []
        failures: dict[str, str] = {}
        with ThreadPoolExecutor(self.connections) as pool:
            futures = {path: pool.submit(self._mirror_one, root, path, deadline)
                       for path in paths}
            for path, future in futures.items():
                if future.cancelled():  # after a failure: stays queued
                    continue
                try:
                    put = future.result()
                    if put is not None:  # None: the deadline passed first; stays queued
                        went.append((path, put))
                except TargetError as exc:
                    failures[path] = str(exc)
                    pool.shutdown(cancel_futures=True)  # stop at the first failure
                except Exception as exc:
                    failures[path] = self.describe(exc, self.key(path))
                    pool.shutdown(cancel_futures=True)
        return went, failures[min(failures)] if failures else None

    def _mirror_one(self, root: Path, path: str, deadline: Deadline | None) -> bool | None:
        if deadline is not None and deadline.passed():
            return None
        try:
            data = inside(root, path).read_bytes()
        except (FileNotFoundError, PublishError):  # not in the folder (or no path of it)
            self.client.delete_object(Bucket=self.name, Key=self.key(path))
            return False
        except OSError as exc:
            raise TargetError(f"cannot read {root / path}: {exc.strerror}") from None
        body = self.body(path, data)
        headers = {"ContentType": content_type(path.rpartition("/")[2])[0],
                   "CacheControl": self.cache_control[kind(path)]}
        if body is not data:
            headers["ContentEncoding"] = "gzip"
        digest = hashlib.md5(body, usedforsecurity=False).digest()
        self.client.put_object(Bucket=self.name, Key=self.key(path), Body=body,
                               ContentMD5=base64.b64encode(digest).decode("ascii"), **headers)
        return True

    def describe(self, exc: Exception, key: str) -> str:
        """One line for a failed request: the bucket and key, and what the store said."""
        where = f"s3://{self.name}/{key}"
        response = getattr(exc, "response", None)
        if isinstance(response, dict) and "Error" in response:
            error = response["Error"]
            code = error.get("Code") or "error"
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            message = error.get("Message") or ""
            hint = _HINTS.get(code, "")
            return (f"{where}: {code}{f' (HTTP {status})' if status else ''}"
                    f"{f': {message}' if message else ''}{hint}")
        if type(exc).__name__ == "NoCredentialsError":
            return (f"{where}: no credentials found: set AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY in the environment, or s3.profile")
        return f"{where}: {exc}"


_HINTS = {
    "NoSuchBucket": " (check s3.bucket and s3.endpoint_url)",
    "AccessDenied": " (the credentials may not write to this bucket)",
    "InvalidAccessKeyId": " (check the credentials)",
    "SignatureDoesNotMatch": " (check the secret key)",
}
