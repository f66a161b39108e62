"""The one Typer application; each command module in this package adds its commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="govharvest",
    help="Harvest, parse, validate and warehouse Chinese local-government rule-of-law plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Shared option type so every command spells --data-dir the same way.
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory (default: $GOVHARVEST_DATA_DIR or ./data).",
        show_default=False,
    ),
]
