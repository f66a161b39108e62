"""Cover pages: an article whose own text is short and that links an attachment is only a
cover for the attachment (a PDF or DOC holding the plan), so its document is parsed from
the attachment's text.

The document keeps the article's URL and attachment links; title, publish date and issuer
come from the attachment's text where it has them, else from the cover. Where an
attachment's text comes from (the same batch, the archive) is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable

from transform.parse import parse_document
from transform.records import Document

# Attachment URL -> its text, or None when it is not at hand (not fetched, unreadable).
AttachmentText = Callable[[str], str | None]
FROM_ATTACHMENT = "from_attachment"  # quality flag of a document parsed from its attachment


def is_cover(doc: Document, cover_max_chars: int) -> bool:
    """Fewer than `cover_max_chars` characters of its own text, and an attachment link."""
    return bool(doc.attachments) and len(doc.text) < cover_max_chars


def prefer_attachment(doc: Document, attachment_text: AttachmentText, *,
                      cover_max_chars: int) -> Document:
    """`doc` parsed from its first attachment with text when `doc` is a cover, else `doc`."""
    if not is_cover(doc, cover_max_chars):
        return doc
    for url in doc.attachments:
        text = attachment_text(url)
        if text is None or not text.strip():
            continue
        parsed = parse_document(text, url=doc.url, source_site=doc.source_site)
        parsed.title = parsed.title or doc.title
        parsed.publish_date = parsed.publish_date or doc.publish_date
        parsed.issuer = parsed.issuer or doc.issuer
        parsed.attachments = list(doc.attachments)
        parsed.quality_flags = sorted({*parsed.quality_flags, FROM_ATTACHMENT})
        return parsed
    return doc
