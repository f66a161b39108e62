"""Shared fixtures: the five reference seeds, their hand-made annotations, and a live demo
site on a random loopback port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo import DemoSite

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "tests" / "fixtures" / "seeds"
EXPECTED_DIR = ROOT / "tests" / "fixtures" / "expected"
SEED_NAMES = sorted(p.stem for p in SEEDS_DIR.glob("*.txt"))


def seed_text(name: str) -> str:
    return (SEEDS_DIR / f"{name}.txt").read_text(encoding="utf-8")


def expected(name: str) -> dict[str, Any]:
    return json.loads((EXPECTED_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=SEED_NAMES)
def seed_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoSite]:
    """One shared server; tests that change its revision start their own."""
    with DemoSite(slow_seconds=0.3) as site:
        yield site
