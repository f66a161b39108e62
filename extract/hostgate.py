"""Per-host politeness shared by every Fetcher in the process: at most `limit` requests in
flight to a host, their starts `delay` apart (sites harvested in parallel may share a
host). With several users the strictest wins: the smallest limit and the longest delay."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager


class HostGate:
    """One host's gate: concurrency slots, start spacing, and Retry-After push-backs."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._next_start = 0.0
        self._users: dict[int, tuple[int, float]] = {}
        self.robots_delay = 0.0  # Crawl-delay from robots.txt, if longer

    def join(self, token: int, concurrency: int, delay: float) -> None:
        with self._cond:
            self._users[token] = (concurrency, delay)

    def leave(self, token: int) -> bool:
        """Drop a user; True when nobody uses the gate any more."""
        with self._cond:
            self._users.pop(token, None)
            self._cond.notify_all()
            return not self._users

    @property
    def limit(self) -> int:
        return min((c for c, _ in self._users.values()), default=1)

    @property
    def delay(self) -> float:
        return max([self.robots_delay, *(d for _, d in self._users.values())])

    @contextmanager
    def slot(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> Iterator[None]:
        with self._cond:
            while self._active >= self.limit:
                self._cond.wait()
            self._active += 1
            now = clock()
            wait = self._next_start - now
            self._next_start = max(now, self._next_start) + self.delay
        try:
            if wait > 0:
                sleep(wait)
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify()  # one slot freed: wake one waiter, not the whole herd

    def push_back(self, seconds: float, clock: Callable[[], float]) -> None:
        """A server asked us to wait (Retry-After): nobody starts before then."""
        with self._cond:
            self._next_start = max(self._next_start, clock() + seconds)


_GATES: dict[str, HostGate] = {}
_GATES_LOCK = threading.Lock()


def join_gate(key: str, token: int, concurrency: int, delay: float) -> HostGate:
    """The process's gate for host `key` ("scheme://netloc"), with `token` as a user."""
    with _GATES_LOCK:
        gate = _GATES.setdefault(key, HostGate())
        gate.join(token, concurrency, delay)
        return gate


def leave_gates(token: int, keys: Iterable[str]) -> None:
    """`token` no longer uses these hosts; a gate nobody uses is dropped."""
    with _GATES_LOCK:
        for key in keys:
            gate = _GATES.get(key)
            if gate is not None and gate.leave(token):
                del _GATES[key]
