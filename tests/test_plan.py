"""The query plan (indexer/plan.py): what a query matches and how its clauses weigh.

Exact diacritics, long questions and their common words, operators and synonym expansion,
through the real search on tiny purpose-made corpora or the index of samples/.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest

from indexer.analysis import fold, normalise_word
from indexer.plan import DEFAULT_RANKING
from search_helpers import HO_GUOM, folded_words, ids, make_index, marked, plain, search_all, stored


# --- Exact diacritics ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ho_index(tmp_path_factory):
    """Three documents identical but for hồ / họ / hộ."""
    tmp = tmp_path_factory.mktemp("ho")
    template = "Chuyện trong làng\n\nNgười dân kể chuyện về cái {} ở đầu làng từ ngày xưa.\n"
    return make_index(tmp, {"ho-lake.txt": template.format("hồ"), "ho-clan.txt": template.format("họ"),
                            "ho-household.txt": template.format("hộ")})


@pytest.mark.parametrize("q, first", [("hồ", "ho-lake.txt"), ("họ", "ho-clan.txt"), ("hộ", "ho-household.txt"),
                                      ("HỒ", "ho-lake.txt"), (unicodedata.normalize("NFD", "hộ"), "ho-household.txt")])
def test_the_exact_diacritics_rank_first(ho_index, q, first):
    result = search_all(q, ho_index)
    assert result.total == 3
    assert ids(result)[0] == first
    assert result.results[0].score > result.results[1].score
    assert marked(result.results[0].snippet) == [normalise_word(q)]


def test_unaccented_query_finds_every_diacritic_variant(ho_index):
    result = search_all("ho", ho_index)
    assert set(ids(result)) == {"ho-lake.txt", "ho-clan.txt", "ho-household.txt"}
    assert len({hit.score for hit in result.results}) == 1, "no variant is preferred"


# --- Long questions -----------------------------------------------------------------------------

QUESTION = "người dân trồng sen vàng ở đâu nhiều nhất trong tỉnh"


@pytest.fixture(scope="module")
def common_word_index(tmp_path_factory):
    """``người`` and ``dân`` are in most documents; ``sen vàng`` in two, one of them with ``người``."""
    docs = {f"filler-{i}.txt": f"Tin địa phương {i}\n\nNgười dân xã {i} họp bàn việc làm đường.\n"
            for i in range(5)}
    docs["lotus-a.txt"] = "Mùa sen\n\nDân làng trồng sen vàng ven hồ, khách đi xem rất đông.\n"
    docs["lotus-b.txt"] = "Mùa sen\n\nDân làng trồng sen vàng ven hồ, người đi xem rất đông.\n"
    return make_index(tmp_path_factory.mktemp("common"), docs)


def test_common_words_of_a_long_question_still_rank_the_top_hits(common_word_index):
    # The lotus documents differ in one word: b has the question's ``người``, a common word
    # that does not pick candidates but must still count (here in BM25 alone, without the
    # proximity re-ranking, which would favour b for its own reasons).
    bm25_only = replace(DEFAULT_RANKING, proximity=0)
    for q in (QUESTION, fold(QUESTION)):
        assert ids(search_all(q, common_word_index, ranking=bm25_only))[:2] == ["lotus-b.txt", "lotus-a.txt"]
        assert ids(search_all(q, common_word_index))[:2] == ["lotus-b.txt", "lotus-a.txt"]


def test_documents_with_only_the_common_words_of_a_long_question_do_not_match(common_word_index):
    result = search_all(QUESTION, common_word_index)
    assert set(ids(result)) == {"lotus-a.txt", "lotus-b.txt"}
    assert result.total == 2
    # A short query keeps every word: the common ones find documents by themselves.
    assert search_all("người dân", common_word_index).total == 6


@pytest.mark.parametrize("q", [QUESTION, "Năm học mới ở Thừa Thiên Huế bắt đầu vào ngày nào và học sinh có phải "
                                         "nghỉ học vì mưa lũ không"])
def test_a_long_question_pages_through_exactly_its_total(sample_index, q):
    for query in (q, fold(q)):
        result = search_all(query, sample_index)
        assert result.total == len(ids(result))


# --- Operators ---------------------------------------------------------------------------------


def test_phrase_only_returns_consecutive_words(sample_index):
    loose = search_all("hồ nước", sample_index)
    phrase = search_all('"hồ nước"', sample_index)
    assert 0 < phrase.total < loose.total
    assert set(ids(phrase)) <= set(ids(loose))
    for hit in loose.results:
        words = folded_words(plain(hit.title) + " . " + stored(sample_index, hit.id)["body"])
        consecutive = any(a == "ho" and b == "nuoc" for a, b in zip(words, words[1:]))
        assert consecutive == (hit.id in ids(phrase)), hit.id


def test_phrase_does_not_span_title_and_body(tmp_path):
    index_dir = make_index(tmp_path, {"x.txt": "Nước hồ Gươm đổi màu\n\nNgày 10/03/2023, mặt hồ chuyển màu."})
    assert search_all('"ho guom"', index_dir).total == 1
    assert search_all('"doi mau ngay"', index_dir).total == 0


def test_unaccented_phrase(sample_index):
    assert ids(search_all('"ho guom"', sample_index)) == [HO_GUOM]
    assert search_all('"guom nuoc ho"', sample_index).total == 0


def test_excluded_word_removes_documents(sample_index):
    with_guom = set(ids(search_all("hồ gươm", sample_index)))
    result = search_all("hồ -gươm", sample_index)
    assert HO_GUOM in set(ids(search_all("hồ", sample_index)))
    assert with_guom and not with_guom & set(ids(result))
    assert result.total == search_all("hồ", sample_index).total - len(with_guom)


def test_excluded_phrase(sample_index):
    everything = set(ids(search_all("giáo dục", sample_index)))
    without = set(ids(search_all('giáo dục -"hoà bình"', sample_index)))
    assert without < everything
    assert not without & set(ids(search_all('"hoà bình"', sample_index)))


def test_title_restricts_to_title_matches(sample_index):
    anywhere = search_all("hồ", sample_index)
    in_title = search_all("title:hồ", sample_index)
    assert 0 < in_title.total < anywhere.total
    for hit in in_title.results:
        assert "ho" in folded_words(plain(hit.title)), hit.title
    for hit in anywhere.results:
        if hit.id not in ids(in_title):
            assert "ho" not in folded_words(plain(hit.title))


def test_or(sample_index):
    hue = set(ids(search_all("huế", sample_index)))
    nang = set(ids(search_all("nẵng", sample_index)))
    either = search_all("huế OR nẵng", sample_index)
    assert hue and nang and hue != nang
    assert set(ids(either)) == hue | nang and either.total == len(hue | nang)
    assert set(ids(search_all("huế nẵng", sample_index))) == hue & nang


# --- Abbreviations ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synonym_index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synonyms")
    return make_index(tmp, {
        "abbr.txt": "Tin ngành\n\nSở GD&ĐT tỉnh họp giao ban.",
        "long.txt": "Tin ngành\n\nNgành giáo dục và đào tạo tỉnh họp giao ban.",
        "thpt.txt": "Tin thi\n\nHọc sinh THPT dự thi.",
        "thpt-long.txt": "Tin thi\n\nHọc sinh trung học phổ thông dự thi.",
        "neither.txt": "Tin khác\n\nNông dân thu hoạch lúa.",
    })


@pytest.mark.parametrize("q", ["GD&ĐT", "gd&đt", "GDĐT", "gddt", "giáo dục và đào tạo", "giao duc va dao tao"])
def test_gddt_and_its_expansion_find_each_other(synonym_index, q):
    assert set(ids(search_all(q, synonym_index))) == {"abbr.txt", "long.txt"}


@pytest.mark.parametrize("q", ["THPT", "thpt", "trung học phổ thông", "trung hoc pho thong"])
def test_thpt_and_its_expansion_find_each_other(synonym_index, q):
    assert set(ids(search_all(q, synonym_index))) == {"thpt.txt", "thpt-long.txt"}
