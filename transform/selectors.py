"""Every selector, tag set and regex the HTML extractor uses, compiled once.

Kept apart from the extraction logic (as trafilatura keeps ``xpaths.py``) so a new CMS family
is usually a one-line change here. Container selectors are CSS, compiled to XPath by
cssselect; site profiles may add their own selectors (CSS, or XPath when they start with "/").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.etree import XPath


@dataclass(frozen=True, slots=True)
class Container:
    """A known main-content container. ``specific`` ones are trusted whenever they hold text;
    generic ones (``#content``, ``article``) only when they hold a fair share of the page."""

    name: str
    xpath: XPath
    specific: bool


def _css(selector: str) -> XPath:
    return CSSSelector(selector, translator="html")


# In priority order: the innermost editor container of a CMS first, its wrappers after.
KNOWN_CONTAINERS: tuple[Container, ...] = tuple(
    Container(sel, _css(sel), specific)
    for sel, specific in (
        (".TRS_Editor", True),  # TRS WCM editor output
        ("#zoom", True),  # TRS, Hanweb and the Hunan template: the font-zoom target
        (".xl-xqnr", True),  # Hunan city template (xiangtan.gov.cn)
        (".article-content", True),  # Hanweb jcms
        ("#UCAP-CONTENT", True),  # gov.cn / Kaipuyun
        (".pages_content", True),  # gov.cn
        (".bt_content", True),  # old Hanweb table layout
        ("#Zoom", True),
        (".zoom", True),
        (".view", False),
        (".article", False),
        ("#content", False),
        (".content", False),
        ("article", False),
        ("main", False),
    )
)
# A generic container must hold at least this share of the page's non-link text.
GENERIC_MIN_SHARE = 0.5

META_BY_NAME = XPath("//meta[@name and @content]")
TITLE = XPath("//title")
BODY = XPath("//body")
# Disclosure tables put each label in its own cell (th/td), sometimes "label：value" in one.
TABLE_CELLS = XPath("//table//*[self::td or self::th]")

# Standard government <meta> names (政府网站发展指引). Maketime is deliberately absent: jcms
# stamps page generation time there, not the publish date.
META_TITLE = "articletitle"
META_PUBDATE = "pubdate"
META_SOURCE = "contentsource"

# Disclosure-table label (whitespace and colons removed) -> metadata key.
TABLE_LABELS: dict[str, str] = {
    "索引号": "index_no",
    "发布机构": "issuer",
    "发文机关": "issuer",
    "发文单位": "issuer",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "成文日期": "document_date",
    "成文时间": "document_date",
    "发布日期": "publish_date",
    "发布时间": "publish_date",
    "名称": "title",
    "标题": "title",
    "来源": "source",
    "信息来源": "source",
    "文章来源": "source",
    "稿件来源": "source",
    "制发机构": "issuer",
    "发文日期": "publish_date",
    "更新时间": "publish_date",
    "发表时间": "publish_date",
}
# Labels of a portal's metadata block whose values the Document does not keep (subject,
# validity, audience, counters, widgets). Text front matter drops their lines all the same.
OTHER_META_LABELS: tuple[str, ...] = (
    "分类", "主题分类", "所属主题", "主题词", "有效性", "有效时间", "公开对象", "公开方式",
    "公开范围", "公开部门", "发文类型", "体裁分类", "组配分类", "服务对象", "状态", "浏览次数",
    "点击数", "点击量", "阅读次数", "访问次数", "字体", "字号", "作者", "时效",
)
# Every label a metadata cell can hold: a value cell holding one of these is an empty value.
META_LABELS = frozenset(TABLE_LABELS) | frozenset(OTHER_META_LABELS)
# In plain text a bare 时间/日期 label dates the page too (an aggregator's "时间:… 来源:…").
TEXT_DATE_LABELS: tuple[str, ...] = ("时间", "日期")
LABEL_NOISE = re.compile(r"[\s\u3000\xa0:：]+")

LABELLED_SOURCE = re.compile(
    r"(?:信息来源|文章来源|稿件来源|来源)\s*[:：]\s*(?P<v>[^\s|｜【\[<]{2,60})"
)
# Labelled lines are also looked for in this many first lines of the body.
BODY_HEAD_LINES = 3
# A source value runs into the next label when a template omits the separator.
SOURCE_STOP = re.compile(r"(?:发布时间|发布日期|时间|日期|浏览|点击|作者|字体|字号|编辑)[:：]?")

# Site names appended to <title>: "标题_湘潭市司法局", "标题 - 某某政府网", "标题 | 某某".
TITLE_SEPARATOR = re.compile(r"\s*(?:_|\||｜|——|--|－|\s-\s|\s—\s)\s*")
TITLE_BARE_DASH = re.compile(r"^(?P<title>.+)-(?P<site>[^-\d]{2,30})$")
SITE_NAME = re.compile(
    r"(?:网|网站|门户|政府|局|委|办|办公室|厅|院|中心|委员会|部|司|署|区|市|县|镇|乡|街道|频道|首页|平台|"
    r"gov\.cn|GOV\.CN)$"
)

# Never text: scripts, styles, form controls, embedded objects.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "select",
        "option", "textarea", "button", "input", "head", "title", "svg", "canvas", "map",
        "audio", "video", "meta", "link",
    }
)  # fmt: skip
# Block elements end a line; everything else is inline and joins its neighbours.
BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "tbody", "thead", "tfoot", "tr", "caption", "blockquote", "pre", "section",
        "article", "header", "footer", "nav", "aside", "main", "form", "fieldset", "address",
        "center", "hr", "figure", "figcaption", "details", "summary", "body", "html",
    }
)  # fmt: skip
CELL_TAGS = frozenset({"td", "th"})
# Page chrome by tag, or by class/id, dropped when the body is found by heuristic.
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(?:share|print|close|ewm|qrcode|prev|next|prevnext|related|relate|footer|foot|"
    r"header|head|nav|menu|crumbs?|bread|position|location|tools?|fontsize|font|topbar|banner|"
    r"search|login|copyright|sidebar|side|comment|xgwz|fj|attach)(?:$|[\s_-])",
    re.I,
)
# C0 controls other than tab/newline/CR are never text (libxml2 turns NUL into U+FFFD).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# libxml2 ends the whole parse at </html>: text a page carries after it (a template that
# closes html early, an include that ends with it) would vanish. Browsers read on.
HTML_END_TAG = re.compile(r"</html\s*>", re.I)

# Flat reading of a page (htmltree.flat_text), to check its tree kept all the text: raw-text
# elements whole, comments, tags. As in a browser, an unterminated comment or a tag cut off
# by the end of a truncated download runs to the end.
FLAT_RAW_TAGS = ("script", "style")
FLAT_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S)
FLAT_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
FLAT_TAG = re.compile(r"<[^>]*(?:>|\Z)")

# Text weight: CJK ideographs carry the signal on these pages.
NON_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
# Heuristic: a child holding this share of its parent's text replaces the parent.
DESCEND_SHARE = 0.9
# Heuristic: inside the chosen block, drop sub-blocks that are mostly links.
MAX_LINK_DENSITY = 0.5


@lru_cache(maxsize=256)
def compile_selector(selector: str) -> XPath:
    """A site profile's body selector: XPath if it starts with "/" or "(", else CSS.

    Raises ValueError for a selector that does not compile, so profiles fail at load time.
    """
    text = selector.strip()
    try:
        if text.startswith(("/", "(")):
            return XPath(text)
        return _css(text)
    except (etree.XPathSyntaxError, SelectorError, SyntaxError, ValueError) as exc:
        raise ValueError(f"invalid body selector {selector!r}: {exc}") from exc
