"""Body paragraphs -> a tree of nodes (sections, items, sub-items) plus level-0 passages.

Rules, in the order they apply:
0. A document on one or two long lines (a document viewer's copy) lost its line breaks, and
   so did a numbered heading followed by its first child's numeral before any full stop
   ("二、主要任务(一)深化改革。…"): each is cut before the inline numerals that continue the
   outline (`split_collapsed`).
1. Each paragraph (one line of normalized text) is classified by its line-start numbering
   style (`patterns.MARKER`: 第X章 / 第X节 / 第X条 / 一、 / (一) / 1. 1、 / (1) / ①).
2. Broken numbering is repaired only when the neighbours make it certain, and flagged
   `numbering_repaired`: an unnumbered paragraph opening a section right before item n+1
   of a style whose previous item is n-1 (or that starts at "2") becomes item n; a line
   whose digits lost their separator ("1规范…") between items n-1 and n+1 becomes item n.
3. Levels come from the document, not a fixed table: the first style seen is level 1; a
   style not yet open nests under the current one; a style already open closes everything
   below it (the usual outline-stack rule).
4. Paragraphs before the first numbered one form the level-0 node "pre"; unnumbered
   paragraphs after the last item form the level-0 node "close" when they open with a
   summing-up cue (总之, 综上…) or when every earlier item of that style is a single
   paragraph (so a trailing paragraph cannot be the last item's continuation).
5. With no numbering at all (article form) each paragraph is a level-1 node headed by its
   lead sentence; the first paragraph is the preamble unless it reads like the others.

Node ids are positional and deterministic: "pre", "n1", "n1.2", "n1.2.3", "close".
Every body paragraph belongs to exactly one node's own text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from transform import patterns as P
from transform.records import Node

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}
_CIRCLED.update({chr(0x3251 + i): i + 21 for i in range(15)})
_CIRCLED.update({chr(0x32B1 + i): i + 36 for i in range(15)})
_HEADINGLIKE_MAX = 40  # a lead sentence longer than this is prose, not a heading
_COLLAPSED_MAX_LINES = 2  # a whole document on this few lines lost its line breaks
_COLLAPSED_MIN = 400  # ... when one of them is at least this long
_COLLAPSED_MIN_MARKERS = 3


@lru_cache(maxsize=1024)  # labels are a small set ("一", "(3)"...) seen on every numbered line
def cn_to_int(label: str) -> int | None:
    """Chinese or Arabic numeral (up to the hundreds) -> int; None if malformed."""
    if label.isascii() and label.isdigit():
        return int(label)
    if label in _CIRCLED:
        return _CIRCLED[label]
    total, current = 0, 0
    for ch in label:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    total += current
    return total or None


@dataclass(slots=True)
class Para:
    text: str
    style: str | None = None
    label: str | None = None
    number: int | None = None
    content_start: int = 0  # where the text after the numeral starts
    repaired: bool = False


@dataclass(slots=True)
class Tree:
    nodes: list[Node]
    repairs: list[dict[str, object]] = field(default_factory=list)
    article_form: bool = False


def classify(line: str) -> Para:
    m = P.MARKER.match(line)
    if m is None or (style := m.lastgroup) is None:
        return Para(line)
    label, end = m[style], m.end()
    number = cn_to_int(label)
    if number is None or end >= len(line):
        return Para(line)  # a bare numeral line is text, not a heading
    return Para(line, style, label, number, end)


def split_collapsed(lines: list[str]) -> list[str]:
    """Lines that lost their breaks, cut before each inline outline numeral that continues
    the outline (rule 0 in the module doc): a whole document on one or two long lines (a
    document viewer's copy), or a heading glued to its first child ("二、主要任务(一)深化…")."""
    collapsed = len(lines) <= _COLLAPSED_MAX_LINES and any(
        len(x) >= _COLLAPSED_MIN for x in lines)
    out: list[str] = []
    for line in lines:
        cuts: list[int] = []
        if collapsed and len(line) >= _COLLAPSED_MIN:
            cuts = _outline_cuts(line)
            cuts = cuts if len(cuts) >= _COLLAPSED_MIN_MARKERS else []
        elif _glued_child(line):
            cuts = _outline_cuts(line)
        if not cuts:
            out.append(line)
            continue
        bounds = [0, *cuts, len(line)]
        out.extend(piece for a, b in pairwise(bounds) if (piece := line[a:b].strip()))
    return out


def _glued_child(line: str) -> bool:
    """A numbered heading whose first child's numeral follows it before any full stop."""
    para = classify(line)
    if para.style is None:
        return False
    end = P.SENTENCE_END.search(line, para.content_start)
    m = P.INLINE_MARKER.search(line, para.content_start, end.start() if end else len(line))
    return (
        m is not None and m.lastgroup not in (None, para.style)
        and m.start() - para.content_start <= _HEADINGLIKE_MAX
        and cn_to_int(m[m.lastgroup]) == 1
    )


def _outline_cuts(line: str) -> list[int]:
    """Offsets of inline numerals that continue an outline, by the outline-stack rule: a
    style opens a level at 1 and continues it at n+1; anything else is prose."""
    stack: list[tuple[str, int]] = []
    cuts: list[int] = []
    for m in P.INLINE_MARKER.finditer(line):
        style = m.lastgroup
        number = cn_to_int(m[style]) if style else None
        if style is None or number is None:
            continue
        styles = [st for st, _ in stack]
        if style in styles:
            at = styles.index(style)
            if number != stack[at][1] + 1:
                continue
            del stack[at:]
        elif number != 1:
            continue
        stack.append((style, number))
        if m.start() > 0:
            cuts.append(m.start())
    return cuts


def first_sentence(text: str, start: int = 0) -> str:
    """The heading: text (from `start`) up to the first full stop, without a trailing unit
    clause. `start` spares a copy of a long paragraph just to skip its numeral."""
    m = P.SENTENCE_END.search(text, start)
    head = text[start : m.start()] if m else text[start:]
    if "单位" in head or "部门" in head:
        head = P.HEADING_CLAUSE_TAIL.sub("", head)
    return head.strip()


def _ends_with_heading_only(para: Para) -> bool:
    """A heading line such as "一、总体要求" (no sentence inside) announces a body below it."""
    body = para.text[para.content_start:]
    m = P.SENTENCE_END.search(body)
    return m is None or m.end() >= len(body)


def repair_numbering(paras: list[Para]) -> list[dict[str, object]]:
    """Fill in item numbers whose loss the neighbours make certain (rule 2)."""
    repairs: list[dict[str, object]] = []
    if not any(p.style is None and q.style is not None for p, q in pairwise(paras)):
        return repairs  # the usual case: no unnumbered paragraph right before an item
    last_of: dict[str, int] = {}  # style -> last number seen so far
    first_seen: dict[str, int] = {}  # style -> index of its first paragraph (outline rank)
    for i, para in enumerate(paras):
        if para.style is not None:
            first_seen.setdefault(para.style, i)
    for i, para in enumerate(paras):
        if para.style is not None:
            last_of[para.style] = para.number or 0
            continue
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        if nxt is None or nxt.style is None or nxt.number is None or nxt.number < 2:
            continue
        style, want = nxt.style, nxt.number - 1
        prev_number = last_of.get(style)
        fused = P.FUSED_NUMBER.match(para.text)
        if fused and prev_number == want - 1 and fused.group(1) in str(want):
            # "1规范…" between items 10 and 12: the digits are what is left of "11.".
            para.style, para.label, para.number = style, str(want), want
            para.content_start, para.repaired = fused.end(), True
        elif (
            not fused
            and i > 0
            and (above := paras[i - 1].style) is not None
            and first_seen[above] < first_seen[style]  # right after a parent heading
            and (prev_number == want - 1 or want == 1)
        ):
            # An unnumbered first paragraph of a section, right before item 2 (or n+1).
            para.style, para.label, para.number, para.repaired = style, str(want), want, True
        else:
            continue
        last_of[style] = want
        repairs.append({"line": i, "style": style, "number": want, "text": para.text[:20]})
    return repairs


def _closing_start(paras: list[Para]) -> int:
    """Index of the first paragraph of the closing passage (len(paras) if none)."""
    last = len(paras) - 1
    while last >= 0 and paras[last].style is None:
        last -= 1
    if last < 0 or last == len(paras) - 1:
        return len(paras)
    style = paras[last].style
    same = [i for i, p in enumerate(paras) if p.style == style]
    continued = sum(1 for i in same[:-1] if paras[i + 1].style is None)
    if len(same) >= 2 and continued == 0 and not _ends_with_heading_only(paras[last]):
        return last + 1
    for i in range(last + 1, len(paras)):
        if P.CLOSING_CUE.match(paras[i].text):
            return i
    return len(paras)


def _headinglike(text: str) -> bool:
    lead = first_sentence(text)
    return len(lead) <= _HEADINGLIKE_MAX and "," in lead and len(lead) < len(text)


def _level0(node_id: str, paras: list[Para]) -> Node:
    text = "\n".join(p.text for p in paras)
    return Node(node_id, None, 0, None, None, first_sentence(paras[0].text), text)


def _article_form(paras: list[Para]) -> list[Node]:
    nodes: list[Node] = []
    start, end = 0, len(paras)
    if len(paras) >= 2:
        rest_like = sum(_headinglike(p.text) for p in paras[1:])
        if not (_headinglike(paras[0].text) and rest_like * 2 >= len(paras) - 1):
            nodes.append(_level0("pre", paras[:1]))
            start = 1
    closing = None
    if end - start >= 2 and P.CLOSING_CUE.match(paras[-1].text):
        closing, end = _level0("close", paras[-1:]), end - 1
    for k, para in enumerate(paras[start:end], 1):
        nodes.append(Node(f"n{k}", None, 1, None, k, first_sentence(para.text), para.text))
    if closing is not None:
        nodes.append(closing)
    return nodes


def build_tree(lines: list[str]) -> Tree:
    """Classify, repair and nest body lines into nodes in document order."""
    paras = [classify(line) for line in lines]
    if not paras:
        return Tree([])
    if all(p.style is None for p in paras):
        return Tree(_article_form(paras), article_form=True)
    repairs = repair_numbering(paras)
    first = next(i for i, p in enumerate(paras) if p.style)
    close_at = _closing_start(paras)

    nodes: list[Node] = []
    if first:
        nodes.append(_level0("pre", paras[:first]))
    # The open outline, from level 1 down, as parallel lists: styles (for the "already
    # open" test without rebuilding a list per paragraph), nodes, and each node's own lines.
    styles: list[str] = []
    stack: list[Node] = []
    stack_lines: list[list[str]] = []
    own: list[tuple[Node, list[str]]] = []
    child_count: dict[str | None, int] = {}
    for para in paras[first:close_at]:
        style = para.style
        if style is None:
            stack_lines[-1].append(para.text)
            continue
        if style in styles:
            cut = styles.index(style)
            del styles[cut:], stack[cut:], stack_lines[cut:]
        parent_id = stack[-1].id if stack else None
        k = child_count[parent_id] = child_count.get(parent_id, 0) + 1
        node_id = f"{parent_id}.{k}" if parent_id else f"n{k}"
        heading = first_sentence(para.text, para.content_start)
        node = Node(node_id, parent_id, len(stack) + 1, para.label, para.number, heading, "")
        nodes.append(node)
        lines_of = [para.text]
        own.append((node, lines_of))
        styles.append(style)
        stack.append(node)
        stack_lines.append(lines_of)
    for node, lines_of in own:
        node.text = lines_of[0] if len(lines_of) == 1 else "\n".join(lines_of)
    if close_at < len(paras):
        nodes.append(_level0("close", paras[close_at:]))
    fill_subtree_text(nodes)
    return Tree(nodes, repairs)


def fill_subtree_text(nodes: list[Node]) -> None:
    """subtree_text = own text plus all descendants', in document order."""
    parts: dict[str, list[str]] = {n.id: [n.text] for n in nodes}
    by_id = {n.id: n for n in nodes}
    for node in nodes:  # document order: each node's ancestors come before it
        pid = node.parent_id
        while pid is not None:
            parts[pid].append(node.text)
            pid = by_id[pid].parent_id
    for node in nodes:
        node.subtree_text = "\n".join(parts[node.id])
