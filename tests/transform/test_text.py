"""Normalization: script, pinyin, punctuation, whitespace, chrome, credits, damage, redactions."""

from __future__ import annotations

from transform.text import (
    canonical_chars,
    detect_script,
    find_damage,
    find_redactions,
    normalize_text,
    remove_pinyin,
)

TRADITIONAL = (
    "法治是中國式現代化的重要保障。近年來,西崗區堅持以習近平新時代中國特色社會主義思想"
    "為指導。"
)



def test_traditional_is_detected_and_converted_once() -> None:
    out = normalize_text(TRADITIONAL)
    assert out.script == "traditional"
    assert out.text.startswith("法治是中国式现代化的重要保障。近年来,西岗区坚持")


def test_simplified_passes_through_unchanged() -> None:
    text = "法治是中国式现代化的重要保障。近年来,西岗区坚持依法治区。"
    assert detect_script(text) == "simplified"
    assert normalize_text(text).text == text


def test_a_few_traditional_looking_characters_do_not_flip_the_script() -> None:
    assert detect_script("本市發布了通知。") == "simplified"


def test_pinyin_removed_with_half_and_full_width_parentheses() -> None:
    text, count = remove_pinyin("中國式現(xiàn)代化,西崗區（qū）堅持")
    assert (text, count) == ("中國式現代化,西崗區堅持", 2)


def test_traditional_with_full_width_pinyin_normalizes_to_plain_simplified() -> None:
    out = normalize_text("全面推進（jìn）法治建設（shè）,堅持依法治區（qū）。現代化國家。")
    assert out.text == "全面推进法治建设,坚持依法治区。现代化国家。"
    assert out.pinyin_count == 3 and "pinyin_annotations" in out.flags


def test_pinyin_after_a_damaged_character_is_counted() -> None:
    text, count = remove_pinyin("各方面??茖W(xué)謀劃")
    assert (text, count) == ("各方面??茖W謀劃", 1)


def test_parenthesised_latin_prose_is_not_pinyin() -> None:
    for text in ("采用ISO(a)标准", "代码(func)运行", "中韩(盐城)法律服务产业园", "方案(试行)"):
        assert remove_pinyin(text) == (text, 0)


def test_canonical_punctuation_is_half_width_for_the_documented_set() -> None:
    assert canonical_chars("（一）责任单位：甲、乙，丙；１００％") == "(一)责任单位:甲、乙,丙;100%"
    kept = "。、“”《》【】〔〕—"
    assert canonical_chars(kept) == kept


def test_whitespace_collapsed_and_paragraph_breaks_kept() -> None:
    out = normalize_text("  第一段\u3000 文字。 \r\n\r\n\n\t第二段。\n")
    assert out.text == "第一段 文字。\n第二段。"


def test_nfc_applied() -> None:
    assert normalize_text("e\u0301").text == "\u00e9"


def test_chrome_lines_dropped_and_credits_kept() -> None:
    raw = "正文第一段。\n【字体:大 中 小】\n打印本页\n关闭窗口\n分享到:微信\n"
    raw += "扫一扫在手机打开当前页\n上一篇:关于某事\n下一篇:关于另一事\n"
    raw += "- 全部留言\n- /\n- 评论\n- 有用()\n编辑:王怀实\n校对:刘清\n"
    out = normalize_text(raw)
    assert out.text == "正文第一段。"
    assert out.credits == {"编辑": "王怀实", "校对": "刘清"}
    assert "- 全部留言" in out.boilerplate


def test_widget_lines_an_html_page_drops_are_chrome_in_plain_text_too() -> None:
    # One chrome rule: the widget forms transform.html drops from a page's body (bookmark
    # buttons, 字号 without brackets, spaced "上一篇 :") are chrome in pasted text as well.
    raw = "正文第一段。\n【收藏本页】【返回顶部】\n字号：大 中 小\n[打印] [关闭]\n"
    raw += "上一篇 ：关于某事\n"
    out = normalize_text(raw)
    assert out.text == "正文第一段。"
    assert out.boilerplate == ["【收藏本页】【返回顶部】", "字号:大 中 小", "[打印] [关闭]",
                               "上一篇 :关于某事"]


def test_chrome_words_inside_prose_are_kept() -> None:
    text = "加强对评论区的管理,关闭窗口期后不再受理。"
    assert normalize_text(text).text == text


def test_encoding_damage_detected_with_position_not_repaired() -> None:
    text = "推动各方面??茖W谋划,又见\ufffd字,还有Ã¤Â¸Â­乱码。"
    found = find_damage(text)
    assert [d["text"] for d in found] == ["??", "\ufffd", "Ã¤Â¸Â­"]
    assert text[found[0]["pos"]:].startswith("??")
    assert normalize_text(text).text == text


def test_question_marks_in_ascii_text_are_not_damage() -> None:
    assert find_damage("What?? Really?? 真的吗?") == []


def test_redaction_placeholders_in_order_of_appearance() -> None:
    text = "202x年工作要点,为深化“xxxx”新xx建设,推动驻x高校,*法治思想。"
    assert find_redactions(text) == ["202x", "xxxx", "xx", "x", "*"]
    assert find_redactions("使用Linux系统和xml格式") == []


def test_normalization_is_idempotent_on_a_messy_sample() -> None:
    raw = "（一）堅持現（xiàn）代化，責任單位：甲\n\n  打印本页\n編輯:王懷實"
    once = normalize_text(raw).text
    assert normalize_text(once).text == once


def test_regional_opencc_variant_chosen_by_host() -> None:
    from transform.text import opencc_config_for

    assert opencc_config_for("www.gov.hk") == "hk2s"
    assert opencc_config_for("www.gov.mo") == "hk2s"
    assert opencc_config_for("www.ey.gov.tw") == "tw2s"
    assert opencc_config_for("xtsf.xiangtan.gov.cn") == opencc_config_for(None) == "t2s"
    assert normalize_text(TRADITIONAL, opencc_config="hk2s").text.startswith("法治是中国式现代化")


def test_source_replacement_characters_are_told_apart_from_decoding_damage() -> None:
    from transform import parse_document

    carried = parse_document("正文\ufffd内容。".encode())  # the source itself had U+FFFD
    assert carried.flag_details["source_fffd_count"] == 1
    # A BOM'd UTF-8 body with one bad byte: decoding replaces it, the source had none.
    broken = parse_document(b"\xef\xbb\xbf" + "正文".encode() + b"\xff" + "内容。".encode())
    assert broken.text == "正文\ufffd内容。"
    assert "encoding_damage" in broken.quality_flags
    assert broken.flag_details["source_fffd_count"] == 0
