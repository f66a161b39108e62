"""robots.txt as RFC 9309 reads it, parsed by protego (Scrapy's parser: `*` and `$`
wildcards, the longest matching rule wins, Allow over Disallow on a tie).

2.3.1: a 2xx robots.txt gives the rules; 4xx ("unavailable") means no rules; a server
error (5xx, 429), a network error or a timeout makes it "unreachable", and the host is left
alone for the run: every fetch to it fails without a request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from protego import Protego

from extract.exchange import FetchResult


def parse_robots(text: str) -> Protego:
    return Protego.parse(text)


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    """A host's robots.txt as this run found it: its `rules`, none (anything goes), or
    `unreachable` with the reason (the host is off limits for the run)."""

    rules: Protego | None = None
    unreachable: str | None = None

    def allows(self, agent: str, url: str) -> bool:
        if self.unreachable is not None:
            return False
        return self.rules is None or self.rules.can_fetch(url, agent)

    def crawl_delay(self, agent: str) -> float | None:
        delay = self.rules.crawl_delay(agent) if self.rules is not None else None
        return None if delay is None else float(delay)


def robots_policy(robots_url: str, result: FetchResult) -> RobotsPolicy:
    """RFC 9309 2.3.1.2-4: a 2xx robots.txt gives the rules; a 4xx ("unavailable": 404, 403,
    410...) means no rules; anything else is "unreachable": a server error (5xx, and 429,
    which asks us to come back later), a network error, a timeout, a redirect we may not
    follow, or an anti-bot page instead of the file. Unreachable means complete disallow."""
    status = result.status
    if result.outcome == "ok" and status is not None and 200 <= status < 300:
        return RobotsPolicy(parse_robots(result.body.decode("utf-8", "replace")))
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsPolicy()
    why = result.detail or (f"HTTP {status}" if status is not None else result.outcome)
    return RobotsPolicy(unreachable=f"{robots_url} unreachable ({why})")


class RobotsCache:
    """Each host's policy, loaded once (by `load`, given the host key "scheme://netloc")
    even when several threads ask for it at once."""

    def __init__(self, load: Callable[[str], RobotsPolicy]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._policies: dict[str, RobotsPolicy] = {}
        self._host_locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> RobotsPolicy:
        with self._lock:
            if key in self._policies:
                return self._policies[key]
            host_lock = self._host_locks.setdefault(key, threading.Lock())
        with host_lock:
            with self._lock:
                if key in self._policies:
                    return self._policies[key]
            policy = self._load(key)
            with self._lock:
                self._policies[key] = policy
            return policy
