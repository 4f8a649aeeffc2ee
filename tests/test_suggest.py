"""Telex/VNI reading and did-you-mean (indexer/suggest.py), as a search shows them."""

from __future__ import annotations

import pytest

from search_helpers import ids, search_all


@pytest.mark.parametrize("q, reading", [("giaos ducj", "giáo dục"), ("gia1o du5c", "giáo dục"),
                                        ("dduwowngf", "đường")])
def test_telex_and_vni_are_read_when_they_find_more(sample_index, q, reading):
    result = search_all(q, sample_index)
    assert result.ran_query == reading and result.query == q
    assert result.notice and reading in result.notice and "Telex" in result.notice
    assert ids(result) == ids(search_all(reading, sample_index))
    assert result.suggestion is None


def test_plain_words_are_not_read_as_telex(sample_index):
    result = search_all("giao duc", sample_index)
    assert result.ran_query == "giao duc" and result.notice is None


def test_did_you_mean_for_a_misspelt_word_searched_exactly(sample_index):
    result = search_all("truonh", sample_index, exact=True)
    assert result.total == 0 and result.suggestion == "trường" and result.corrected is None
    assert search_all(result.suggestion, sample_index).total > 0


def test_a_misspelt_word_is_corrected_and_searched(sample_index):
    result = search_all("truonh", sample_index)
    assert result.corrected == "trường" and result.ran_query == "truong"
    assert result.notice == "Kết quả cho “trường”"
    assert ids(result) == ids(search_all("truong", sample_index))


def test_no_suggestion_for_words_the_index_has(sample_index):
    assert search_all("giáo dục", sample_index).suggestion is None
    assert search_all("xyzzyq", sample_index).suggestion is None


def test_did_you_mean_when_one_word_of_several_is_misspelt(sample_index):
    assert search_all("hoi nghj", sample_index, exact=True).suggestion == "hội nghị"
    assert search_all("hoi nghj", sample_index).corrected == "hội nghị"
