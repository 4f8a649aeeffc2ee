"""A worker's warm-up: it loads the index's arrays before the first search, and does not
fail when there is no index yet (searches then say so themselves)."""

from __future__ import annotations

from indexer.array_cache import ARRAYS
from indexer.search import search
from indexer.store import current_generation
from indexer.warmup import warm_up


def test_warm_up_loads_the_current_generations_arrays(sample_index):
    seconds = warm_up(sample_index)
    assert seconds > 0
    assert str(current_generation(sample_index)) in ARRAYS.folders()
    assert search("giáo dục", index_dir=sample_index).total > 0


def test_warm_up_without_an_index_does_not_fail(tmp_path):
    assert warm_up(tmp_path / "nothing-here") >= 0
