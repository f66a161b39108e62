"""Issue 24 item 13: an undeclared Big5 page is read as Big5, not as GB18030 mojibake.

Every Big5 byte pair is a valid GBK pair, so only the text's statistics tell the two apart
(transform.mojibake). The measure must hold on texts it was not looked at with (the region
gazetteer, the fixtures' annotations, demo pages), leave short texts alone, and flag bytes
that read as Chinese in no encoding (the gate then quarantines them: test_parse_defects).
"""

from __future__ import annotations

import csv
import random
from functools import cache
from pathlib import Path

import opencc
import pytest

from demo.families import FAMILIES, render_article
from demo.site import build_site
from tests.conftest import EXPECTED_DIR, SEED_NAMES, expected, seed_text
from transform import mojibake, parse_document
from transform.decode import decode_bytes

REGIONS = Path(__file__).resolve().parents[2] / "transform" / "data" / "regions.csv"
BIG5_CODECS = ("big5", "cp950", "big5hkscs")


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    return str(_s2t().convert(text))


def as_big5(text: str) -> bytes:
    """Big5 bytes of `text`; characters Big5 lacks (pinyin tone marks, a few rare
    ideographs) become numeric character references, as CMSs emit them."""
    return text.encode("big5", errors="xmlcharrefreplace")


def seed_page(name: str, text: str, title: str, encoding: str, *, declare: bool,
              family: str = "hunan") -> bytes:
    return render_article(
        family, title=title, body_text=text, publish_date="2023-06-01",
        source="区依法治区办", encoding=encoding, declare_charset=declare,
        variant=len(name))


def _title(name: str) -> str:
    return expected(name)["title"] or "法治建设工作文件"


@pytest.mark.parametrize("name", SEED_NAMES)
def test_an_undeclared_big5_seed_decodes_as_big5(name: str) -> None:
    text = traditional(seed_text(name))
    body = as_big5(text)
    decoded = decode_bytes(body)
    assert decoded.encoding in BIG5_CODECS
    assert decoded.text == body.decode("big5")  # = the traditional text, references aside
    assert decoded.mojibake is None


@pytest.mark.parametrize("name", SEED_NAMES)
def test_an_undeclared_big5_page_parses_like_the_simplified_page(name: str) -> None:
    trad_title = traditional(_title(name))
    big5 = parse_document(seed_page(name, traditional(seed_text(name)), trad_title, "big5",
                                    declare=False))
    trad = parse_document(seed_page(name, traditional(seed_text(name)), trad_title, "utf-8",
                                    declare=True))
    simplified = parse_document(seed_page(name, seed_text(name), _title(name), "utf-8",
                                          declare=True))
    assert big5.text == trad.text == simplified.text  # OpenCC's t2s undoes the s2t exactly
    assert big5.title == trad.title
    assert [(n.id, n.text) for n in big5.nodes] == [(n.id, n.text) for n in simplified.nodes]
    assert big5.quality_flags == simplified.quality_flags
    assert "mojibake" not in big5.quality_flags


@pytest.mark.parametrize("name", SEED_NAMES)
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8"])
def test_undeclared_gb_and_utf8_pages_decode_as_before(name: str, encoding: str) -> None:
    text = seed_text(name)
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text
    assert decoded.encoding == ("utf-8" if encoding == "utf-8" else "gb18030")
    assert decoded.mojibake is None
    for family in FAMILIES:
        page = seed_page(name, text, _title(name), encoding, declare=False, family=family)
        assert decode_bytes(page).encoding == decoded.encoding


def test_a_big5_page_mislabelled_gb2312_is_read_as_big5() -> None:
    text = traditional(seed_text("001-yancheng-edz-2023-plan"))
    decoded = decode_bytes(as_big5(text), "text/html; charset=gb2312")
    assert decoded.encoding in BIG5_CODECS and decoded.mojibake is None


def test_a_utf8_page_declared_gb2312_that_is_also_valid_gb18030_is_read_as_utf8() -> None:
    """Lines whose UTF-8 bytes happen to be valid GB18030: the declared charset decodes
    them without error, into mojibake."""
    lines = [line for name in SEED_NAMES for line in seed_text(name).splitlines()
             if _decodes(line.encode("utf-8"), "gb18030")]
    text = "\n".join(lines * 3)
    decoded = decode_bytes(text.encode("utf-8"), "text/html; charset=gb2312")
    assert (decoded.encoding, decoded.text, decoded.mojibake) == ("utf-8", text, None)


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def test_a_character_only_cp950_has_picks_cp950_over_a_damaged_big5_reading() -> None:
    extra = next(c for c in map(chr, range(0x4E00, 0xA000))
                 if _encodes(c, "cp950") and not _encodes(c, "big5"))
    body = (traditional(seed_text("002-renhe-town-2022-points"))[:2000] + extra).encode(
        "cp950", errors="xmlcharrefreplace")
    decoded = decode_bytes(body)
    assert (decoded.encoding, decoded.source) == ("cp950", "detected")
    assert decoded.text == body.decode("cp950") and decoded.text.endswith(extra)


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# --- the measure on texts it was not derived from -----------------------------------------


def _region_names() -> str:
    with REGIONS.open(encoding="utf-8") as handle:
        return "，".join(row["name"] for row in csv.DictReader(handle))


def _annotations() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(EXPECTED_DIR.glob("*.json")))


def _demo_pages() -> list[str]:
    site = build_site()
    return [decode_bytes(article.render(1)).text for article in site.articles.values()]


def test_other_chinese_texts_read_as_chinese_in_both_scripts_and_codecs() -> None:
    """Place names are the rarest characters these pages carry: 3,000+ counties, towns,
    development zones. Neither they nor any demo page may look like mojibake."""
    texts = {"regions": _region_names(), "annotations": _annotations()}
    texts.update((f"demo{i}", page) for i, page in enumerate(_demo_pages()))
    for key, text in texts.items():
        for script in (text, traditional(text)):
            judged = mojibake.judge(script)
            assert judged is not None and judged.plausible, (key, judged)
    regions = traditional(_region_names())
    decoded = decode_bytes(as_big5(regions))
    assert decoded.encoding in BIG5_CODECS and decoded.text == as_big5(regions).decode("big5")
    gbk = decode_bytes(_region_names().encode("gbk"))
    assert gbk.encoding == "gb18030" and gbk.text == _region_names()


def test_mojibake_reads_as_mojibake_on_those_texts_too() -> None:
    for text in (_region_names(), _annotations()):
        for wrong in (as_big5(traditional(text)).decode("gb18030"),
                      text.encode("gbk").decode("big5", errors="replace")):
            judged = mojibake.judge(wrong)
            assert judged is not None and not judged.plausible


@pytest.mark.parametrize("encoding", ["gbk", "big5", "utf-8"])
def test_short_texts_are_not_judged(encoding: str) -> None:
    """40 characters say too little: nothing is flagged, whatever the reading. (A Big5
    text this short keeps its GB18030 reading, as before: too short to tell.)"""
    text = traditional("关于印发法治政府建设实施纲要的通知，"
                       "请结合实际认真贯彻落实。依法行政建设法治政府")
    assert len(text) == 40
    assert mojibake.judge(text) is None
    decoded = decode_bytes(text.encode(encoding, errors="xmlcharrefreplace"))
    assert decoded.mojibake is None
    doc = parse_document(text.encode(encoding, errors="xmlcharrefreplace"))
    assert "mojibake" not in doc.quality_flags


def test_a_short_text_of_rare_place_names_is_not_flagged() -> None:
    text = "岢岚县、盱眙县、邛崃市、孟连傣族拉祜族佤族自治县、双江拉祜族佤族布朗族傣族自治县"
    assert mojibake.judge(text) is None
    assert mojibake.judge(text * 3) is not None  # long enough to judge, and it passes:
    assert mojibake.judge(text * 3).plausible  # type: ignore[union-attr]
    assert "mojibake" not in parse_document(text.encode("gbk")).quality_flags


def test_bytes_that_read_as_chinese_in_no_encoding_are_flagged() -> None:
    rng = random.Random(24)
    noise = bytes(rng.randrange(0x81, 0xFF) for _ in range(3000))
    page = b"<html><head><title>x</title></head><body><div id='zoom'>" + noise + b"</div></body>"
    decoded = decode_bytes(page)
    assert decoded.mojibake is not None and decoded.mojibake < mojibake.MIN_COMMON_SHARE
    doc = parse_document(page, content_type="text/html")
    assert "mojibake" in doc.quality_flags
    assert doc.flag_details["mojibake"]["encoding"] == decoded.encoding


def test_a_page_half_gbk_half_big5_is_flagged() -> None:
    gbk = seed_text("004-xiangtan-2021-2025-plan")[:3000].encode("gbk")
    big5 = as_big5(traditional(seed_text("002-renhe-town-2022-points"))[:3000])
    for body in (gbk + big5, big5 + gbk):
        assert decode_bytes(body).mojibake is not None
