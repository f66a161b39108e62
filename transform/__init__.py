"""govharvest stage: transform (normalize and parse policy documents).

Public API: `parse_document(data, *, url=None, content_type=None, source_site=None,
body_selectors=()) -> Document` and `UnreadableInput`.
"""

from transform.parse import UnreadableInput, parse_document

__all__ = ["UnreadableInput", "parse_document"]
