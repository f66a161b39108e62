"""The one Typer application; each command module in this package adds its commands.

User errors (a bad option, an unknown site, a data directory or warehouse that cannot be
used) are reported once, here, as one or two lines on stderr with exit code 2; a run that
failed for a reason its summary gives (no site loaded, a site not rebuilt) in the same form
with exit code 1; anything else is a bug and keeps its traceback. `govharvest --debug`
shows the traceback of every error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

# typer 0.29 vendors click; its context and usage errors (bad option values,
# typer.BadParameter) have no public name.
from typer._click.core import Context
from typer._click.exceptions import UsageError

# Exception types that mean "the user asked for something that cannot be done", by module.
# Looked up only in modules already imported: an error cannot come from a module that never
# loaded, and the CLI's start stays free of duckdb and pydantic imports.
USER_ERRORS: tuple[tuple[str, str], ...] = (
    ("flows.datadir", "DataDirError"),
    ("warehouse.db", "WarehouseError"),
    ("extract.profile", "ProfileError"),
)
USER_ERROR_EXIT = 2
# A run that ended without loading what it should (its summary says which site and why):
# not a bug, so the reason in a line or two and exit code 1, not a traceback.
RUN_FAILURES: tuple[tuple[str, str], ...] = (
    ("flows.harvest", "NothingLoaded"),
    ("flows.maintenance", "ReprocessFailed"),
)
RUN_FAILURE_EXIT = 1
_DETAIL_CHARS = 300


def _loaded_types(names: tuple[tuple[str, str], ...]) -> tuple[type[BaseException], ...]:
    return tuple(getattr(sys.modules[module], name) for module, name in names
                 if module in sys.modules)


def user_error_types() -> tuple[type[BaseException], ...]:
    return _loaded_types(USER_ERRORS)


def describe(exc: BaseException) -> list[str]:
    """At most two lines: what is wrong, then (if there is more) its detail on one line."""
    first, *rest = str(exc).strip().splitlines() or [type(exc).__name__]
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors) and type(cause).__name__ == "ValidationError":  # pydantic
        detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top level)'}: {e['msg']}"
                           for e in errors())
        return [first.rstrip(":"), detail[:_DETAIL_CHARS]]
    detail = " ".join(line.strip() for line in rest if line.strip())
    return [first, detail[:_DETAIL_CHARS]] if detail else [first]


def _report(lines: list[str]) -> None:
    for i, line in enumerate(lines):
        typer.echo(("error: " if i == 0 else "  ") + line, err=True)


class GovharvestGroup(typer.core.TyperGroup):
    """The root command group: turns user errors into a short message and exit code 2."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if ctx.params.get("debug"):
                raise
            where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
            _report([exc.format_message(), f"see `{where} --help`"])
            raise typer.Exit(USER_ERROR_EXIT) from exc
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            if isinstance(exc, user_error_types()):
                _report(describe(exc))
                raise typer.Exit(USER_ERROR_EXIT) from exc
            if isinstance(exc, _loaded_types(RUN_FAILURES)):
                _report(describe(exc))
                raise typer.Exit(RUN_FAILURE_EXIT) from exc
            raise


app = typer.Typer(
    name="govharvest",
    help="Harvest, parse, validate and warehouse Chinese local-government rule-of-law plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=GovharvestGroup,
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
