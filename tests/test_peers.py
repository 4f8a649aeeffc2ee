"""The peer engines of bench.peers on a three-document collection."""

import pytest

pytest.importorskip("bm25s", reason="bm25s is in the bench extra: pip install -e '.[bench]'")

from bench import peers  # noqa: E402

DOCS = [
    peers.Doc("hn", "Hà Nội", "Thủ đô Hà Nội có hồ Hoàn Kiếm."),
    peers.Doc("dn", "Đà Nẵng", "Thành phố Đà Nẵng có cầu Rồng và biển Mỹ Khê."),
    peers.Doc("gd", "Giáo dục", "Bộ Giáo dục công bố điểm thi."),
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
