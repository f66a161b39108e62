"""The fetcher: politeness, retries, conditional GET, scope rules and size caps, all against
the live demo site (no timings: sleeps and clocks are injected where waits matter)."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from demo import DemoSite
from demo.site import Article
from extract.antibot import detect_block
from extract.exchange import Attempt, Exchange
from extract.http import Fetcher
from extract.settings import USER_AGENT, HarvestSettings, resolve_settings


def fast(**overrides: Any) -> HarvestSettings:
    return resolve_settings({"delay": 0, "backoff_base": 0, "read_timeout": 5}, overrides)


class Recorder:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.attempts: list[Attempt] = []
        self.sleeps: list[float] = []


def fetcher(settings: HarvestSettings, hosts: list[str], rec: Recorder,
            **kw: Any) -> Fetcher:
    return Fetcher(settings, hosts, record=rec.exchanges.append, log=rec.attempts.append,
                   sleep=rec.sleeps.append, **kw)


def case(site: DemoSite, behaviour: str) -> Article:
    return next(a for a in site.articles() if a.behaviour == behaviour)


def normal(site: DemoSite) -> Article:
    return next(a for a in site.articles() if a.behaviour == "normal" and not a.revisable)


def test_plain_fetch_sends_our_user_agent_and_archives_first(demo_site: DemoSite) -> None:
    rec = Recorder()
    article = normal(demo_site)
    with fetcher(fast(), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(article))
    assert result.outcome == "ok" and result.status == 200
    assert article.title.encode(article.encoding, "xmlcharrefreplace") in result.body
    assert result.header("ETag") and result.header("Last-Modified")
    urls = [e.url for e in rec.exchanges]
    assert urls[-1] == demo_site.article_url(article)
    assert urls[0].endswith("/robots.txt")  # robots first, and archived like everything
    hits = [r for r in demo_site.requests if r.path == article.path]
    assert hits and all(r.user_agent == USER_AGENT for r in hits)


def test_conditional_get_answers_304_and_costs_no_body(demo_site: DemoSite) -> None:
    rec = Recorder()
    url = demo_site.article_url(normal(demo_site))
    with fetcher(fast(), ["127.0.0.1"], rec) as f:
        first = f.fetch(url)
        again = f.fetch(url, etag=first.header("ETag"))
        by_date = f.fetch(url, last_modified=first.header("Last-Modified"))
    assert (again.outcome, again.status, again.body) == ("not_modified", 304, b"")
    assert by_date.outcome == "not_modified"
    assert [e.status for e in rec.exchanges if e.url == url] == [200, 304, 304]


def test_proxy_settings_come_from_the_environment_per_host(
        demo_site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> None:
    # A dead proxy for everything except the demo host: the demo host is still reachable
    # (NO_PROXY honoured), and the proxy is what other hosts would go through.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    rec = Recorder()
    with fetcher(fast(), ["127.0.0.1", "www.example.org"], rec) as f:
        assert f.fetch(demo_site.article_url(normal(demo_site))).outcome == "ok"
        assert f._session("http://www.example.org").proxies.get("http") == "http://127.0.0.1:9"
    monkeypatch.setenv("NO_PROXY", "")
    proxied = Recorder()
    with fetcher(fast(max_retries=0), ["127.0.0.1"], proxied) as f:
        f.fetch(demo_site.article_url(normal(demo_site)))
    robots = proxied.attempts[0]  # robots.txt goes first, through the (dead) proxy
    assert robots.url.endswith("/robots.txt") and robots.outcome == "failed"
    assert "ProxyError" in (robots.detail or "")


def test_robots_disallow_is_honoured(demo_site: DemoSite) -> None:
    rec = Recorder()
    url = demo_site.article_url(case(demo_site, "robots"))
    with fetcher(fast(), ["127.0.0.1"], rec) as f:
        refused = f.fetch(url)
    assert refused.outcome == "out_of_scope" and "robots" in refused.detail
    assert not any(e.url == url for e in rec.exchanges)
    with fetcher(fast(respect_robots=False), ["127.0.0.1"], Recorder()) as f:
        assert f.fetch(url).outcome == "ok"


def test_500_is_retried_then_succeeds(demo_site: DemoSite) -> None:
    demo_site.reset_faults()
    rec = Recorder()
    with fetcher(fast(backoff_base=0.25), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(case(demo_site, "flaky")))
    assert (result.outcome, result.status, result.attempts) == ("ok", 200, 2)
    assert [(a.outcome, a.status) for a in rec.attempts if a.url == result.url] == [
        ("retried", 500), ("ok", 200)]
    assert rec.sleeps == [0.25]  # exponential backoff starts at backoff_base


def test_429_waits_for_retry_after(demo_site: DemoSite) -> None:
    demo_site.reset_faults()
    rec = Recorder()
    with fetcher(fast(), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(case(demo_site, "ratelimited")))
    assert result.outcome == "ok" and result.attempts == 2
    assert 1.0 in rec.sleeps  # the server said Retry-After: 1


def test_retry_after_beyond_the_limit_gives_up(demo_site: DemoSite) -> None:
    demo_site.reset_faults()
    rec = Recorder()
    with fetcher(fast(retry_after_max=0.5), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(case(demo_site, "ratelimited")))
    assert (result.outcome, result.status) == ("failed", 429)
    assert "Retry-After" in result.detail


def test_missing_page_fails_without_retry(demo_site: DemoSite) -> None:
    rec = Recorder()
    with fetcher(fast(), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(case(demo_site, "missing")))
    assert (result.outcome, result.status, result.attempts) == ("failed", 404, 1)


def test_timeout_is_a_failure_after_retries(demo_site: DemoSite) -> None:
    rec = Recorder()
    with fetcher(fast(read_timeout=0.05, max_retries=1), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(case(demo_site, "slow")))
    assert result.outcome == "failed" and "Timeout" in result.detail
    assert [a.outcome for a in rec.attempts if a.url == result.url] == ["retried", "failed"]


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [("offsite", "not in allowed hosts"), ("private", "10.20.30.40"),
     ("scheme", "non-HTTP scheme 'file'")],
)
def test_redirects_leaving_scope_are_refused(demo_site: DemoSite, behaviour: str,
                                             reason: str) -> None:
    rec = Recorder()
    with fetcher(fast(), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(case(demo_site, behaviour)))
    assert result.outcome == "out_of_scope" and reason in result.detail
    assert rec.exchanges[-1].status == 302  # the redirect itself is archived


def test_same_host_redirect_is_followed(demo_site: DemoSite) -> None:
    article = case(demo_site, "moved")
    with fetcher(fast(), ["127.0.0.1"], Recorder()) as f:
        result = f.fetch(demo_site.article_url(article))
    assert result.outcome == "ok"
    assert result.final_url.endswith("_moved.html") and result.redirects == [result.final_url]


def test_loopback_needs_a_literal_allow_entry() -> None:
    settings = fast()
    resolver = {"intranet.example.gov.cn": ["10.1.2.3"], "www.example.gov.cn": ["93.184.216.34"]}
    f = Fetcher(settings, ["intranet.example.gov.cn", "www.example.gov.cn", "127.0.0.1"],
                resolver=lambda host: resolver[host])
    assert "private address 10.1.2.3" in (f.refusal("http://intranet.example.gov.cn/") or "")
    assert f.refusal("http://www.example.gov.cn/a.html") is None
    assert f.refusal("http://127.0.0.1:8/") is None  # named literally: allowed
    assert "not in allowed hosts" in (f.refusal("http://localhost:8/") or "")
    assert "not in allowed hosts" in (f.refusal("http://[::1]:8/") or "")
    assert "scheme" in (f.refusal("ftp://www.example.gov.cn/x") or "")
    default = Fetcher(settings, ["www.example.gov.cn"], resolver=lambda host: ["127.0.0.1"])
    assert "private" in (default.refusal("http://www.example.gov.cn/") or "")


def test_body_cap_while_streaming(demo_site: DemoSite) -> None:
    rec = Recorder()
    with fetcher(fast(max_body_bytes=256 * 1024), ["127.0.0.1"], rec) as f:
        big = f.fetch(demo_site.article_url(case(demo_site, "oversized")))
        small = f.fetch(demo_site.article_url(normal(demo_site)))
    assert big.outcome == "too_large" and "exceeds" in big.detail
    truncated = [e for e in rec.exchanges if e.url == big.url]
    assert truncated and truncated[0].truncated and len(truncated[0].body) == 256 * 1024
    assert small.outcome == "ok"


def test_default_cap_stops_an_11_mb_page(demo_site: DemoSite) -> None:
    with fetcher(fast(), ["127.0.0.1"], Recorder()) as f:
        assert f.fetch(demo_site.article_url(case(demo_site, "oversized"))).outcome == \
            "too_large"


def test_decompression_cap_stops_a_gzip_bomb(demo_site: DemoSite) -> None:
    with fetcher(fast(), ["127.0.0.1"], Recorder()) as f:
        result = f.fetch(demo_site.article_url(case(demo_site, "gzipbomb")))
    assert result.outcome == "too_large" and "decompressed" in result.detail


def test_gzip_pages_are_decoded_and_archived_as_sent(demo_site: DemoSite) -> None:
    trs = next(a for a in demo_site.articles()
               if a.column.family == "trs" and a.behaviour == "normal" and not a.attachments)
    rec = Recorder()
    with fetcher(fast(), ["127.0.0.1"], rec) as f:
        result = f.fetch(demo_site.article_url(trs))
    wire = rec.exchanges[-1]
    assert dict(wire.headers).get("Content-Encoding") == "gzip"
    assert wire.body[:2] == b"\x1f\x8b" and wire.content == result.body
    assert result.body.startswith(b"<!DOCTYPE") or b"<html" in result.body[:200]
    assert "Content-Encoding" not in dict(result.headers)


def test_anti_bot_pages_are_blocked(demo_site: DemoSite) -> None:
    with fetcher(fast(), ["127.0.0.1"], Recorder()) as f:
        ts = f.fetch(demo_site.article_url(case(demo_site, "antibot")))
        js = f.fetch(demo_site.article_url(case(demo_site, "jschallenge")))
    assert (ts.outcome, ts.status) == ("blocked", 412) and "$_ts" in ts.detail
    assert (js.outcome, js.status) == ("blocked", 200) and "JavaScript" in js.detail
    assert detect_block(200, "<p>请开启JavaScript并刷新该页</p>".encode("gbk"))
    assert detect_block(200, b"<html><body><p>ordinary page</p></body></html>") is None


def test_disallowed_content_type_is_out_of_scope(demo_site: DemoSite) -> None:
    with fetcher(fast(allowed_content_types=("application/pdf",)), ["127.0.0.1"],
                 Recorder()) as f:
        result = f.fetch(demo_site.article_url(normal(demo_site)))
    assert result.outcome == "out_of_scope" and "content type text/html" in result.detail


# -- robots.txt per RFC 9309: unreachable (5xx, network) keeps us out, 4xx means no rules --

def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released): connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_server_error_makes_the_host_unreachable(status: int) -> None:
    with DemoSite() as site:
        site.set_robots(status)
        rec = Recorder()
        article = normal(site)
        with fetcher(fast(max_retries=1), ["127.0.0.1"], rec) as f:
            result = f.fetch(site.article_url(article))
            reason = f.unreachable(site.article_url(article))
        assert result.outcome == "failed" and result.attempts == 0
        assert reason and f"HTTP {status}" in reason and "robots.txt" in reason
        assert "robots.txt" in result.detail and "not fetched" in result.detail
        assert [r.path for r in site.requests] == ["/robots.txt"] * 2  # retried, then gave up
        assert not any(e.url == site.article_url(article) for e in rec.exchanges)


def test_robots_connection_refused_makes_the_host_unreachable() -> None:
    url = f"http://127.0.0.1:{closed_port()}/art/1.html"
    rec = Recorder()
    with fetcher(fast(max_retries=0), ["127.0.0.1"], rec) as f:
        result = f.fetch(url)
        reason = f.unreachable(url)
    assert result.outcome == "failed" and reason and "ConnectionError" in reason
    assert [a.url.rsplit("/", 1)[-1] for a in rec.attempts] == ["robots.txt", "1.html"]
    assert rec.attempts[-1].attempt == 0  # the article was refused, never requested


@pytest.mark.parametrize(("fault", "settings"), [
    ("slow", {"read_timeout": 0.1}),  # no answer within the read timeout
    ("drip", {"max_response_seconds": 0.5}),  # answers, but not within the time budget
])
def test_robots_timeout_makes_the_host_unreachable(fault: str, settings: dict[str, float]
                                                   ) -> None:
    with DemoSite(slow_seconds=0.5, drip_seconds=0.2) as site:
        site.set_fault("/robots.txt", fault)  # type: ignore[arg-type]
        url = site.article_url(normal(site))
        with fetcher(fast(max_retries=0, **settings), ["127.0.0.1"], Recorder()) as f:
            result = f.fetch(url)
            reason = f.unreachable(url)
        assert result.outcome == "failed" and reason and "robots.txt" in reason
        assert "imeout" in reason or "within" in reason
        # (the slow answer is logged only once the server wakes up, after the client left)
        assert all(r.path == "/robots.txt" for r in site.requests)


@pytest.mark.parametrize("status", [404, 403, 410, 401])
def test_robots_4xx_means_no_rules(status: int) -> None:
    with DemoSite() as site:
        site.set_robots(status)
        url = site.article_url(case(site, "robots"))  # disallowed when the rules are there
        with fetcher(fast(), ["127.0.0.1"], Recorder()) as f:
            assert f.unreachable(url) is None
            result = f.fetch(url)
        assert result.outcome == "ok" and result.status == 200


# -- the time budget of one response, and the host slot held while a body downloads --------

def test_a_dripping_response_ends_at_its_time_budget_archived_as_truncated() -> None:
    # One byte every 0.3 s: every read is well within the read timeout, the whole body
    # (several KB) would take an hour.
    with DemoSite(drip_seconds=0.3, drip_bytes=1) as site:
        article = normal(site)
        site.set_fault(article.path, "drip")
        rec = Recorder()
        with fetcher(fast(read_timeout=5, max_response_seconds=1.5), ["127.0.0.1"], rec) as f:
            started = time.monotonic()
            result = f.fetch(site.article_url(article))
            took = time.monotonic() - started
    assert (result.outcome, result.status, result.attempts) == ("timeout", 200, 1)
    assert "1.5 s" in result.detail
    assert 1.4 <= took < 3.0
    archived = [e for e in rec.exchanges if e.url == result.url]
    assert len(archived) == 1 and archived[0].truncated == "time"
    assert 0 < len(archived[0].body) < len(site._rendered(article)[0])
    assert [a.outcome for a in rec.attempts if a.url == result.url] == ["timeout"]


def test_a_slow_response_within_its_budget_completes() -> None:
    with DemoSite(drip_seconds=0.05, drip_bytes=4096) as site:
        article = normal(site)
        site.set_fault(article.path, "drip")
        with fetcher(fast(max_response_seconds=10), ["127.0.0.1"], Recorder()) as f:
            result = f.fetch(site.article_url(article))
    assert result.outcome == "ok" and result.body == site._rendered(article)[0]


@pytest.mark.parametrize("limit", [1, 2])
def test_the_host_slot_covers_the_whole_body(limit: int) -> None:
    # Bodies that take ~0.2 s each, four fetched at once: with one slot per host the server
    # never has two requests open; the slot is not released when the headers arrive.
    with DemoSite(drip_seconds=0.05, drip_bytes=2048) as site:
        articles = [a for a in site.articles() if a.behaviour == "normal"][:4]
        for article in articles:
            site.set_fault(article.path, "drip")
        with fetcher(fast(concurrency_per_host=limit), ["127.0.0.1"], Recorder()) as f:
            f.robots(site.base_url)  # robots.txt first, alone
            site.reset_peak()
            with ThreadPoolExecutor(4) as pool:
                results = list(pool.map(lambda a: f.fetch(site.article_url(a)), articles))
    assert [r.outcome for r in results] == ["ok"] * 4
    assert site.peak_in_flight == limit
    assert max(r.in_flight for r in site.requests) == limit
