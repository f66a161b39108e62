"""Parse results are frozen: the JSON of the seeds and of realistic variants never drifts.

Each case below is parsed with `transform.parse_document` and its `Document.to_json()`,
serialised by `_dump`, must equal byte for byte the file `golden/<case>.json` written
before the parser was tuned for speed. A speed-up that changes any field fails here.
Regenerate the files only for a deliberate change in parse results:

    .venv/bin/python -m tests.transform.test_golden --write
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from demo.families import render_article
from tests.conftest import SEED_NAMES, seed_text
from transform import parse_document

GOLDEN = Path(__file__).parent / "golden"
Case = tuple[bytes | str, dict[str, Any]]

_WIDE = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "%": "％"})
_CHROME = ["【字体:大 中 小】", "打印本页 关闭窗口", "- 全部留言", "- 评论", "- 有用(3)",
           "扫一扫在手机打开当前页", "上一篇:关于开展普法宣传的通知", "下一篇:2022年工作总结",
           "分享到:微信 微博", "浏览次数:128"]
_CREDITS = ["编辑:李明", "校对:王芳", "责编:赵强", "审核:陈刚", "责任编辑:刘洋"]
_YEAR = re.compile(r"20[0-4][0-9]")


def _cities() -> list[str]:
    # Frozen with the generator: the city names (without 市) the goldens were made with,
    # so growing the gazetteer does not move the variants.
    return (GOLDEN / "cities.txt").read_text(encoding="utf-8").split()


def _shift_year(shift: int, match: re.Match[str]) -> str:
    return str(int(match.group(0)) + shift)


def _traditional(text: str) -> str:
    from opencc import OpenCC

    return str(OpenCC("s2t").convert(text))


def _with_chrome(text: str) -> str:
    """Full-width punctuation, page chrome above and below, credits at the end."""
    return "\n".join(
        [*_CHROME[:3], text.translate(_WIDE), *_CHROME[3:], *_CREDITS]
    )


def _with_pinyin(text: str) -> str:
    """Mirror-site pinyin annotations, toned and toneless, half- and full-width."""
    return (text.replace("现", "现(xiàn)", 3).replace("法治", "法(fǎ)（fǎ）治", 2)
            .replace("学", "学(xue)", 2).replace("依", "依（yī）", 2))


def _damaged(text: str) -> str:
    """Replacement characters, "??" runs in Han text and Latin-1 mojibake."""
    lines = text.split("\n")
    lines[1] = lines[1][:5] + "\ufffd\ufffd" + lines[1][5:]
    lines[2] = lines[2][:7] + "??" + lines[2][7:]
    lines[-1] = lines[-1] + "æ³\x95æ²»å»ºè®¾"
    return "\n".join(lines)


def _messy_whitespace(text: str) -> str:
    """CRLF line ends, tabs, ideographic spaces, blank lines and full-width digits."""
    text = text.replace("\n", "\r\n\r\n").replace(",", "\t,\u3000", 5)
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def _bench_like(count: int, seed: int = 11) -> dict[str, str]:
    """Random mirror variants as the benchmark makes them (region/year swaps, drops…)."""
    rng = random.Random(seed)
    cities = _cities()
    out: dict[str, str] = {}
    for k in range(count):
        text = seed_text(rng.choice(SEED_NAMES))
        city = rng.choice(cities)
        text = text.replace("湘潭", city).replace("盐城", city).replace("西崗", city)
        text = _YEAR.sub(partial(_shift_year, rng.randint(-3, 3)), text)
        lines = text.split("\n")
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 2)):
                lines.pop(rng.randrange(1, len(lines)))
        if rng.random() < 0.4:
            lines = [ln.translate(_WIDE) for ln in lines]
        if rng.random() < 0.5:
            lines += rng.sample(_CHROME, 3) + rng.sample(_CREDITS, 2)
        if rng.random() < 0.3:
            lines = lines[:3] + lines
        out[f"bench-{k:02d}"] = "\n".join(lines)
    return out


def _page(name: str, family: str, encoding: str, declare: bool) -> bytes:
    return render_article(
        family, title=f"{name}法治建设工作文件", body_text=seed_text(name),
        publish_date="2023-06-01", publish_time="09:30", source="区依法治区办",
        encoding=encoding, declare_charset=declare,
        attachments=[(f"/files/{name}.docx", "附件.docx")], variant=len(family),
    )


def cases() -> dict[str, Callable[[], Case]]:
    """Case name -> a builder of (input, parse_document keyword arguments)."""
    out: dict[str, Callable[[], Case]] = {}
    for name in SEED_NAMES:
        text = partial(seed_text, name)
        out[f"seed-{name}"] = lambda t=text: (t(), {})
        out[f"trad-{name}"] = lambda t=text: (_traditional(t()), {})
        out[f"chrome-{name}"] = lambda t=text: (_with_chrome(t()), {})
        out[f"messy-{name}"] = lambda t=text: (_messy_whitespace(t()), {})
    out["pinyin-001"] = lambda: (_with_pinyin(seed_text(SEED_NAMES[1])), {})
    out["pinyin-004"] = lambda: (_with_pinyin(seed_text(SEED_NAMES[4])), {})
    out["damaged-002"] = lambda: (_damaged(seed_text(SEED_NAMES[2])), {})
    out["hk-trad-004"] = lambda: (
        _traditional(seed_text(SEED_NAMES[4])), {"url": "https://www.info.gov.hk/a.html"})
    out["two-seeds"] = lambda: (seed_text(SEED_NAMES[1]) + "\n" + seed_text(SEED_NAMES[4]), {})
    for key, text in _bench_like(12).items():
        out[key] = lambda t=text: (t, {})
    pages = [("000", "hunan", "gbk", True), ("002", "trs", "utf-8", True),
             ("004", "hanweb", "gbk", False), ("003", "trs", "gbk", True)]
    for short, family, encoding, declare in pages:
        name = next(n for n in SEED_NAMES if n.startswith(short))
        out[f"html-{short}-{family}-{encoding}"] = lambda a=(name, family, encoding, declare): (
            _page(*a), {"url": f"http://www.example.gov.cn/{a[1]}/{a[0]}.html"})
    out["tiny"] = lambda: ("一、热身\n(一)导入模块。", {})
    out["empty"] = lambda: ("", {})
    return out


CASES = cases()


def _dump(case: str) -> str:
    data, kwargs = CASES[case]()
    doc = parse_document(data, **kwargs)
    return json.dumps(doc.to_json(), ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_parse_json_matches_golden(case: str) -> None:
    golden = (GOLDEN / f"{case}.json").read_text(encoding="utf-8")
    assert _dump(case) == golden


def test_every_golden_file_has_a_case() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.transform.test_golden --write")
    GOLDEN.mkdir(exist_ok=True)
    for name in CASES:
        (GOLDEN / f"{name}.json").write_text(_dump(name), encoding="utf-8")
    print(f"wrote {len(CASES)} golden files to {GOLDEN}")
