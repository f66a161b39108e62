"""The demo portal's content model: columns, articles, attachments and broken cases.

One server hosts three CMS families, each with its own URL scheme and list pagination:
- hunan (Xiangtan city template, GBK with no charset declared anywhere):
  `/{siteId}/{colId}/index.htm`, `index_1.htm` ... for the first STATIC_PAGES pages, then the
  JSP pager `index.jsp?pager.offset=N&pager.desc=false`; articles `content_{id}.html`;
- trs (TRS WCM): `/trs/{col}/index.html`, `index_1.html` ... announced by
  `createPageHTML(count, cur, "index", "html")`; articles `./YYYYMM/tYYYYMMDD_{id}.html`;
- hanweb (jcms): `/col/col{id}/index.html` with records in a `<script type="text/xml">`
  datastore; further pages by POST to `/module/web/jpage/dataproxy.jsp?startrecord=...`;
  articles `/art/YYYY/M/D/art_{col}_{id}.html`.

Articles are the five seeds plus variants built from them (other years and districts,
traditional-with-pinyin mirrors, GBK pages, a PDF cover page, a DOCX attachment) and a
broken-cases column (see `Behaviour`). `scale` sets how many variant articles exist, so the
same model serves the tests (~45 articles) and the crawl benchmark (thousands).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import opencc

from demo.families import render_article

# The five reference documents the articles are built from: test fixtures, read from the
# source tree (the demo site ships only there, never in the wheel).
SEEDS_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
# Seed 001 as a PDF: fpdf2 with Noto Sans CJK SC, then each font's /Encoding set to the name
# /Identity-H (fpdf2 embeds a CMap stream that pypdf reads as one-byte codes). Committed so
# the demo needs no CJK font; tests check pypdf gets the seed text back.
ATTACHMENT_PDF = Path(__file__).resolve().parent / "attachment-001.pdf"

Family = Literal["hunan", "trs", "hanweb"]
Behaviour = Literal[
    "normal",
    "missing",  # 404
    "flaky",  # 500 on the first request, then 200
    "slow",  # answers after DemoSite.slow_seconds
    "antibot",  # HTTP 412 with a $_ts challenge script
    "jschallenge",  # 200 with "请开启JavaScript并刷新该页"
    "empty",  # an article page whose body container is empty
    "offsite",  # 302 to another host
    "private",  # 302 to a private address
    "scheme",  # 302 to a non-HTTP scheme
    "moved",  # 301 to another article on the same host (followed)
    "oversized",  # 11 MB body
    "gzipbomb",  # small gzip body that inflates past the decompression cap
    "ratelimited",  # 429 with Retry-After: 1 on the first request, then 200
    "robots",  # under a robots.txt Disallow prefix
    # Faults no article has by default (they would slow every crawl); a test gives one to
    # any path with DemoSite.set_fault:
    "drip",  # 200 with the real body, DemoSite.drip_bytes every DemoSite.drip_seconds
]

DEFAULT_SCALE = 24  # variant articles; with seeds, specials and broken cases ~50 in all
HUNAN_SITE = "11287"
STATIC_PAGES = 2  # hunan: index.htm and index_1.htm are static; later pages are JSP
# List entries per page: tiny for the test-sized site so every pagination style shows up
# (hunan: 2 static pages then JSP), real-sized for large benchmark sites.
SMALL_PER_PAGE = 2
LARGE_PER_PAGE = 20
ROBOTS_DISALLOW = "/11287/private/"
OVERSIZED_BYTES = 11 * 1024 * 1024
REVISION_NOTE = "（2023年6月修订：本方案第三部分责任单位已根据机构改革情况调整。）"


@dataclass(frozen=True, slots=True)
class Column:
    family: Family
    col_id: str
    name: str
    source: str

    @property
    def index_path(self) -> str:
        if self.family == "hunan":
            return f"/{HUNAN_SITE}/{self.col_id}/index.htm"
        if self.family == "trs":
            return f"/trs/{self.col_id}/index.html"
        return f"/col/col{self.col_id}/index.html"


@dataclass(slots=True)
class Article:
    id: int
    column: Column
    title: str
    body_text: str
    publish_date: dt.date
    publish_time: str | None = None
    encoding: str = "utf-8"
    declare_charset: bool = True
    attachments: tuple[tuple[str, str], ...] = ()
    behaviour: Behaviour = "normal"
    revisable: bool = False  # set_revision(2) appends REVISION_NOTE to its body
    seed: str | None = None
    path: str = ""
    source: str | None = None  # the page's 来源 line, when not the column's


    def __post_init__(self) -> None:
        if not self.path:
            self.path = article_path(self.column, self.id, self.publish_date)

    def render(self, revision: int) -> bytes:
        body = self.body_text
        if self.revisable and revision >= 2:
            body = f"{body}\n{REVISION_NOTE}"
        if self.behaviour == "empty":
            body = ""
        return render_article(
            self.column.family,
            title=self.title,
            body_text=body,
            publish_date=self.publish_date.isoformat(),
            publish_time=self.publish_time,
            source=self.source or self.column.source,
            url_path=self.path,
            encoding=self.encoding,
            declare_charset=self.declare_charset,
            attachments=self.attachments,
            variant=self.id,
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    path: str
    body: bytes
    content_type: str


@dataclass(slots=True)
class SiteContent:
    columns: list[Column]
    per_page: int = SMALL_PER_PAGE
    articles: dict[int, Article] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)

    def column_articles(self, column: Column) -> list[Article]:
        """Newest first, as CMS lists show them."""
        items = [a for a in self.articles.values() if a.column == column]
        return sorted(items, key=lambda a: (a.publish_date, a.id), reverse=True)

    @property
    def by_path(self) -> dict[str, Article]:
        return {a.path: a for a in self.articles.values()}


def article_path(column: Column, article_id: int, date: dt.date) -> str:
    if column.family == "hunan":
        return f"/{HUNAN_SITE}/{column.col_id}/content_{article_id}.html"
    if column.family == "trs":
        return (f"/trs/{column.col_id}/{date:%Y%m}/t{date:%Y%m%d}_{article_id}.html")
    return f"/art/{date.year}/{date.month}/{date.day}/art_{column.col_id}_{article_id}.html"


# -- seeds and their variants ---------------------------------------------------------------

def seed_text(name: str) -> str:
    return (SEEDS_DIR / f"{name}.txt").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class _SeedSpec:
    name: str
    title: str
    date: dt.date
    time: str | None
    year: int | None  # the year variants substitute
    region: str | None  # the region variants substitute
    regions: tuple[str, ...]  # substitutes for `region`
    strip_lines: int = 0  # leading lines the page renders itself (title, source line)


SEEDS: tuple[_SeedSpec, ...] = (
    _SeedSpec("000-district-plan-redacted", "202x年全面依法治区工作要点",
              dt.date(2021, 3, 2), None, None, None, ()),
    _SeedSpec("001-yancheng-edz-2023-plan",
              "中共盐城经济技术开发区工委全面依法治区委员会办公室2023年工作计划",
              dt.date(2023, 5, 12), "10:30", 2023, "盐城经济技术开发区",
              ("湘潭经济技术开发区", "株洲高新技术产业开发区", "岳阳经济技术开发区")),
    _SeedSpec("002-renhe-town-2022-points", "人和镇2022年法治建设工作要点",
              dt.date(2022, 3, 8), "16:02", 2022, "人和镇",
              ("太和镇", "钟落潭镇", "江高镇", "竹料镇")),
    _SeedSpec("003-xigang-summary-traditional", "西崗區：以高水平法治護航高質量發展",
              dt.date(2023, 8, 15), "09:00", None, "西崗區", ("中山區", "沙河口區")),
    _SeedSpec("004-xiangtan-2021-2025-plan",
              "湘潭市贯彻落实《法治湖南建设规划(2021-2025年)》实施方案",
              dt.date(2022, 11, 22), "09:15", None, "湘潭市",
              ("株洲市", "衡阳市", "岳阳市", "常德市"), strip_lines=2),
)
_SEED_BY_NAME = {s.name: s for s in SEEDS}
_PINYIN_PAIR = re.compile(r"([\u4e00-\u9fff])\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+)\)")


def seed_article_text(spec: _SeedSpec) -> str:
    lines = seed_text(spec.name).splitlines()
    return "\n".join(lines[spec.strip_lines:]).strip("\n")


def _stable(*parts: object) -> int:
    return int(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _pinyin_map() -> dict[str, str]:
    """Character -> pinyin, learned from the traditional seed's own annotations."""
    return {c: p for c, p in _PINYIN_PAIR.findall(seed_text("003-xigang-summary-traditional"))}


def traditional_with_pinyin(text: str) -> str:
    """A simplified text as a traditional mirror that annotates some characters with pinyin."""
    trad = opencc.OpenCC("s2t").convert(text)
    pinyin = _pinyin_map()
    seen: set[str] = set()

    def annotate(ch: str) -> str:
        # Mirrors annotate a character's first few occurrences only, as the real ones do.
        if ch in pinyin and (ch not in seen or len(seen) % 3 == 0):
            seen.add(ch)
            return f"{ch}({pinyin[ch]})"
        return ch

    return "".join(annotate(ch) for ch in trad)


def variant(spec: _SeedSpec, k: int) -> tuple[str, str, dt.date]:
    """The k-th realistic variant of a seed: another year and/or another region."""
    title, text = spec.title, seed_article_text(spec)
    year = 2021 + k % 5
    if spec.year is not None:
        title = title.replace(str(spec.year), str(year))
        text = text.replace(f"{spec.year}年", f"{year}年").replace(
            f"{spec.year - 1}年", f"{year - 1}年")
    elif "202x" in title:
        title = title.replace("202x", str(year))
        text = text.replace("202x年", f"{year}年")
    if spec.region and spec.regions:
        region = spec.regions[k % len(spec.regions)]
        title, text = title.replace(spec.region, region), text.replace(spec.region, region)
        short_old, short_new = spec.region[:2], region[:2]
        if spec.region.endswith("市"):
            text = text.replace(f"{short_old}市", f"{short_new}市")
    day = 1 + _stable(spec.name, k) % 28
    month = 1 + _stable(spec.name, k, "m") % 12
    return title, text, dt.date(year, month, day)


def _docx_bytes(title: str, text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for line in text.splitlines():
        document.add_paragraph(line)
    # Fixed metadata and zip timestamps: the same article must be the same bytes in every
    # demo-site process, or each run would see a "changed" attachment.
    fixed = dt.datetime(2022, 1, 1)
    document.core_properties.created = fixed
    document.core_properties.modified = fixed
    document.core_properties.last_printed = fixed
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)),
                         src.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


# Plans written for task lineage (issue #28): one district's 法治政府建设工作要点 in three
# consecutive years, changed the way real plans change (most tasks carried over with the year
# bumped, some reworded, a few new, a few dropped), and a city plan with a county plan of the
# same year that copies most of the city's tasks, localizing them (市 -> 县, 湘潭市 -> 湘潭县),
# leaving out one (地方立法: counties do not legislate) and adding its own. Places the
# gazetteer knows, so regions and parent regions resolve.
LINEAGE_DIR = SEEDS_DIR / "lineage"


@dataclass(frozen=True, slots=True)
class _LineagePlan:
    name: str  # file stem in LINEAGE_DIR
    title: str
    issuer: str
    date: dt.date


LINEAGE_PLANS: tuple[_LineagePlan, ...] = (
    _LineagePlan("yuhu-2022-fzzf-points", "湘潭市雨湖区2022年法治政府建设工作要点",
                 "湘潭市雨湖区人民政府", dt.date(2022, 3, 18)),
    _LineagePlan("yuhu-2023-fzzf-points", "湘潭市雨湖区2023年法治政府建设工作要点",
                 "湘潭市雨湖区人民政府", dt.date(2023, 3, 21)),
    _LineagePlan("yuhu-2024-fzzf-points", "湘潭市雨湖区2024年法治政府建设工作要点",
                 "湘潭市雨湖区人民政府", dt.date(2024, 3, 19)),
    _LineagePlan("xiangtan-city-2024-fzzf-points", "湘潭市2024年法治政府建设工作要点",
                 "湘潭市人民政府", dt.date(2024, 2, 27)),
    _LineagePlan("xiangtan-county-2024-fzzf-points", "湘潭县2024年法治政府建设工作要点",
                 "湘潭县人民政府", dt.date(2024, 3, 12)),
)


def lineage_text(name: str) -> str:
    return (LINEAGE_DIR / f"{name}.txt").read_text(encoding="utf-8").strip("\n")


# -- the whole site -------------------------------------------------------------------------

HUNAN_COLUMNS = (
    Column("hunan", "11305", "法治建设", "湘潭市司法局"),
    Column("hunan", "11306", "通知公告", "湘潭市司法局"),
)
HUNAN_BROKEN = Column("hunan", "11399", "依法治市", "湘潭市司法局")
TRS_COLUMNS = (
    Column("trs", "fzzfjs", "法治政府建设", "某市人民政府办公室"),
    Column("trs", "tzgg", "通知公告", "某市人民政府办公室"),
    Column("trs", "ghjh", "规划计划", "某市司法局"),
)
HANWEB_COLUMNS = (
    Column("hanweb", "1001", "法治建设", "某区司法局"),
    Column("hanweb", "1002", "工作计划", "某区人民政府"),
)
NORMAL_COLUMNS = (*HUNAN_COLUMNS, *TRS_COLUMNS, *HANWEB_COLUMNS)
ALL_COLUMNS = (*NORMAL_COLUMNS, HUNAN_BROKEN)

BROKEN_CASES: tuple[Behaviour, ...] = (
    "missing", "flaky", "slow", "antibot", "jschallenge", "empty", "offsite", "private",
    "scheme", "moved", "oversized", "gzipbomb", "ratelimited", "robots",
)


def build_site(scale: int = DEFAULT_SCALE, per_page: int | None = None) -> SiteContent:
    if per_page is None:
        per_page = SMALL_PER_PAGE if scale < 200 else LARGE_PER_PAGE
    site = SiteContent(columns=list(ALL_COLUMNS), per_page=per_page)
    next_id = iter(range(1001, 10**9))

    def add(column: Column, **kw: object) -> Article:
        article = Article(id=next(next_id), column=column, **kw)  # type: ignore[arg-type]
        site.articles[article.id] = article
        return article

    def encoding_for(column: Column, k: int) -> tuple[str, bool]:
        if column.family == "hunan":
            return "gbk", False  # the Hunan template: GBK, nothing declared
        if column.family == "trs" and k % 4 == 1:
            return "gbk", k % 8 != 1  # some TRS pages GBK, one in two of them undeclared
        return "utf-8", True

    # The seeds, one per column family they plausibly come from.
    homes = {
        "004-xiangtan-2021-2025-plan": HUNAN_COLUMNS[0],
        "000-district-plan-redacted": HANWEB_COLUMNS[1],
        "001-yancheng-edz-2023-plan": TRS_COLUMNS[2],
        "002-renhe-town-2022-points": TRS_COLUMNS[0],
        "003-xigang-summary-traditional": HANWEB_COLUMNS[0],
    }
    for spec in SEEDS:
        column = homes[spec.name]
        enc, declared = encoding_for(column, 0)
        add(column, title=spec.title, body_text=seed_article_text(spec),
            publish_date=spec.date, publish_time=spec.time, encoding=enc,
            declare_charset=declared, seed=spec.name,
            revisable=spec.name == "004-xiangtan-2021-2025-plan")

    # A cover page whose document is only in the attached PDF (seed 001).
    pdf_col = TRS_COLUMNS[1]
    pdf_date = dt.date(2023, 5, 11)
    pdf_path = f"/trs/{pdf_col.col_id}/{pdf_date:%Y%m}/P020230511_attachment.pdf"
    site.attachments[pdf_path] = Attachment(pdf_path, ATTACHMENT_PDF.read_bytes(),
                                            "application/pdf")
    pdf_title = _SEED_BY_NAME["001-yancheng-edz-2023-plan"].title
    add(pdf_col, title=f"关于印发《{pdf_title}》的通知",
        body_text="现将《2023年工作计划》印发给你们，请结合实际，认真贯彻落实。",
        publish_date=pdf_date, publish_time="08:40",
        attachments=((pdf_path, "2023年工作计划.pdf"),), seed="001-yancheng-edz-2023-plan")

    # A full article that also attaches a DOCX of itself (seed 002's mirror in a hanweb column).
    spec = _SEED_BY_NAME["002-renhe-town-2022-points"]
    docx_title, docx_text, docx_date = variant(spec, 3)
    docx_path = f"/module/download/downfile.jsp?filename={_stable(docx_title):x}.docx"
    site.attachments[docx_path] = Attachment(
        docx_path, _docx_bytes(docx_title, docx_text),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    add(HANWEB_COLUMNS[1], title=docx_title, body_text=docx_text, publish_date=docx_date,
        attachments=((docx_path, f"{docx_title}.docx"),), seed=spec.name)

    # Traditional-with-pinyin mirrors of simplified seeds.
    for name, column in (("002-renhe-town-2022-points", HANWEB_COLUMNS[0]),
                         ("004-xiangtan-2021-2025-plan", TRS_COLUMNS[0])):
        spec = _SEED_BY_NAME[name]
        add(column, title=opencc.OpenCC("s2t").convert(spec.title),
            body_text=traditional_with_pinyin(seed_article_text(spec)),
            publish_date=spec.date + dt.timedelta(days=3), publish_time="11:20", seed=name)

    # Variants: other years and regions, spread over the normal columns.
    variable = [s for s in SEEDS if s.year is not None or s.regions or "202x" in s.title]
    for k in range(scale):
        spec = variable[k % len(variable)]
        column = NORMAL_COLUMNS[k % len(NORMAL_COLUMNS)]
        title, text, date = variant(spec, k // len(variable) + k)
        enc, declared = encoding_for(column, k)
        add(column, title=title, body_text=text, publish_date=date,
            publish_time=f"{8 + k % 10:02d}:{(k * 7) % 60:02d}", encoding=enc,
            declare_charset=declared, seed=spec.name)

    # Broken cases live in their own hunan column, so a profile can include or leave them.
    base = _SEED_BY_NAME["002-renhe-town-2022-points"]
    for k, behaviour in enumerate(BROKEN_CASES):
        title, text, _ = variant(base, k)
        article = add(HUNAN_BROKEN, title=f"{title}（{behaviour}）", body_text=text,
                      publish_date=dt.date(2024, 6, 28) - dt.timedelta(days=k),
                      encoding="gbk", declare_charset=False, behaviour=behaviour)
        if behaviour == "robots":
            article.path = f"{ROBOTS_DISALLOW}content_{article.id}.html"

    # The lineage plans last, so every earlier article keeps its id and path.
    for plan in LINEAGE_PLANS:
        add(HUNAN_COLUMNS[0], title=plan.title, body_text=lineage_text(plan.name),
            publish_date=plan.date, publish_time="10:00", encoding="gbk",
            declare_charset=False, seed=plan.name, source=plan.issuer)
    return site
