"""Searching (indexer/search.py): accents and Unicode forms, paging, filters, sorting, facets,
parameters and the result as JSON, on the session's index of samples/ (``sample_index``).

The query plan, highlighting and suggestions have their own test files.
"""

from __future__ import annotations

import math
import unicodedata

import pytest

from indexer.config import Config
from indexer.errors import QueryError
from indexer.search import MAX_RESULT_WINDOW, STAGES, SearchRequest, search, validate_params
from search_helpers import CONFIG, OLD_TONES, UNDATED, ids, search_all

QUESTION_FOR_TIMING = "Năm học mới ở Thừa Thiên Huế bắt đầu vào ngày nào và học sinh có phải nghỉ học vì mưa lũ không"


# --- Accents, case, Unicode forms ---------------------------------------------------------------


@pytest.mark.parametrize("q", ["GIÁO DỤC", "Giáo Dục", unicodedata.normalize("NFD", "giáo dục"), "giáo  dục"])
def test_case_and_unicode_form_do_not_change_the_results(sample_index, q):
    assert ids(search_all(q, sample_index)) == ids(search_all("giáo dục", sample_index))


@pytest.mark.parametrize("q", ["giao duc", "GIAO DUC"])
def test_unaccented_query_finds_the_same_documents(sample_index, q):
    accented = search_all("giáo dục", sample_index)
    unaccented = search_all(q, sample_index)
    assert set(ids(unaccented)) == set(ids(accented)) and unaccented.total == accented.total >= 5
    assert ids(unaccented)[:2] == ids(accented)[:2]


def test_nfd_source_document_is_found_by_nfc_and_unaccented_queries(sample_index):
    for q in ["hội thi giáo viên dạy giỏi", "hoi thi giao vien day gioi"]:
        assert ids(search_all(q, sample_index))[0] == "nfd-hoi-thi-giao-vien-day-gioi-ha-noi.txt"


@pytest.mark.parametrize("old, new", [("hoà bình", "hòa bình"), ("sức khoẻ", "sức khỏe"),
                                      ("thuỷ điện", "thủy điện"), ("văn hoá", "văn hóa")])
def test_old_and_new_tone_placement_find_the_same_documents(sample_index, old, new):
    result = search_all(old, sample_index)
    assert ids(result) == ids(search_all(new, sample_index))
    assert OLD_TONES in ids(result)
    assert len(ids(result)) >= 2, "documents in both styles"


# --- Queries that find nothing, and limits ----------------------------------------------------


@pytest.mark.parametrize("q", ["", "   ", "*", '""', "-giáo", "OR", "\x00", "😀"])
def test_queries_without_positive_words_find_nothing(sample_index, q):
    result = search_all(q, sample_index)
    assert result.total == 0 and result.results == [] and result.pages == 1


def test_hostile_queries_do_not_fail(sample_index):
    for q in ["<script>alert(1)</script>", "a" * 5000, "title:" * 100, '"' * 33, "(((", "-" * 50,
              " OR ".join(["giáo"] * 200), "\ud800", "giáo\u0000dục"]:
        result = search_all(q, sample_index)
        assert result.total >= 0


def test_words_beyond_the_limit_are_ignored(sample_index):
    config = Config(max_query_terms=2)
    result = search("giáo dục xyzxyz", index_dir=sample_index, config=config, per_page=50)
    assert set(ids(result)) == set(ids(search_all("giáo dục", sample_index)))


# --- Pagination, filters, sorting, facets -------------------------------------------------------------


def test_pages_partition_the_results(sample_index):
    everything = search_all("nam hoc", sample_index)
    per_page = 3
    last = math.ceil(everything.total / per_page)
    pages = [search_all("nam hoc", sample_index, per_page=per_page, page=p) for p in range(1, last + 2)]
    assert all(p.total == everything.total for p in pages)
    assert everything.total > 2 * per_page
    assert all(p.pages == last for p in pages)
    collected = [i for p in pages for i in ids(p)]
    assert collected == ids(everything), "same order, no repeats, nothing missing"
    assert all(len(ids(p)) == per_page for p in pages[:-2])
    assert ids(pages[-1]) == [], "past the last page: empty, total unchanged"


def test_year_filter(sample_index):
    everything = search_all("giao duc", sample_index)
    facets = {f["year"]: f["count"] for f in everything.facets["year"]}
    for year, count in facets.items():
        filtered = search_all("giao duc", sample_index, year=year)
        assert filtered.total == count and filtered.year == year
        assert all(hit.date and hit.date.startswith(str(year)) for hit in filtered.results)
        assert filtered.facets == everything.facets, "facets ignore the year filter"
    assert search_all("giao duc", sample_index, year="1999").total == 0


@pytest.mark.parametrize("q", ["nam hoc", "giao duc", "ho", "hoc sinh", "da nang OR hue"])
def test_year_facets_count_the_dated_results(sample_index, q):
    result = search_all(q, sample_index)
    counts = [f["count"] for f in result.facets["year"]]
    assert sum(counts) == sum(1 for hit in result.results if hit.date) <= result.total
    years = [f["year"] for f in result.facets["year"]]
    assert years == sorted(years, reverse=True)


def test_sort_by_date_is_newest_first(sample_index):
    result = search_all("nam hoc", sample_index, sort="date")
    assert result.sort == "date" and set(ids(result)) == set(ids(search_all("nam hoc", sample_index)))
    dates = [hit.date for hit in result.results if hit.date]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 10
    assert all(hit.score is None for hit in result.results)


def test_sort_by_date_puts_undated_documents_last(sample_index):
    result = search_all("nam hoc", sample_index, sort="date")
    assert UNDATED in ids(result)
    assert ids(result)[-1] == UNDATED


# --- Parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"page": 0}, {"page": -1}, {"page": "abc"}, {"page": "1.5"}, {"page": 1001},
    {"per_page": 0}, {"per_page": 101}, {"per_page": "ten"},
    {"sort": "title"}, {"sort": "date; drop"},
    {"year": "abc"}, {"year": 999}, {"year": 3000}, {"year": "20x4"},
])
def test_bad_parameters_raise_query_error(params):
    with pytest.raises(QueryError) as info:
        validate_params(config=CONFIG, **params)
    assert str(info.value) and "Traceback" not in str(info.value)


def test_bad_parameters_raise_before_opening_the_index(tmp_path):
    with pytest.raises(QueryError):
        search("x", index_dir=tmp_path / "none", page=0, config=CONFIG)


def test_good_parameters_are_normalised():
    assert validate_params(config=CONFIG) == SearchRequest("", 1, CONFIG.per_page, "relevance", None)
    assert validate_params(" giáo\x00dục ", " 2 ", "5", "", "", config=CONFIG) == \
        SearchRequest("giáo dục", 2, 5, "relevance", None)
    assert validate_params("x", 3, 20, "date", "2024", config=CONFIG) == SearchRequest("x", 3, 20, "date", 2024)
    request = validate_params(page=100, per_page=100, config=CONFIG)
    assert request.page * request.per_page == MAX_RESULT_WINDOW


def test_result_as_dict(sample_index):
    data = search_all("giao duc", sample_index, per_page=2).to_dict()
    assert set(data) >= {"query", "ran_query", "total", "page", "per_page", "results", "facets", "suggestion"}
    assert len(data["results"]) == 2 and set(data["results"][0]) >= {"id", "title", "snippet", "date", "score"}


@pytest.mark.parametrize("q", ["giao duc", "giaos ducj", "truonh", QUESTION_FOR_TIMING, ""])
def test_stage_times_add_up_to_at_most_the_whole_search(sample_index, q):
    result = search_all(q, sample_index)
    assert list(result.stage_ms) == list(STAGES)
    assert all(ms >= 0 for ms in result.stage_ms.values())
    # Each stage is rounded to 0.01 ms and took_ms to 0.1 ms.
    assert sum(result.stage_ms.values()) <= result.took_ms + 0.1
    assert result.to_dict()["stage_ms"] == result.stage_ms
