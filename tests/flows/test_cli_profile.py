"""`govharvest profile suggest` and the harvest CLI on a column that lists nothing, run as a
user runs them (the installed script in a subprocess) against the demo site's layouts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo import DemoSite
from demo.layouts import LAYOUTS
from flows.summary import SiteOutcome, run_markdown

GOVHARVEST = Path(sys.executable).with_name("govharvest")


def run(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect"), "COLUMNS": "200",
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    return subprocess.run([str(GOVHARVEST), *args], capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(layouts=LAYOUTS) as served:
        yield served


@pytest.mark.slow
def test_suggest_prints_what_it_found_and_harvest_runs_on_the_profile(
        site: DemoSite, tmp_path: Path) -> None:
    layout = site.layouts.layouts["dldd"]
    out = run("profile", "suggest", "--start-url", site.url(layout.start_path),
              "--allow-host", "127.0.0.1", "--name", "new-county", "--sites-dir",
              str(tmp_path / "sites"), "--delay", "0", tmp=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    profile = tmp_path / "sites" / "new-county.yaml"
    assert f"wrote {profile} (extends generic)" in out.stdout
    assert "entries on the first list page: 3" in out.stdout
    for article in layout.chunk(1):
        assert f"{article.date.isoformat()}  {article.title}" in out.stdout
    assert f"next page: {site.url('/gen/dldd/cx/list_2.html')} (3 entries)" in out.stdout
    first_line = layout.articles[0].body_text.splitlines()[0].strip()
    assert f"first line: {first_line}" in out.stdout
    assert "encoding: gb18030" in out.stdout

    harvested = run("harvest", "--site", str(profile), "--data-dir", str(tmp_path / "data"),
                    "--delay", "0", tmp=tmp_path)
    assert harvested.returncode == 0, harvested.stdout + harvested.stderr
    row = next(line for line in harvested.stdout.splitlines() if "new-county" in line
               and "│" in line and "harvest" not in line)
    cells = [c.strip() for c in row.split("│") if c.strip()]
    assert cells[0] == "new-county" and cells[2] == "7"  # pages fetched, then new


@pytest.mark.slow
def test_a_start_url_that_yields_nothing_fails_the_harvest_and_names_the_page(
        site: DemoSite, tmp_path: Path) -> None:
    home = site.url("/")
    out = run("harvest", "--start-url", home, "--allow-host", "127.0.0.1", "--data-dir",
              str(tmp_path / "data"), "--delay", "0", tmp=tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"no_list_items: {home}" in out.stdout
    assert f"error: no article found from start URL {home}" in out.stderr
    assert "Traceback" not in out.stderr


def test_suggest_errors_are_short_user_errors(site: DemoSite, tmp_path: Path) -> None:
    out = run("profile", "suggest", "--start-url", site.url("/"), "--allow-host", "127.0.0.1",
              "--sites-dir", str(tmp_path), "--delay", "0", tmp=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith("error: no list of articles found on") and len(lines) <= 2


def test_the_run_summary_names_list_pages_without_articles() -> None:
    markdown = run_markdown("r", [SiteOutcome("x", empty_lists=["http://h/cx/list_3.html"])], {})
    assert "## List pages with no articles (no_list_items)" in markdown
    assert "- **x**: http://h/cx/list_3.html" in markdown
