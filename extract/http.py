"""Polite, bounded HTTP: the one place that talks to web servers. The Fetcher composes
policies that each live in their own module, as Scrapy's downloader middlewares do:
`extract.scope` (hosts, schemes, private addresses), `extract.hostgate` (per host: a
concurrency limit and spacing between starts), `extract.robots` (RFC 9309, once per host),
`extract.retry` (backoff on connection errors and retryable statuses, Retry-After),
`extract.body` (caps on wire bytes, decompressed bytes and time) and `extract.antibot`.
Per request on top: conditional GET, redirects followed by hand so every hop is checked
against scope and robots, and a content-type allow list.

Every response (redirect hops, errors, 304s, anti-bot pages, truncated bodies) goes to the
`record` callback before the caller sees it, so the archive holds each one before any parse;
every attempt goes to the `log` callback with its outcome. The host slot is held until the
last byte is read and decoded; past `max_response_seconds` a fetch is `timeout` and what
arrived is archived as truncated. A host whose robots.txt is unreachable is left alone for
the run: every fetch to it fails without a request (`unreachable()` says why).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from extract import retry
from extract.antibot import detect_block
from extract.body import CappedBody, body_chunks
from extract.exchange import (
    FRAMING_HEADERS,
    REDIRECT_STATUSES,
    Attempt,
    BudgetSpent,
    Exchange,
    FetchResult,
    Outcome,
    RecordKind,
    Refused,
    TooLarge,
    Truncation,
    Unreachable,
)
from extract.hostgate import HostGate, join_gate, leave_gates
from extract.robots import RobotsCache, RobotsPolicy, robots_policy
from extract.scope import Resolver, Scope, resolve_host
from extract.settings import HarvestSettings


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _mime(content_type: str | None) -> str | None:
    return content_type.split(";", 1)[0].strip().lower() if content_type else None


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


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
        self.scope = Scope(allowed_hosts, private_hosts, resolver)
        self._record = record or (lambda exchange: None)
        self._log = log or (lambda attempt: None)
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, requests.Session] = {}
        self._gates: dict[str, HostGate] = {}
        self._robots = RobotsCache(self._load_robots)

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched (scheme, host, private address), or None."""
        return self.scope.refusal(url)

    # -- per host state ----------------------------------------------------------------
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

    def _gate(self, key: str) -> HostGate:
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = join_gate(key, id(self), self.settings.concurrency_per_host,
                                 self.settings.delay)
                self._gates[key] = gate
            return gate

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()
            leave_gates(id(self), list(self._gates))
            self._gates.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- robots.txt --------------------------------------------------------------------
    def robots(self, url: str) -> RobotsPolicy:
        """The policy of `url`'s host, fetched once per Fetcher."""
        return self._robots.get(_host_key(url))

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
        """Raise Unreachable or Refused when robots.txt keeps us from `url`."""
        if not self.settings.respect_robots:
            return
        policy = self.robots(url)
        if policy.unreachable is not None:
            raise Unreachable(f"{policy.unreachable}: host not fetched this run")
        if not policy.allows(self.settings.user_agent, url):
            raise Refused("disallowed by robots.txt")

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
            except Unreachable as exc:
                return self._finish(FetchResult(url, url, "failed", detail=str(exc)), started)
            except Refused as exc:
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
                if status in REDIRECT_STATUSES and (location := exchange.header("Location")):
                    target = urljoin(current, location.strip())
                    redirects.append(target)
                    self._check_redirect(target, len(redirects))
                    if status == 303 or (status in (301, 302) and current_method == "POST"):
                        current_method, current_data = "GET", None
                    current = target
                    continue
                break
            headers = tuple((k, v) for k, v in exchange.headers
                            if k.lower() not in FRAMING_HEADERS)
            result = FetchResult(url, current, "ok", status, headers, decoded,
                                 fetched_at=exchange.fetched_at, redirects=redirects)
            if status == 304:
                result.outcome, result.detail = "not_modified", "304"
            elif (why := detect_block(status, decoded)) is not None:
                result.outcome, result.detail = "blocked", why
            elif retry.retryable(self.settings, status):
                result.outcome, result.detail = "failed", f"HTTP {status}"
                retry_wait = self._status_wait(exchange, attempt, current, result)
            elif status >= 400:
                result.outcome, result.detail = "failed", f"HTTP {status}"
            elif status >= 300:
                result.outcome, result.detail = "failed", f"HTTP {status} without Location"
            elif kind != "robots":  # robots.txt is text/plain by definition
                mime = _mime(exchange.header("Content-Type"))
                if mime and mime not in self.settings.allowed_content_types:
                    result.outcome, result.detail = "out_of_scope", f"content type {mime}"
        except TooLarge as exc:
            result = FetchResult(url, current, "too_large", detail=str(exc),
                                 redirects=redirects)
        except BudgetSpent as exc:  # not retried now: the same server would hold us as long
            result = FetchResult(url, current, "timeout", exc.status, detail=str(exc),
                                 redirects=redirects)
        except Refused as exc:
            result = FetchResult(url, current, "out_of_scope", detail=str(exc),
                                 redirects=redirects)
        except Unreachable as exc:
            result = FetchResult(url, current, "failed", detail=str(exc), redirects=redirects)
        except (requests.RequestException, urllib3.exceptions.HTTPError, zlib.error,
                OSError) as exc:
            result = FetchResult(url, current, "failed", detail=f"{type(exc).__name__}: {exc}",
                                 redirects=redirects)
            if retry.may_retry(self.settings, attempt):
                retry_wait = retry.backoff(self.settings, attempt)
        elapsed = int((self._clock() - t0) * 1000)
        logged: Outcome = "retried" if retry_wait is not None else result.outcome
        self._log(Attempt(url, attempted_at, logged, result.status, attempt, elapsed,
                          result.detail))
        return result, retry_wait

    def _check_redirect(self, target: str, hops: int) -> None:
        """Raise Refused or Unreachable when the redirect to `target` may not be followed."""
        if hops > self.settings.max_redirects:
            raise Refused(f"more than {self.settings.max_redirects} redirects")
        if reason := self.refusal(target):
            raise Refused(f"redirect to {target}: {reason}")
        try:
            self._robots_check(target)
        except (Refused, Unreachable) as exc:
            raise type(exc)(f"redirect to {target}: {exc}") from None

    def _status_wait(self, exchange: Exchange, attempt: int, url: str,
                     result: FetchResult) -> float | None:
        decision = retry.status_retry(self.settings, attempt, exchange.header("Retry-After"))
        if decision is None:
            return None
        result.detail += decision.note
        if decision.asked is not None:
            self._gate(_host_key(url)).push_back(decision.asked, self._clock)
        return decision.wait

    def _request(
        self,
        url: str,
        method: str,
        data: dict[str, str] | None,
        extra_headers: dict[str, str],
        kind: RecordKind,
        referer: str | None = None,
    ) -> tuple[Exchange, bytes]:
        key = _host_key(url)
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
                    raise BudgetSpent(f"no response within {budget:g} s: {exc}") from exc
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

        settings = self.settings
        cap = settings.max_body_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            self._record(exchange(b"", truncated="length"))
            raise TooLarge(f"Content-Length {declared} exceeds {cap} bytes")
        body = CappedBody(response.headers.get("Content-Encoding"), cap,
                          settings.max_decompressed_bytes)
        try:
            for chunk in body_chunks(response, deadline, settings.read_timeout,
                                     settings.max_response_seconds, self._clock):
                body.feed(chunk)
        except TooLarge:
            self._record(exchange(bytes(body.wire[:cap]), truncated="length"))
            raise
        except BudgetSpent as exc:
            self._record(exchange(bytes(body.wire), truncated="time"))
            exc.status = response.status_code
            raise
        except (Refused, zlib.error):
            self._record(exchange(bytes(body.wire)))
            raise
        done = exchange(bytes(body.wire), content=body.content)
        self._record(done)
        return done, done.content
