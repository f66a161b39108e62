"""The demo site is the same bytes in every process, so repeat runs see nothing changed."""

from __future__ import annotations

import time

from demo.site import build_site


def test_two_builds_serve_identical_articles_and_attachments() -> None:
    first = build_site()
    time.sleep(1.1)  # zip and docx metadata carry seconds; a second later must not matter
    second = build_site()
    assert first.by_path.keys() == second.by_path.keys()
    for path, article in first.by_path.items():
        assert article.render(1) == second.by_path[path].render(1), path
    assert first.attachments.keys() == second.attachments.keys()
    for path, attachment in first.attachments.items():
        assert attachment.body == second.attachments[path].body, path
