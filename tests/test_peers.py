"""The peer engines of bench.peers on a three-document collection."""

import pytest

pytest.importorskip("bm25s", reason="bm25s is in the bench extra: pip install -e '.[bench]'")

from bench import peers  # noqa: E402
from bench.beir import Doc  # noqa: E402

DOCS = [
    Doc("hn", "Hà Nội", "Thủ đô Hà Nội có hồ Hoàn Kiếm."),
    Doc("dn", "Đà Nẵng", "Thành phố Đà Nẵng có cầu Rồng và biển Mỹ Khê."),
    Doc("gd", "Giáo dục", "Bộ Giáo dục công bố điểm thi."),
]


@pytest.fixture(scope="module")
def engines():
    return {p.name: p for p in peers.build_peers(DOCS, procs=1)}


def test_syllable_tokens_fold_keep_exact_and_pair():
    assert peers.syllable_tokens("Giáo dục, mới") == ["giao", "giáo", "duc", "dục", "moi", "mới", "giao_duc"]


def test_fts5_query_quotes_words_and_drops_punctuation():
    assert peers.fts5_query("Cầu Rồng ở đâu?") == '"Cầu" OR "Rồng" OR "ở" OR "đâu"'


@pytest.mark.parametrize("name", ["fts5", "pyvi-words", "syllables+bigrams+exact"])
def test_each_peer_ranks_the_matching_document_first(engines, name):
    assert engines[name].search("cầu Rồng ở đâu")[0] == "dn"


def test_only_matching_documents_are_ranked(engines):
    assert engines["syllables+bigrams+exact"].search("hồ Hoàn Kiếm") == ["hn"]
    assert engines["pyvi-words"].search("xyz") == []


def test_the_strong_baseline_finds_unaccented_queries(engines):
    assert engines["syllables+bigrams+exact"].search("cau rong o dau")[0] == "dn"


def test_distractors_join_the_collection_as_vnsearch_reads_them(tmp_path):
    import gzip
    import json

    path = tmp_path / "news.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "n1", "title": "Hồ Gươm mùa thu", "abstract": "Tóm tắt.",
                            "body": "Hồ Hoàn Kiếm ở trung tâm Hà Nội."}, ensure_ascii=False) + "\n")
        f.write("not json\n")
    distractors = peers.read_distractors([path])
    assert distractors == [Doc("distractor:n1", "Hồ Gươm mùa thu", "Tóm tắt.\n\nHồ Hoàn Kiếm ở trung tâm Hà Nội.")]
    strong = peers.build_peers(DOCS + distractors, procs=1)[-1]
    assert sorted(strong.search("ho hoan kiem")) == ["distractor:n1", "hn"]
