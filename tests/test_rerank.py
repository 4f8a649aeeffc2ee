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


def test_rank_scores_say_by_how_much_the_re_ranked_hits_are_ordered(distance_index):
    near, far = search_all("sen vàng", distance_index).results
    assert near.rank_score == pytest.approx(2.0), "the first hit's BM25, all the words in one window"
    assert 1.0 <= far.rank_score < near.rank_score
    assert [hit.rank_score for hit in search_all("sen vàng", distance_index, sort="date").results] == [None, None]
    bm25_only = search_all("sen vàng", distance_index, ranking=replace(DEFAULT_RANKING, proximity=0))
    assert [hit.rank_score for hit in bm25_only.results] == [1.0, 1.0]



@pytest.fixture(scope="module")
def completion_index(tmp_path_factory):
    """``của hoa`` side by side in one document; in the other ``của hồ`` side by side and
    ``hoa`` thirty words on. ``hoa`` follows ``của`` in three more documents."""
    docs = {
        "near.txt": f"Tin làng\n\nVẻ đẹp của hoa sen {FILLER}.\n",
        "far.txt": f"Tin làng\n\nVẻ đẹp của hồ {FILLER} và hoa.\n",
    }
    docs |= {f"cho-{i}.txt": f"Chợ {i}\n\nMùa của hoa đào {FILLER} {FILLER}.\n" for i in range(3)}
    return make_index(tmp_path_factory.mktemp("completion"), docs)


def test_a_completion_other_than_the_likeliest_wins_no_window(completion_index):
    # Typed half-way, ``ho`` is ``hoa`` first and ``hồ`` far behind: ``của hồ`` side by side
    # is not ``của hoa`` side by side.
    whole = ids(search_all("của hoa", completion_index))
    cut = search_all("của ho", completion_index, typing=True)
    assert cut.completions[0] == "hoa"
    assert whole.index("near.txt") < whole.index("far.txt")
    assert ids(cut).index("near.txt") < ids(cut).index("far.txt")
