"""pyvi's CRF features computed once per syllable: same features, same labels, same words as pyvi."""

import unicodedata
from pathlib import Path

import pycrfsuite
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyvi.ViTokenizer import ViTokenizer

from indexer.analysis import segment_words, split_units, words
from indexer.documents import decode_text, html_to_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"

SENTENCES = [
    [],
    ["Hà"],
    ["HÀ", "NỘI"],
    ["học", "sinh"],
    ["Giáo", "dục", "Việt"],
    ["trung", "học", "phổ", "thông"],
    ["Ngành", "Giáo", "dục", "học", "và", "khối", "đại", "đoàn", "kết"],
    ["Sở", "GD&ĐT", "Hà", "Nội", "họp", "giao", "ban", "."],
    ["Ngày", "04", "/", "07", "/", "2024", ",", "lúc", "16", ":", "44", "GMT", "+", "7"],
    ["năm", "học", "2023", "-", "2024", "có", "1.500", "học", "sinh", "!"],
    ["Thủ", "tướng", "Chính", "phủ", "(", "TTg", ")", "và", "UBND", "tỉnh", "Thừa", "Thiên", "Huế"],
    ["iPhone", "McDonald", "ABC", "aBC", "Abc", "ĐĐ", "đ", "x2", "2x", "½", "Ⅻ", "²"],
    ["“", "Hồ", "Gươm", "”", "…", "–", "hồ", "nước", "nội", "đô", "?"],
    ["ΟΔΟΣ", "ΟΔΟΣ", "Σ", "İstanbul", "ǅemal", "ß"],
]


def _reference_labels(sent):
    return list(ViTokenizer.model.predict([ViTokenizer.sent2features(sent, False)])[0])


def _nonzero_attributes(sent):
    """The attributes python-crfsuite makes of pyvi's own features, weight-0 ones dropped."""
    items = pycrfsuite.ItemSequence(ViTokenizer.sent2features(sent, False)).items()
    assert all(weight in (0.0, 1.0) for item in items for weight in item.values())
    return [[name for name, weight in item.items() if weight] for item in items]


def _assert_same_as_pyvi(sent):
    assert words._pyvi_attributes(sent) == _nonzero_attributes(sent)


@pytest.mark.parametrize("sent", SENTENCES, ids=lambda s: " ".join(s) or "empty")
def test_features_equal_pyvi_sent2features(sent):
    _assert_same_as_pyvi(sent)


@pytest.mark.parametrize("sent", [s for s in SENTENCES if s], ids=lambda s: " ".join(s))
def test_labels_equal_pyvi_predict(sent):
    assert words._pyvi_labels(sent) == _reference_labels(sent)


def test_the_sentences_exercise_every_feature():
    seen = {name for sent in SENTENCES for item in _nonzero_attributes(sent) for name in item}
    assert {
        "word.isupper()", "word.istitle()", "word.isdigit()", "-1:word.istitle()", "-1:word.isupper()",
        "-1:word.bi_gram()", "-2:word.tri_gram()", "+1:word.istitle()", "+1:word.isupper()",
        "+1:word.bi_gram()", "+2:word.tri_gram()",
    } <= seen


_LETTERS = "aAbBdĐđhHnNoOcCgGiIuUyYàÀáảãạăằâấêếôốơớưừ ΣσςΟΔßİǅ0123456789.,&/-'’\u0301"
_KNOWN_WORDS = ["học", "sinh", "giáo", "dục", "Việt", "Nam", "trung", "phổ", "thông", "Hà", "Nội",
               "đại", "đoàn", "kết"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(_LETTERS, min_size=1, max_size=6), st.sampled_from(_KNOWN_WORDS)),
                max_size=12))
def test_features_equal_pyvi_for_any_words(sent):
    _assert_same_as_pyvi(sent)


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the shared data set (/work/shared/data) is not here")
def test_features_and_labels_equal_pyvi_on_the_seed_texts():
    seeds = sorted((SHARED_DATA / "seeds").glob("*.txt"))
    assert seeds
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        for sent in ([u.surface for u in split_units(text)], ViTokenizer.sylabelize(text)[1]):
            _assert_same_as_pyvi(sent)
            assert words._pyvi_labels(sent) == _reference_labels(sent)


def _sample_texts():
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix == ".txt":
            yield path.name, decode_text(path.read_bytes())
        elif path.suffix == ".html":
            title, body = html_to_text(decode_text(path.read_bytes()))
            yield path.name, title + "\n\n" + body


def test_segment_words_gives_the_same_words_as_pyvi_on_the_samples(monkeypatch):
    texts = list(_sample_texts())
    assert len(texts) == 20
    fast = {name: segment_words(split_units(text)) for name, text in texts}
    monkeypatch.setattr(words, "_pyvi_labels", _reference_labels)
    reference = {name: segment_words(split_units(text)) for name, text in texts}
    assert fast == reference
    assert any("_" in word for found in fast.values() for word, _, _ in found)


def nfd(text):
    return unicodedata.normalize("NFD", text)


def test_segment_words_joins_compounds_with_offsets_over_nfd_text():
    text = nfd("Ngành giáo dục và đào tạo tổ chức hội nghị tại Đà Nẵng.")
    found = {w: (s, e) for w, s, e in segment_words(split_units(text))}
    for compound, original in [("giáo_dục", "giáo dục"), ("đào_tạo", "đào tạo"),
                               ("hội_nghị", "hội nghị"), ("đà_nẵng", "Đà Nẵng")]:
        assert compound in found, found
        start, end = found[compound]
        assert text[start:end] == nfd(original), "offsets cover the original NFD compound"


def test_segment_words_of_nothing():
    assert segment_words(()) == []
