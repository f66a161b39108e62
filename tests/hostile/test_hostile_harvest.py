"""A real `govharvest harvest` against a hostile local site (tests/hostile/site.py).

The harvest runs once per module, as a subprocess of the installed CLI, into a temporary
data directory; `validate` and `dashboard` then build the quality report and the dashboard
from its warehouse. Each test reads one consequence: the fetch log (archive/fetchlog), the
run summary (the CLI's table and run_log), the warehouse (dim_document, fact_task,
quarantine) and the generated HTML. A second, small harvest meets a site whose robots.txt
answers 503.

The harvest runs with HTTP(S)_PROXY pointing at the hostile site itself and NO_PROXY naming
only loopback: a fetcher that tried to reach a refused host (10.0.0.1, evil.example.net)
would send that request to the test server, in proxy form, instead of to the network.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import duckdb
import polars as pl
import pytest
import requests
import requests.utils
import yaml
from warcio.archiveiterator import ArchiveIterator

from extract.archive import read_fetchlog, read_index
from extract.settings import HarvestSettings
from tests.conftest import expected
from tests.hostile.site import (
    BOMB_INFLATED_BYTES,
    CASES,
    HUGE_BYTES,
    OFFHOST_TARGET,
    PRIVATE_TARGET,
    XSS_ATTR,
    XSS_SCRIPT,
    HostileSite,
    article_path,
    seed_lines,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

SITE = "hostile"
DOWN_SITE = "hostile-down"
MAX_RETRIES = 1  # one retry: enough for the 500 and the 429, cheap for the drip
BUDGET_SECONDS = 3.0  # per-response time budget; the drip would run DRIP_SECONDS without it
BUDGET_SETTING = "max_response_seconds"
MAX_BODY = 4 * 1024 * 1024
MAX_INFLATED = 16 * 1024 * 1024
HARVEST_SECONDS = 60.0  # the whole harvest, drip, 200 MB body and bomb included
HARD_KILL_SECONDS = 150.0  # subprocess timeout: a hung harvest fails instead of hanging
LOADED = ("good", "flaky", "ratelimited", "nested300", "xss")
# Raw markup that must never reach generated HTML from scraped text.
RAW_SCRIPT = re.compile(r"<script>\s*alert\(1\)", re.I)
RAW_ONERROR = re.compile(r"<img\b[^<>]*\bonerror\s*=", re.I)
ESCAPED_SCRIPT = ("&lt;script&gt;alert(1)", "\\u003cscript\\u003ealert(1)")


@dataclass(frozen=True, slots=True)
class Harvested:
    site: HostileSite
    site_name: str
    data: Path
    proc: subprocess.CompletedProcess[str]
    seconds: float
    fetchlog: pl.DataFrame  # this site's rows, in attempt order

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    def url(self, name: str) -> str:
        return self.site.url(article_path(name))

    def attempts(self, name: str) -> list[dict[str, object]]:
        return self.fetchlog.filter(pl.col("url") == self.url(name)).to_dicts()

    def outcome(self, name: str) -> dict[str, object]:
        """The fetch log's last word on the article `name`."""
        rows = self.attempts(name)
        assert rows, f"no fetch log row for {name}"
        return rows[-1]

    def warc_truncated(self, name: str) -> list[str | None]:
        """WARC-Truncated of each archived response for the article `name`."""
        archive = self.data / "archive"
        index = read_index(archive, self.site_name).filter(pl.col("url") == self.url(name))
        found: list[str | None] = []
        for row in index.iter_rows(named=True):
            with (archive / row["warc_file"]).open("rb") as warc:
                warc.seek(row["offset"])
                record = next(iter(ArchiveIterator(warc)))
                found.append(record.rec_headers.get_header("WARC-Truncated"))
        return found

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("govharvest")
    if script.is_file():  # the installed console script, as a user runs it
        return [str(script)]
    return [sys.executable, "-c", "from flows.cli import main; main()"]


def _proxy_env(site: HostileSite) -> dict[str, str]:
    """The environment the CLI runs in: every non-loopback request goes to the test site."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in
           ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = site.base_url
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.pop("GOVHARVEST_DATA_DIR", None)
    return env


def _write_profile(folder: Path, name: str, site: HostileSite) -> Path:
    settings: dict[str, object] = {
        "delay": 0, "concurrency_per_host": 4, "workers": 4, "connect_timeout": 2.0,
        "read_timeout": 5.0, "max_retries": MAX_RETRIES, "backoff_base": 0.2,
        "max_body_bytes": MAX_BODY, "max_decompressed_bytes": MAX_INFLATED,
    }
    # The budget is extract.settings' own; without it the drip runs to its end (and the
    # timeout test fails, as it should) rather than the profile failing validation.
    if BUDGET_SETTING in HarvestSettings.model_fields:
        settings[BUDGET_SETTING] = BUDGET_SECONDS
    profile = {"extends": "generic", "description": "hostile test site",
               "base_url": site.base_url + "/", "hosts": ["127.0.0.1"],
               "start_urls": ["/list.html"], "settings": settings}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    return path


def _run(args: list[str], site: HostileSite) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = subprocess.run([*_cli(), *args], env=_proxy_env(site), capture_output=True,
                          text=True, timeout=HARD_KILL_SECONDS, check=False)
    return proc, time.monotonic() - started


def _harvest(site: HostileSite, name: str, root: Path) -> Harvested:
    profile = _write_profile(root, name, site)
    data = root / "data"
    proc, seconds = _run(["harvest", "--site", str(profile), "--data-dir", str(data)], site)
    fetchlog = pl.DataFrame()
    if (data / "archive" / "fetchlog").is_dir():
        fetchlog = read_fetchlog(data / "archive", site=name).sort("attempted_at", "attempts")
    return Harvested(site, name, data, proc, seconds, fetchlog)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harvested]:
    with HostileSite(lifetime=400) as site:
        done = _harvest(site, SITE, tmp_path_factory.mktemp("hostile"))
        yield done


@pytest.fixture(scope="module")
def outputs(run: Harvested) -> dict[str, subprocess.CompletedProcess[str]]:
    """The quality report and the dashboard, built by the CLI from the harvest's warehouse."""
    data = ["--data-dir", str(run.data)]
    return {"validate": _run(["validate", *data], run.site)[0],
            "dashboard": _run(["dashboard", *data], run.site)[0]}


@pytest.fixture(scope="module")
def down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harvested]:
    with HostileSite(robots_status=503, lifetime=200) as site:
        yield _harvest(site, DOWN_SITE, tmp_path_factory.mktemp("down"))


def summary_row(stdout: str, site: str) -> dict[str, int]:
    """The CLI's summary table row for `site`, by column header (a header Rich wrapped over
    several lines is joined back)."""
    lines = stdout.splitlines()
    header_lines = [line.strip().strip("┃").split("┃") for line in lines
                    if line.strip().startswith("┃")]
    names = [" ".join(part.strip() for part in parts if part.strip())
             for parts in zip(*header_lines, strict=True)]
    row = next(line for line in lines if line.strip().startswith("│")
               and line.strip().strip("│").split("│")[0].strip() == site)
    values = [cell.strip() for cell in row.strip().strip("│").split("│")]
    assert names[0] == "site", names
    # A header cut to "quarantin…" is a summary nobody can read in a CI log or a file.
    assert not [name for name in names if "…" in name], f"summary headers cut: {names}"
    return {name: int(value) for name, value in zip(names[1:], values[1:], strict=True)}


# ------------------------------------------------------------------ the run as a whole


def test_the_harvest_finishes_in_bounded_time_and_exits_zero(run: Harvested) -> None:
    assert run.proc.returncode == 0, run.output
    assert "Traceback" not in run.output
    assert run.seconds < HARVEST_SECONDS, f"harvest took {run.seconds:.1f} s"


def test_the_proxy_net_would_catch_a_request_leaving_loopback(run: Harvested) -> None:
    # The net is armed: under the harvest's environment a refused host's URL goes to the
    # test site, loopback goes direct.
    with mock.patch.dict(os.environ, _proxy_env(run.site), clear=True):
        assert requests.utils.get_environ_proxies(PRIVATE_TARGET)["http"] == run.site.base_url
        assert requests.utils.get_environ_proxies(OFFHOST_TARGET)["http"] == run.site.base_url
        assert requests.utils.get_environ_proxies(run.site.url("/list.html")) == {}
    assert run.site.proxied == []


def test_every_listed_case_has_a_fetch_log_row(run: Harvested) -> None:
    for case in CASES:
        assert run.attempts(case.name), case.name


# ------------------------------------------------------------------ refused redirects


def test_an_off_host_redirect_is_refused_and_not_retried(run: Harvested) -> None:
    last = run.outcome("offhost")
    assert last["outcome"] == "out_of_scope"
    assert "evil.example.net" in str(last["detail"])
    assert len(run.site.hits(article_path("offhost"))) == 1


def test_a_redirect_to_a_private_address_is_refused_without_connecting(run: Harvested) -> None:
    last = run.outcome("private")
    assert last["outcome"] == "out_of_scope"
    assert "10.0.0.1" in str(last["detail"])
    assert len(run.site.hits(article_path("private"))) == 1
    # No request for it reached the proxy net, and the fetch log has no answer from it.
    assert not [r for r in run.site.proxied if "10.0.0.1" in r.target]
    assert run.fetchlog.filter(pl.col("url").str.contains("10.0.0.1")).is_empty()


def test_a_redirect_loop_stops_at_the_redirect_limit(run: Harvested) -> None:
    last = run.outcome("loop")
    # Refused, not loaded; which bucket a loop counts in (a site fault or out of scope) is
    # the fetcher's choice, that it ends and is never loaded is not.
    assert last["outcome"] in ("out_of_scope", "failed")
    assert "redirects" in str(last["detail"])
    hops = run.site.hits(article_path("loop")) + run.site.hits(article_path("loop-2"))
    limit = HarvestSettings().max_redirects + 1
    assert limit <= len(hops) <= limit * (1 + MAX_RETRIES)


# ------------------------------------------------------------------ retried, then loaded


def test_a_500_then_200_is_retried_and_loaded(run: Harvested) -> None:
    rows = run.attempts("flaky")
    assert [(r["outcome"], r["status"]) for r in rows] == [("retried", 500), ("ok", 200)]
    assert run.query("SELECT count(*) FROM dim_document WHERE url = ? AND is_current",
                     run.url("flaky")) == [(1,)]


def test_a_429_waits_for_retry_after_then_loads(run: Harvested) -> None:
    rows = run.attempts("ratelimited")
    assert [(r["outcome"], r["status"]) for r in rows] == [("retried", 429), ("ok", 200)]
    first, second = run.site.hits(article_path("ratelimited"))[:2]
    assert second.at - first.at >= 0.95  # Retry-After: 1
    assert run.query("SELECT count(*) FROM dim_document WHERE url = ? AND is_current",
                     run.url("ratelimited")) == [(1,)]


# ------------------------------------------------------------------ cut short


def test_a_slow_drip_is_cut_at_the_response_budget(run: Harvested) -> None:
    assert BUDGET_SETTING in HarvestSettings.model_fields, "no per-response time budget"
    last = run.outcome("drip")
    assert last["outcome"] == "timeout", last
    for row in run.attempts("drip"):
        assert int(str(row["elapsed_ms"])) < (BUDGET_SECONDS + 2) * 1000, row
    assert run.warc_truncated("drip") == ["time"]  # what did arrive is archived, marked cut
    assert run.query("SELECT count(*) FROM dim_document WHERE url = ?", run.url("drip")) == [(0,)]


def test_a_200_mb_body_is_cut_at_the_size_cap(run: Harvested) -> None:
    last = run.outcome("huge")
    assert last["outcome"] == "too_large"
    assert str(MAX_BODY) in str(last["detail"])
    # The client hung up near the cap: the server wrote a few socket buffers past it at most.
    assert run.site.streamed("huge") < min(HUGE_BYTES // 4, MAX_BODY * 8)
    assert run.warc_truncated("huge") == ["length"]
    assert run.query("SELECT count(*) FROM dim_document WHERE url = ?", run.url("huge")) == [(0,)]


def test_a_gzip_bomb_is_cut_at_the_decompression_cap(run: Harvested) -> None:
    last = run.outcome("bomb")
    assert last["outcome"] == "too_large"
    assert "decompressed" in str(last["detail"]) and str(MAX_INFLATED) in str(last["detail"])
    assert BOMB_INFLATED_BYTES > MAX_INFLATED * 10
    assert run.warc_truncated("bomb") == ["length"]
    assert run.query("SELECT count(*) FROM dim_document WHERE url = ?", run.url("bomb")) == [(0,)]


# ------------------------------------------------------------------ blocked


def test_an_anti_bot_412_page_is_blocked_and_quarantined(run: Harvested) -> None:
    last = run.outcome("antibot")
    assert last["outcome"] == "blocked"
    assert last["status"] == 412 and "$_ts" in str(last["detail"])
    assert run.query("SELECT reason FROM quarantine WHERE url = ?",
                     run.url("antibot")) == [("blocked",)]
    assert run.query("SELECT count(*) FROM dim_document WHERE url = ?",
                     run.url("antibot")) == [(0,)]


# ------------------------------------------------------------------ nested HTML


def _sections(run: Harvested, name: str) -> dict[int, int]:
    rows = run.query(
        "SELECT t.level, count(*) FROM fact_task t JOIN dim_document d USING (document_key) "
        "WHERE d.url = ? AND d.is_current AND t.level IN (1, 2) GROUP BY t.level",
        run.url(name))
    return {int(str(level)): int(str(n)) for level, n in rows}


def test_300_nested_font_tags_load_the_whole_plan(run: Harvested) -> None:
    case = next(c for c in CASES if c.name == "nested300")
    assert case.seed is not None
    assert run.outcome("nested300")["outcome"] == "ok"
    counts = expected(case.seed)["counts"]
    assert _sections(run, "nested300") == {1: counts["level1"], 2: counts["level2"]}
    # Every line of the plan reached the warehouse, the last (deepest) ones included.
    (chars,) = run.query(
        "SELECT sum(t.char_count) FROM fact_task t JOIN dim_document d USING (document_key) "
        "WHERE d.url = ? AND d.is_current", run.url("nested300"))
    plan_chars = sum(len(line) for line in seed_lines(case.seed))
    assert int(str(chars[0])) > 0.9 * plan_chars
    (flags,) = run.query("SELECT quality_flags FROM dim_document WHERE url = ? AND is_current",
                         run.url("nested300"))
    assert "html_truncated" not in (flags[0] or [])


def test_10000_nested_font_tags_are_quarantined_not_loaded_in_part(run: Harvested) -> None:
    reasons = {r for (r,) in run.query("SELECT reason FROM quarantine WHERE url = ?",
                                       run.url("nested10000"))}
    assert "html_truncated" in reasons
    assert run.query("SELECT count(*) FROM dim_document WHERE url = ?",
                     run.url("nested10000")) == [(0,)]


# ------------------------------------------------------------------ what loads


def test_the_good_article_loads_whole(run: Harvested) -> None:
    case = next(c for c in CASES if c.name == "good")
    assert case.seed is not None
    assert [r["outcome"] for r in run.attempts("good")] == ["ok"]
    assert run.query("SELECT title FROM dim_document WHERE url = ? AND is_current",
                     run.url("good")) == [(case.title,)]
    counts = expected(case.seed)["counts"]
    assert _sections(run, "good") == {1: counts["level1"], 2: counts["level2"]}


def test_exactly_the_loadable_articles_are_in_the_warehouse(run: Harvested) -> None:
    urls = {u for (u,) in run.query("SELECT url FROM dim_document WHERE is_current")}
    assert urls == {run.url(name) for name in LOADED}


def test_markup_in_scraped_text_is_stored_as_text(run: Harvested) -> None:
    (row,) = run.query("SELECT title, issuer FROM dim_document WHERE url = ? AND is_current",
                       run.url("xss"))
    title, issuer = (str(v) for v in row)
    assert XSS_SCRIPT in title and XSS_ATTR in title
    assert XSS_SCRIPT in issuer
    agencies = {str(a) for (a,) in run.query("SELECT name FROM dim_agency")}
    assert any(XSS_SCRIPT in a for a in agencies) and any(XSS_ATTR in a for a in agencies)


# ------------------------------------------------------------------ the run summary


def test_the_summary_counts_every_outcome(run: Harvested) -> None:
    row = summary_row(run.proc.stdout, SITE)
    last = {case.name: run.outcome(case.name)["outcome"] for case in CASES}

    def n(*outcomes: str) -> int:
        return sum(1 for outcome in last.values() if outcome in outcomes)

    assert row["new"] == len(LOADED)
    assert row["blocked"] == n("blocked") == 1  # the anti-bot page
    assert row["out of scope"] == n("out_of_scope")
    assert row["failed"] == n("failed")
    assert row["too large"] == n("too_large") == 2  # the 200 MB body and the gzip bomb
    assert row["timeout"] == n("timeout") == 1  # the drip
    assert row["quarantined"] == run.query("SELECT count(*) FROM quarantine")[0][0]


def test_run_log_agrees_with_the_printed_summary(run: Harvested) -> None:
    row = summary_row(run.proc.stdout, SITE)
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        cursor = con.execute("SELECT * FROM run_log WHERE site = ?", [SITE])
        names = [d[0] for d in cursor.description or ()]
        logged = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    (entry,) = logged
    assert entry["status"] == "ok"
    for column, printed in (("new_docs", "new"), ("blocked", "blocked"),
                            ("out_of_scope", "out of scope"), ("failed", "failed"),
                            ("quarantined", "quarantined"), ("pages_fetched", "pages fetched"),
                            ("too_large", "too large"), ("timeout", "timeout")):
        assert entry.get(column) == row[printed], column


# ------------------------------------------------------------------ generated HTML


def _html_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_the_dashboard_and_report_are_built(run: Harvested,
                                            outputs: dict[str, subprocess.CompletedProcess[str]]
                                            ) -> None:
    assert outputs["dashboard"].returncode == 0, outputs["dashboard"].stderr
    assert outputs["validate"].returncode in (0, 1), outputs["validate"].stderr  # 1: a check
    assert _html_files(run.data / "dashboard") and _html_files(run.data / "reports")


@pytest.mark.parametrize("folder", ["dashboard", "reports"])
def test_generated_html_holds_scraped_markup_only_escaped(
    run: Harvested, outputs: dict[str, subprocess.CompletedProcess[str]], folder: str
) -> None:
    files = _html_files(run.data / folder)
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not RAW_SCRIPT.search(text), f"raw <script> from scraped text in {path}"
        assert not RAW_ONERROR.search(text), f"raw onerror attribute in {path}"
    if folder == "dashboard":
        # Not vacuous: the XSS plan's title is shown, escaped.
        shown = [p for p in files if any(e in p.read_text(encoding="utf-8", errors="replace")
                                         for e in ESCAPED_SCRIPT)]
        assert shown, "the XSS plan's title appears nowhere in the dashboard"


# ------------------------------------------------------------------ a site that is down


def test_a_site_whose_robots_txt_answers_503_is_reported_down(down: Harvested) -> None:
    # RFC 9309: robots.txt unreachable through a server error means the site is unavailable
    # tonight, not "everything is out of scope and the run is ok".
    assert down.proc.returncode != 0, down.output
    assert "Traceback" not in down.output
    assert "robots.txt" in down.output
    assert down.site.hits("/list.html") == []
    assert down.site.hits("/robots.txt")
    if down.warehouse.exists():
        statuses = [s for (s,) in down.query("SELECT status FROM run_log WHERE site = ?",
                                             DOWN_SITE)]
        assert "ok" not in statuses


# ------------------------------------------------------------------ the site itself


def test_the_hostile_site_stops_by_itself() -> None:
    site = HostileSite(lifetime=0.5).start()
    url = site.url("/list.html")

    def get() -> requests.Response:
        with requests.Session() as session:  # a new connection each time
            session.trust_env = False  # straight to loopback, whatever proxies are set
            return session.get(url, timeout=5)

    assert get().status_code == 200
    time.sleep(1.5)
    with pytest.raises(requests.ConnectionError):
        get()
    site.stop()  # idempotent after the watchdog's stop
