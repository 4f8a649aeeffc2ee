"""Letters and tones: folding (đ -> d), the 134 marked letters, one canonical tone placement."""

import unicodedata

import pytest

from indexer.analysis import VIETNAMESE_MARKED_LETTERS, fold, has_diacritics, normalise_word, toneless


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


@pytest.mark.parametrize("word", ["café", "ycứu", "cứuy", "tiếnng", "José"])
def test_a_tone_stays_where_it_was_typed_in_what_is_no_syllable(word):
    # A typo (``ycứu``) or a foreign word has no vowel the rule could move the tone to:
    # moved, ``ycứu`` would become ``ýcưu``, and dropping its ``y`` would lose the tone.
    assert normalise_word(word) == nfc(word).lower()


def test_toneless_keeps_every_mark_but_the_tone():
    assert toneless("nghiệp") == "nghiêp"
    assert toneless("Đường") == "Đương"
    assert toneless(unicodedata.normalize("NFD", "hoà")) == "hoa"
