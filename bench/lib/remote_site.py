"""The demo site in a process of its own, the way a crawler meets a real site.

A `DemoSite` started inside the benchmark process would put the server's request handling
on the crawler's GIL and cores' worth of time; a real government site costs the crawler
only its own client work. The child process builds, pre-renders and serves the site;
`churn` is forwarded to it over a pipe.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from typing import Any


def _serve(conn: Connection, options: dict[str, Any]) -> None:
    from demo import DemoSite

    with DemoSite(**options) as site:
        site.warm()
        conn.send((site.base_url, len(site.articles())))
        while True:
            command, *args = conn.recv()
            if command == "stop":
                return
            if command == "churn":
                new, changed = args
                conn.send(site.churn(new=new, changed=changed))


class RemoteDemoSite:
    """Context manager: `base_url`, `documents` (article count) and `churn(new, changed)`."""

    def __init__(self, **options: Any) -> None:
        self.options = {"port": 0, **options}
        self.base_url = ""
        self.documents = 0
        self._conn: Connection | None = None
        self._process: Any = None

    def __enter__(self) -> RemoteDemoSite:
        ctx = mp.get_context("spawn")  # no fork of a process that already runs threads
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, self.options), daemon=True,
                                    name="demo-site")
        self._process.start()
        child.close()
        if not self._conn.poll(300):
            raise TimeoutError("demo site process did not start")
        self.base_url, self.documents = self._conn.recv()
        return self

    def churn(self, *, new: int, changed: int) -> tuple[list[str], list[str]]:
        assert self._conn is not None, "use RemoteDemoSite as a context manager"
        self._conn.send(("churn", new, changed))
        new_urls, changed_urls = self._conn.recv()
        return list(new_urls), list(changed_urls)

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            self._conn.send(("stop",))
            self._conn.close()
        if self._process is not None:
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.kill()
