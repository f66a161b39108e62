"""Agency dimension rules: alias merging and kind/level classification of agency names.

The parser already resolves aliases into `Unit.canonical`; the load resolves canonical
names through the parser's alias table (transform/data/agency_aliases.csv) once more, so
the agency dimension merges them even for documents parsed before an alias was added.
Classification works on the canonical name's wording, checked in order (most specific first).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from transform.clauses import aliases
from warehouse.db import SQL_DIR

# (kind, pattern) in priority order: a court's party group is still a court, etc.
_KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("court", re.compile(r"法院|法庭")),
    ("procuratorate", re.compile(r"检察")),
    ("peoples_congress", re.compile(r"人大")),
    # Mass organisations and societies: neither party nor government bodies.
    ("other", re.compile(
        r"团[省市区县]委|共青团|妇联|工会|科协|社科联|法学会|律师协会|红十字会")),
    # Party bodies: X委 + office (市委组织部, 区委依法治区办), 党委, 党工委, 纪委, 政法委.
    ("party_committee", re.compile(
        r"^(?:[省市区县镇乡]|各级|街道)?(?:委|党委|党工委)|纪委|监委|政法委|党校|党建|组织部|宣传部|统战部"
        r"|依法治[省市区县镇乡]办|党政")),
    ("government_department", re.compile(
        r"政府|局|厅|办公室|办$|委员会|委$|中心|所$|站$|队$|科$|股$|部门|管委会")),
)

# Level from the leading administrative prefix of the name.
_LEVEL_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("province", re.compile(r"^省")),
    ("city", re.compile(r"^(?:市|各市)")),
    ("district", re.compile(r"^(?:区|各区|开发区|经开区)")),
    ("county", re.compile(r"^(?:县|各县)")),
    ("town", re.compile(r"^(?:镇|乡|街道|各镇|各乡)")),
)


def alias_frame() -> pl.DataFrame:
    """The parser's alias table as (written, canonical) rows, for the load's SQL."""
    table = aliases()
    return pl.DataFrame({"written": list(table), "canonical": list(table.values())},
                        schema={"written": pl.String, "canonical": pl.String})


def classify_kind(name: str) -> str:
    for kind, pattern in _KIND_RULES:
        if pattern.search(name):
            return kind
    return "other"


def classify_level(name: str) -> str:
    for level, pattern in _LEVEL_RULES:
        if pattern.search(name):
            return level
    return "unknown"


def _classes(names: pl.Series) -> list[pl.Series]:
    """`level` and `kind` of each of `names`. The rules are Python regexes, so each distinct
    name is classified once: a batch's (place, name) pairs share far fewer generic names."""
    distinct = names.unique().drop_nulls().to_list()
    return [names.replace_strict(distinct, [rule(n) for n in distinct], default=None,
                                 return_dtype=pl.String).alias(column)
            for rule, column in ((classify_level, "level"), (classify_kind, "kind"))]


# Leading words that name the level of the writer's own place (checked in this order), and
# the admin levels of dim_region they resolve to. 市场… is a word (市场监管局), not 市 + 场….
_PLACE_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("街道", ("town",)), ("省", ("province",)), ("市", ("county_city", "city")),
    ("区", ("district",)), ("县", ("county",)), ("镇", ("town",)), ("乡", ("town",)),
)
_NOT_PREFIXED = re.compile(r"^(?:市场|市政|区域|县域|省级|市级|区级|县级)")
# The written prefix of a body of each admin level, for the generic form of a full name.
_LEVEL_PREFIX = {"province": "省", "city": "市", "county_city": "市", "district": "区",
                 "county": "县", "town": "镇"}


@dataclass(frozen=True, slots=True)
class Region:
    """A dim_region row, as placing an agency needs it."""

    region_key: int
    name: str
    admin_level: str
    path: str

    @property
    def full_name(self) -> str:
        """The name a body of this place carries: the path below the province
        (湖南省/湘潭市/雨湖区 -> 湘潭市雨湖区), or the province's own name."""
        parts = self.path.split("/")
        return "".join(parts[1:]) if len(parts) > 1 else parts[0]


@dataclass(frozen=True, slots=True)
class PlacedAgency:
    """An agency mention resolved to the body of a place."""

    region_key: int | None
    region_path: str | None
    agency_name: str      # full name of the body: 湘潭市雨湖区司法局
    generic_name: str     # the generic form: 区司法局
    unplaced: bool


def place_agency(canonical: str, chain: Sequence[Region]) -> PlacedAgency:
    """Resolve a canonical agency name written in a plan of `chain[0]`'s place (`chain`:
    that region, then its parent, grandparent, ...; empty for a plan with no region).

    A level prefix (市司法局, 区委政法委, 省司法厅) names the body of the plan's nearest
    place of that level (市 in a county-level city's plan is that city); a name starting
    with an ancestor's name (湘潭市司法局) is that ancestor's;
    anything else (公安局, 各县市区政府) is taken as the plan's own place's body as written.
    """
    if not chain:
        return PlacedAgency(None, None, canonical, canonical, True)
    if not _NOT_PREFIXED.match(canonical):
        for prefix, levels in _PLACE_PREFIXES:
            if not canonical.startswith(prefix) or len(canonical) == len(prefix):
                continue
            found = next((r for r in chain if r.admin_level in levels), None)
            if found is None and prefix == "市":  # 北京市, 上海市: province-level cities
                found = next((r for r in chain if r.admin_level == "province"
                              and r.name.endswith("市")), None)
            if found is not None:
                return PlacedAgency(found.region_key, found.path,
                                    found.full_name + canonical[len(prefix):], canonical,
                                    False)
            break
    for region in chain:  # nearest first: 湘潭市雨湖区… is the district's, not the city's
        for written in (region.full_name, region.name):
            if canonical.startswith(written) and len(canonical) > len(written):
                rest = canonical[len(written):]
                generic = _LEVEL_PREFIX.get(region.admin_level, "") + rest
                return PlacedAgency(region.region_key, region.path, region.full_name + rest,
                                    generic, False)
    own = chain[0]
    return PlacedAgency(own.region_key, own.path, canonical, canonical, False)


def region_chains(regions: pl.DataFrame) -> dict[int, list[Region]]:
    """region_key -> [the region, its parent, ...] from dim_region rows (region_key, name,
    admin_level, parent_region_key, path)."""
    rows = {r[0]: r for r in regions.select(
        "region_key", "name", "admin_level", "parent_region_key", "path").iter_rows()}
    chains: dict[int, list[Region]] = {}
    for key in rows:
        chain: list[Region] = []
        current: int | None = key
        while current is not None and current in rows and len(chain) < 8:
            k, name, level, parent, path = rows[current]
            chain.append(Region(k, name, level, path))
            current = parent
        chains[key] = chain
    return chains


def placed_rows(pairs: pl.DataFrame, chains: dict[int, list[Region]]) -> pl.DataFrame:
    """dim_agency rows (with agency_key still to hash: `key_text`) for (region_key,
    canonical_name, is_generic) pairs: one row per pair, classified on the generic form."""
    keys = pairs.get_column("region_key").to_list()
    names = pairs.get_column("canonical_name").to_list()
    placed = [place_agency(name, chains.get(key, []))
              for key, name in zip(keys, names, strict=True)]
    frame = pl.DataFrame({
        "region_key_in": keys, "canonical_in": names,
        "key_text": [f"{p.region_path or ''}|{p.agency_name}" for p in placed],
        "name": names, "canonical_name": [p.generic_name for p in placed],
        "is_generic": pairs.get_column("is_generic").cast(pl.Boolean).fill_null(False),
        "region_key": [p.region_key for p in placed],
        "agency_name": [p.agency_name for p in placed],
        "unplaced": [p.unplaced for p in placed],
    }, schema={
        "region_key_in": pl.Int64, "canonical_in": pl.String, "key_text": pl.String,
        "name": pl.String, "canonical_name": pl.String, "is_generic": pl.Boolean,
        "region_key": pl.Int64, "agency_name": pl.String, "unplaced": pl.Boolean})
    return frame.with_columns(_classes(frame.get_column("canonical_name"))).select(
        "region_key_in", "canonical_in", "key_text", "name", "canonical_name", "is_generic",
        "level", "kind", "region_key", "agency_name", "unplaced")


def body_rows_sql(placed: str, new_only: bool = False) -> str:
    """dim_agency rows, one per body, from the placed mentions in table `placed` (the
    columns of `placed_rows` plus `key_text`); with `new_only`, bodies dim_agency lacks."""
    skip = "anti join dim_agency using (agency_key)" if new_only else ""
    return f"""
        select agency_key, any_value(name order by name), any_value(canonical_name
               order by canonical_name), bool_or(is_generic), any_value(level order by
               canonical_name), any_value(kind order by canonical_name),
               any_value(region_key), any_value(agency_name), bool_or(unplaced)
        from (select gh_key(key_text) as agency_key, * from {placed})
        {skip}
        group by agency_key
        order by agency_key
        """


def _v3_agency_ddl() -> str:
    """The current dim_agency DDL (its one home, 20_marts/dim_agency.sql) for the rebuilt table."""
    ddl = (SQL_DIR / "20_marts" / "dim_agency.sql").read_text(encoding="utf-8")
    return ddl.replace("CREATE TABLE IF NOT EXISTS dim_agency", "CREATE TABLE _dim_agency_v3")


def needs_agency_migration(con: duckdb.DuckDBPyConnection) -> bool:
    """A warehouse of schema version <= 2: dim_agency keyed by canonical_name alone."""
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = 'dim_agency'").fetchall()}
    return bool(columns) and "agency_name" not in columns


def migrate_agency_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Rekey dim_agency from canonical names to bodies (schema version 3) in place: every
    (document region, old agency) pair the bridge uses is placed, the bodies become the new
    dim_agency, and each bridge row points at its body. Old rows no mention uses go (a load
    adds a body when a mention needs it). Runs inside migrate()'s transaction."""
    pairs = con.sql(
        """
        select distinct d.region_key, a.agency_key as old_key, a.canonical_name, a.is_generic
        from bridge_task_agency as b
        join fact_task as t using (task_key)
        join dim_document as d using (document_key)
        join dim_agency as a on a.agency_key = b.agency_key
        """).pl()
    rows = placed_rows(pairs, region_chains(con.sql("select * from dim_region").pl()))
    rows = rows.with_columns(pairs.get_column("old_key"))
    con.register("_placed_v3", rows.to_arrow())
    try:
        con.execute(_v3_agency_ddl())
        con.execute("INSERT INTO _dim_agency_v3 " + body_rows_sql("_placed_v3"))
        con.execute(
            """
            UPDATE bridge_task_agency
            SET agency_key = m.new_key
            FROM (
                select t.task_key, p.old_key, gh_key(p.key_text) as new_key
                from fact_task as t
                join dim_document as d using (document_key)
                join _placed_v3 as p on p.region_key_in is not distinct from d.region_key
            ) AS m
            WHERE bridge_task_agency.task_key = m.task_key
              AND bridge_task_agency.agency_key = m.old_key
            """)
    finally:
        con.unregister("_placed_v3")
    con.execute("DROP TABLE dim_agency")
    con.execute("ALTER TABLE _dim_agency_v3 RENAME TO dim_agency")
