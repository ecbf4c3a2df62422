"""The HTTP clients of one run, made on first use: a files-only run never imports requests.
Network sources, image probing and WebSub pings share one session; net.py holds the client
itself. Each kind of work gets its run deadline (deadlines.*) when it first asks for it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Literal

from .deadline import Deadline

if TYPE_CHECKING:
    import requests

    from .config import Config
    from .net import Client

Kind = Literal["wordpress", "images", "pings", "uploads"]


class Network:
    def __init__(self, config: Config, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session
        self._deadlines: dict[str, Deadline] = {}

    def deadline(self, kind: Kind) -> Deadline:
        """The run's deadline for `kind` of work, which starts when it is first asked for."""
        if kind not in self._deadlines:
            self._deadlines[kind] = Deadline(f"deadlines.{kind}",
                                             getattr(self.config.deadlines, kind))
        return self._deadlines[kind]

    @functools.cached_property
    def client(self) -> Client:
        """For the URLs the operator configured (WordPress, hubs, the Graph API): any address.
        A session passed in (a test's) gets the same connections as a new one."""
        from .net import Client, deadline_bound, new_session

        session = deadline_bound(self.session) if self.session else None
        return Client(session or new_session(self.config.site.url), self.config.http)

    @functools.cached_property
    def images(self) -> Client:
        """For image URLs, which records give: it connects only to public addresses unless
        images.allow_private, and its requests end by the run's image deadline."""
        from .net import public_client

        return public_client(self.client, allow_private=self.config.images.allow_private
                             ).within(self.deadline("images"))
