"""Every regular expression transform uses, as named constants compiled once.

Like trafilatura's `xpaths.py`: the rules live here, the modules that apply them stay
readable. Patterns assume text already normalized by `transform.text` (half-width
`, : ; ( ) %` and digits; Chinese `。、“”《》` kept), except the few marked "raw".
"""

from __future__ import annotations

import re

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_NUM = "零〇一二两三四五六七八九十百"
YEAR = r"(?:19|20)\d{2}"  # a year as documents of this era write it
# Role words of responsibility clauses (transform/clauses.py) -> role.
ROLE_OF: dict[str, str] = {
    "牵头单位": "lead", "牵头部门": "lead", "主责单位": "lead", "主办单位": "lead",
    "参加单位": "participant", "参与单位": "participant", "配合单位": "participant",
    "配合部门": "participant", "协办单位": "participant", "协同单位": "participant",
    "责任单位": "responsible", "责任部门": "responsible", "实施单位": "responsible",
    "落实单位": "responsible",
}
_ROLES = "|".join(ROLE_OF)


# --- input sniffing (raw text) -----------------------------------------------------------

HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<div|<\?xml)", re.I)
HTML_TAGS = re.compile(r"<(?:html|body|div|p|head|title)\b", re.I)
BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a]")
# Links to attached documents in a page (the plan itself is often a PDF/DOC attachment).
ANCHOR_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']?(?P<href>[^"'\s>]+)""", re.I)
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".ofd", ".zip", ".rar")

# --- normalization (raw text) ---------------------------------------------------------
# Scans over whole texts open with a literal or a class, never with a repeat ("x+" is
# written "xx*"): the engine skips ahead only to a known first character, else it tries a
# match at every position.

# A pinyin syllable: optional initial, a vowel cluster (tone marks allowed), optional final.
_VOWELS = "aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[{_VOWELS}]{{1,4}}(?:ng|n|r)?"
# Inline pinyin annotation, half- or full-width parentheses, repeated annotations at once.
# Tone-marked syllables may follow any non-space character (mirror sites annotate even a
# damaged character, seed 003's "W(xué)"); toneless ones only a Han character, since
# "(a)" after Latin text is ordinary prose. Each pattern starts with the literal "(" and
# checks the annotated character with a lookbehind, so the scan skips ahead quickly.
_TONED_SYL = rf"[(（](?=[a-zü]*[{_TONED}])\s?{_SYLLABLE}\s?[)）]"
PINYIN_TONED = re.compile(
    rf"[(（](?<=[^\s(（)）a-z0-9][(（])(?=[a-zü]*[{_TONED}])\s?{_SYLLABLE}\s?[)）]"
    rf"(?:{_TONED_SYL})*"
)
PINYIN_PLAIN = re.compile(rf"[(（](?<=[{HAN}][(（]){_SYLLABLE}[)）](?:[(（]{_SYLLABLE}[)）])*")
# Literal "(" first: the engine then searches for one character, ~4x faster than a class.
PINYIN_HINT = re.compile(rf"\(\s?[a-z{_VOWELS}]")

# Cheap script detection: characters that exist only in traditional (resp. simplified)
# orthography and are frequent in government prose.
TRADITIONAL_ONLY = re.compile(
    "[們這個說為國來時會後對學發經過還進與從關開問現點東義體實長見當動區應將產兩變條總"
    "層設錄權務機構規劃達實處職責員級鄉鎮縣財報導務統籌領廣節紀訴議讓執審論護讀課覽]"
)
SIMPLIFIED_ONLY = re.compile(
    "[们这个说为国来时会后对学发经过还进与从关开问现点东义体实长见当动区应将产两变条总"
    "层设录权务机构规划达处职责员级乡镇县财报导统筹领广节纪诉议让执审论护读课览]"
)

# Encoding damage: replacement characters, runs of "?" touching Han text, and
# GBK/UTF-8-read-as-Latin-1 mojibake (runs of Latin-1 supplement characters).
DAMAGE_REPLACEMENT = re.compile("\ufffd\ufffd*")
DAMAGE_QUESTION = re.compile(r"\?\?+")
DAMAGE_LATIN1 = re.compile("[\u0080-\u00ff][\u0080-\u00ff]{3,}")
DAMAGE_HAN_CONTEXT = re.compile(rf"[{HAN}。,、]")

# Full-width -> half-width for the canonical set; everything else stays as written.
FULLWIDTH_TABLE: dict[int, str | int] = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},  # ０-９
    **{0xFF21 + i: 0x41 + i for i in range(26)},  # Ａ-Ｚ
    **{0xFF41 + i: 0x61 + i for i in range(26)},  # ａ-ｚ
    ord("，"): ",",
    ord("："): ":",
    ord("；"): ";",
    ord("（"): "(",
    ord("）"): ")",
    ord("％"): "%",
    ord("．"): ".",
    ord("［"): "[",
    ord("］"): "]",
    ord("\u3000"): " ",
    ord("\u00a0"): " ",
    ord("\t"): " ",
    ord("\r"): "\n",
    ord("\u2028"): "\n",
    ord("\u2029"): "\n",
    ord("\f"): "\n",
    ord("\v"): "\n",
    ord("\x85"): "\n",
    ord("\x1c"): "\n",
    ord("\x1d"): "\n",
    ord("\x1e"): "\n",
}
# The frequent half of the table, applied with str.replace: translating every text instead
# takes parsing ~1.5x the CPU time (bench/transform.py corpus).
COMMON_FULLWIDTH = (("，", ","), ("：", ":"), ("；", ";"), ("（", "("), ("）", ")"))
RARE_WIDTH = re.compile("[\uff01-\uff5e\u3000\u00a0\t\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Width check and script detection share one scan of a text's head (text.normalize_text):
# the two sets are disjoint, and width canonicalisation maps one character to one, so the
# traditional-only characters keep their positions.
TRADITIONAL_OR_RARE_WIDTH = re.compile(
    "[" + TRADITIONAL_ONLY.pattern[1:-1] + RARE_WIDTH.pattern[1:-1] + "]"
)
SPACES = re.compile(r"  +")

# Page widgets on a line of their own: font size ("【字体:大 中 小】", "字号:[ ]", "【打印】
# 【字体:" when the buttons were images), print, close, bookmark and back-to-top buttons,
# share and QR-code lines, links to the previous and next article. transform.html drops
# them from a page's body (WIDGET_LINE, on the line's half-width form).
_WIDGETS = (
    r"[【\[]?\s*字[体号]\s*:?\s*[大中小\s]+[】\]]?|"
    r"(?:【打印】\s*)?【?字[体号]:?\s*(?:[\[【]\s*(?:大\s*中\s*小)?\s*[\]】]?)?】?|"
    r"(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|收藏本页|返回顶部)\s*[】\]]?\s*)+|"
    r"分享到\s*:?.*|扫一扫在手机上?打开当前页|扫一扫在手机上查看当前页面|"
    r"(?:上一篇|下一篇)(?:\s*:.*)?"
)
WIDGET_LINE = re.compile(rf"^(?:{_WIDGETS})$")
# Page chrome: whole lines (after list bullets) that are widgets, comment and vote
# counters, the accessibility and script toggles, or printed page markers ("- 1 -").
CHROME_LINE = re.compile(
    r"^(?:[-*•·|>]\s*)*(?:"
    r"全部留言|评论|我要评论|发表评论|有用\(\d*\)|没用\(\d*\)|点赞\(?\d*\)?|"
    r"浏览次数:?\s*\d*|阅读量?:?\s*\d*|"
    rf"{_WIDGETS}|"
    r"无障碍(?:\s*(?:简体|繁体|\|)\s*)*|简体\s*\|?\s*繁体|"
    r"[-—–]\s*\d{1,3}\s*[-—–]"
    r")$"
)
# A line with no letters, digits or Han at all carries no text (e.g. "- /").
EMPTY_LINE = re.compile(rf"[^\w{HAN}]+")
CHROME_MAX_LINE = 48  # chrome and credit lines are short; longer lines are not checked
# Editorial credits, one per line: label -> people or source.
CREDIT_LINE = re.compile(
    r"(编辑|校对|责编|审核|责任编辑|审校|终审|初审|复审|作者|摄影|供稿|通讯员)\s*:\s*(.{1,40})"
)

# Redaction placeholders: 202x, xx, xxxx, ××, *法治思想. Candidates are found with a
# cheap scan and confirmed by their neighbours (text.find_redactions).
REDACTION_CHARS = "xX×*"
REDACTION_SEED = re.compile(r"[xX×*][xX×*]*")
REDACTION_SEED_OF = {ch: re.compile(re.escape(ch) * 2 + "*") for ch in REDACTION_CHARS}
HAN_CHAR = re.compile(rf"[{HAN}]")

# --- structure --------------------------------------------------------------------------

# Line-start numbering, one alternative per style; the style is the name of the group that
# matched. The label excludes brackets and separators.
MARKER = re.compile(
    rf"^(?:"
    rf"第(?P<part>[{CN_NUM}\d]{{1,4}})部分\s*|"
    rf"第(?P<chapter>[{CN_NUM}\d]{{1,4}})[章编]\s*|"
    rf"第(?P<section>[{CN_NUM}\d]{{1,4}})节\s*|"
    rf"第(?P<article>[{CN_NUM}\d]{{1,4}})条\s*|"
    rf"(?P<cn>[{CN_NUM}]{{1,4}})[、.]\s*|"
    rf"\((?P<cn_paren>[{CN_NUM}]{{1,4}})\)[、.]?\s*|"
    rf"(?P<num>\d{{1,3}})(?:[、](?!\d)|\.(?!\d)|\s+(?=[{HAN}]))\s*|"
    rf"\((?P<num_paren>\d{{1,3}})\)[、.]?\s*|"
    rf"(?P<circled>[①-⑳㉑-㉟㊱-㊿])\s*"
    rf")"
)
# An outline numeral inside a line, for documents collapsed onto one line (document viewers):
# "…工作。二、加强…", "…工作要点1、认真…". Not after a digit, a numeral, 第 or a list's 、.
INLINE_MARKER = re.compile(
    rf"(?<![\d{CN_NUM}第、.])(?:(?P<cn>[{CN_NUM}]{{1,3}})、|\((?P<cn_paren>[{CN_NUM}]{{1,3}})\)"
    rf"|(?P<num>\d{{1,2}})[、.](?!\d)|\((?P<num_paren>\d{{1,2}})\))"
)
# Digits fused to the text ("1规范行政执法行为"): a numbered item whose separator was lost.
FUSED_NUMBER = re.compile(rf"^(\d{{1,3}})(?=[{HAN}])")
# First sentence: up to the first full stop (question/exclamation marks end one too).
SENTENCE_END = re.compile(r"[。!?！？]")
# A unit clause closing a heading line ("(一)加强学习(责任单位:甲)") is not heading text.
HEADING_CLAUSE_TAIL = re.compile(rf"[(\[【〔]\s*(?:{_ROLES})\s*:.*$")
# Closing passages open with a summing-up cue.
CLOSING_CUE = re.compile(
    r"^(?:总之|综上|综上所述|总而言之|最后|以上|本(?:方案|计划|要点|意见|办法|规定|细则)"
    r"(?:自|由|从|未尽))"
)

# --- metadata ---------------------------------------------------------------------------

COVER_TITLE = re.compile(r"现将《(?P<title>[^《》]+(?:《[^《》]*》[^《》]*)*)》(?:印发|转发|发)")
ADDRESSEE_LINE = re.compile(r"^[^。]{2,120}:$")
# A forwarding notice's own title: "关于印发《…》的通知".
FORWARDING_TITLE = re.compile(r"^关于(?:印发|转发|下发)《[^。]+》的通知$")
SOURCE_LABEL = re.compile(r"(?:来源|信息来源|发布机构|发布单位)\s*:\s*(?P<src>[^\s:]{2,30})")
DOMAIN = re.compile(r"\b(?P<host>(?:[a-z0-9-]+\.)+(?:gov\.cn|com\.cn|org\.cn|cn|com|net|org))\b")
LEADING_ORG = re.compile(rf"^(?P<org>[{HAN}()]{{2,30}})\s")
TRAILING_PAREN = re.compile(r"\([^()]*\)$")  # "(2021-2025年)" after a title's document word
TITLE_TAIL = re.compile(
    r"(?:方案|计划|要点|总结|通知|意见|规划|办法|规定|细则|报告|决定|纲要|通报|安排|清单|函)$"
)
PERIOD_RANGE = re.compile(
    rf"(?P<a>{YEAR})\s*(?:年)?\s*[-—–~至到]\s*(?P<b>{YEAR})\s*年"
)
# A year before the document word: a plan's year, or the year a report covers ("…2023年度法治
# 政府建设情况报告"; titles sometimes drop the 年: "沅江路街道2024法治政府建设年度报告").
PERIOD_YEAR = re.compile(
    rf"(?P<a>{YEAR})\s*(?:年度?|(?=[{HAN}]))[^。,;]{{0,24}}?"
    r"(?:工作要点|工作计划|工作方案|实施方案|计划|要点|总结|工作安排|报告|情况|工作$)"
)
# Five-year-plan numbering in a title: “十四五”规划 covers 2021-2025.
FIVE_YEAR_PLAN = re.compile(r"“?(十[二三四五六])五”?(?:规划|时期|期间)")
FIVE_YEAR_START = {"十二": 2011, "十三": 2016, "十四": 2021, "十五": 2026, "十六": 2031}
WORK_POINTS_OPENER = re.compile(r"^[^。]{0,30}?年[^。]{0,30}?工作的?总体要求是")
PROPOSE_DOC = re.compile(
    r"(?:现提出|特制定|制定|现将|提出)[^。]{0,30}?"
    r"(?P<kind>工作要点|工作计划|实施方案|工作方案|计划|要点|方案)"
)

# --- front matter (transform/frontmatter.py) ---------------------------------------------

# A 文号: 西政办〔2020〕20号, 穗南府办函〔2020〕4号, 瑞政办(2011)129号.
DOC_NUMBER = re.compile(
    rf"[{HAN}A-Za-z]{{1,12}}\s*[〔\[(【]\s*{YEAR}\s*[〕\])】]\s*第?\d{{1,4}}\s*号"
)
DOC_NUMBER_LINE = re.compile(rf"^{DOC_NUMBER.pattern}$")
LEADING_DOC_NUMBER = re.compile(rf"^{DOC_NUMBER.pattern}\s*")
# A cover notice's own title, spaces removed: "[issuer]关于印发《X》的通知", "转发…的通知".
# The document it carries is X when X is quoted or the verb is 印发; a 转发 notice with no
# quoted title is the document itself.
COVER_NOTICE = re.compile(
    r"^(?P<issuer>[^《》。]{0,40}?)(?:关于)?(?P<verb>印发|转发|下发|颁发)"
    r"(?P<name>[^。]+?)的?通知$"
)
# The first line of a cover title cut over two lines ("关于印发西平县2020年度法治政府建设").
COVER_START = re.compile(r"^[^《》。]{0,40}?(?:关于)?(?:印发|转发|下发|颁发)")
QUOTED_NAME = re.compile(r"^《(?P<name>[^《》]+(?:《[^《》]*》[^《》]*)*)》$")
# The sentence that hands the document over ("…,现印发给你们,请认真贯彻执行。").
HANDOVER = re.compile(r"(?:印发|转发|下发|颁发)给你们|现将《[^》]+》(?:印发|转发|下发)")
QUOTED_SPAN = re.compile(r"《[^《》]*(?:《[^《》]*》[^《》]*)*》")
LEADING_QUOTED = re.compile(r"^《(?P<title>[^《》]+)》")
ATTACHMENT_LINE = re.compile(r"^附件\s*\d{0,2}\s*:")
PUBLICATION_NOTE = re.compile(r"^\((?:此件|本件)[^()]{0,12}\)$")
# The issuing body on a line of its own (a signature, or the line above a cover title).
ORG_LINE = re.compile(
    rf"^[{HAN}()、]{{2,40}}(?:人民政府|政府|办公室|办公厅|委员会|管委会|管理委员会|办事处|领导小组|"
    rf"司法局|局|厅|委|办|党委|党工委|街道|镇|乡)$"
)
# A news report announcing a document ("近日,市委、市政府印发了《X》,…") and its
# "《X》主要内容如下" line: the editor's words around the document, not part of it.
NEWS_LEAD = re.compile(r"^(?:近日|日前|近期|近来)[,]?[^。]{0,40}?印发了?《(?P<name>[^《》]+)》")
CONTENT_FOLLOWS = re.compile(r"^《(?P<name>[^《》]+)》(?:的)?(?:主要内容|全文|内容)如下[。:]?$")
# An aggregator's or document viewer's intro: "下面是小编为大家整理的…", "本站为你精心整理了…",
# "《….docx》由会员分享,可在线阅读…".
AGGREGATOR_INTRO = re.compile(
    r"(?:小编|本站|本文|编辑)[^。]{0,12}(?:整理|收集|分享|推荐)|由会员分享|文档由[^。]{0,12}上传"
)
# Site header lines above a document: breadcrumbs, the site clock, welcome lines, menus.
LOCATION_LINE = re.compile(r"^(?:当前|您的|你的|您所在的|您现在所在的|你现在的)?所?在?位置\s*:")
# A segment holding "<" is markup arriving as text (a title like "…<b>…</b>…"), never a link.
BREADCRUMB = re.compile(r"^[^。,<>»]{1,30}(?:\s*[>»]\s*[^。,<>»]{1,40}){2,}$")
SITE_CLOCK = re.compile(
    rf"^今天是|{YEAR}年\d{{1,2}}月\d{{1,2}}日\s*(?:星期|周)[一二三四五六日天]"
)
WELCOME_LINE = re.compile(r"^欢迎(?:访问|来到|光临|您)")
MENU_LINE = re.compile(rf"^[{HAN}]{{1,10}}(?:\s*\|\s*[{HAN}]{{1,10}}){{2,}}$")
# "YYYY年," opening a document's first paragraph: the year a report covers or a plan is for
# ("2023年,静海区坚持…", "2020年是…之年", "2024年以来,…").
OPENING_YEAR = re.compile(rf"(?:^|[,。])(?P<a>{YEAR})年度?(?:以来|是|,)")

# --- clauses ----------------------------------------------------------------------------

# A role word and its colon; a clause starts there when an opening bracket or the start of
# a line precedes it (clauses.find_units), so prose such as "牵头部门的职责" never matches.
ROLE_COLON = re.compile(rf"(?P<role>{_ROLES})\s*:")
# Within a clause the same pattern splits its parts (clauses.split_parts); one of these (and
# spaces) may close a part before the next role word.
PART_SEPARATORS = ";,。"
CLAUSE_OPENERS = "([【〔"
# Inline form "(X、Y牵头,Z按职责分工负责)" / "(X牵头,Y配合)"; found from its "牵头" hint.
INLINE_HINT = re.compile(r"牵头[,;)]")
INLINE_CLAUSE = re.compile(
    r"\((?P<lead>[^()\n:]{2,80}?)牵头(?:[,;](?P<rest>[^()\n:]{2,160}?)"
    r"(?P<verb>按职责分工分别负责|按职责分工负责|分别负责|负责|配合|参与|参加))?\)"
)
INLINE_LOOKBACK = 82  # longest lead list + "("
# Unit list separators: 、 , ; (only at bracket depth 0; see clauses.split_units).
UNIT_SEPARATORS = "、,;"
UNIT_SPLIT = re.compile(r"[、,;]")
BRACKET_OPEN = re.compile(r"[(\[【〔]")
BRACKET_OR_BREAK = re.compile(r"[()\[\]【】〔〕\n]")  # what matters when matching a clause's close
DUTY_SUFFIX = re.compile(
    r"(?:并)?(?:按(?:照)?)?(?:各自)?职责分工(?:分别)?负责$|按职责(?:分别)?负责$|分别负责$"
)
UNIT_ETC = re.compile(r"等(?:单位|部门|有关单位|相关单位)?$")
GENERIC_UNIT = re.compile(
    r"(?:其他|其它)?(?:有关|相关)(?:部门|单位)|各(?:部门|单位|镇街|镇|街道|乡镇|县市区|区县|县|区|园区|板块)"
    r"|各级|党政机关|[市区县镇]直"
)
PEOPLES_GOVT = re.compile(r"人民政府")

# --- facts ---------------------------------------------------------------------------

# A target: a percentage ("99.6%") or a count, a number and its measure word ("60学时以上");
# years ("2022年") are never counts.
TARGET = re.compile(
    r"(?P<value>[0-9]+(?:\.[0-9]+)?)(?:(?P<percent>%)|"
    r"(?P<unit>学时|课时|小时|个|期|次|家|项|名|部|场|所|件|条|支|批|万元|亿元|万人|人次|人|天|户|篇|座|处)"
    r"(?P<suffix>以上|以内|以下|左右)?)"
)
COUNT_PREFIXES = ("不少于", "不低于", "不超过", "至少", "超过", "达到", "达")
# Deadlines are found from their year ("2022年") and confirmed by what surrounds it.
DEADLINE_YEAR = re.compile(r"[12][0-9]{3}年")
DEADLINE_AFTER = re.compile(r"年?底前?|[0-9]{1,2}月底?前")
DEADLINE_BEFORE = ("截至", "截止", "到", "至")
