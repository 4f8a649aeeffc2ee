"""Shared fixtures: one index of samples/ per test session, the web app over any index, a
test client of it, and a real HTTP server for it."""

from __future__ import annotations

import gc
import os
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer.build import reindex
from indexer.config import Config
from helpers import synthetic_docs, write_jsonl

# Commands the tests run rank lexically and build no vectors; tests/test_hybrid.py turns it on.
os.environ["VNSEARCH_SEMANTIC"] = "0"

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """An index of samples/, built once per session; treat it as read-only."""
    index_dir = tmp_path_factory.mktemp("sample-index")
    reindex([SAMPLES], index_dir, procs=1)
    return index_dir


@pytest.fixture(scope="session")
def layered_index(tmp_path_factory) -> Path:
    """Synthetic documents indexed in three batches one after another (several segments);
    the second batch then changed, so the older segments hold deleted documents. Read-only."""
    root = tmp_path_factory.mktemp("layered")
    index_dir = root / "index"
    docs = synthetic_docs(range(120), seed=3)
    for i, batch in enumerate((docs[:50], docs[:90], docs)):
        reindex([write_jsonl(root / f"src{i}" / "docs.jsonl", batch)], index_dir, procs=1, log=lambda line: None)
    changed = synthetic_docs(range(40, 90), seed=4) + docs[:40] + docs[90:]
    reindex([write_jsonl(root / "src3" / "docs.jsonl", changed)], index_dir, procs=1, log=lambda line: None)
    return index_dir


def _make_app(index_dir, config: Config | None = None, testing: bool = True):
    from webapp.app import create_app

    settings = {"VNSEARCH_CONFIG": config or Config(), "INDEX_DIR": str(index_dir)}
    return create_app({"TESTING": True, **settings} if testing else settings)


@pytest.fixture(scope="session")
def make_app():
    """``make_app(index_dir, config=None, testing=True)``: the web app over ``index_dir`` with
    ``config`` (default settings: config.toml is not read). ``testing=False`` lets errors
    inside views become the app's own 500 pages."""
    return _make_app


@pytest.fixture(scope="session")
def make_client():
    """``make_client(index_dir, config=None)``: a test client of the app over ``index_dir``."""
    return lambda index_dir, config=None: _make_app(index_dir, config).test_client()


@pytest.fixture
def app(sample_index, make_app):
    """The web app over the sample index, with default settings."""
    return make_app(sample_index)


@pytest.fixture
def client(app):
    return app.test_client()


def _closing_each_response(app):
    """``app`` with each response read and closed before it is sent.

    Werkzeug's development server leaves a static file open when Chromium drops the
    request (a favicon fetched as a page closes); the open file is then reported, at
    garbage collection, as an error of whichever test runs next.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@contextmanager
def _serving(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _closing_each_response(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def live_server():
    """``with live_server(app) as base_url:`` the app on an ephemeral port, served from a
    background thread (werkzeug, threaded), shut down on the way out."""
    return _serving


@pytest.fixture
def damaged_toc_leaks():
    """For tests that damage an index's TOC: Whoosh leaves the file open when it fails to read
    it. The leaked files are closed at the end of the test, quietly, not in a later test."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
