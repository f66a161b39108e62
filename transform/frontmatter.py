"""Front matter of real pages: metadata blocks, site header, cover notice, title.

The head of a document is every line before its body starts: the first numbered line, or
the first line of prose (a sentence, or a line longer than a title) that is neither the
cover notice's handover sentence, nor an editor's or aggregator's intro. Each head line is:
- a metadata line ("索引号: … 分类: …", "来源:… 发布时间:…", a `|`-table row; labels in
  `selectors.TABLE_LABELS` and `OTHER_META_LABELS`): parsed into fields, dropped;
- site header (breadcrumb, site clock, welcome line, menu, aggregator or viewer intro, a
  news lead announcing the document, chrome widgets): dropped;
- part of a cover notice (文号 line, issuing body, "关于印发《X》的通知" even when cut over
  two lines, addressees, the handover sentence, 附件 line, signature and date,
  "(此件公开发布)"): parsed (doc_number, issuer, document_date, the carried title X),
  dropped;
- a title line: the line that repeats the carried title X, else a line the head repeats,
  else the last line that reads as a title (`metadata.is_title`); an issuing-body line
  right above it belongs to it (a title set over two lines).
Unclassified head lines above the last front-matter line are site header too (a portal's
column names, a content farm's wrong page title); those below it start the body (an
opinion's own addressee line). A 转发 notice's own text ends with its signing date right
after the head: that date is taken as well, then the closing signature
(`metadata.take_back_matter`).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from itertools import pairwise

from transform import dates, metadata
from transform import patterns as P
from transform import selectors as sel
from transform.metadata import FrontMatter

_HEAD_SCAN = 40  # front matter never runs longer than this many lines
_TITLE_SCAN = 15  # a title stands among a document's first lines, not below a long list
_UNTITLED_HEAD_MAX = 5  # a page title and a line or two under it, not a list of short lines
_TITLE_MAX = 80  # a longer line is prose, not a title
_META_LINE_MAX = 240
_SIGNATURE_MAX = 30
_HANDOVER_MAX = 150  # a handover sentence with a line or two of context, not a paragraph
_TAIL_DATE_SCAN = 3  # a 转发 notice's date within this many lines after its text starts
_BODY_SAMPLE_LINES = 5
_BODY_SAMPLE_CHARS = 2000
_TITLE_OVERLAP = 0.5  # share of a title's character pairs that its body repeats
_JOINERS = ("的", "和", "及", "与", "暨", "关于")  # a title line cut after one of these

_META, _CHROME, _COVER, _TITLE = "meta", "chrome", "cover", "title"


@lru_cache(maxsize=1)
def _meta_labels() -> tuple[re.Pattern[str], dict[str, str | None]]:
    """The label regex (spaces allowed inside a label: "索 引 号") and label -> field."""
    keys: dict[str, str | None] = dict.fromkeys(sel.OTHER_META_LABELS)
    keys.update(dict.fromkeys(sel.TEXT_DATE_LABELS, "publish_date"))
    keys.update(sel.TABLE_LABELS)
    spaced = [r"\s*".join(map(re.escape, label)) for label in sorted(keys, key=len, reverse=True)]
    pattern = re.compile(rf"(?P<label>{'|'.join(spaced)})\s*(?:[:|]|\s|$)")
    return pattern, keys


def _squash(text: str) -> str:
    return "".join(text.split())


def _cover_form(line: str) -> str:
    """A line as cover-title patterns read it: without a leading 文号, spaces removed."""
    return _squash(P.LEADING_DOC_NUMBER.sub("", line))


class _Head:
    """The classified head of one document and the fields read from it."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.fm = FrontMatter(body=lines)
        self.kinds: list[str | None] = []
        self.names: list[str] = []  # titles carried by a cover notice or a news lead
        self.cover = False
        self.meta_title: str | None = None
        self.meta_issuer: str | None = None
        self.cover_issuer: str | None = None
        self.signature: str | None = None
        self.signed: dt.date | None = None

    # --- metadata lines -----------------------------------------------------------------

    def metadata_line(self, line: str) -> bool:
        if len(line) > _META_LINE_MAX or "。" in line:
            return False
        pattern, keys = _meta_labels()
        found = list(pattern.finditer(line))
        if not found or line[: found[0].start()].strip(" |"):
            # "湘潭市司法局 xtsf.xiangtan.gov.cn 发布时间:…": a site name, then a date.
            return dates.PUBLISH_LINE.search(line) is not None and metadata.meta_line(line, self.fm)
        for m, nxt in zip(found, [*found[1:], None], strict=True):
            value = line[m.end() : nxt.start() if nxt else len(line)].strip(" |:")
            key = keys[_squash(m["label"])]
            if key and value:
                self._put(key, value)
        return True

    def _put(self, key: str, value: str) -> None:
        fm = self.fm
        if key.endswith("_date"):
            date, time = dates.read_date(value)
            if date is None:
                return
            if key == "document_date":
                fm.document_date = fm.document_date or date
            elif fm.publish_date is None:
                fm.publish_date, fm.publish_time = date, time
        elif key == "title":
            self.meta_title = self.meta_title or value
        elif key == "issuer":
            self.meta_issuer = self.meta_issuer or value
        elif key == "source":
            # A source value runs into the next label when a page omits the separator.
            fm.source = fm.source or sel.SOURCE_STOP.split(value, maxsplit=1)[0].strip() or None
        elif key == "doc_number":
            fm.doc_number = fm.doc_number or value
        elif key == "index_no":
            fm.index_no = fm.index_no or value

    # --- cover notice -------------------------------------------------------------------

    def cover_title(self, start: int, end: int) -> int:
        """Lines taken by a cover notice title starting at `start` (0 if there is none)."""
        joined = ""
        for k in range(start, min(start + 3, end)):
            joined += _cover_form(self.lines[k])
            if len(joined) > _TITLE_MAX * 2:
                return 0
            if self.carried(joined):
                return k - start + 1
            if k == start and not P.COVER_START.match(joined):
                return 0
        return 0

    def carried(self, title: str) -> bool:
        """Record the document a cover title carries; False if `title` is not one."""
        m = P.COVER_NOTICE.match(title)
        if m is None:
            return False
        name = m["name"]
        if quoted := P.QUOTED_NAME.match(name):
            name = quoted["name"]
        elif m["verb"] == "转发":
            name = title[m.start("verb") :]  # the forwarding notice is the document itself
        self.names.append(name)
        self.cover = True
        if m["issuer"] and P.ORG_LINE.match(m["issuer"]):
            self.cover_issuer = self.cover_issuer or m["issuer"]
        return True

    def handover(self, line: str) -> bool:
        """The handover sentence ("《X》已经…同意,现印发给你们,…。"). A long paragraph that
        ends with one is a 转发 notice's own text (its reasons), which is body."""
        if len(line) > _HANDOVER_MAX or P.HANDOVER.search(line) is None:
            return False
        self.cover = True
        if (m := P.COVER_TITLE.search(line)) or (m := P.LEADING_QUOTED.match(line)):
            self.names.append(m["title"])
        return True

    def dated(self, index: int, date: dt.date) -> None:
        """A signing date: its line and the signature right above it are cover lines."""
        self.signed = self.signed or date  # the signature wins over a 成文日期 field
        self.kinds[index] = _COVER
        above = index - 1
        if above >= 0 and self.kinds[above] is None:
            sig = self.lines[above]
            if metadata.is_signature(sig):
                self.kinds[above] = _COVER
                self.signature = self.signature or sig

    # --- classification -----------------------------------------------------------------

    def classify(self) -> int:
        """Classify head lines; returns where the body starts."""
        lines, kinds = self.lines, self.kinds
        i, limit = 0, min(len(lines), _HEAD_SCAN)
        while i < limit:
            line = lines[i]
            kinds.append(None)
            if P.DOC_NUMBER_LINE.match(line):
                self.fm.doc_number = self.fm.doc_number or line
                kinds[i] = _COVER
            elif self.metadata_line(line):
                kinds[i] = _META
            elif taken := self.cover_title(i, limit):
                kinds[i:] = [_COVER] * taken
                i += taken
                continue
            elif _header(line):
                kinds[i] = _CHROME
            elif m := (P.NEWS_LEAD.match(line) or P.CONTENT_FOLLOWS.match(line)):
                self.names.append(m["name"])
                kinds[i] = _CHROME
            elif (
                self.handover(line) or P.ATTACHMENT_LINE.match(line)
                or P.PUBLICATION_NOTE.match(line)
            ):
                kinds[i] = _COVER
            elif (date := dates.date_line(line)) is not None:
                self.dated(i, date)
            elif "。" in line or P.MARKER.match(line) or (
                len(line) > _TITLE_MAX and not line.endswith(":")
            ):
                kinds.pop()
                return i
            i += 1
        return len(kinds)

    def finish_cover(self, end: int) -> None:
        """Addressees and the issuing-body line above a cover title, once the head is read."""
        if not self.cover:
            return
        for k in range(end):
            if self.kinds[k] is not None:
                continue
            line = self.lines[k]
            if P.ADDRESSEE_LINE.match(line):
                self.kinds[k] = _COVER
            elif (
                P.ORG_LINE.match(line) and k + 1 < end and self.kinds[k + 1] == _COVER
                and P.COVER_START.match(_cover_form(self.lines[k + 1]))
            ):
                self.kinds[k] = _COVER
                self.cover_issuer = self.cover_issuer or line

    def find_title(self, end: int) -> str | None:
        lines, kinds = self.lines, self.kinds
        free = [k for k in range(end) if kinds[k] is None]
        for name in self.names:
            target = _squash(name)
            hits = [k for k in free if _squash(lines[k]).endswith(target)
                    and len(lines[k]) <= _TITLE_MAX]
            if hits:
                for k in hits:
                    kinds[k] = _TITLE
                return lines[hits[0]]
        free = [k for k in free if k < _TITLE_SCAN]
        seen: dict[str, list[int]] = {}
        for k in free:
            if len(lines[k]) <= _TITLE_MAX:
                seen.setdefault(_squash(lines[k]), []).append(k)
        repeated = [ks for ks in seen.values() if len(ks) > 1]
        if repeated:
            for k in repeated[0]:
                kinds[k] = _TITLE
            return lines[repeated[0][0]]
        if self.names:
            return self.names[0]
        titles = [k for k in free if metadata.is_title(lines[k])]
        if titles:
            k = titles[-1]
            kinds[k] = _TITLE
            above = k - 1
            if (above >= 0 and kinds[above] is None and len(lines[above]) <= _SIGNATURE_MAX * 2
                    and (P.ORG_LINE.match(lines[above]) or lines[above].endswith(_JOINERS))):
                kinds[above] = _TITLE
                return lines[above] + lines[k]
            return lines[k]
        return self.meta_title

    def untitled_head(self, end: int) -> str | None:
        """With no title found: a free head line whose words recur in the body is its title
        (a heading with no document word, "2023年依法治镇工作"); one whose words do not is a
        page title from elsewhere (a content farm's "创意有趣的对联"), so header."""
        sample = "".join(self.lines[end : end + _BODY_SAMPLE_LINES])[:_BODY_SAMPLE_CHARS]
        title = None
        for k in range(end):
            line = self.lines[k]
            if self.kinds[k] is not None or len(line) > _TITLE_MAX or line.endswith(":"):
                continue
            if _shared_bigrams(line, sample) >= _TITLE_OVERLAP:
                self.kinds[k] = _TITLE
                title = line
            else:
                self.kinds[k] = _CHROME
        return title


def _shared_bigrams(line: str, sample: str) -> float:
    """Share of the line's Han character pairs that occur in `sample`."""
    pairs = {a + b for a, b in pairwise(line)
             if P.HAN_CHAR.match(a) and P.HAN_CHAR.match(b)}
    return sum(pair in sample for pair in pairs) / len(pairs) if pairs else 0.0


def _header(line: str) -> bool:
    """Site header and widget lines (`patterns.CHROME_LINE` took the common ones already)."""
    return bool(
        P.LOCATION_LINE.match(line) or P.BREADCRUMB.match(line) or P.SITE_CLOCK.search(line)
        or P.WELCOME_LINE.match(line) or P.MENU_LINE.match(line)
        or P.AGGREGATOR_INTRO.search(line) or P.CHROME_LINE.match(line)
    )


def parse_front_matter(lines: list[str]) -> FrontMatter:
    """Split normalized lines into front matter fields and the body (see module doc)."""
    head = _Head(lines)
    end = head.classify()
    if head.meta_title:
        head.carried(_cover_form(head.meta_title))
    head.finish_cover(end)
    fm = head.fm
    title = head.find_title(end)
    if title is None and end < len(lines) and end <= _UNTITLED_HEAD_MAX:
        title = head.untitled_head(end)
    kinds = head.kinds
    if title is None and not any(kinds):
        return metadata.split_front_matter(lines)  # the reference forms, unchanged
    fm.title = title
    last = max((k for k in range(end) if kinds[k] is not None), default=-1)
    body = [lines[k] for k in range(last + 1, end) if kinds[k] is None]
    fm.removed = [lines[k] for k in range(end) if kinds[k] is not None or k < last]
    cover = [lines[k] for k in range(end) if kinds[k] == _COVER]
    rest = lines[end:]
    if head.cover and head.signed is None:
        for k, line in enumerate(rest[: _TAIL_DATE_SCAN + 1]):
            if (date := dates.date_line(line)) is not None:
                head.signed = date
                cover.append(line)
                fm.removed.append(line)
                rest = rest[:k] + rest[k + 1 :]
                break
    fm.document_date = head.signed or fm.document_date
    fm.cover_notice = "\n".join(cover) or None
    fm.issuer = head.signature or head.cover_issuer or head.meta_issuer or fm.issuer or fm.source
    fm.source = fm.source or head.meta_issuer
    fm.body = metadata.take_back_matter(body + rest, fm)
    return fm


def carried_title(title: str) -> str | None:
    """The document a cover notice title carries ("…关于印发《X》的通知" -> X), else None."""
    head = _Head([])
    return head.names[0] if head.carried(_cover_form(title)) else None


def choose_title(page_title: str | None, front: FrontMatter) -> str | None:
    """An HTML page's title (<title>, meta, disclosure table) against the body's front matter:
    a breadcrumb is no title; a cover notice title yields the document it carries, in the
    body's fuller form when the body repeats it ("广州市南沙区…要点" for "南沙区…要点")."""
    if not page_title:
        return front.title
    page_title = P.LEADING_DOC_NUMBER.sub("", page_title).strip()
    if _header(page_title):
        return front.title
    if (name := carried_title(page_title)) is not None:
        if front.title and _squash(front.title).endswith(_squash(name)):
            return front.title
        return name
    return page_title
