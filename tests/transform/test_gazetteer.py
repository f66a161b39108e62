"""The gazetteer: the country's divisions, and the region a text names as its own."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transform.gazetteer import Gazetteer, Region, RegionMention, gazetteer, read_regions


def test_holds_every_division_down_to_county_level() -> None:
    regions = read_regions()
    levels = Counter(r.level for r in regions)
    assert levels["province"] == 34  # incl. Hong Kong, Macao and Taiwan
    assert levels["city"] > 330
    assert levels["district"] + levels["county"] + levels["county_city"] > 2800
    paths = [r.path for r in regions]
    assert len(paths) == len(set(paths))
    by_path = {r.path: r for r in regions}
    for path in paths:  # every parent is itself a region
        parent = path.rpartition("/")[0]
        assert not parent or parent in by_path, path
    assert by_path["湖南省/湘潭市/岳塘区"].code == "430304"
    assert by_path["江苏省/盐城市/盐城经济技术开发区"].level == "development_zone"


def test_every_region_written_as_its_full_chain_resolves_to_itself() -> None:
    g = gazetteer()
    for region in g.regions:
        text = "".join(region.path.split("/")) + "2023年法治政府建设工作要点"
        assert g.find(text) == RegionMention(region.name, region.path), region.path


@pytest.mark.parametrize(("text", "name", "path"), [
    ("湘潭市贯彻落实《法治湖南建设规划》实施方案", "湘潭市", "湖南省/湘潭市"),
    ("湖南湘潭市岳塘区2023年工作要点", "岳塘区", "湖南省/湘潭市/岳塘区"),
    ("中共盐城经济技术开发区工委全面依法治区委员会办公室", "盐城经济技术开发区",
     "江苏省/盐城市/盐城经济技术开发区"),
    ("人和镇2022年工作要点", "人和镇", "广东省/广州市/白云区/人和镇"),
    ("长治市城区法治政府建设", "城区", "山西省/长治市/城区"),
    # The chain stops where a name is not the previous one's child.
    ("湘潭市长沙县", "湘潭市", "湖南省/湘潭市"),
])
def test_the_region_is_the_last_link_of_the_first_chain(text: str, name: str, path: str) -> None:
    assert gazetteer().find(text) == RegionMention(name, path)


def test_a_shared_name_takes_its_path_from_an_ancestor_or_stays_unplaced() -> None:
    g = gazetteer()
    assert len(g.by_name["鼓楼区"]) == 4
    assert g.find("鼓楼区2023年法治政府建设") == RegionMention("鼓楼区", None)
    assert g.find("南京市鼓楼区2023年") == RegionMention("鼓楼区", "江苏省/南京市/鼓楼区")
    assert g.find("鼓楼区贯彻落实福州市部署") == RegionMention("鼓楼区", "福建省/福州市/鼓楼区")


@pytest.mark.parametrize("text", [
    "市和县两级法治建设",  # 和县 (Anhui) is also "and county"
    "城区人口持续增长",  # 城区 alone is a word
    "上海城市管理执法",  # 上海 + 城市, not 海城市 (Liaoning)
    "全面依法治区工作的总体要求是",
])
def test_ordinary_words_are_not_regions(text: str) -> None:
    assert gazetteer().find(text) is None


def test_a_small_gazetteer_works_the_same_way() -> None:
    g = Gazetteer([Region("甲乙省", "甲乙省", "province", None),
                   Region("甲乙省/丙丁市", "丙丁市", "city", None),
                   Region("甲乙省/丙丁市/戊区", "戊区", "district", None)])
    assert g.find("甲乙省丙丁市戊区") == RegionMention("戊区", "甲乙省/丙丁市/戊区")
    assert g.find("戊区") is None  # two characters: only as a chain's child link
    assert g.find("丙丁方案") is None  # 丙丁 is a short form of 丙丁市, not a region


_NAMES = sorted(gazetteer().by_name)
_texts = st.lists(st.one_of(st.sampled_from(_NAMES), st.text("湘潭市县区城和上海南京鼓楼, ",
                                                               max_size=4)),
                  max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_a_found_region_is_named_in_the_text_and_placed_only_when_certain(text: str) -> None:
    found = gazetteer().find(text)
    if found is None:
        return
    assert found.name in text
    places = gazetteer().by_name[found.name]
    if found.path is not None:
        assert found.path in {p.path for p in places}
    else:
        assert len(places) > 1
