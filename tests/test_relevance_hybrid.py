"""Hybrid ranking regression: a small fixed slice of ViQuAD through the real indexer, embedding
stage and search, pinned beside the lexical ranking of the same slice (docs/hybrid-results.md).

The slice is the first 40 paragraphs of the corpus, all from the article on Paris, and the
dev questions judged on them: questions that share their words with every paragraph, where
only meaning tells the answer apart.
"""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bench import beir
from indexer.build import reindex
from indexer.config import Config, SemanticSettings
from indexer.embedding import load_model
from indexer.search import search
from indexer.vectorize import reindex_vectors

COLLECTION = Path(__file__).resolve().parents[2] / "shared" / "data" / "viquad"
SLICE = 40
TOLERANCE = 0.02
#: The default settings (on).
HYBRID = SemanticSettings()
LEXICAL = replace(HYBRID, enabled=False)
#: MRR@10 of the slice's questions, as given and without diacritics, per ranking.
PINNED = {("lexical", False): 0.790, ("lexical", True): 0.792, ("hybrid", False): 0.855, ("hybrid", True): 0.843}

pytestmark = [
    pytest.mark.skipif(not (COLLECTION / "corpus.jsonl").exists(),
                       reason=f"{COLLECTION} not present: the collections live in ../shared/data"),
    pytest.mark.skipif(load_model()[0] is None, reason=load_model()[1]),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def paris(tmp_path_factory):
    """The slice's index, vectors built, and its judged questions."""
    folder = tmp_path_factory.mktemp("paris")
    with open(COLLECTION / "corpus.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for _, line in zip(range(SLICE), f)]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                                         encoding="utf-8")
    index = folder / "index"
    reindex([folder / "corpus.jsonl"], index, procs=1)
    reindex_vectors(index, HYBRID, lambda line: None)
    ids = {d["_id"] for d in docs}
    qrels = {q: r for q, r in beir.read_qrels(COLLECTION / "qrels.dev.tsv").items() if set(r) <= ids}
    queries = beir.judged_queries(beir.read_queries(COLLECTION / "queries.dev.jsonl"), qrels)
    return index, queries, qrels


@pytest.mark.parametrize("ranking", ["lexical", "hybrid"])
@pytest.mark.parametrize("fold_queries", [False, True], ids=["as-given", "unaccented"])
def test_mrr_at_10_holds_on_the_paris_slice(paris, ranking, fold_queries):
    index, queries, qrels = paris
    config = replace(Config(), index_dir=index, semantic=HYBRID if ranking == "hybrid" else LEXICAL)
    ran = set()

    def rank(text: str) -> list[str]:
        result = search(text, config=config, per_page=100)
        ran.add(result.ranking)
        return [hit.id for hit in result.results]

    scores, _ = beir.evaluate(rank, queries, qrels, fold_queries)
    assert ran == {ranking}
    assert scores["mrr10"] == pytest.approx(PINNED[ranking, fold_queries], abs=TOLERANCE)
