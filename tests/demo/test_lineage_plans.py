"""The demo serves plans to follow over time (issue #28 item 6): one district's work points in
three consecutive years and a city/county pair of the same year, each parsing to items with a
region the gazetteer places."""

from __future__ import annotations

import itertools

import requests

from demo import DemoSite
from demo.site import LINEAGE_PLANS, build_site
from transform import parse_document
from transform.records import Document


def _served(site: DemoSite) -> dict[str, Document]:
    by_seed = {a.seed: a for a in site.content.articles.values()}
    docs = {}
    for plan in LINEAGE_PLANS:
        article = by_seed[plan.name]
        page = requests.get(site.article_url(article), timeout=5)
        assert page.status_code == 200
        docs[plan.name] = parse_document(page.content, url=site.article_url(article),
                                         content_type=page.headers.get("Content-Type"))
    return docs


def _headings(doc: Document) -> list[str]:
    return [n.heading for n in doc.nodes if n.level == 2]


def test_series_and_city_county_pair_are_served_and_parse_to_items(
        demo_site: DemoSite) -> None:
    docs = _served(demo_site)
    series = [docs[f"yuhu-{y}-fzzf-points"] for y in (2022, 2023, 2024)]
    for year, doc in zip((2022, 2023, 2024), series, strict=True):
        assert doc.region_path == "湖南省/湘潭市/雨湖区"
        assert (doc.period_start_year, doc.period_end_year) == (year, year)
        assert doc.issuer == "湘潭市雨湖区人民政府"
        assert doc.title == f"湘潭市雨湖区{year}年法治政府建设工作要点"
        assert len(_headings(doc)) >= 12
    # Year to year: most tasks keep their heading, a few are new and a few dropped.
    for before, after in itertools.pairwise(series):
        old, new = set(_headings(before)), set(_headings(after))
        assert len(old & new) >= 8 and new - old and old - new
    city = docs["xiangtan-city-2024-fzzf-points"]
    county = docs["xiangtan-county-2024-fzzf-points"]
    assert city.region_path == "湖南省/湘潭市"
    assert county.region_path == "湖南省/湘潭市/湘潭县"
    assert city.issuer != county.issuer
    assert county.title == "湘潭县2024年法治政府建设工作要点"
    city_heads, county_heads = set(_headings(city)), set(_headings(county))
    assert len(city_heads & county_heads) >= 9 and county_heads - city_heads
    # Copied tasks are localized: the county's body names the county, not the city.
    assert "湘潭县公共法律服务中心" in county.text and "湘潭市公共法律服务中心" not in county.text


def test_lineage_plans_come_last_so_earlier_articles_keep_their_ids() -> None:
    site = build_site()
    ids = sorted(site.articles)
    lineage = {a.id for a in site.articles.values()
               if a.seed in {p.name for p in LINEAGE_PLANS}}
    assert lineage == set(ids[-len(LINEAGE_PLANS):])
