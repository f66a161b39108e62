"""Polite, bounded HTTP: the one place that talks to web servers.

Per host: one `requests.Session`, a concurrency limit and a minimum spacing between request
starts, and a robots.txt policy. Per request: timeouts, retries with exponential backoff on
connection errors and retryable statuses (429 honours Retry-After), conditional GET,
redirects followed by hand so every hop is checked against the scope rules, a cap on wire
bytes and on decompressed bytes while streaming, and a content-type allow list.

Every response (redirect hops, errors, 304s, anti-bot pages, truncated bodies) goes to the
`record` callback before the caller sees it, so the archive holds each one before any parse.
Every attempt goes to the `log` callback with its outcome.

A response has a total time budget (`max_response_seconds`) on top of the per-read timeout,
so a server that drips a byte every few seconds cannot hold a worker: past it the fetch is
`timeout` and what arrived is archived as truncated. The host slot (`concurrency_per_host`)
is held until the last byte is read and decoded, not only until the headers arrive.

robots.txt follows RFC 9309 2.3.1: 2xx gives the rules; 4xx ("unavailable") means no rules;
a server error (5xx, 429), a network error or a timeout makes it "unreachable", and the host
is left alone for the run: every fetch to it fails without a request (`unreachable()` says
why, so a caller can fail the site).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
import re
import socket
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from extract.settings import HarvestSettings

Outcome = Literal["ok", "not_modified", "retried", "failed", "blocked", "out_of_scope",
                  "too_large", "timeout"]
OUTCOMES: tuple[str, ...] = (
    "ok", "not_modified", "retried", "failed", "blocked", "out_of_scope", "too_large", "timeout",
)
# Why an archived body is incomplete: the size cap or the time budget (WARC-Truncated values).
Truncation = Literal["length", "time"]
RecordKind = Literal["list", "article", "attachment", "robots", "other"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Hop-by-hop framing that no longer describes the bytes we hand on.
_FRAMING_HEADERS = frozenset({"transfer-encoding", "content-encoding", "content-length"})
_CHUNK = 64 * 1024

# Anti-bot interstitials (Ruishu/"瑞数" style JS challenges common on gov.cn sites).
ANTIBOT_TS_SCRIPT = re.compile(rb"\$_ts\s*=|\$_ts\.")
_JS_PHRASE = "请开启JavaScript并刷新该页"
ANTIBOT_PHRASES = (_JS_PHRASE.encode(), _JS_PHRASE.encode("gbk"))


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP response as received on the wire (body still content-encoded)."""

    url: str
    method: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes  # wire bytes (still content-encoded), what the archive keeps
    fetched_at: dt.datetime
    kind: RecordKind
    truncated: Truncation | None = None
    request_headers: tuple[tuple[str, str], ...] = ()
    content: bytes = b""  # body after Content-Encoding; what digests describe
    referer: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    url: str
    attempted_at: dt.datetime
    outcome: Outcome
    status: int | None
    attempt: int
    elapsed_ms: int
    detail: str


@dataclass(slots=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after same-host redirects
    outcome: Outcome
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""  # decompressed
    attempts: int = 0
    elapsed_ms: int = 0
    detail: str = ""
    fetched_at: dt.datetime | None = None
    redirects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


class _TooLarge(Exception):
    pass


class _Refused(Exception):
    pass


class _Unreachable(Exception):
    """The host's robots.txt is unreachable this run: nothing is requested from it."""


class _Timeout(Exception):
    """The response's time budget is spent."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def detect_block(status: int, body: bytes) -> str | None:
    """Why a response is an anti-bot interstitial rather than content, or None."""
    if status == 412:
        return "HTTP 412 anti-bot challenge" + (" ($_ts script)" if ANTIBOT_TS_SCRIPT.search(body)
                                                else "")
    if any(phrase in body for phrase in ANTIBOT_PHRASES):
        return "JavaScript challenge page (请开启JavaScript并刷新该页)"
    if ANTIBOT_TS_SCRIPT.search(body) and len(body) < 20_000:
        return "$_ts anti-bot script page"
    return None


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _mime(content_type: str | None) -> str | None:
    return content_type.split(";", 1)[0].strip().lower() if content_type else None


class _Decompressor:
    """Incremental gzip/deflate decoding with an output cap (zip-bomb guard)."""

    def __init__(self, encoding: str | None, cap: int) -> None:
        enc = (encoding or "identity").strip().lower()
        if enc in ("gzip", "x-gzip"):
            self._obj: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._obj = zlib.decompressobj()
        elif enc in ("identity", ""):
            self._obj = None
        else:
            raise _Refused(f"unsupported Content-Encoding {encoding!r}")
        self._deflate_raw_tried = enc != "deflate"
        self._cap = cap
        self.out = bytearray()

    def feed(self, data: bytes) -> None:
        if self._obj is None:
            self.out += data
        else:
            while data:
                try:
                    piece = self._obj.decompress(data, self._cap - len(self.out) + 1)
                except zlib.error:
                    if self._deflate_raw_tried or self.out:
                        raise
                    # Some servers send raw deflate without the zlib header.
                    self._deflate_raw_tried = True
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                self.out += piece
                if len(self.out) > self._cap:
                    break
                data = self._obj.unconsumed_tail
        if len(self.out) > self._cap:
            raise _TooLarge(f"decompressed body exceeds {self._cap} bytes")


class _HostGate:
    """Per-host politeness shared by every Fetcher in the process (sites harvested in
    parallel may share a host): at most `limit` requests in flight, starts `delay` apart.
    With several users the strictest wins: the smallest limit and the longest delay."""

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


_GATES: dict[str, _HostGate] = {}
_GATES_LOCK = threading.Lock()


def _join_gate(key: str, token: int, concurrency: int, delay: float) -> _HostGate:
    with _GATES_LOCK:
        gate = _GATES.setdefault(key, _HostGate())
        gate.join(token, concurrency, delay)
        return gate


def _leave_gates(token: int, keys: Iterable[str]) -> None:
    with _GATES_LOCK:
        for key in keys:
            gate = _GATES.get(key)
            if gate is not None and gate.leave(token):
                del _GATES[key]


Resolver = Callable[[str], list[str]]


def resolve_host(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
            or ip.is_multicast or ip.is_unspecified)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


# The rules parser; #27 swaps in protego here and in RobotsPolicy's two lookups only.
RobotsRules = urllib.robotparser.RobotFileParser


def parse_robots(url: str, text: str) -> RobotsRules:
    rules = urllib.robotparser.RobotFileParser(url)
    rules.parse(text.splitlines())
    return rules


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    """A host's robots.txt as this run found it: its `rules`, none (anything goes), or
    `unreachable` with the reason (the host is off limits for the run)."""

    rules: RobotsRules | None = None
    unreachable: str | None = None

    def allows(self, agent: str, url: str) -> bool:
        if self.unreachable is not None:
            return False
        return self.rules is None or self.rules.can_fetch(agent, url)

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
        return RobotsPolicy(parse_robots(robots_url, result.body.decode("utf-8", "replace")))
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsPolicy()
    why = result.detail or (f"HTTP {status}" if status is not None else result.outcome)
    return RobotsPolicy(unreachable=f"{robots_url} unreachable ({why})")


class Fetcher:
    """Fetches URLs within a fixed set of allowed hosts under one `HarvestSettings`."""

    def __init__(
        self,
        settings: HarvestSettings,
        allowed_hosts: Iterable[str],
        *,
        record: Callable[[Exchange], None] | None = None,
        log: Callable[[Attempt], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolver: Resolver = resolve_host,
        private_hosts: Iterable[str] | None = None,
    ) -> None:
        self.settings = settings
        self.allowed_hosts = frozenset(h.lower().strip("[]") for h in allowed_hosts)
        # Loopback/private targets are reachable only through a host named literally as an
        # address (or "localhost") by the user: in `private_hosts` (default: the allowed
        # hosts). A DNS name never unlocks them, so rebinding a public name cannot either.
        named = self.allowed_hosts if private_hosts is None else frozenset(
            h.lower().strip("[]") for h in private_hosts)
        self._private_ok = frozenset(
            h for h in named & self.allowed_hosts if h == "localhost" or _is_ip_literal(h)
        )
        self._record = record or (lambda exchange: None)
        self._log = log or (lambda attempt: None)
        self._sleep = sleep
        self._clock = clock
        self._resolver = resolver
        self._lock = threading.Lock()
        self._sessions: dict[str, requests.Session] = {}
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, RobotsPolicy] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._resolved: dict[str, str | None] = {}

    # -- scope -------------------------------------------------------------------------
    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched (scheme, host, private address), or None."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"non-HTTP scheme {parts.scheme or '(none)'!r}"
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            return f"host {host!r} not in allowed hosts"
        if host in self._private_ok:
            return None
        with self._lock:
            cached = self._resolved.get(host, "")
        if cached != "":
            return cached
        try:
            addresses = [host] if _is_ip_literal(host) else self._resolver(host)
        except OSError:
            reason = None  # unresolvable: the request itself will fail and be logged
        else:
            bad = [a for a in addresses if _is_private(a)]
            reason = f"host {host!r} resolves to private address {bad[0]}" if bad else None
        with self._lock:
            self._resolved[host] = reason
        return reason

    # -- per host state ----------------------------------------------------------------
    def _host_key(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def _session(self, key: str) -> requests.Session:
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = requests.Session()
                # Proxy and CA settings come from the environment, read once per host:
                # with trust_env on, requests rescans os.environ on every request.
                env = session.merge_environment_settings(key + "/", {}, None, None, None)
                session.trust_env = False
                session.proxies.update(env["proxies"])
                session.verify = env["verify"]
                session.headers.update({
                    "User-Agent": self.settings.user_agent,
                    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                    "Accept-Encoding": "gzip, deflate",
                })
                size = max(2, self.settings.concurrency_per_host)
                adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=size,
                                                        max_retries=0)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                self._sessions[key] = session
            return session

    def _gate(self, key: str) -> _HostGate:
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = _join_gate(key, id(self), self.settings.concurrency_per_host,
                                  self.settings.delay)
                self._gates[key] = gate
            return gate

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()
            _leave_gates(id(self), list(self._gates))
            self._gates.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- robots.txt --------------------------------------------------------------------
    def robots(self, url: str) -> RobotsPolicy:
        """The policy of `url`'s host, fetched once per Fetcher."""
        key = self._host_key(url)
        with self._lock:
            if key in self._robots:
                return self._robots[key]
            host_lock = self._robots_locks.setdefault(key, threading.Lock())
        with host_lock:
            with self._lock:
                if key in self._robots:
                    return self._robots[key]
            policy = self._load_robots(key)
            with self._lock:
                self._robots[key] = policy
            return policy

    def _load_robots(self, key: str) -> RobotsPolicy:
        robots_url = key + "/robots.txt"
        result = self._fetch(robots_url, kind="robots", check_robots=False)
        policy = robots_policy(robots_url, result)
        delay = policy.crawl_delay(self.settings.user_agent)
        if delay is not None and delay > self.settings.delay:
            self._gate(key).robots_delay = delay
        return policy

    def unreachable(self, url: str) -> str | None:
        """Why `url`'s host is off limits for this run (its robots.txt is unreachable), or
        None; fetches robots.txt if not done yet. None when robots are not respected, or
        when `url` is out of scope anyway (nothing is fetched from it, robots.txt included)."""
        if not self.settings.respect_robots or self.refusal(url) is not None:
            return None
        return self.robots(url).unreachable

    def allowed_by_robots(self, url: str) -> bool:
        if not self.settings.respect_robots:
            return True
        return self.robots(url).allows(self.settings.user_agent, url)

    def _robots_check(self, url: str) -> None:
        """Raise _Unreachable or _Refused when robots.txt keeps us from `url`."""
        if not self.settings.respect_robots:
            return
        policy = self.robots(url)
        if policy.unreachable is not None:
            raise _Unreachable(f"{policy.unreachable}: host not fetched this run")
        if not policy.allows(self.settings.user_agent, url):
            raise _Refused("disallowed by robots.txt")

    # -- fetching ----------------------------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        kind: RecordKind = "article",
        method: str = "GET",
        data: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        referer: str | None = None,
    ) -> FetchResult:
        """Fetch one URL under every policy; never raises for network or HTTP trouble."""
        return self._fetch(url, kind=kind, method=method, data=data, etag=etag,
                           last_modified=last_modified, referer=referer, check_robots=True)

    def _fetch(
        self,
        url: str,
        *,
        kind: RecordKind,
        method: str = "GET",
        data: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        referer: str | None = None,
        check_robots: bool,
    ) -> FetchResult:
        started = self._clock()
        if reason := self.refusal(url):
            return self._finish(FetchResult(url, url, "out_of_scope", detail=reason), started)
        if check_robots:
            try:
                self._robots_check(url)
            except _Unreachable as exc:
                return self._finish(FetchResult(url, url, "failed", detail=str(exc)), started)
            except _Refused as exc:
                return self._finish(FetchResult(url, url, "out_of_scope", detail=str(exc)),
                                    started)
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            attempt += 1
            result, wait = self._attempt(url, kind, method, data, conditional, attempt, referer)
            if wait is None:
                result.attempts = attempt
                return self._finish(result, started)
            self._sleep(wait)

    def _finish(self, result: FetchResult, started: float) -> FetchResult:
        result.elapsed_ms = int((self._clock() - started) * 1000)
        if result.attempts == 0:  # refused before any request: still one logged decision
            self._log(Attempt(result.url, _utcnow(), result.outcome, None, 0,
                              result.elapsed_ms, result.detail))
        return result

    def _backoff(self, attempt: int) -> float:
        return min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (attempt - 1))

    def _attempt(
        self,
        url: str,
        kind: RecordKind,
        method: str,
        data: dict[str, str] | None,
        conditional: dict[str, str],
        attempt: int,
        referer: str | None,
    ) -> tuple[FetchResult, float | None]:
        """One attempt including its redirect hops; returns (result, wait before retry)."""
        attempted_at = _utcnow()
        t0 = self._clock()
        current, current_method, current_data = url, method, data
        redirects: list[str] = []
        retry_wait: float | None = None
        try:
            while True:
                # Validators ride along same-site redirects: callers hold them for the URL
                # the redirect ends at (the archive stores pages under their final URL).
                exchange, decoded = self._request(current, current_method, current_data,
                                                  conditional, kind, referer)
                status = exchange.status
                if status in REDIRECT_STATUSES and (location := exchange_header(exchange,
                                                                                 "Location")):
                    target = urljoin(current, location.strip())
                    redirects.append(target)
                    if len(redirects) > self.settings.max_redirects:
                        raise _Refused(f"more than {self.settings.max_redirects} redirects")
                    if reason := self.refusal(target):
                        raise _Refused(f"redirect to {target}: {reason}")
                    try:
                        self._robots_check(target)
                    except (_Refused, _Unreachable) as exc:
                        raise type(exc)(f"redirect to {target}: {exc}") from None
                    if status == 303 or (status in (301, 302) and current_method == "POST"):
                        current_method, current_data = "GET", None
                    current = target
                    continue
                break
            headers = tuple((k, v) for k, v in exchange.headers
                            if k.lower() not in _FRAMING_HEADERS)
            result = FetchResult(url, current, "ok", status, headers, decoded,
                                 fetched_at=exchange.fetched_at, redirects=redirects)
            if status == 304:
                result.outcome, result.detail = "not_modified", "304"
            elif (why := detect_block(status, decoded)) is not None:
                result.outcome, result.detail = "blocked", why
            elif status in self.settings.retry_statuses:
                result.outcome, result.detail = "failed", f"HTTP {status}"
                if attempt <= self.settings.max_retries:
                    retry_wait = self._retry_wait(status, exchange, attempt, current, result)
            elif status >= 400:
                result.outcome, result.detail = "failed", f"HTTP {status}"
            elif status >= 300:
                result.outcome, result.detail = "failed", f"HTTP {status} without Location"
            elif kind != "robots":  # robots.txt is text/plain by definition
                mime = _mime(exchange_header(exchange, "Content-Type"))
                if mime and mime not in self.settings.allowed_content_types:
                    result.outcome, result.detail = "out_of_scope", f"content type {mime}"
        except _TooLarge as exc:
            result = FetchResult(url, current, "too_large", detail=str(exc),
                                 redirects=redirects)
        except _Timeout as exc:  # not retried now: the same server would hold us as long
            result = FetchResult(url, current, "timeout", exc.status, detail=str(exc),
                                 redirects=redirects)
        except _Refused as exc:
            result = FetchResult(url, current, "out_of_scope", detail=str(exc),
                                 redirects=redirects)
        except _Unreachable as exc:
            result = FetchResult(url, current, "failed", detail=str(exc), redirects=redirects)
        except (requests.RequestException, urllib3.exceptions.HTTPError, zlib.error,
                OSError) as exc:
            result = FetchResult(url, current, "failed", detail=f"{type(exc).__name__}: {exc}",
                                 redirects=redirects)
            if attempt <= self.settings.max_retries:
                retry_wait = self._backoff(attempt)
        elapsed = int((self._clock() - t0) * 1000)
        logged: Outcome = "retried" if retry_wait is not None else result.outcome
        self._log(Attempt(url, attempted_at, logged, result.status, attempt, elapsed,
                          result.detail))
        return result, retry_wait

    def _retry_wait(self, status: int, exchange: Exchange, attempt: int, url: str,
                    result: FetchResult) -> float | None:
        wait = self._backoff(attempt)
        asked = parse_retry_after(exchange_header(exchange, "Retry-After"))
        if asked is not None:
            if asked > self.settings.retry_after_max:
                result.detail += f"; Retry-After {asked:.0f}s exceeds limit, giving up"
                return None
            wait = max(wait, asked)
            self._gate(self._host_key(url)).push_back(asked, self._clock)
        return wait

    def _request(
        self,
        url: str,
        method: str,
        data: dict[str, str] | None,
        extra_headers: dict[str, str],
        kind: RecordKind,
        referer: str | None = None,
    ) -> tuple[Exchange, bytes]:
        key = self._host_key(url)
        if referer:
            extra_headers = {**extra_headers, "Referer": referer}
        session = self._session(key)
        budget = self.settings.max_response_seconds
        # The slot covers the whole response (headers, body, decompression): a body still
        # downloading is a request in flight for `concurrency_per_host`.
        with self._gate(key).slot(self._clock, self._sleep):
            deadline = self._clock() + budget
            timeout = (min(self.settings.connect_timeout, budget),
                       min(self.settings.read_timeout, budget))
            try:
                response = session.request(method, url, headers=extra_headers, data=data,
                                           timeout=timeout, allow_redirects=False, stream=True)
            except requests.Timeout as exc:
                if self._clock() >= deadline:
                    raise _Timeout(f"no response within {budget:g} s: {exc}") from exc
                raise
            try:
                return self._read(response, url, method, kind, referer, deadline)
            finally:
                response.close()

    def _read(self, response: requests.Response, url: str, method: str,
              kind: RecordKind, referer: str | None,
              deadline: float) -> tuple[Exchange, bytes]:
        fetched_at = _utcnow()
        headers = tuple(response.raw.headers.items()) if response.raw is not None else tuple(
            response.headers.items())
        request_headers = tuple((k, v if isinstance(v, str) else v.decode("latin-1"))
                                for k, v in response.request.headers.items())

        def exchange(body: bytes, truncated: Truncation | None = None,
                     content: bytes = b"") -> Exchange:
            return Exchange(url, method, response.status_code, headers, body, fetched_at, kind,
                            truncated, request_headers, content, referer)

        cap = self.settings.max_body_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            self._record(exchange(b"", truncated="length"))
            raise _TooLarge(f"Content-Length {declared} exceeds {cap} bytes")
        wire = bytearray()
        decoder = _Decompressor(response.headers.get("Content-Encoding"),
                                self.settings.max_decompressed_bytes)
        try:
            for chunk in self._body_chunks(response, deadline):
                wire += chunk
                if len(wire) > cap:
                    raise _TooLarge(f"body exceeds {cap} bytes")
                decoder.feed(chunk)
        except _TooLarge:
            self._record(exchange(bytes(wire[:cap]), truncated="length"))
            raise
        except _Timeout as exc:
            self._record(exchange(bytes(wire), truncated="time"))
            exc.status = response.status_code
            raise
        except (_Refused, zlib.error):
            self._record(exchange(bytes(wire)))
            raise
        done = exchange(bytes(wire), content=bytes(decoder.out))
        self._record(done)
        return done, done.content

    def _body_chunks(self, response: requests.Response, deadline: float) -> Iterator[bytes]:
        """The wire body as it arrives, until `deadline`: each read takes what one receive
        brings (a full-size read would wait for all of it) and waits at most the read
        timeout or what is left of the budget, whichever is shorter."""
        raw = response.raw
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        budget = self.settings.max_response_seconds
        while True:
            left = deadline - self._clock()
            if left <= 0:
                raise _Timeout(f"response not complete within {budget:g} s")
            if sock is not None:
                sock.settimeout(min(self.settings.read_timeout, left))
            try:
                chunk = raw.read1(_CHUNK, decode_content=False)
            except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
                if self._clock() >= deadline:
                    raise _Timeout(f"response not complete within {budget:g} s") from exc
                raise
            if not chunk:
                return
            yield chunk


def exchange_header(exchange: Exchange, name: str) -> str | None:
    low = name.lower()
    return next((v for k, v in exchange.headers if k.lower() == low), None)
