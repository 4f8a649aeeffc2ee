"""The per-process cache of decoded postings: bounded in megabytes, and never serving a
generation's arrays after a full reindex swapped it out."""

from __future__ import annotations

import numpy as np

from helpers import synthetic_docs, write_jsonl
from indexer.array_cache import ARRAYS, ArrayCache
from indexer.build import reindex
from indexer.search import search
from indexer.store import current_generation


def _docs_with(word: str, ids, holders) -> list[dict]:
    docs = synthetic_docs(ids, seed=11)
    for doc in docs:
        if int(doc["id"][1:]) in holders:
            doc["body"] += f" {word}"
    return docs


def test_a_search_right_after_a_swap_uses_only_the_new_generations_arrays(tmp_path):
    """Same document count, same word, different documents holding it: the cache still holds
    the old generation's arrays for that word when the swap happens."""
    source = write_jsonl(tmp_path / "src" / "docs.jsonl", _docs_with("zqcachex", range(60), set(range(0, 20))))
    index_dir = tmp_path / "index"
    reindex([source], index_dir, procs=1, log=lambda line: None)
    old = current_generation(index_dir)
    before = search("zqcachex", index_dir=index_dir, per_page=100)
    assert sorted(h.id for h in before.results) == [f"d{i:05d}" for i in range(20)]
    assert str(old) in ARRAYS.folders()

    write_jsonl(source, _docs_with("zqcachex", range(60), set(range(30, 35))))
    reindex([source], index_dir, full=True, procs=1, log=lambda line: None)
    new = current_generation(index_dir)
    assert new != old
    after = search("zqcachex", index_dir=index_dir, per_page=100)
    assert after.total == 5
    assert sorted(h.id for h in after.results) == [f"d{i:05d}" for i in range(30, 35)]
    assert [f["count"] for f in after.facets["year"]] and sum(f["count"] for f in after.facets["year"]) <= 5
    assert str(new) in ARRAYS.folders()


def test_the_cache_stays_within_its_bound():
    cache = ArrayCache(limit_mb=1)
    for i in range(20):
        cache.get((("folder", str(i)), "postings"), lambda: (np.zeros(2**20 // 8 // 4),))  # a quarter MB each
        assert cache.size <= cache.limit
    assert len(cache.folders()) == 1
    assert cache.get((("folder", "19"), "postings"), lambda: (np.ones(1),))[0].nbytes == 2**20 // 4  # still there


def test_an_array_larger_than_the_bound_is_returned_but_not_kept():
    cache = ArrayCache(limit_mb=0.001)
    assert len(cache.get(("f", "big"), lambda: (np.zeros(10_000),))[0]) == 10_000
    assert cache.size == 0
