"""The region gazetteer and how a document's region is read from its opening text.

data/regions.csv holds every province, prefecture-level and county-level unit of the
national division codes (GB/T 2260, built by data/build_regions.py) plus the places
below or beside them that documents name as their own (development zones, new areas,
towns: data/regions_extra.csv), each with its path such as 湖南省/湘潭市/岳塘区.

A document names its region near the start, often as a chain: 湖南省湘潭市岳塘区. The
region is the last link of the first chain, each link a child of the one before. A name
several places share (鼓楼区 is in four cities) takes its path from an ancestor named in the
same text; without one the path stays unknown rather than guessed. Two-character names
(城区, 和县, 东区) are also ordinary words and count only as the child link of a chain.
Province and city names are also written without their suffix (湖南, 上海); those short
forms are scanned too, not as regions but so that 上海城市管理 does not read as 海城市.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs

REGIONS_CSV = Path(__file__).parent / "data" / "regions.csv"
_SHORT = 2  # names this long are ordinary words too
_LONG_STEMS = ("黑龙江", "内蒙古")


@dataclass(frozen=True, slots=True)
class Region:
    path: str  # 湖南省/湘潭市/岳塘区
    name: str
    level: str  # province, city, district, county, county_city, town, development_zone…
    code: str | None  # six-digit division code; None for regions_extra rows


@dataclass(frozen=True, slots=True)
class RegionMention:
    """The region a text names: as written, and its gazetteer path when that is certain."""

    name: str
    path: str | None


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    places: tuple[Region, ...]  # every region with this name


def _short_form(region: Region) -> str | None:
    """湖南省 -> 湖南, 湘潭市 -> 湘潭, 湘西土家族苗族自治州 -> 湘西; None below a city."""
    if region.level == "province":
        return region.name[:3] if region.name.startswith(_LONG_STEMS) else region.name[:2]
    if region.level == "city":
        return region.name[:-1] if region.name.endswith("市") else region.name[:2]
    return None


def _is_under(child: Region, parents: Iterable[Region]) -> bool:
    return any(child.path.startswith(parent.path + "/") for parent in parents)


class Gazetteer:
    def __init__(self, regions: Sequence[Region]) -> None:
        by_name: dict[str, list[Region]] = {}
        for region in regions:
            by_name.setdefault(region.name, []).append(region)
        self.regions = tuple(regions)
        self.by_name = {name: tuple(places) for name, places in by_name.items()}
        forms = {_short_form(r) for r in regions} - {None} - set(self.by_name)
        self._names = [*self.by_name, *sorted(f for f in forms if f)]
        # Leftmost-longest: at each position the longest name (湘潭县 over 湘潭), scanning
        # without an sre test at every character of a long first paragraph.
        self._automaton = ahocorasick_rs.AhoCorasick(
            self._names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )

    def _hits(self, text: str) -> list[_Hit]:
        # A throwaway copy: the automaton reads a str through its UTF-8 form, which CPython
        # would otherwise keep inside the caller's string (titles and nodes keep theirs).
        found = self._automaton.find_matches_as_indexes("".join((text, "")))
        named = len(self.by_name)  # patterns past this are short forms, not regions
        return [_Hit(start, end, self.by_name[self._names[i]])
                for i, start, end in found if i < named]

    def find(self, text: str) -> RegionMention | None:
        """The region named first in `text`: the last link of its first chain of names."""
        hits = self._hits(text)
        for i, hit in enumerate(hits):
            if len(hit.places[0].name) <= _SHORT:
                continue  # never a chain's first link
            places = hit.places
            for link in hits[i + 1:]:
                if link.start != hit.end:
                    break
                children = tuple(p for p in link.places if _is_under(p, places))
                if not children:
                    break
                hit, places = link, children
            if len(places) > 1:  # a shared name: let any other name in the text decide
                named = [p for h in hits if h is not hit for p in h.places]
                places = tuple(p for p in places if _is_under(p, named)) or places
            return RegionMention(places[0].name, places[0].path if len(places) == 1 else None)
        return None


def read_regions(path: Path = REGIONS_CSV) -> list[Region]:
    with path.open(encoding="utf-8") as fh:
        return [Region(row["path"], row["name"], row["level"], row["code"] or None)
                for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(read_regions())
