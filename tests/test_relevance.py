"""Ranking-quality regression: a fixed slice of ViNewsQA through the real indexer and search.

Pins MRR@10 within a tolerance of the value recorded in docs/BENCHMARKS.md, so a change
that hurts ranking fails here before it reaches users.
"""

from pathlib import Path

import pytest

from bench.relevance import build_index, evaluate, read_qrels, read_queries

COLLECTION = Path(__file__).resolve().parents[2] / "shared" / "data" / "vinewsqa"
SLICE = 150
TOLERANCE = 0.03
#: MRR@10 of the first 150 judged dev questions, as given and without diacritics.
PINNED = {False: 0.869, True: 0.865}

pytestmark = pytest.mark.skipif(
    not (COLLECTION / "corpus.jsonl").exists(),
    reason=f"{COLLECTION} not present: the ViNewsQA collection lives in ../shared/data beside the repo",
)


@pytest.fixture(scope="module")
def vinewsqa_index(tmp_path_factory):
    return build_index(COLLECTION / "corpus.jsonl", [], tmp_path_factory.mktemp("relevance"), procs=2)


@pytest.mark.parametrize("fold_queries", [False, True], ids=["as-given", "unaccented"])
def test_mrr_at_10_holds_on_a_fixed_slice(vinewsqa_index, fold_queries):
    qrels = read_qrels(COLLECTION / "qrels.dev.tsv")
    queries = read_queries(COLLECTION / "queries.dev.jsonl")
    judged = dict([(q, t) for q, t in queries.items() if q in qrels][:SLICE])
    scores, _ = evaluate(vinewsqa_index, judged, qrels, fold_queries)
    assert scores["mrr10"] == pytest.approx(PINNED[fold_queries], abs=TOLERANCE)


@pytest.fixture(scope="module")
def vinewsqa_one_segment(tmp_path_factory):
    return build_index(COLLECTION / "corpus.jsonl", [], tmp_path_factory.mktemp("one-segment"), procs=1)


def test_rankings_do_not_depend_on_how_documents_fall_into_segments(vinewsqa_index, vinewsqa_one_segment):
    """The pool spreads documents over segments in whatever order its workers take them;
    the same question must get the same hits and scores from any such layout."""
    from indexer.search import search

    qrels = read_qrels(COLLECTION / "qrels.dev.tsv")
    questions = [t for q, t in read_queries(COLLECTION / "queries.dev.jsonl").items() if q in qrels][:50]

    def ranked(index_dir, question):
        hits = search(question, index_dir=index_dir, per_page=10).results
        return sorted(((h.score, h.id) for h in hits), key=lambda hit: (-hit[0], hit[1]))

    differ = [q for q in questions if ranked(vinewsqa_index, q) != ranked(vinewsqa_one_segment, q)]
    assert differ == [], f"{len(differ)} of {len(questions)} questions ranked differently, e.g. {differ[0]!r}"
