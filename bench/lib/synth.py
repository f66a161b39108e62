"""Synthetic benchmark warehouse: realistic variants of the five seeds, at scale.

The seeds are parsed once (`transform.parse_document`) and flattened into batch frames;
every variant is then made in bulk with polars: a new URL and content hash, a publish
year between 2019 and 2025, a region from the seeded region list, and agency names
prefixed with that region's city (市司法局 -> 湘潭市司法局) for local bodies. No parser
call per variant.

Other benchmarks reuse it:
    from bench.lib.synth import build_benchmark_warehouse
    db = build_benchmark_warehouse(Path("bench/out/wh.duckdb"), n_tasks=1_000_000)
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl

from transform.gazetteer import REGIONS_CSV
from transform.records import Document
from warehouse.frames import BatchFrames, documents_to_frames
from warehouse.load import load_frames

ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = ROOT / "tests" / "fixtures" / "seeds"
YEARS = tuple(range(2019, 2026))
SITES = ("www.xiangtan.gov.cn", "www.yancheng.gov.cn", "www.by.gov.cn", "www.dlxg.gov.cn",
         "xtsf.xiangtan.gov.cn", "sfj.gz.gov.cn", "www.hunan.gov.cn")


def seed_documents() -> list[Document]:
    """The five seeds, parsed once by the real parser."""
    from transform import parse_document

    return [parse_document(path, url=f"https://seeds.example/{path.stem}.html",
                           source_site="seeds.example")
            for path in sorted(SEEDS_DIR.glob("*.txt"))]


def _regions() -> pl.DataFrame:
    """Cities, districts, counties and towns of the gazetteer, with their city's name."""
    seed = pl.read_csv(REGIONS_CSV, infer_schema=False)
    return (
        seed.filter(pl.col("level") != "province")
        .with_columns(
            pl.col("path").str.split("/").list.last().alias("new_region"),
            pl.col("path").str.split("/").list.get(1).str.strip_suffix("市").alias("city"),
        )
        .select("new_region", pl.col("path").alias("new_region_path"), "city")
        .with_row_index("region_idx")
    )


def synth_frames(n_tasks: int, *, base: list[Document] | None = None) -> BatchFrames:
    """Batch frames holding at least n_tasks task rows, varied from the seeds."""
    base_frames = documents_to_frames(base if base is not None else seed_documents())
    docs = base_frames.document.with_row_index("base_idx")
    per_cycle = base_frames.task.height
    n_variants = max(len(docs), math.ceil(n_tasks / per_cycle) * len(docs))
    regions = _regions()

    variants = (
        pl.DataFrame({"variant": pl.arange(0, n_variants, eager=True, dtype=pl.Int64)})
        .with_columns(
            (pl.col("variant") % len(docs)).cast(pl.UInt32).alias("base_idx"),
            (pl.col("variant") * 7919 % regions.height).cast(pl.UInt32).alias("region_idx"),
            (pl.col("variant") * 31 % len(YEARS)).alias("year_idx"),
            (pl.col("variant") % len(SITES)).alias("site_idx"),
        )
        .join(regions, on="region_idx", how="left")
        .with_columns(
            pl.col("year_idx").map_elements(lambda i: YEARS[i], return_dtype=pl.Int32)
            .alias("year"),
            pl.col("site_idx").map_elements(lambda i: SITES[i], return_dtype=pl.String)
            .alias("site"),
        )
        .with_columns(
            pl.format("https://{}/art/{}/{}.html", "site", "year", "variant").alias("new_url"),
            pl.format("sha256:synth{}", "variant").alias("new_hash"),
        )
    )
    doc_keys = docs.select(
        "base_idx", "batch_seq",
        pl.coalesce(pl.col("publish_date").dt.year(), pl.col("period_start_year"))
        .alias("base_year"),
    )
    mapping = variants.join(doc_keys, on="base_idx").select(
        "batch_seq", "variant", "new_url", "new_hash", "year", "base_year", "new_region",
        "new_region_path", "city", "site")

    def expand(frame: pl.DataFrame) -> pl.DataFrame:
        """One copy of each base row per variant of its document, keyed by the variant."""
        return frame.join(mapping, on="batch_seq", how="inner").with_columns(
            pl.col("variant").cast(pl.Int32).alias("batch_seq"))

    document = (
        expand(docs.drop("base_idx"))
        .with_columns(
            pl.col("new_url").alias("url"),
            pl.col("new_hash").alias("content_hash"),
            pl.col("site").alias("source_site"),
            pl.col("new_region").alias("region"),
            pl.col("new_region_path").alias("region_path"),
            pl.date(pl.col("year"), 3, 1 + pl.col("variant") % 28).alias("publish_date"),
            pl.col("year").alias("period_start_year"),
            (pl.col("year") + (pl.col("period_end_year") - pl.col("period_start_year"))
             .fill_null(0)).cast(pl.Int32).alias("period_end_year"),
            pl.format("{}{}年{}", "new_region", "year",
                      pl.col("title").fill_null("法治建设工作要点")).alias("title"),
        )
        .select(base_frames.document.columns)
    )
    # Local bodies (市…/区…/县…) get the variant's city as a prefix: 市司法局 -> 湘潭市司法局.
    local = pl.col("canonical_name").str.contains(r"^[市区县]")
    unit = (
        expand(base_frames.unit)
        .with_columns(
            pl.when(local).then(pl.col("city") + pl.col("canonical_name"))
            .otherwise(pl.col("canonical_name")).alias("canonical_name"),
            pl.when(local).then(pl.col("city") + pl.col("written_name"))
            .otherwise(pl.col("written_name")).alias("written_name"),
        )
    )

    # Deadlines move with the variant's year (2022年底前 in a 2022 plan -> its own year).
    target = expand(base_frames.target).with_columns(
        (pl.col("deadline_year") + (pl.col("year") - pl.col("base_year")).fill_null(0))
        .cast(pl.Int32).alias("deadline_year")
    )
    # A repeated URL or hash would load as one document and shrink the benches' warehouse.
    if not document["url"].n_unique() == document["content_hash"].n_unique() == document.height:
        raise RuntimeError("synthetic variants repeat a URL or content hash")
    return BatchFrames(
        document=document,
        task=expand(base_frames.task).select(base_frames.task.columns),
        unit=unit.select(base_frames.unit.columns),
        target=target.select(base_frames.target.columns),
        theme=expand(base_frames.theme).select(base_frames.theme.columns),
    )


def build_benchmark_warehouse(db_path: Path, n_tasks: int = 1_000_000) -> Path:
    """A fresh warehouse at db_path holding >= n_tasks task rows; returns db_path."""
    db_path = Path(db_path)
    for suffix in ("", ".wal"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    load_frames(db_path, synth_frames(n_tasks), run_id="synth")
    return db_path

