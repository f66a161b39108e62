"""`govharvest parse PATH`: parse one text or HTML file and print the structured record."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.app import app
from transform import UnreadableInput, parse_document
from transform.records import Document


class OutputFormat(StrEnum):
    json = "json"
    text = "text"


def render_tree(doc: Document) -> str:
    """A readable outline: metadata lines, then one indented line per node."""
    period = (
        f"{doc.period_start_year}-{doc.period_end_year}" if doc.period_start_year else "-"
    )
    lines = [
        f"title:    {doc.title or '-'}",
        f"type:     {doc.doc_type}    period: {period}    region: {doc.region or '-'}",
        f"issuer:   {doc.issuer or '-'}    published: {doc.publish_date or '-'}"
        f"    signed: {doc.document_date or '-'}",
        f"script:   {doc.original_script}    flags: {', '.join(doc.quality_flags) or '-'}",
        "",
    ]
    for node in doc.nodes:
        indent = "  " * max(node.level - 1, 0)
        label = f"[{node.label}] " if node.label else ""
        lines.append(f"{indent}{node.id:<8} {label}{node.heading[:60]}")
        for unit in node.units:
            lines.append(f"{indent}{'':8}   {unit.role}: {unit.name}")
    return "\n".join(lines)


@app.command()
def parse(
    path: Annotated[Path, typer.Argument(help="A plain-text or HTML file to parse.")],
    url: Annotated[
        str | None, typer.Option("--url", help="The page's URL, recorded in the output.")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="json (the contract) or a readable text tree.")
    ] = OutputFormat.json,
) -> None:
    """Parse one document into normalized text and a tree of sections, items and units."""
    if not path.is_file():
        typer.echo(f"error: not a file: {path}", err=True)
        raise typer.Exit(2)
    try:
        doc = parse_document(path, url=url)
    except UnreadableInput as exc:
        typer.echo(f"error: unreadable input {path}: {exc}", err=True)
        raise typer.Exit(2) from None
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(doc.to_json(), ensure_ascii=False, indent=1))
    else:
        typer.echo(render_tree(doc))
