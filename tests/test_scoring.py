"""BM25F scoring (indexer/scoring.py): the probabilistic IDF."""

from __future__ import annotations

from indexer.scoring import idf


def test_idf_falls_with_document_frequency_and_stays_positive():
    weights = [idf(1000, n) for n in (1, 10, 100, 500, 1000)]
    assert weights == sorted(weights, reverse=True)
    assert all(w > 0 for w in weights), "a word in every document still counts a little"
    # Whoosh's default log(N / (n + 1)) + 1 gives a word in every document about 1 to a rare word's 7.2.
    assert weights[-1] < 0.001 * weights[0]
