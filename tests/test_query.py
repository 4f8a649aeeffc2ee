"""Reading what a user typed: web-search syntax, forgiving of everything else."""

import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from indexer.query import Alternative, ParsedQuery, clean_query, parse_query


def alt(*syllables, title_only=False):
    return Alternative(tuple(syllables), title_only)


def words_of(parsed: ParsedQuery) -> int:
    """How many syllables a parsed query holds, slots and exclusions together."""
    return (sum(len(a.syllables) for slot in parsed.slots for a in slot)
            + sum(len(a.syllables) for a in parsed.excluded))


# --- Plain words ---------------------------------------------------------------------------


def test_plain_words_are_one_slot_each_in_exact_form():
    parsed = parse_query("Giáo Dục HÒA bình")
    assert parsed.slots == ((alt("giáo"),), (alt("dục"),), (alt("hoà"),), (alt("bình"),))
    assert parsed.excluded == ()
    assert parsed.word_sequences == (("giáo", "dục", "hoà", "bình"),)
    assert parsed.positive_syllables() == ["giáo", "dục", "hoà", "bình"]


def test_nfd_query_equals_nfc_query():
    assert parse_query(unicodedata.normalize("NFD", "giáo dục khoẻ")) == parse_query("giáo dục khỏe")


def test_abbreviations_stay_whole():
    assert parse_query("Sở GD&ĐT").slots == ((alt("sở"),), (alt("gd&đt"),))


# --- Operators -----------------------------------------------------------------------------


def test_quoted_phrase_is_one_alternative_and_not_a_word_sequence():
    parsed = parse_query('"giáo dục" hà nội')
    assert parsed.slots[0] == (alt("giáo", "dục"),)
    assert parsed.slots[0][0].is_phrase
    assert parsed.word_sequences == (("hà", "nội"),)


def test_exclusions():
    parsed = parse_query('giáo dục -hà -"đà nẵng"')
    assert parsed.slots == ((alt("giáo"),), (alt("dục"),))
    assert parsed.excluded == (alt("hà"), alt("đà", "nẵng"))
    assert "hà" not in parsed.positive_syllables()


def test_or_joins_the_words_on_each_side_into_one_slot():
    parsed = parse_query("huế OR đà nẵng")
    assert parsed.slots == ((alt("huế"), alt("đà")), (alt("nẵng"),))


def test_or_with_a_phrase_and_chains():
    assert parse_query('huế OR "đà nẵng"').slots == ((alt("huế"), alt("đà", "nẵng")),)
    assert parse_query("a OR b OR c").slots == ((alt("a"), alt("b"), alt("c")),)


def test_lower_case_or_is_a_word():
    assert parse_query("huế or nẵng").slots == ((alt("huế"),), (alt("or"),), (alt("nẵng"),))


def test_title_restricts_one_word_or_one_phrase():
    assert parse_query("title:hội nghị").slots == ((alt("hội", title_only=True),), (alt("nghị"),))
    parsed = parse_query('title:"hội nghị" đà nẵng')
    assert parsed.slots[0] == (alt("hội", "nghị", title_only=True),)
    assert parsed.word_sequences == (("đà", "nẵng"),)


def test_negated_title():
    assert parse_query("giáo -title:hà").excluded == (alt("hà", title_only=True),)


# --- Forgiving everything else ---------------------------------------------------------------


@pytest.mark.parametrize("text, slots", [
    ('"giáo dục', [("giáo",), ("dục",)]),            # unbalanced quote: plain words
    ('giáo dục"', [("giáo",), ("dục",)]),
    ('"giáo" "dục', [("giáo",), ("dục",)]),
    ("(giáo dục) OR (", [("giáo",), ("dục",)]),       # parentheses are not operators
    ("((giáo))", [("giáo",)]),
    ("OR giáo", [("giáo",)]),                         # stray operators
    ("giáo OR", [("giáo",)]),
    ("giáo OR OR dục", [("giáo", "dục")]),
    ("- giáo --", [("giáo",)]),
    ("giáo - dục", [("giáo",), ("dục",)]),
    ("giáo*", [("giáo",)]),                           # no wildcards
    ("* giáo ?", [("giáo",)]),
    ("title: giáo", [("title",), ("giáo",)]),
    ("AND NOT giáo", [("and",), ("not",), ("giáo",)]),
])
def test_malformed_syntax_is_plain_text(text, slots):
    parsed = parse_query(text)
    assert [tuple(a.syllables[0] for a in slot) for slot in parsed.slots] == slots


@pytest.mark.parametrize("text", [
    "", " ", "*", "-", "--", "OR", "OR OR", '""', '"', '-""', 'title:""', "()", "+-*/",
    "\x00\x01\x1f\x7f", "\u200b\u200c\ufeff", "😀👍🏽", "\u0301\u0323",
])
def test_queries_without_words_are_empty(text):
    parsed = parse_query(text)
    assert parsed.is_empty and parsed.slots == () and parsed.positive_syllables() == []


def test_control_characters_separate_words():
    parsed = parse_query("giáo\x00dục\thà\x07nội\u200bhuế")
    assert [slot[0].syllables for slot in parsed.slots] == [("giáo",), ("dục",), ("hà",), ("nội",), ("huế",)]


def test_emoji_around_words_are_ignored():
    assert parse_query("😀giáo dục👍🏽 🇻🇳").slots == ((alt("giáo"),), (alt("dục"),))


def test_clean_query_cuts_and_turns_controls_to_spaces():
    assert clean_query("  a\x00b\u200bc  ", 100) == "a b c"
    assert clean_query("x" * 2000, 500) == "x" * 500
    assert clean_query("a\u200db", 10) == "a\u200db", "the emoji joiner is kept"


def test_two_thousand_characters_are_cut_to_max_chars():
    text = "giáo dục " * 250  # 2,250 characters
    parsed = parse_query(text, max_chars=500, max_terms=1000)
    assert words_of(parsed) == len(text[:500].split()) == 111
    long_word = parse_query("a" * 2000)
    assert long_word.slots == ((alt("a" * 500),),)


@pytest.mark.parametrize("text", [
    "từ " * 100,
    '"' + "giáo dục " * 40 + '"',
    "-" + " -".join(["loại"] * 60),
    " OR ".join(["huế"] * 60),
    'a "b c d" -e title:f g OR h ' * 10,
])
def test_budget_of_max_terms(text):
    for max_terms in (1, 5, 32):
        parsed = parse_query(text, max_terms=max_terms)
        assert 1 <= words_of(parsed) <= max_terms


_query_chars = st.sampled_from(
    list('"-: ()*?+OR') + ["title:", " OR ", "giáo", "dục", "Hà", "GD&ĐT", "\x00", "\u200b", "😀", "\u0301"]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(_query_chars, max_size=60).map("".join)),
       st.integers(min_value=1, max_value=40))
def test_parse_never_raises_and_keeps_the_budget(text, max_terms):
    parsed = parse_query(text, max_chars=500, max_terms=max_terms)
    assert words_of(parsed) <= max_terms
    for slot in parsed.slots:
        assert slot, "no empty slot"
        for a in slot:
            assert a.syllables and all(a.syllables)
    for sequence in parsed.word_sequences:
        assert sequence
    assert parsed.is_empty == (not parsed.slots)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=2000, max_size=2500))
def test_long_random_queries(text):
    parsed = parse_query(text)
    assert words_of(parsed) <= 32
