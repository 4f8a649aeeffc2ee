"""The index's tokenizer: every form in one field, positions shared, offsets into the original text."""

import unicodedata

from hypothesis import HealthCheck, given, settings, strategies as st

from indexer.analysis import VIETNAMESE_MARKED_LETTERS, BagAnalyzer, fold, normalise_word, syllables
from indexer.schema import build_schema


def nfd(text):
    return unicodedata.normalize("NFD", text)


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
