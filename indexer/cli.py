"""The ``vnsearch`` command line: thin wrappers around the indexer's functions."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from .build import reindex as run_reindex
from .config import load_config
from .errors import VnsearchError
from .vectorize import reindex_vectors


def _config(ctx: click.Context, config_file, index_dir):
    try:
        config = load_config(config_file)
    except VnsearchError as e:
        raise click.ClickException(str(e)) from None
    if index_dir:
        config = replace(config, index_dir=Path(index_dir))
    return config


@click.group()
@click.version_option(package_name="vnsearch")
def cli():
    """vnsearch: full-text search for Vietnamese documents."""


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--full", is_flag=True, help="Rebuild from scratch into a new index and swap it in atomically.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index directory (default: index_data/, or $VNSEARCH_INDEX).")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: config.toml).")
@click.option("--procs", type=click.IntRange(1, 64), help="Processes for segmentation (default from config).")
@click.pass_context
def reindex(ctx, sources, full, index_dir, config_file, procs):
    """Index SOURCES (folders or files of .txt, .html, .jsonl[.gz]) incrementally."""
    config = _config(ctx, config_file, index_dir)
    sources = sources or config.sources
    try:
        report = run_reindex(sources, config.index_dir, full=full, procs=procs or config.procs)
    except VnsearchError as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        raise click.ClickException("interrupted: the index is as it was before this run") from None
    click.echo(report.summary())
    try:
        click.echo(reindex_vectors(config.index_dir, config.semantic).summary())
    except KeyboardInterrupt:
        raise click.ClickException("interrupted: the vectors embedded so far are kept; reindex resumes") from None


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--page", default=1, show_default=True)
@click.option("--per-page", default=None, type=int)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--year", default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/search.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
@click.option("--config", "config_file", type=click.Path(path_type=Path))
@click.pass_context
def search(ctx, query, page, per_page, sort, year, as_json, index_dir, config_file):
    """Search the index and print ranked results with snippets."""
    from .search import search as run_search  # imports pyvi lazily only when searching

    config = _config(ctx, config_file, index_dir)
    try:
        result = run_search(" ".join(query), page=page, per_page=per_page, sort=sort, year=year, config=config)
    except VnsearchError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.notice:
        click.echo(result.notice)
    if result.suggestion:
        click.echo(f"Có phải bạn muốn tìm: {result.suggestion}")
    click.echo(f"{result.total} kết quả ({result.took_ms:.0f} ms)")
    for n, hit in enumerate(result.results, (result.page - 1) * result.per_page + 1):
        click.echo(f"\n{n}. {_terminal(hit.title)}  [{hit.date or '—'}] {hit.path or hit.url}")
        click.echo("   " + _terminal(hit.snippet))


def _terminal(html_text: str) -> str:
    """<mark> as bold on a terminal, HTML entities decoded."""
    import html

    bold = sys.stdout.isatty()
    text = html_text.replace("<mark>", "\033[1m" if bold else "[").replace("</mark>", "\033[0m" if bold else "]")
    return html.unescape(text)


def main():
    cli()
