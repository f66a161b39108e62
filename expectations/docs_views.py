"""Data Docs page views whose Jinja templates are compiled once, not on every build.

GX builds each Data Docs section with a fresh Jinja environment, so every build compiled its
~55 templates again, which was most of a nightly build's own work. These views are GX's own,
with Jinja's file bytecode cache switched on; the Data Docs site config names them through GX's
`view` setting. The cache is keyed by template name and source checksum (a GX upgrade that
changes a template recompiles it) and written atomically, so processes can share it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import Environment, FileSystemBytecodeCache


class _CompiledOnce:
    """Mixin for a GX Jinja view: its environment reads and writes compiled templates."""

    env: Environment

    def __init__(self, *, bytecode_cache_dir: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        Path(bytecode_cache_dir).mkdir(parents=True, exist_ok=True)
        self.env.bytecode_cache = FileSystemBytecodeCache(bytecode_cache_dir)


class CachedJinjaPageView(_CompiledOnce, DefaultJinjaPageView):
    pass


class CachedJinjaIndexPageView(_CompiledOnce, DefaultJinjaIndexPageView):
    pass
