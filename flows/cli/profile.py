"""`govharvest profile suggest`: write a site profile from a column nobody has profiled."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import app
from flows.cli.harvest import AllowHostOpt, DelayOpt

profile_app = typer.Typer(help="Site profiles (sites/*.yaml).", no_args_is_help=True)
app.add_typer(profile_app, name="profile")

MAX_SHOWN = 10  # entries printed; the count says how many there were
NO_BODY_SELECTOR = "(no stable selector; the family's selectors and the extractor decide)"


@profile_app.command("suggest")
def suggest(
    start_url: Annotated[str, typer.Option("--start-url", help="A column (list) page URL.")],
    allow_host: AllowHostOpt = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Profile name (sites/NAME.yaml); default: the start URL's host.")] = None,
    sites_dir: Annotated[Path | None, typer.Option(
        "--sites-dir", help="Where to write the profile (default: sites/).",
        show_default=False)] = None,
    delay: DelayOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing profile.")] = False,
) -> None:
    """Read one or two list pages and one article of a column (robots.txt, per-host delay
    and allowed hosts as a harvest obeys them), write a profile extending the closest
    family, and print what was found. Then: `govharvest harvest --site NAME`."""
    from extract.suggest import suggest_profile

    found = suggest_profile(start_url, tuple(allow_host or ()), name=name,
                            sites_dir=sites_dir, delay=delay, overwrite=force)
    dates = [e.date.isoformat() if e.date else "(no date)" for e in found.entries]
    typer.echo(f"wrote {found.path} (extends {found.family})")
    typer.echo(f"entries on the first list page: {len(found.entries)}")
    for entry, date in list(zip(found.entries, dates, strict=True))[:MAX_SHOWN]:
        typer.echo(f"  {date}  {entry.title}  {entry.url}")
    typer.echo(f"pagination: {found.paging}; next page: {found.next_page or '(none)'}"
               + (f" ({found.second_page_entries} entries)"
                  if found.second_page_entries is not None else ""))
    body = found.body_selector or NO_BODY_SELECTOR
    typer.echo(f"article body: {body}")
    typer.echo(f"  first line: {found.body_first_line or '(empty)'}")
    typer.echo(f"encoding: {found.encoding}")
    for note in found.notes:
        typer.echo(f"note: {note}")
    typer.echo(f"next: govharvest harvest --site {found.path.stem}"
               + (f"  (the profile is in {found.path.parent}; harvest reads sites/)"
                  if sites_dir is not None else ""))
