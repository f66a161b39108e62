"""One home for the lifecycle of a local HTTP server that runs behind a test or demo.

    with BackgroundServer(Handler) as server:     # binds 127.0.0.1 on a free port
        fetch(server.base_url + "/list.html")

`BackgroundServer` holds a stdlib ThreadingHTTPServer serving from a daemon thread: start()
binds and serves, stop() shuts it down, closes the socket and joins the thread. stop() may
run twice and from any thread (a watchdog timer's, say): only one caller takes the server.
Sites with state of their own (demo.server.DemoSite, tests/hostile/site.py) subclass it and
bind their handler class to themselves.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

# How often serve_forever checks for shutdown(): stop() waits up to this long.
POLL_SECONDS = 0.1
JOIN_SECONDS = 5.0


class BackgroundServer:
    """A ThreadingHTTPServer on (host, port) in a daemon thread; port 0 picks a free one."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1",
                 port: int = 0, *, name: str = "server") -> None:
        self.handler = handler
        self.host, self.port = host, port
        self.thread_name = name  # the serving thread is "<name>:<port>"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._server_lock = threading.Lock()

    def start(self) -> Self:
        server = ThreadingHTTPServer((self.host, self.port), self.handler)
        server.daemon_threads = True  # a request still being dripped never blocks exit
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": POLL_SECONDS}, daemon=True,
                                        name=f"{self.thread_name}:{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._server_lock:  # stop() racing stop(): shutdown() runs once
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=JOIN_SECONDS)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until interrupted (a CLI's foreground server); starts the server if needed."""
        if self._server is None:
            self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path
