"""Shared fixtures: one index of samples/ per test session, and the web app over it."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest

from indexer.build import reindex
from indexer.config import Config

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """An index of samples/, built once per session; treat it as read-only."""
    index_dir = tmp_path_factory.mktemp("sample-index")
    reindex([SAMPLES], index_dir, procs=1)
    return index_dir


@pytest.fixture
def app(sample_index):
    """The web app over the sample index, with default settings (config.toml is not read)."""
    from webapp.app import create_app

    return create_app({"TESTING": True, "VNSEARCH_CONFIG": Config(), "INDEX_DIR": str(sample_index)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def damaged_toc_leaks():
    """For tests that damage an index's TOC: Whoosh leaves the file open when it fails to read
    it. The leaked files are closed at the end of the test, quietly, not in a later test."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
