"""The ``vnsearch`` command line: thin click commands over the indexer's and the web app's functions.

Errors of the indexer (``VnsearchError``) become one-line messages here, never a traceback.
Each command imports what it runs, so that ``vnsearch --help`` loads neither Whoosh nor Flask.
"""

from __future__ import annotations

import html
import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from indexer.config import Config, load_config
from indexer.errors import VnsearchError


class VnsearchGroup(click.Group):
    """The command group, turning the indexer's errors into click messages (exit status 1)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except VnsearchError as e:
            raise click.ClickException(str(e)) from None


def settings(config_file: Path | None, index_dir: Path | None) -> Config:
    """The config file's settings (default: config.toml), ``--index`` taking the place of its index directory."""
    config = load_config(config_file)
    return replace(config, index_dir=Path(index_dir)) if index_dir else config


index_option = click.option("--index", "index_dir", type=click.Path(path_type=Path),
                            help="Index directory (default: index_data/, or $VNSEARCH_INDEX).")
config_option = click.option("--config", "config_file", type=click.Path(path_type=Path),
                             help="Config file (default: config.toml).")


@click.group(cls=VnsearchGroup)
@click.version_option(package_name="vnsearch")
def cli():
    """vnsearch: full-text search for Vietnamese documents."""


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--full", is_flag=True, help="Rebuild from scratch into a new index and swap it in atomically.")
@index_option
@config_option
@click.option("--procs", type=click.IntRange(1, 64), help="Processes for segmentation (default from config).")
def reindex(sources, full, index_dir, config_file, procs):
    """Index SOURCES (folders or files of .txt, .html, .jsonl[.gz]) incrementally."""
    from indexer.build import reindex as build_index
    from indexer.vectorize import reindex_vectors

    config = settings(config_file, index_dir)
    try:
        report = build_index(sources or config.sources, config.index_dir, full=full, procs=procs or config.procs)
    except KeyboardInterrupt:
        raise click.ClickException("interrupted: the index is as it was before this run") from None
    click.echo(report.summary())
    try:
        if line := reindex_vectors(config.index_dir, config.semantic).summary():
            click.echo(line)
    except KeyboardInterrupt:
        raise click.ClickException("interrupted: the vectors embedded so far are kept; reindex resumes") from None


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--page", default=1, show_default=True)
@click.option("--per-page", default=None, type=int)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--year", default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/search.")
@index_option
@config_option
def search(query, page, per_page, sort, year, as_json, index_dir, config_file):
    """Search the index and print ranked results with snippets."""
    from indexer.search import search as run_search

    result = run_search(" ".join(query), page=page, per_page=per_page, sort=sort, year=year,
                        config=settings(config_file, index_dir))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.notice:
        click.echo(result.notice)
    if result.suggestion:
        click.echo(f"Có phải bạn muốn tìm: {result.suggestion}")
    click.echo(f"{result.total} kết quả ({result.took_ms:.0f} ms)")
    for n, hit in enumerate(result.results, (result.page - 1) * result.per_page + 1):
        click.echo(f"\n{n}. {terminal_text(hit.title)}  [{hit.date or '—'}] {hit.path or hit.url}")
        click.echo("   " + terminal_text(hit.snippet))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="Worker processes (default: one per core).")
@click.option("--worker-class", type=click.Choice(["gevent", "sync", "gthread"]), default="gevent", show_default=True,
              help="gunicorn's worker class; sync and gthread only to compare (README, Serving).")
@index_option
@config_option
def serve(host, port, workers, worker_class, index_dir, config_file):
    """Serve the search page and JSON API with gunicorn."""
    from indexer.semantic import preload_model

    from .app import create_app
    from .server import serve as run_server

    config = settings(config_file, index_dir)
    app = create_app({"VNSEARCH_CONFIG": config})
    click.echo(f"vnsearch: serving {config.index_dir} on http://{host}:{port}/")
    run_server(app, host, port, workers, worker_class, on_worker_boot=lambda: preload_model(config.semantic))


def terminal_text(html_text: str) -> str:
    """A title or snippet for a terminal: <mark> as bold (as [brackets] when not a terminal), entities decoded."""
    bold = sys.stdout.isatty()
    text = html_text.replace("<mark>", "\033[1m" if bold else "[").replace("</mark>", "\033[0m" if bold else "]")
    return html.unescape(text)


def main():
    cli()
