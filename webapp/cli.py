"""The console script: the indexer's commands plus ``serve``."""

from __future__ import annotations

import os

import click

from indexer.cli import _config, cli


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="Worker processes (default: one per core).")
@click.option("--index", "index_dir", type=click.Path())
@click.option("--config", "config_file", type=click.Path())
@click.pass_context
def serve(ctx, host, port, workers, index_dir, config_file):
    """Serve the search page and JSON API with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from indexer.semantic import preload_model

    from .app import create_app

    config = _config(ctx, config_file, index_dir)
    app = create_app({"VNSEARCH_CONFIG": config})

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers or os.cpu_count() or 1)
            self.cfg.set("timeout", 30)
            self.cfg.set("accesslog", None)
            # Each worker loads the embedding model once, after the fork (OpenMP is not fork-safe).
            self.cfg.set("post_worker_init", lambda worker: preload_model(config.semantic))

        def load(self):
            return app

    click.echo(f"vnsearch: serving {config.index_dir} on http://{host}:{port}/")
    Server().run()


def main():
    cli()
