"""Serving the web app with gunicorn, as ``vnsearch serve`` does."""

from __future__ import annotations

import os

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """gunicorn serving an app that is already built, with settings given in code (no config file)."""

    def __init__(self, app: Flask, settings: dict):
        self.app = app
        self.settings = settings
        super().__init__()  # reads the settings, through load_config

    def load_config(self):
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self):
        return self.app


def serve(app: Flask, host: str, port: int, workers: int | None = None, on_worker_boot=lambda: None) -> None:
    """Serve ``app`` on ``host:port`` until stopped; one worker process per core by default.

    ``on_worker_boot`` runs in each worker after the fork (the embedding model loads there).
    """
    settings = {"bind": f"{host}:{port}", "workers": workers or os.cpu_count() or 1, "timeout": 30, "accesslog": None,
                "post_worker_init": lambda worker: on_worker_boot()}
    GunicornServer(app, settings).run()
