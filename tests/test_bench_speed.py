"""bench.speed's fair peers on a tiny corpus of its own (no ../shared needed)."""

import json

import pytest

pytest.importorskip("tantivy", reason="tantivy is in the bench extra: pip install -e '.[bench]'")

from bench.speed import fair  # noqa: E402
from bench.speed.queries import folded_syllables  # noqa: E402

ARTICLES = [
    ("a1", "Đà Nẵng đón khách", "Thành phố Đà Nẵng có cầu Rồng và biển Mỹ Khê."),
    ("a2", "Hà Nội mùa thu", "Phố cổ Hà Nội vào thu; người Hà Nội uống trà."),
    ("a3", "Du lịch biển", "Khách du lịch đến Đà Nẵng và Nha Trang để tắm biển."),
    ("a4", "Giáo dục", "Bộ Giáo dục công bố điểm thi; học sinh Đà Lạt đỗ cao."),
]


@pytest.fixture(scope="module")
def peers(tmp_path_factory):
    work = tmp_path_factory.mktemp("fair")
    corpus = work / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as f:
        for doc_id, title, body in ARTICLES:
            f.write(json.dumps({"id": doc_id, "title": title, "abstract": "", "body": body},
                               ensure_ascii=False) + "\n")
    fair.build_fts5(str(corpus), len(ARTICLES), str(work / "fts5.db"))
    fair.build_tantivy(str(corpus), len(ARTICLES), str(work / "tantivy"), threads=1)
    return {"fts5": str(work / "fts5.db"), "tantivy": str(work / "tantivy")}


@pytest.mark.parametrize("query, expected", [
    ("Đà Nẵng", 2),          # a1, a3: both syllables; a4's "Đà Lạt" has only one
    ("da nang bien", 2),     # unaccented, every syllable required
    ("du lịch biển", 1),
    ("Hà Nội Đà Nẵng", 0),
])
def test_fair_fts5_and_tantivy_count_the_same_matches_for_an_and_query(peers, query, expected):
    syllables = folded_syllables(query)
    fts5 = fair.open_fts5(peers["fts5"], require_all=True)(syllables)
    tantivy = fair.open_tantivy(peers["tantivy"], require_all=True)(syllables)
    assert fts5 == tantivy == expected


def test_a_question_is_an_or_of_its_syllables(peers):
    syllables = folded_syllables("Hà Nội hay Đà Nẵng?")
    assert fair.fts5_match(syllables, require_all=False) == '"ha" OR "noi" OR "hay" OR "da" OR "nang"'
    assert fair.open_fts5(peers["fts5"], require_all=False)(syllables) == 4
    assert fair.open_tantivy(peers["tantivy"], require_all=False)(syllables) == 4
