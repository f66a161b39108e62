"""Issue 24 item 3, extract side: a page nested deeper than libxml2 builds is archived (so
transform quarantines it as html_truncated), never called an empty page; one nested 300
levels is read whole (its attachment link deep inside is found)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from demo.serving import BackgroundServer
from extract.crawl import harvest
from extract.profile import generic_profile
from tests.conftest import seed_text

LINK = '<a href="/files/plan.docx">附件：实施方案.docx</a>'


def _article(depth: int) -> bytes:
    lines = seed_text("001-yancheng-edz-2023-plan").splitlines()
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines) + LINK
    return (f'<html><head><meta charset="utf-8"><title>工作计划</title></head><body>'
            f'<div id="zoom">{"<font>" * depth}{body}{"</font>" * depth}</div>'
            "</body></html>").encode()


PAGES = {
    "/list.html": ('<html><head><meta charset="utf-8"></head><body><ul>'
                   '<li><a href="/a/deep.html">十层嵌套</a><span>2024-03-01</span></li>'
                   '<li><a href="/a/nested.html">三百层嵌套</a><span>2024-03-02</span></li>'
                   "</ul></body></html>").encode(),
    "/a/deep.html": _article(10_000),
    "/a/nested.html": _article(300),
    "/files/plan.docx": b"not really a docx",
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = PAGES.get(self.path)
        self.send_response(200 if body is not None else 404)
        kind = "application/octet-stream" if self.path.endswith(".docx") else "text/html"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def site() -> Iterator[str]:
    with BackgroundServer(_Handler) as server:
        yield server.base_url


def test_deep_pages_are_archived_and_read_whole(site: str, tmp_path: Path) -> None:
    result = harvest(generic_profile(f"{site}/list.html", ["127.0.0.1"]), tmp_path / "archive",
                     run_id="depth", delay=0)
    archived = {page.url for page in result.pages if page.kind == "article"}
    assert archived == {f"{site}/a/deep.html", f"{site}/a/nested.html"}
    assert result.blocked_urls == []
    # The 300-level page's attachment link lies below libxml2's default depth cap.
    attachment_urls = {page.url for page in result.pages if page.kind != "article"}
    failed = set(result.failed_urls)
    assert f"{site}/files/plan.docx" in attachment_urls | failed
