"""Regenerate regions.csv, the gazetteer, from cpca's GB/T 2260 table plus regions_extra.csv.

cpca (https://github.com/DQinYuan/chinese_province_city_area_mapper, MIT) ships the national
administrative division codes (province, prefecture and county level, 2020 snapshot) as
resources/adcodes.csv. Only that file is read; cpca itself is not imported or needed at run
time. regions_extra.csv adds places outside the county-level table that documents name as
their region (development zones, new areas, towns), each with its full path.

    .tools/bin/uv run --no-project --with cpca==0.5.5 python transform/data/build_regions.py
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent
# Rows of the code table that name no place: a prefecture-level code that only groups the
# districts or counties of a municipality or the county-level units a province runs directly.
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _adcodes() -> Path:
    spec = importlib.util.find_spec("cpca")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        sys.exit("cpca is not installed: run with `uv run --no-project --with cpca==0.5.5`")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def _county_level(name: str) -> str:
    if name.endswith("区"):
        return "district"
    return "county_city" if name.endswith("市") else "county"


def build(adcodes: Path) -> list[dict[str, str]]:
    with adcodes.open(encoding="utf-8") as fh:
        table = {row["adcode"][:6]: row["name"] for row in csv.DictReader(fh)}
    paths: dict[str, str] = {}  # 6-digit code -> path
    rows: list[dict[str, str]] = []
    for code in sorted(table):
        name = table[code]
        if name in PLACEHOLDERS:
            continue
        province = table[code[:2] + "0000"]
        if code.endswith("0000"):
            path, level = name, "province"
        elif code.endswith("00"):
            path, level = f"{province}/{name}", "city"
        else:
            parent = paths.get(code[:4] + "00", province)
            path, level = f"{parent}/{name}", _county_level(name)
        paths[code] = path
        rows.append({"path": path, "name": name, "level": level, "code": code})
    with (HERE / "regions_extra.csv").open(encoding="utf-8") as fh:
        for extra in csv.DictReader(fh):
            parent = extra["path"].rsplit("/", 1)[0]
            if parent not in paths.values():
                raise ValueError(f"regions_extra.csv: no parent {parent!r} in the code table")
            rows.append({"path": extra["path"], "name": extra["path"].rsplit("/", 1)[-1],
                         "level": extra["level"], "code": ""})
    return rows


def main() -> None:
    rows = build(_adcodes())
    with (HERE / "regions.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["path", "name", "level", "code"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} regions to {HERE / 'regions.csv'}")


if __name__ == "__main__":
    main()
