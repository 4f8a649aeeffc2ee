"""Proximity re-ranking (indexer/rerank.py): the top hits whose query words sit close together rise."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer.plan import DEFAULT_RANKING
from search_helpers import ids, make_index, search_all

FILLER = " ".join(f"từ{i}" for i in range(30))


@pytest.fixture(scope="module")
def distance_index(tmp_path_factory):
    """Two documents with the same words, so the same BM25 score: ``sen`` and ``vàng`` are
    three words apart in one, thirty in the other."""
    near = f"Tin làng\n\nNgười trồng sen ở ven vàng {FILLER}.\n"
    far = f"Tin làng\n\nNgười trồng sen {FILLER} ở ven vàng.\n"
    return make_index(tmp_path_factory.mktemp("distance"), {"far.txt": far, "near.txt": near})


def test_words_close_together_rank_first(distance_index):
    result = search_all("sen vàng", distance_index)
    assert ids(result) == ["near.txt", "far.txt"]
    bm25_only = search_all("sen vàng", distance_index, ranking=replace(DEFAULT_RANKING, proximity=0))
    assert len({hit.score for hit in bm25_only.results}) == 1, "BM25 alone does not tell them apart"

