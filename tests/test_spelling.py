"""Did-you-mean (indexer/spelling.py): candidates, ranking, and suggestions from a real index.

The pure tests give ``best_correction`` a dict for document frequencies; the end-to-end
tests search the session's index of samples/ (``sample_index``).
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from indexer.build import reindex
from indexer.config import Config
from indexer.search import search
from indexer.spelling import (
    MAX_LOOKUPS,
    SYLLABLES,
    best_correction,
    edit_candidates,
    edit_distance,
    syllables_two_edits_away,
)

CONFIG = Config()  # defaults; config.toml is not read

words = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=7)


def lookups(frequencies: dict[str, int]):
    """A document-frequency function over ``frequencies`` that records every term asked for."""
    asked: list[str] = []

    def df(term: str) -> int:
        asked.append(term)
        return frequencies.get(term, 0)

    df.asked = asked
    return df


def correct(word: str, frequencies: dict[str, int]) -> str | None:
    return best_correction(lookups(frequencies), word)


def apply_edit(word: str, kind: str, i: int, letter: str) -> str:
    i %= len(word) + (kind == "insert")
    if kind == "delete":
        return word[:i] + word[i + 1:]
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "substitute":
        return word[:i] + letter + word[i + 1:]
    return word[:i] + word[i + 1:i + 2] + word[i:i + 1] + word[i + 2:]


edits = st.tuples(st.sampled_from(["delete", "insert", "substitute", "swap"]),
                  st.integers(0, 20), st.sampled_from(string.ascii_lowercase))


# --- Candidates -----------------------------------------------------------------------------------


def test_one_edit_covers_deletion_transposition_substitution_insertion():
    candidates = edit_candidates("duc")
    assert {"dc", "du", "uc", "udc", "dcu", "dac", "dux", "zduc", "dunc", "ducc"} <= candidates
    assert "duc" not in candidates
    assert "duoc" in candidates and "dược" not in candidates


@given(words, edits)
def test_every_single_edit_is_a_candidate_and_every_candidate_is_one_edit(word, edit):
    edited = apply_edit(word, *edit)
    if edited != word:
        assert edited in edit_candidates(word)
    assert all(edit_distance(word, c) == 1 for c in edit_candidates(word))


def test_digits_are_candidates_only_for_words_with_digits():
    assert not any(c.isdigit() for w in edit_candidates("lop") for c in w)
    assert "lop11" in edit_candidates("lop1") and "lop" in edit_candidates("lop1")


@pytest.mark.parametrize("word", ["a", "ngoeo", "nghieng", "quyen", "gi", "gia", "khuyu", "truong", "yeu", "ke"])
def test_vietnamese_syllables_are_syllable_shaped(word):
    assert word in SYLLABLES


@pytest.mark.parametrize("word", ["ka", "ce", "ghu", "quu", "xyz", "charlotte", "giao_duc", "giáo", "duc1"])
def test_other_strings_are_not_syllable_shaped(word):
    assert word not in SYLLABLES


@given(st.sampled_from(sorted(SYLLABLES)), edits, edits)
def test_two_edits_away_finds_every_syllable_at_distance_two(syllable, first, second):
    typed = apply_edit(apply_edit(syllable, *first), *second) if len(syllable) > 1 else syllable
    found = syllables_two_edits_away(typed)
    if typed and edit_distance(typed, syllable) == 2:
        assert syllable in found
    assert all(s in SYLLABLES and edit_distance(typed, s) == 2 for s in found)


# --- Ranking --------------------------------------------------------------------------------------


def test_a_key_pressed_twice_beats_a_more_common_word():
    assert correct("ducc", {"duc": 200, "duoc": 900}) == "duc"
    assert correct("sinhh", {"sinh": 200, "sinha": 900}) == "sinh"


def test_a_neighbouring_key_beats_a_more_common_word():
    assert correct("nghj", {"nghi": 50, "nghe": 200}) == "nghi"
    assert correct("truonh", {"truong": 20, "truanh": 150}) == "truong"


def test_swapped_and_left_out_letters_are_likely_typos():
    assert correct("tyuen", {"tuyen": 20, "tien": 150}) == "tuyen"
    assert correct("truog", {"truong": 20, "trug": 150}) == "truong"


def test_letters_vietnamese_writers_confuse_are_likely_typos():
    assert correct("luoc", {"nuoc": 100, "luon": 300}) == "nuoc"
    assert correct("chanh", {"chan": 20, "phanh": 500}) == "chan"
    assert correct("ban", {"bang": 30, "bun": 200}) == "bang"


def test_a_much_more_common_word_beats_a_likelier_typo():
    assert correct("ban", {"bang": 10, "bun": 1000}) == "bun"


def test_the_more_common_of_two_equally_likely_typos_wins():
    assert correct("hoj", {"hoi": 30, "hon": 300}) == "hon"
    assert correct("hoj", {"hoi": 300, "hon": 30}) == "hoi"


def test_keeping_the_first_letter_is_preferred():
    assert correct("tpan", {"tan": 100, "span": 100}) == "tan"


def test_one_edit_beats_two_however_common():
    assert correct("nguoii", {"nguoi": 2, "ngoai": 5000}) == "nguoi"


def test_two_edits_only_reach_vietnamese_syllables():
    assert correct("vieetj", {"viet": 100}) == "viet"
    assert correct("sharlote", {"charlotte": 100}) is None
    assert correct("sharlotte", {"charlotte": 100}) == "charlotte"  # one edit: any word


def test_short_words_get_one_edit_only():
    assert correct("hocj", {"hoc": 10}) == "hoc"
    assert correct("bxq", {"bac": 100}) is None
    assert correct("chxm", {"chanh": 100}) is None


def test_corrections_are_letters_only():
    assert correct("hoc2", {"hoc3": 500, "hoc": 10}) == "hoc"


@pytest.mark.parametrize("word", ["", "北京", "bệnh", "a" * 21])
def test_empty_foreign_script_unfolded_or_very_long_words_are_not_corrected(word):
    assert correct(word, {"a": 100, "benh": 100, "a" * 20: 100}) is None


@pytest.mark.parametrize("word", ["qxzvbk", "xyzzyq", "wkwkwk"])
def test_nonsense_gets_no_correction_even_when_every_syllable_is_indexed(word):
    assert correct(word, dict.fromkeys(SYLLABLES, 100)) is None


@pytest.mark.parametrize("word", ["a" * 20, "qwertyuiopasdfghjklz", "xyzzyqx", "lop10a", "nguyeen"])
def test_lookups_are_bounded_whatever_the_word(word):
    df = lookups({})
    assert best_correction(df, word) is None
    assert len(df.asked) <= MAX_LOOKUPS
    assert all(term.isalpha() and "_" not in term and "+" not in term for term in df.asked)


# --- Did-you-mean on the sample index ------------------------------------------------------------------


def run(q, index_dir, **kwargs):
    return search(q, index_dir=index_dir, config=CONFIG, per_page=100, **kwargs)


@pytest.mark.parametrize("q, suggestion", [
    ("giáo dụcc", "giáo dục"),
    ("giao ducc", "giáo dục"),
    ("tuyển sinhh", "tuyển sinh"),
    ("trườngg học", "trường học"),
    ("sốt xuâtt huyết", "sốt xuất huyết"),
    ("phongg chống", "phòng chống"),
])
def test_a_misspelt_word_gets_the_intended_suggestion(sample_index, q, suggestion):
    assert run(q, sample_index, exact=True).suggestion == suggestion
    corrected = run(q, sample_index)
    assert corrected.corrected == suggestion and corrected.total == run(suggestion, sample_index).total > 0
    assert run(suggestion, sample_index).suggestion is None


@pytest.fixture(scope="module")
def duc_index(tmp_path_factory) -> Path:
    """``đức`` in three documents, ``dục`` in one."""
    src = tmp_path_factory.mktemp("duc-src")
    for i in range(3):
        (src / f"duc-{i}.txt").write_text(f"Tin số {i}\n\nĐạo đức và nhân cách của người thầy.\n", encoding="utf-8")
    (src / "giao-duc.txt").write_text("Tin giáo dục\n\nNgành giáo dục mở rộng.\n", encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("duc-index")
    reindex([src], index_dir, procs=1, log=lambda line: None)
    return index_dir


def test_the_suggestion_keeps_the_tone_typed(duc_index):
    assert run("dụcc", duc_index, exact=True).suggestion == run("dụcc", duc_index).corrected == "dục"
    assert run("ducc", duc_index, exact=True).suggestion == run("ducc", duc_index).corrected == "đức"
    assert run("đứcc", duc_index, exact=True).suggestion == run("đứcc", duc_index).corrected == "đức"


@pytest.mark.parametrize("q", ["giáo dục", "giao duc", "tuyển sinh lớp 10", "Hồ Gươm", "học sinh"])
def test_no_suggestion_when_every_word_is_in_the_index(sample_index, q):
    assert run(q, sample_index).suggestion is None


@pytest.mark.parametrize("q", ["xyzzyq", "qxzvbk", "zzzz", "Bà Charlotte Bussard"])
def test_no_suggestion_for_nonsense_or_unknown_names(sample_index, q):
    assert run(q, sample_index).suggestion is None
