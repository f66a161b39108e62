"""JSON list endpoints: the ones a page's scripts name (`/api/...?page=1`,
`data/list_1.json`), their page template, and the article records of a reply, read by what
their keys say (url/link, title, date/publish_time) with the page count it gives."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

from extract.listing import ListItem, parse_date

# A JSON list endpoint named in a script: a quoted URL ending in .json, or carrying a page
# parameter set to its first page.
SCRIPT_URL = re.compile(r"[\"']((?:https?://|/|\.{1,2}/)?[\w./-]*?[\w-]+"
                        r"(?:\.json(?:\?[^\"'\s<>]*)?|(?:\.\w+)?\?[^\"'\s<>]*"
                        r"(?:page|pageNo|pageNum|pageIndex|curPage)=[01]\b[^\"'\s<>]*))[\"']")
JSON_PAGE_PARAM = re.compile(r"([?&](?:page|pageNo|pageNum|pageIndex|curPage)=)(\d+)")
JSON_PAGE_FILE = re.compile(r"(_)(\d+)(\.json)")
# JSON record fields, by what their keys say.
JSON_URL_KEYS = ("url", "link", "href", "linkurl", "docurl", "path", "art_url")
JSON_TITLE_KEYS = ("title", "doctitle", "subject", "name")
JSON_DATE_KEYS = ("date", "time", "pub", "publish", "created", "docreltime", "fbrq")
JSON_PAGES_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal")
JSON_TOTAL_KEYS = ("total", "totalcount", "totalrecord", "count", "recordcount")
JSON_SIZE_KEYS = ("size", "pagesize", "perpage", "rows", "limit")
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))  # list timestamps are Beijing time


def json_endpoints(text: str, url: str) -> list[str]:
    """JSON list URLs the page's scripts name (absolute), most likely first."""
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.S | re.I)
    found: dict[str, None] = {}
    for script in scripts:
        for match in SCRIPT_URL.finditer(script):
            found.setdefault(urljoin(url, match.group(1)), None)
    return list(found)


def json_template(endpoint: str) -> tuple[str, int]:
    """`endpoint` with its page number as {n}, and that first number; without a page
    number it is a single page (n is then ignored)."""
    for pattern in (JSON_PAGE_PARAM, JSON_PAGE_FILE):
        matches = list(pattern.finditer(endpoint))
        if matches:
            m = matches[-1]
            return endpoint[: m.start(2)] + "{n}" + endpoint[m.end(2):], int(m.group(2))
    return endpoint, 1


def _key_match(key: str, names: Sequence[str]) -> bool:
    low = key.lower().replace("_", "")
    return any(name.replace("_", "") in low for name in names)


def _json_date(value: Any) -> dt.date | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 10**8:
        seconds = value / 1000 if value > 10**11 else value  # milliseconds
        return dt.datetime.fromtimestamp(seconds, CHINA_TZ).date()
    if isinstance(value, str):
        return parse_date(value)
    return None


def _field(record: dict[str, Any], names: Sequence[str]) -> Any:
    """The value of the first key that is one of `names` (case and _ aside), else of the
    first key containing one."""
    keys = {k: k.lower().replace("_", "") for k in record}
    for name in names:
        for key, low in keys.items():
            if low == name:
                return record[key]
    return next((record[k] for k in record if _key_match(k, names)), None)


def _record(record: dict[str, Any], url: str) -> ListItem | None:
    link, title = _field(record, JSON_URL_KEYS), _field(record, JSON_TITLE_KEYS)
    if not isinstance(link, str) or not isinstance(title, str) or not link.strip():
        return None
    absolute = urldefrag(urljoin(url, link.strip()))[0]
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    date = next((d for k, v in record.items() if _key_match(k, JSON_DATE_KEYS)
                 and (d := _json_date(v)) is not None), None)
    clean = " ".join(lxml.html.fromstring(f"<p>{title}</p>").text_content().split()) \
        if "<" in title else title.strip()
    return ListItem(absolute, clean, date, date is not None) if clean else None


def _record_lists(data: Any) -> Iterable[list[Any]]:
    if isinstance(data, list):
        yield data
        for value in data:
            yield from _record_lists(value)
    elif isinstance(data, dict):
        for value in data.values():
            yield from _record_lists(value)


def json_entries(body: bytes | str, url: str) -> tuple[list[ListItem], int | None]:
    """The article records of a JSON list reply (the longest list of objects with a link
    and a title) and the page count it gives, if any. Not JSON: nothing."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return [], None
    best: list[ListItem] = []
    for candidate in _record_lists(data):
        items = [item for r in candidate if isinstance(r, dict)
                 and (item := _record(r, url)) is not None]
        if len(items) > len(best):
            best = items
    return best, _json_pages(data)


def _json_pages(data: Any) -> int | None:
    if not isinstance(data, dict):
        return None
    scalars = {k.lower().replace("_", ""): v for k, v in data.items()
               if isinstance(v, int) and not isinstance(v, bool)}
    for key in JSON_PAGES_KEYS:
        if key in scalars:
            return scalars[key]
    total = next((scalars[k] for k in JSON_TOTAL_KEYS if k in scalars), None)
    size = next((scalars[k] for k in JSON_SIZE_KEYS if k in scalars), None)
    if total is not None and size:
        return max(1, math.ceil(total / size))
    for value in data.values():
        if isinstance(value, dict) and (pages := _json_pages(value)) is not None:
            return pages
    return None
