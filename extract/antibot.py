"""Anti-bot interstitials: a page that is a challenge, not content (Ruishu/"瑞数" style
JavaScript challenges are common on gov.cn sites). Such a response is `blocked`."""

from __future__ import annotations

import re

ANTIBOT_TS_SCRIPT = re.compile(rb"\$_ts\s*=|\$_ts\.")
_JS_PHRASE = "请开启JavaScript并刷新该页"
ANTIBOT_PHRASES = (_JS_PHRASE.encode(), _JS_PHRASE.encode("gbk"))
MAX_CHALLENGE_BYTES = 20_000  # a $_ts script in a longer page is the site's, not a wall


def detect_block(status: int, body: bytes) -> str | None:
    """Why a response is an anti-bot interstitial rather than content, or None."""
    if status == 412:
        return "HTTP 412 anti-bot challenge" + (" ($_ts script)" if ANTIBOT_TS_SCRIPT.search(body)
                                                else "")
    if any(phrase in body for phrase in ANTIBOT_PHRASES):
        return "JavaScript challenge page (请开启JavaScript并刷新该页)"
    if ANTIBOT_TS_SCRIPT.search(body) and len(body) < MAX_CHALLENGE_BYTES:
        return "$_ts anti-bot script page"
    return None
