"""Every harvest default in one place, and how overrides layer on top of them.

Precedence (lowest first): these defaults < the profile's family base < the site profile <
an argument of the call (`harvest(delay=...)`, CLI flags). Layers are plain mappings of
field name -> value; `None` in a layer means "not set here", so it never masks a lower layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

USER_AGENT = "govharvest/0.1 (+https://github.com/govharvest; rule-of-law research)"

# Content types a harvest will keep; anything else is logged as out_of_scope, not archived as
# a page (the response itself is still archived, because every response is).
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Hanweb's list dataproxy answers with its datastore XML; some servers label it as XML.
# JSON: list endpoints of script-rendered columns (gkmlpt and the like).
LIST_DATA_TYPES = ("text/xml", "application/xml", "application/json")
ATTACHMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    # Government servers often label attachments generically; the extension decides then.
    "application/octet-stream",
    "application/x-download",
    "application/force-download",
)


class HarvestSettings(BaseModel):
    """Resolved fetch policy for one site in one run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: str = USER_AGENT
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    max_response_seconds: float = Field(
        60.0, gt=0, description="total time for one response (headers, body, decompression), "
                                "however steadily it trickles in; past it the fetch is a "
                                "`timeout`, archived as truncated and retried on a later run")
    delay: float = Field(1.0, ge=0, description="seconds between requests to one host")
    concurrency_per_host: int = Field(1, ge=1)
    max_retries: int = Field(3, ge=0)
    backoff_base: float = Field(1.0, ge=0, description="first retry wait; doubles each retry")
    backoff_max: float = Field(60.0, ge=0)
    retry_after_max: float = Field(300.0, ge=0, description="longest Retry-After we honour")
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_decompressed_bytes: int = Field(50 * 1024 * 1024, gt=0)
    max_redirects: int = Field(5, ge=0)
    allowed_content_types: tuple[str, ...] = HTML_TYPES + LIST_DATA_TYPES + ATTACHMENT_TYPES
    respect_robots: bool = True
    max_list_pages: int = Field(50, ge=1, description="per start URL")
    max_pages: int | None = Field(None, ge=1, description="article fetches per run")
    workers: int = Field(4, ge=1, description="threads across hosts; per-host limits still hold")
    # Revisit policy. New URLs are always fetched; a known article is revalidated (a
    # conditional GET, with its attachments) when it is due. Revalidating every archived page
    # every night would cost one request per page per night, forever growing: at 1 request/s
    # a 20,000-article site would need 5.5 hours a night just to hear "304".
    revisit_recent_days: int = Field(
        30, ge=0, description="list-dated within this many days: revalidated on every run")
    revisit_days: int = Field(
        7, ge=1, description="every known page is revalidated at least once in this many "
                             "days, spread evenly over them; 1 = every page on every run")
    # A plan's year is over once it is a year old: edits to such pages are rare, so they
    # share a longer rotation and a night asks a site mostly about its recent years.
    revisit_aged_after_days: int = Field(
        365, ge=0, description="list-dated longer ago than this: an aged page, revalidated "
                               "every `revisit_aged_days` instead of `revisit_days`")
    revisit_aged_days: int = Field(
        28, ge=1, description="rotation of aged pages (never shorter than `revisit_days`); "
                              "revisit_days 1 still revalidates every page on every run")
    # Paging policy. Lists run newest first, so a night learns nothing new past the first
    # list page whose entries are all known; the articles listed deeper are revisited from
    # the listings manifest instead. A walk to the end now and then catches what that
    # would miss: an old article newly listed deep down, or one removed from the list.
    list_walk_days: int = Field(
        7, ge=1, description="each column is walked to its last list page at least once in "
                             "this many days, spread evenly over them; other runs stop paging "
                             "at the first page whose entries are all known; 1 = always to the "
                             "end (so does revisit_days 1)")


def resolve_settings(*layers: Mapping[str, Any] | None) -> HarvestSettings:
    """Merge layers lowest-precedence first onto the defaults; unknown keys are an error."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if not layer:
            continue
        merged.update({key: value for key, value in layer.items() if value is not None})
    return HarvestSettings(**merged)
