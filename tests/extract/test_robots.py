"""robots.txt rules as protego reads them: `*` and `$` wildcards and the longest match
winning (urllib.robotparser, used before, knew neither: it matched plain prefixes in file
order, so `Disallow: /*.pdf$` blocked nothing and an earlier Disallow hid a longer Allow)."""

from __future__ import annotations

import pytest

from extract.exchange import FetchResult
from extract.robots import RobotsPolicy, parse_robots, robots_policy
from extract.settings import USER_AGENT

ROBOTS = """\
User-agent: *
Disallow: /docs/
Allow: /docs/public/
Disallow: /*.pdf$
Disallow: /search*q=
Crawl-delay: 2
"""


def policy(text: str = ROBOTS) -> RobotsPolicy:
    return RobotsPolicy(parse_robots(text))


@pytest.mark.parametrize(("path", "allowed"), [
    ("/files/plan.pdf", False),  # `*` and an end anchor `$`
    ("/files/plan.pdf?download=1", True),  # `$`: the URL must end there
    ("/files/plan.pdfx", True),
    ("/files/plan.html", True),
    ("/search?site=1&q=law", False),  # `*` inside a rule
])
def test_wildcard_rules(path: str, allowed: bool) -> None:
    assert policy().allows(USER_AGENT, "http://www.example.gov.cn" + path) is allowed


@pytest.mark.parametrize(("path", "allowed"), [
    ("/docs/public/plan.html", True),  # the longer Allow beats the earlier, shorter Disallow
    ("/docs/internal.html", False),
    ("/docs/public/plan.pdf", True),  # the Allow rule is longer than `/*.pdf$`
])
def test_the_longest_matching_rule_wins(path: str, allowed: bool) -> None:
    assert policy().allows(USER_AGENT, "http://www.example.gov.cn" + path) is allowed


def test_a_group_for_our_agent_replaces_the_star_group_and_crawl_delay_is_read() -> None:
    text = ROBOTS + "\nUser-agent: govharvest\nDisallow: /only-us/\nCrawl-delay: 5\n"
    ours = policy(text)
    assert not ours.allows(USER_AGENT, "http://h.gov.cn/only-us/a.html")
    assert ours.allows(USER_AGENT, "http://h.gov.cn/files/plan.pdf")  # the * group is not ours
    assert ours.crawl_delay(USER_AGENT) == 5.0
    assert policy().crawl_delay(USER_AGENT) == 2.0
    assert RobotsPolicy().crawl_delay(USER_AGENT) is None


@pytest.mark.parametrize(("status", "outcome", "rules", "unreachable"), [
    (200, "ok", True, False),
    (404, "failed", False, False),  # 4xx: "unavailable", no rules
    (403, "failed", False, False),
    (429, "failed", False, True),  # come back later: unreachable
    (503, "failed", False, True),
    (None, "failed", False, True),  # a network error
    (None, "timeout", False, True),
])
def test_rfc9309_status_handling(status: int | None, outcome: str, rules: bool,
                                 unreachable: bool) -> None:
    url = "http://h.gov.cn/robots.txt"
    result = FetchResult(url, url, outcome, status, body=ROBOTS.encode())  # type: ignore[arg-type]
    found = robots_policy(url, result)
    assert (found.rules is not None) is rules
    assert (found.unreachable is not None) is unreachable
    assert found.allows(USER_AGENT, "http://h.gov.cn/a.html") is not unreachable
