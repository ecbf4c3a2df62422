"""The HTTP client of one run, made on first use: a files-only run never imports requests.
Network sources, image probing and WebSub pings share it; net.py holds the client itself.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

    from .config import Config
    from .net import Client


class Network:
    def __init__(self, config: Config, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session

    @functools.cached_property
    def client(self) -> Client:
        from .net import Client, new_session

        return Client(self.session or new_session(self.config.site.url), self.config.http)
