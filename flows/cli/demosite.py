"""`govharvest demo-site`: serve the offline demo portal until Ctrl-C."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from flows.cli.app import USER_ERROR_EXIT, app

if TYPE_CHECKING:
    from demo import DemoSite

DEFAULT_PORT = 8765  # the port sites/demo-*.yaml name in their base_url
NEEDS_SOURCE = ("the demo site needs a source checkout of govharvest: its demo/ package "
                "is not installed with the wheel")


def demo_site_class() -> type[DemoSite]:
    """The demo server, imported only when a demo command runs (demo/ is not in the wheel)."""
    try:
        from demo import DemoSite as site_class
    except ModuleNotFoundError as exc:
        if exc.name != "demo":  # a dependency missing inside the demo is a bug, not this
            raise
        typer.echo(f"error: {NEEDS_SOURCE}", err=True)
        raise typer.Exit(USER_ERROR_EXIT) from None
    return site_class


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
    site_class = demo_site_class()
    from demo.site import DEFAULT_SCALE

    console = Console(highlight=False, soft_wrap=True)
    site = site_class(host=host, port=port, revision=revision,
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
