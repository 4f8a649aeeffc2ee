"""Serving the web app with gunicorn, as ``vnsearch serve`` does: the serving model and its limits.

gevent workers, one process per core: each connection is a greenlet, so a slow or idle client
costs a socket, not a worker, while searches (CPU-bound) run one at a time in each process.
A request's headers must arrive within ``keepalive`` seconds; each connection serves one
request and is closed, so a trickled body is never waited for and nothing idles; sizes are
bounded by the request line and header limits below; a search's own run time by
``search_time_limit`` (webapp.deadline).
"""

from __future__ import annotations

import os

from flask import Flask
from gunicorn.app.base import BaseApplication
from gevent.baseserver import BaseServer
from gunicorn.workers.base_async import AsyncWorker

from indexer.config import Config, ServerSettings
from indexer.store import keep_readers_per_process
from indexer.warmup import warm_up

#: The longest request line gunicorn accepts (its own maximum): a query of 500 Vietnamese
#: characters is up to 4,500 bytes percent-encoded.
MAX_REQUEST_LINE = 8190

#: Headers per request, and bytes per header: browsers and proxies send far fewer.
MAX_HEADERS = 50
MAX_HEADER_BYTES = 8190

#: Seconds gunicorn lets a worker go without a heartbeat before it kills it; above
#: search_time_limit, so a long search ends as a 503, never as a killed worker.
WORKER_TIMEOUT = 30

#: Threads per worker of the gthread class (compared, not the default): gunicorn's example value.
GTHREADS = 4


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


def gunicorn_settings(server: ServerSettings, host: str, port: int, workers: int | None = None,
                      worker_class: str = "gevent", on_worker_boot=lambda: None) -> dict:
    """gunicorn's settings for ``server`` (config.toml's [server]) on ``host:port``."""
    return {
        "bind": f"{host}:{port}",
        "worker_class": worker_class,
        "threads": GTHREADS,
        "workers": workers or server.workers or os.cpu_count() or 1,
        "worker_connections": server.max_connections,
        "keepalive": server.keepalive,
        "timeout": max(WORKER_TIMEOUT, int(server.search_time_limit) + 5),
        "limit_request_line": MAX_REQUEST_LINE,
        "limit_request_fields": MAX_HEADERS,
        "limit_request_field_size": MAX_HEADER_BYTES,
        # X-Forwarded-Proto and the like are honoured from these addresses only; none unless configured.
        "forwarded_allow_ips": server.forwarded_allow_ips if server.trust_proxy else "",
        "post_worker_init": lambda worker: worker_ready(worker, on_worker_boot),
        "pre_request": one_request_per_connection,
        "accesslog": None,
    }


def one_request_per_connection(worker, req) -> None:
    """Close each connection after its response, as sync workers do: a new connection goes to
    whichever worker is free to accept it. Kept alive, a connection stays with its worker, and
    greenlets are not served in arrival order, so some clients waited over 10 s at 16 clients."""
    req.must_close = True


def worker_ready(worker, on_worker_boot=lambda: None) -> None:
    """Each worker, once booted: one set of index readers for its greenlets, caches warmed up."""
    if isinstance(worker, AsyncWorker):  # greenlets, not threads
        keep_readers_per_process()
        # One accept per wake-up, as gevent advises when processes share a listening socket:
        # a busy worker then leaves new connections to a free one (at 100, one worker took
        # every connection of a burst while the other idled, halving throughput).
        BaseServer.max_accept = 1
    config: Config = worker.app.app.config["VNSEARCH_CONFIG"]
    warm_up(config.index_dir, config)
    on_worker_boot()


def serve(app: Flask, host: str, port: int, workers: int | None = None, worker_class: str = "gevent",
          on_worker_boot=lambda: None) -> None:
    """Serve ``app`` on ``host:port`` until stopped; one worker process per core by default.

    ``on_worker_boot`` runs in each worker after the fork (the embedding model loads there).
    """
    config: Config = app.config["VNSEARCH_CONFIG"]
    GunicornServer(app, gunicorn_settings(config.server, host, port, workers, worker_class, on_worker_boot)).run()
