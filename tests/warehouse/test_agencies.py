"""Agency kind/level classification and alias merging."""

from __future__ import annotations

import pytest

from transform.clauses import aliases
from warehouse.agencies import (
    Region,
    alias_frame,
    classify_kind,
    classify_level,
    place_agency,
)


@pytest.mark.parametrize(("name", "kind"), [
    ("市委组织部", "party_committee"),
    ("区委依法治区办", "party_committee"),
    ("市委政法委", "party_committee"),
    ("市中级人民法院", "court"),
    ("区人民检察院", "procuratorate"),
    ("市人大常委会", "peoples_congress"),
    ("市人大法工委", "peoples_congress"),
    ("市司法局", "government_department"),
    ("市卫健委", "government_department"),
    ("镇人民政府", "government_department"),
    ("市法学会", "other"),
    ("团市委", "other"),
])
def test_kind(name: str, kind: str) -> None:
    assert classify_kind(name) == kind


@pytest.mark.parametrize(("name", "level"), [
    ("市司法局", "city"), ("区司法局", "district"), ("县公安局", "county"),
    ("镇人民政府", "town"), ("省司法厅", "province"), ("各县市区政府", "county"),
    ("党政综合办", "unknown"),
])
def test_level(name: str, level: str) -> None:
    assert classify_level(name) == level


def test_the_load_merges_with_the_parsers_alias_table() -> None:
    # One alias table: every alias the parser knows (transform/data/agency_aliases.csv)
    # also merges agencies in the warehouse, e.g. for documents parsed before it was added.
    assert dict(alias_frame().iter_rows()) == aliases()


def _chain(*paths_levels: tuple[str, str]) -> list[Region]:
    return [Region(i, path.split("/")[-1], level, path)
            for i, (path, level) in enumerate(paths_levels, start=1)]


YUHU = _chain(("湖南省/湘潭市/雨湖区", "district"), ("湖南省/湘潭市", "city"),
              ("湖南省", "province"))
XIANGXIANG = _chain(("湖南省/湘潭市/湘乡市", "county_city"), ("湖南省/湘潭市", "city"),
                    ("湖南省", "province"))


@pytest.mark.parametrize(("name", "chain", "body", "generic", "region"), [
    ("市司法局", YUHU[1:], "湘潭市司法局", "市司法局", 2),
    ("区司法局", YUHU, "湘潭市雨湖区司法局", "区司法局", 1),
    ("区委政法委", YUHU, "湘潭市雨湖区委政法委", "区委政法委", 1),
    ("市司法局", YUHU, "湘潭市司法局", "市司法局", 2),        # a city body in a district plan
    ("省司法厅", YUHU[1:], "湖南省司法厅", "省司法厅", 3),
    ("湘潭市司法局", YUHU, "湘潭市司法局", "市司法局", 2),    # a place name already written
    ("市司法局", XIANGXIANG, "湘潭市湘乡市司法局", "市司法局", 1),  # 市 of a county-level city
    ("市场监管局", YUHU[1:], "市场监管局", "市场监管局", 2),   # 市场 is a word, not 市 + 场
    ("各县市区政府", YUHU[1:], "各县市区政府", "各县市区政府", 2),
])
def test_place_agency_names_the_body_of_the_plans_place(
        name: str, chain: list[Region], body: str, generic: str, region: int) -> None:
    placed = place_agency(name, chain)
    assert (placed.agency_name, placed.generic_name, placed.region_key, placed.unplaced) == (
        body, generic, region, False)


def test_place_agency_without_a_region_is_unplaced() -> None:
    placed = place_agency("市司法局", [])
    assert (placed.agency_name, placed.region_key, placed.unplaced) == ("市司法局", None, True)
