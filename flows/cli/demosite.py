"""`govharvest demo-site`: serve the offline demo portal until Ctrl-C."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from flows.cli.app import app

DEFAULT_PORT = 8765  # the port sites/demo-*.yaml name in their base_url


@app.command("demo-site")
def demo_site(
    host: Annotated[str, typer.Option(help="Address to bind (keep it on loopback).")] = (
        "127.0.0.1"),
    port: Annotated[int, typer.Option(help="Port to bind; 0 picks a free one.")] = DEFAULT_PORT,
    revision: Annotated[int, typer.Option(
        help="Content revision: 2 serves the revised Xiangtan plan.")] = 1,
    scale: Annotated[int | None, typer.Option(
        help="Number of generated variant articles (default: the small test site).")] = None,
) -> None:
    """Serve the offline demo government portal (hunan, TRS and Hanweb columns) until Ctrl-C."""
    from extract.demosite import DemoSite
    from extract.demosite.site import DEFAULT_SCALE

    console = Console(highlight=False, soft_wrap=True)
    site = DemoSite(host=host, port=port, revision=revision,
                    scale=DEFAULT_SCALE if scale is None else scale)
    try:  # Ctrl-C may come at any moment after the socket is bound
        site.start()
        console.print(f"demo site serving on {site.base_url} (revision {revision}, "
                      f"{len(site.articles())} articles); Ctrl-C stops it")
        for column in site.content.columns:
            console.print(f"  {column.family:<7} {site.column_url(column)}  {column.name}")
        for name, layout in site.layouts.layouts.items():  # read by the generic family
            console.print(f"  {name:<7} {site.url(layout.start_path)}  (generic)")
        if port != DEFAULT_PORT:
            console.print(f"harvest it with: govharvest harvest --site demo-hunan "
                          f"--base-url {site.base_url}")
        site.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        site.stop()
