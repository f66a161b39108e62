"""Dates as pages and documents print them: every date pattern, and the readers of them.

A full date is 2023-04-13, 2023/04/13, 2023.04.13 or 2023年4月13日, maybe with a time; a
list entry may print only month and day; a page labels its publish date in the chrome
around an article, a document in a source line under its title; a signature carries the
signing date, in digits or Chinese numerals. The patterns read raw page text as well as
normalized text (full-width colons accepted).
"""

from __future__ import annotations

import datetime as dt
import re

from transform.patterns import CN_NUM, YEAR
from transform.structure import cn_to_int

# A date as pages print it: 2023-04-13, 2023/04/13, 2023.04.13, 2023年4月13日, maybe a time.
DATE = re.compile(
    rf"(?P<y>{YEAR})\s*[-/.年]\s*(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2}))?"
)
# A list entry's date without its year ("04-13", "4月13日"): lists of the current year often
# print only month and day. Not a full date, but it marks the entry as dated.
MONTH_DAY = re.compile(
    r"(?<![\d./-])(?P<m>0?[1-9]|1[0-2])\s*[-/.月]\s*(?P<d>0?[1-9]|[12]\d|3[01])\s*日?(?![\d./-])"
)
# A page's publish date by its label, in the chrome around an article or its first lines.
LABELLED_DATE = re.compile(
    r"(?:发布时间|发布日期|发表时间|发布于|更新时间|发文日期)\s*[:：]?\s*" + DATE.pattern
)
# A document's own date line: a source line under its title ("时间:2023-05-10 09:30"), a
# signing date under its signature ("2023年5月10日", or in Chinese numerals, where
# typesetters often write the zero as "○", U+25CB).
PUBLISH_LINE = re.compile(r"(?:发布时间|发布日期|发表时间|时间|日期)\s*:\s*" + DATE.pattern)
DATE_LINE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
CN_DATE_LINE = re.compile(
    rf"^(?P<y>[{CN_NUM}○]{{4}})年(?P<m>[{CN_NUM}]{{1,2}})月(?P<d>[{CN_NUM}]{{1,3}})日$"
)


def read_date(text: str) -> tuple[dt.date | None, str | None]:
    """The first full date in `text` and its "HH:MM" time: (None, None) without a valid
    date, time None without a valid time."""
    match = DATE.search(text)
    return match_date(match) if match else (None, None)


def match_date(match: re.Match[str]) -> tuple[dt.date | None, str | None]:
    """`read_date` of a match of `DATE` or of a pattern built on it."""
    try:
        date = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None, None
    time = None
    if match["H"] is not None and int(match["H"]) < 24 and int(match["M"]) < 60:
        time = f"{int(match['H']):02d}:{match['M']}"
    return date, time


def date_line(line: str) -> dt.date | None:
    """The date of a signing-date line ("2023年5月10日", "二〇二三年五月十日")."""
    if m := DATE_LINE.match(line):
        return _date(m["y"], m["m"], m["d"])
    if m := CN_DATE_LINE.match(line):
        return _date(_cn_year(m["y"]), m["m"], m["d"])
    return None


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(*(n if (n := cn_to_int(x)) is not None else 0 for x in (y, m, d)))
    except ValueError:
        return None


def _cn_year(label: str) -> str:
    # "二〇二三" is read digit by digit, not as a number.
    digits = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
    return "".join(digits.get(c, "0") for c in label)
