"""Syllable units: NFC with offsets, every unit slicing back to its surface in the original text."""

import unicodedata

import pytest
from hypothesis import given, strategies as st

from indexer.analysis import BagAnalyzer, next_words, split_units, syllable_bigrams, syllables
from indexer.analysis.units import nfc_with_offsets


def nfc(text):
    return unicodedata.normalize("NFC", text)


def nfd(text):
    return unicodedata.normalize("NFD", text)


# --- units and offsets -----------------------------------------------------------------

TRICKY_TEXTS = [
    nfd("Giáo dục Việt Nam, người Đà Nẵng"),
    "Hà\u00a0Nội\u00a0ngày 5",
    "dòng một\r\ndòng hai\r\n",
    "“Giáo dục” và ‘đào tạo’ — «ok»",
    "xem https://vnexpress.net/giao-duc?id=1&x=2 nhé",
    "email: nguyen.van.a@moet.gov.vn, tel +84 24",
    "biến snake_case_name và __init__",
    "vui 😀 quá 👍🏽 nhé 👨‍👩‍👧",
    "giáo\u200bdục\u200b và\ufeffđào tạo",
    "Sở GD&ĐT Hà Nội",
    nfd("Sở GD&ĐT Hà Nội họp"),
    "\u0301dấu đứng đầu và x\u0301\u0323y",
    "tab\tngăn\tcách\u2028dòng",
    nfd("Hội thi giáo viên dạy giỏi") + "\r\n" + "Khỏe" + nfd("  THỦY điện"),
]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_every_unit_slices_back_to_its_surface(text):
    units = split_units(text)
    assert units, text
    previous_end = 0
    for unit in units:
        assert 0 <= unit.start < unit.end <= len(text)
        assert unit.start >= previous_end, "units are in order and do not overlap"
        previous_end = unit.end
        assert nfc(text[unit.start:unit.end]) == unit.surface
        assert unit.is_word == unit.surface[0].isalnum()


def test_units_of_nfd_text_match_those_of_nfc_text():
    text = "Giáo dục Việt Nam, người Đà Nẵng khoẻ"
    assert [u.surface for u in split_units(nfd(text))] == [u.surface for u in split_units(text)]


@pytest.mark.parametrize("text, words", [
    ("Sở GD&ĐT Hà Nội", ["Sở", "GD&ĐT", "Hà", "Nội"]),
    ("biến snake_case", ["biến", "snake", "case"]),
    ("Hà\u00a0Nội", ["Hà", "Nội"]),
    ("“Giáo dục”", ["Giáo", "dục"]),
    ("mail a.b@c.vn", ["mail", "a", "b", "c", "vn"]),
])
def test_syllables(text, words):
    assert [u.surface for u in syllables(text)] == words


def test_nfc_with_offsets_maps_each_composed_character_to_its_cluster():
    text = nfd("Đế")  # Đ has no decomposition; ế is e + circumflex + acute
    out, starts, ends = nfc_with_offsets(text)
    assert out == "Đế"
    assert (starts, ends) == ([0, 1], [1, 4])


def test_bigrams_do_not_cross_punctuation():
    grams = [g for g, _, _ in syllable_bigrams(split_units("giáo dục, đào tạo"))]
    assert grams == ["giao_duc", "dao_tao"]


@pytest.mark.parametrize("text, pairs", [
    ('Nga " giấu bài " với', [("Nga", "giấu"), ("giấu", "bài"), ("bài", "với")]),
    ("bị tố “đạo văn”", [("bị", "tố"), ("tố", "đạo"), ("đạo", "văn")]),
    ("Kim Jong - nam (Triều Tiên)", [("Kim", "Jong"), ("Jong", "nam"), ("nam", "Triều"), ("Triều", "Tiên")]),
    ("giáo dục, đào tạo. Học: thi", [("giáo", "dục"), ("đào", "tạo")]),
    ('hết " . Mới', []),
])
def test_a_bigram_joins_words_across_quotes_brackets_and_dashes_not_clause_marks(text, pairs):
    units = split_units(text)
    assert [(u.surface, b.surface) for u, b in zip(units, next_words(units)) if b is not None] == pairs


def test_the_index_holds_a_bigram_across_a_quote():
    assert "giau_bai" in [t.text for t in BagAnalyzer()('Nga " giấu bài "')]


@pytest.mark.parametrize("text", [
    "A\u0300.\u0300",  # not NFC (A + grave), so offsets go cluster by cluster
    "e\u0301\u20d0 b",
])
def test_stray_combining_marks_stay_outside_the_unit_before(text):
    units = split_units(text)
    assert all(nfc(text[u.start:u.end]) == u.surface for u in units)
    assert all(a.end <= b.start for a, b in zip(units, units[1:]))


_MARKS_AND_LETTERS = st.sampled_from([*"aeoAEđĐ .,&x", "\u0300", "\u0301", "\u0302", "\u0303", "\u0309",
                                      "\u0323", "\u031b", "\u0306", "\u0308", "\u20d0", "\u0344"])


@given(st.text(alphabet=_MARKS_AND_LETTERS, max_size=12) | st.text(max_size=12))
def test_units_of_any_text_are_in_order_and_never_overlap(text):
    units = split_units(text)
    assert all(0 <= u.start < u.end <= len(text) for u in units)
    assert all(a.end <= b.start for a, b in zip(units, units[1:]))
