"""Vietnamese analysis: folding, tone placement, units with offsets into the original text."""

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from indexer.analysis import (
    VIETNAMESE_MARKED_LETTERS,
    BagAnalyzer,
    fold,
    has_diacritics,
    nfc_with_offsets,
    normalise_text,
    normalise_word,
    segment_words,
    split_units,
    syllables,
    syllable_bigrams,
    typed_without_ime,
)
from indexer.schema import build_schema


def nfc(text):
    return unicodedata.normalize("NFC", text)


def nfd(text):
    return unicodedata.normalize("NFD", text)


# --- fold ------------------------------------------------------------------------------


def test_there_are_134_marked_letters_and_each_folds_to_a_plain_vowel_or_d():
    assert len(VIETNAMESE_MARKED_LETTERS) == 134
    assert len(set(VIETNAMESE_MARKED_LETTERS)) == 134
    for letter in VIETNAMESE_MARKED_LETTERS:
        plain = fold(letter)
        assert len(plain) == 1 and plain.isascii(), letter
        assert plain.lower() in "aeiouyd", letter
        assert plain.isupper() == letter.isupper(), letter
        assert has_diacritics(letter)
        assert fold(nfd(letter)) == plain, "NFD input folds the same"


def test_every_vowel_with_every_tone_is_among_the_marked_letters():
    for base in "aăâeêioôơuưy":
        for tone in "\u0300\u0301\u0309\u0303\u0323":
            letter = nfc(base + tone)
            assert letter in VIETNAMESE_MARKED_LETTERS
            assert letter.upper() in VIETNAMESE_MARKED_LETTERS


def test_d_with_stroke_folds_to_d():
    assert fold("đ") == "d"
    assert fold("Đ") == "D"
    assert fold("đường") == "duong"


@pytest.mark.parametrize("text, folded", [
    ("Đà Nẵng", "Da Nang"),
    ("Hà Nội", "Ha Noi"),
    ("Thừa Thiên Huế", "Thua Thien Hue"),
    ("GIÁO DỤC VÀ ĐÀO TẠO", "GIAO DUC VA DAO TAO"),
    ("Nguyễn Thị Phương Thảo", "Nguyen Thi Phuong Thao"),
    ("GD&ĐT", "GD&DT"),
    ("plain ascii 123", "plain ascii 123"),
    ("", ""),
])
def test_fold_examples(text, folded):
    assert fold(text) == folded
    assert fold(nfd(text)) == folded


def test_fold_keeps_non_vietnamese_text_and_only_strips_marks():
    assert fold("naïve café") == "naive cafe"
    assert fold("東京 😀") == "東京 😀"
    assert not has_diacritics("hello")


# --- tone placement and normalise_word ---------------------------------------------------


@pytest.mark.parametrize("old, new", [
    ("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"), ("tuỳ", "tùy"), ("hoá", "hóa"),
    ("hoạ", "họa"), ("loà", "lòa"), ("Thuý", "Thúy"), ("uỷ", "ủy"), ("khoá", "khóa"),
])
def test_old_and_new_tone_placement_normalise_the_same(old, new):
    assert normalise_word(old) == normalise_word(new)
    assert fold(normalise_word(old)) == fold(new).lower()


def test_canonical_form_is_the_new_style_used_by_pyvi():
    assert normalise_word("hòa") == "hoà"
    assert normalise_word("thủy") == "thuỷ"
    assert normalise_word("khỏe") == "khoẻ"


@pytest.mark.parametrize("word", [
    "hoàng", "toán", "huỳnh", "hoạch", "khuyết", "quý", "quỳ", "quà", "giá", "già", "giữa",
    "gìn", "người", "ngoài", "khuỷu", "tiếng", "việt", "đường", "nghị", "thuở", "ươm",
])
def test_well_placed_syllables_are_unchanged(word):
    assert normalise_word(word) == word


@pytest.mark.parametrize("typed, canonical", [
    ("qúy", "quý"),    # the u of qu is part of the initial: the tone goes on y
    ("giưã", "giữa"),  # the i of gi likewise; ư is the quality vowel
    ("ngòai", "ngoài"),
    ("khủyu", "khuỷu"),
    ("hóang", "hoáng"),
    ("ngừơi", "người"),
])
def test_misplaced_tones_are_moved(typed, canonical):
    assert normalise_word(typed) == canonical


@pytest.mark.parametrize("word", ["hoà", "hòa", "người", "khuỷu", "giữa", "Đường", "THUỶ"])
def test_nfd_input_equals_nfc_input(word):
    assert normalise_word(nfd(word)) == normalise_word(word)
    assert unicodedata.is_normalized("NFC", normalise_word(nfd(word)))


@pytest.mark.parametrize("upper, lower", [
    ("HOÀ", "hoà"), ("HÒA", "hoà"), ("THỦY", "thuỷ"), ("ĐƯỜNG", "đường"), ("Giáo", "giáo"),
    ("NGƯỜI", "người"),
])
def test_upper_case_input(upper, lower):
    assert normalise_word(upper) == lower


def test_non_vietnamese_words_come_back_lower_cased_only():
    for word in ["hello", "covid19", "2024", "naïve", "東京", "gd&đt"]:
        assert normalise_word(word) == nfc(word).lower()


def test_normalise_text_keeps_everything_but_case_and_tone_placement():
    assert normalise_text("Hoà Bình, THỦY điện!") == "hoà bình, thuỷ điện!"
    assert normalise_text(nfd("Khỏe mạnh")) == "khoẻ mạnh"


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


def test_segment_words_joins_compounds_with_offsets_over_nfd_text():
    text = nfd("Ngành giáo dục và đào tạo tổ chức hội nghị tại Đà Nẵng.")
    words = {w: (s, e) for w, s, e in segment_words(split_units(text))}
    for compound, original in [("giáo_dục", "giáo dục"), ("đào_tạo", "đào tạo"),
                               ("hội_nghị", "hội nghị"), ("đà_nẵng", "Đà Nẵng")]:
        assert compound in words, words
        start, end = words[compound]
        assert text[start:end] == nfd(original), "offsets cover the original NFD compound"


def test_segment_words_of_nothing():
    assert segment_words(()) == []


def test_text_field_tokens_share_positions_and_carry_all_forms():
    tokens = [(t.text, t.pos) for t in BagAnalyzer(words=True)("Sở GD&ĐT giáo dục", positions=True)]
    texts = [t for t, _ in tokens]
    for form in ["so", "sở", "gd&dt", "gd&đt", "giao", "giáo", "duc", "dục", "giao_duc", "so_gd&dt",
                 "giáo+dục"]:
        assert form in texts, texts
    pos = dict(tokens)
    assert pos["giao"] == pos["giáo"] == pos["giao_duc"] == pos["giáo+dục"] == 2


# --- property: every token of the text field points at what it came from -------------------

_VIET = "".join(VIETNAMESE_MARKED_LETTERS) + "abcdeghiklmnopqrstuvxyABDGHNT"
_viet_words = st.text(alphabet=_VIET, min_size=1, max_size=7)
_pieces = st.one_of(
    _viet_words,
    _viet_words.map(nfd),
    st.sampled_from(["giáo dục", nfd("giáo dục"), "Hà Nội", "GD&ĐT", "hoà bình", "THỦY", "Khoẻ"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6),
    st.sampled_from(list(".,;:!?()[]{}\"'“”‘’«»—–-&@/_#*%")),
    st.sampled_from([" ", "  ", "\u00a0", "\u200b", "\r\n", "\n", "\t", "\ufeff", "\u2028"]),
    st.sampled_from(["😀", "👍🏽", "👨‍👩‍👧", "🇻🇳"]),
    st.sampled_from(["\u0300", "\u0301", "\u0309", "\u0303", "\u0323", "\u0302", "\u031b", "\u0306"]),
    st.text(max_size=4),
)
_texts = st.lists(_pieces, max_size=30).map("".join)
_TEXT_ANALYZER = build_schema()["text"].analyzer


def _syllable_folds(text):
    return [fold(normalise_word(u.surface)) for u in syllables(text)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_text_field_offsets_point_at_the_original_text(text):
    for token in _TEXT_ANALYZER(text, chars=True, positions=True, mode="index"):
        start, end = token.startchar, token.endchar
        assert 0 <= start < end <= len(text), (token.text, start, end)
        original = text[start:end]
        if "_" not in token.text and "+" not in token.text:
            assert fold(normalise_word(original)) == fold(token.text), (token.text, original)
        else:
            parts = [fold(p) for p in token.text.replace("+", "_").split("_")]
            found = _syllable_folds(original)
            assert found[0] == parts[0] and found[-1] == parts[-1], (token.text, original)
            assert len(found) == len(parts), (token.text, original)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_text_field_offsets_for_any_unicode(text):
    for token in _TEXT_ANALYZER(text, chars=True, positions=True, mode="index"):
        assert 0 <= token.startchar < token.endchar <= len(text)
        if "_" not in token.text and "+" not in token.text:
            assert fold(normalise_word(text[token.startchar:token.endchar])) == fold(token.text)


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


# --- typing without an input method ----------------------------------------------------------


@pytest.mark.parametrize("typed, word", [
    ("giaos", "giáo"),
    ("ducj", "dục"),
    ("ho6i", "hôi"),
    ("nghi5", "nghị"),
    ("dduwowngf", "đường"),
    ("vieetj", "việt"),
    ("tieengs", "tiếng"),
    ("hoaf", "hoà"),  # tone placed canonically
    ("d9i", "đi"),
    ("GIAOS", "giáo"),
])
def test_typed_without_ime(typed, word):
    assert typed_without_ime(typed) == word


@pytest.mark.parametrize("typed", ["hello", "nam", "2024", "", "giáo", "a", "xin", "ho12", "abc-def"])
def test_not_telex_or_vni(typed):
    assert typed_without_ime(typed) is None
