"""Hand-built `Document`s for warehouse tests (no parser needed).

`sample_documents()` are small documents with every kind of child row (units in several
clauses, targets, deadlines, themes); `annotated_documents()` rebuild the five seeds'
structure from their annotations (tests/fixtures/expected), so their counts are known.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from typing import Any

from tests.conftest import SEED_NAMES, expected
from transform.records import Document, Node, Target, Unit

THEME_WORDS = ("营商环境", "枫桥经验", "法治政府", "行政执法", "普法", "法治宣传", "法治社会")
_DEADLINE = re.compile(r"(20\d\d)年(?:底|年底)?前")


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_document(
    url: str | None,
    nodes: list[Node],
    *,
    title: str | None = "测试工作要点",
    region: str | None = "湘潭市",
    publish_date: dt.date | None = dt.date(2023, 3, 1),
    period: tuple[int | None, int | None] = (2023, 2023),
    doc_type: str = "work_points",
    issuer: str | None = "湘潭市司法局",
    quality_flags: list[str] | None = None,
) -> Document:
    text = "\n".join(n.text for n in nodes)
    return Document(
        url=url,
        source_site="test.gov.cn",
        title=title,
        publish_date=publish_date,
        publish_time=None,
        document_date=None,
        issuer=issuer,
        region=region,
        doc_type=doc_type,
        period_start_year=period[0],
        period_end_year=period[1],
        original_script="simplified",
        quality_flags=list(quality_flags or []),
        text=text,
        nodes=nodes,
        content_hash=content_hash(f"{title}\n{text}"),
    )


def _unit(role: str, name: str, clause_no: int, canonical: str | None = None,
          generic: bool = False) -> Unit:
    return Unit(role=role, name=name, canonical=canonical or name,  # type: ignore[arg-type]
                is_generic=generic, clause_no=clause_no)


def sample_document(url: str = "https://www.test.gov.cn/a/1.html", *, year: int = 2023,
                    region: str = "湘潭市", extra_item: str | None = None) -> Document:
    """Two sections, three items; one item names 市司法局 in two clauses."""
    nodes = [
        Node("pre", None, 0, None, None, "为深入推进法治建设", "为深入推进法治建设,制定本要点。"),
        Node("n1", None, 1, "一", 1, "优化法治化营商环境", "一、优化法治化营商环境",
             themes=["营商环境"]),
        Node("n1.1", "n1", 2, "一", 1, "深化行政执法体制改革",
             f"(一)深化行政执法体制改革。{year}年底前完成执法事项清单。"
             "(牵头单位:市司法局;参加单位:市国安局、市公安局)(责任单位:市司法局)",
             units=[_unit("lead", "市司法局", 1),
                    _unit("participant", "市国安局", 2, "市国家安全局"),
                    _unit("participant", "市公安局", 2), _unit("responsible", "市司法局", 3)],
             deadlines=[Target("deadline", f"{year}年底前", deadline_year=year)],
             themes=["行政执法", "营商环境"]),
        Node("n1.2", "n1", 2, "二", 2, "提升政务服务水平",
             "(二)提升政务服务水平。网上可办率达到100%。(牵头单位:市国家安全局、市中级人民法院)",
             units=[_unit("lead", "市国家安全局", 1), _unit("lead", "市中级人民法院", 1)],
             targets=[Target("percent", "100%", 100.0, "%")]),
        Node("n2", None, 1, "二", 2, "坚持和发展新时代枫桥经验", "二、坚持和发展新时代枫桥经验",
             themes=["枫桥经验"]),
        Node("n2.1", "n2", 2, "一", 1, "完善矛盾纠纷多元化解机制",
             "(一)完善矛盾纠纷多元化解机制。培训调解员不少于60名。"
             "(责任单位:区委政法委、各县市区人民政府)",
             units=[_unit("responsible", "区委政法委", 1),
                    _unit("responsible", "各县市区人民政府", 1, "各县市区政府", generic=True)],
             targets=[Target("count", "不少于60名", 60.0, "名")], themes=["枫桥经验"]),
    ]
    if extra_item is not None:
        nodes.append(Node("n2.2", "n2", 2, "二", 2, extra_item, f"(二){extra_item}。"))
    return make_document(url, nodes, region=region, publish_date=dt.date(year, 3, 1),
                         period=(year, year), title=f"{region}{year}年法治建设工作要点")


def sample_documents() -> list[Document]:
    return [
        sample_document("https://www.test.gov.cn/a/1.html", year=2022),
        sample_document("https://www.test.gov.cn/a/2.html", year=2023, region="广州市白云区人和镇"),
        sample_document("https://www.test.gov.cn/a/3.html", year=2024, region="某某新区"),
    ]


def revised(doc: Document, heading: str = "加强法治督察") -> Document:
    """The same URL with one more item: a new content hash."""
    nodes = [*doc.nodes, Node("n9", None, 1, "九", 9, heading, f"九、{heading}")]
    return dataclasses.replace(doc, nodes=nodes, text=doc.text + "\n" + nodes[-1].text,
                               content_hash=content_hash(doc.content_hash + heading))


def annotated_document(name: str) -> Document:
    """A seed's annotated structure as a Document: sections, items and unit clauses."""
    exp: dict[str, Any] = expected(name)
    aliases: dict[str, str] = exp.get("unit_aliases") or {}
    nodes = [Node("pre", None, 0, None, None, exp.get("preamble_starts") or "",
                  exp.get("preamble_starts") or "")]
    for sec in exp["level1"]:
        nodes.append(Node(f"n{sec['number']}", None, 1, sec["label"], sec["number"],
                          sec["heading"], f"{sec['label']}、{sec['heading']}",
                          themes=[w for w in THEME_WORDS if w in sec["heading"]]))
    items: dict[tuple[int, int], Node] = {}
    for item in exp["level2"]:
        node = Node(f"n{item['parent']}.{item['number']}", f"n{item['parent']}", 2,
                    str(item["number"]), item["number"], item["heading"], item["heading"] + "。",
                    themes=[w for w in THEME_WORDS if w in item["heading"]])
        for match in _DEADLINE.finditer(item["heading"]):
            node.deadlines.append(Target("deadline", match.group(0),
                                         deadline_year=int(match.group(1))))
        items[(item["parent"], item["number"])] = node
        nodes.append(node)
    clause_counter: dict[str, int] = {}
    for clause in exp.get("unit_clauses", []):
        node = items[(clause["section"], clause["item"])]
        clause_no = clause_counter[node.id] = clause_counter.get(node.id, 0) + 1
        for name_ in clause["units"]:
            node.units.append(_unit(clause["role"], name_, clause_no, aliases.get(name_, name_),
                                    generic="其他" in name_ or name_.startswith("各")))
    period = exp.get("period") or {}
    publish = exp.get("publish_date")
    signed = exp.get("document_date")
    doc = make_document(
        f"https://seeds.test/{name}.html", nodes, title=exp.get("title"), region=exp.get("region"),
        publish_date=dt.date.fromisoformat(publish) if publish else None,
        period=(period.get("start_year"), period.get("end_year")),
        doc_type=exp["doc_type"], issuer=exp.get("issuer"),
        quality_flags=list(exp.get("quality_flags") or []),
    )
    doc.document_date = dt.date.fromisoformat(signed) if signed else None
    return doc


def annotated_documents() -> list[Document]:
    return [annotated_document(name) for name in SEED_NAMES]


# ---------------------------------------------------------------- lineage (issue #28)

XIANGTAN_SEED = "004-xiangtan-2021-2025-plan"
_CITY_OWN = "相关工作同步推进"  # each item: its heading, then another heading's work


def _seed_items() -> list[str]:
    """The 35 item texts of the 湘潭市 plan seed, each its heading plus a second clause
    naming another item (distinct texts of about 30 characters)."""
    headings = [item["heading"] for item in expected(XIANGTAN_SEED)["level2"]]
    return [f"{h}。{headings[(i + 17) % len(headings)]}{_CITY_OWN}。"
            for i, h in enumerate(headings)]


def _items_plan(url: str, texts: list[str], *, region: str | None, year: int, issuer: str,
                title: str, units: dict[int, list[Unit]] | None = None) -> Document:
    nodes = [Node("n1", None, 1, "一", 1, "主要任务", "一、主要任务")]
    for i, text in enumerate(texts, start=1):
        nodes.append(Node(f"n1.{i}", "n1", 2, str(i), i, text.split("。")[0], text,
                          units=list((units or {}).get(i, []))))
    return make_document(url, nodes, title=title, region=region, issuer=issuer,
                         publish_date=dt.date(year, 3, 1), period=(year, year))


def localize(text: str) -> str:
    """A county's copy of a city task: the city's name replaced by the district's."""
    return text.replace("湘潭", "雨湖")


def lineage_documents() -> dict[str, Document]:
    """A city plan (湘潭市 2022, the seed's items), a district plan of the same year copying
    six of them (two localized) and adding two, and the district's 2023 plan: four tasks
    carried over, one reworded, one new, three dropped. Tasks name agencies by level."""
    city = _seed_items()
    own = ["推进雨湖区城市管理综合执法队伍规范化建设,完善执法协作机制。",
           "开展雨湖区法律明白人培养工程试点,每个村社区培养三名以上。"]
    new_item = "建设雨湖区智慧司法所服务平台,实现公共法律服务事项网上办理。"
    county_2022 = [city[0], localize(city[1]), localize(city[2]), city[9], city[10], city[11],
                   *own]
    county_2023 = [city[0], localize(city[1]),
                   localize(city[2]).replace("同步推进", "统筹推进"), city[9], own[0],
                   new_item]
    return {
        "city_2022": _items_plan(
            "https://lineage.test/xiangtan-2022.html", city, region="湘潭市", year=2022,
            issuer="湘潭市司法局", title="湘潭市2022年法治建设实施方案",
            units={10: [_unit("lead", "市司法局", 1)]}),
        "county_2022": _items_plan(
            "https://lineage.test/yuhu-2022.html", county_2022, region="湘潭市雨湖区",
            year=2022, issuer="雨湖区委依法治区办", title="雨湖区2022年法治建设工作要点",
            units={4: [_unit("lead", "区司法局", 1), _unit("participant", "市司法局", 2),
                       _unit("participant", "省司法厅", 2)]}),
        "county_2023": _items_plan(
            "https://lineage.test/yuhu-2023.html", county_2023, region="湘潭市雨湖区",
            year=2023, issuer="雨湖区委依法治区办", title="雨湖区2023年法治建设工作要点",
            units={4: [_unit("lead", "区司法局", 1)]}),
    }
