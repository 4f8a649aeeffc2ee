"""Highlighting and snippets (indexer/highlight.py): marks in the original text, HTML escaped."""

from __future__ import annotations

import re
import unicodedata

import pytest
from whoosh import index as whoosh_index

from indexer.analysis import normalise_word
from indexer.build import document_fields
from indexer.documents import Document
from indexer.highlight import make_snippet, mark, merge_spans, select_spans, spans_by_tokenizing
from indexer.search import get_document
from indexer.store import new_generation, publish_generation
from search_helpers import CONFIG, HO_GUOM, XSS_DOC, folded_words, make_index, marked, plain, search_all, stored


# --- Synonym forms and phrases --------------------------------------------------------------------


def test_synonym_expansion_marks_the_other_form(tmp_path):
    index_dir = make_index(tmp_path, {"abbr.txt": "Tin ngành\n\nSở GD&ĐT tỉnh họp giao ban.",
                                      "long.txt": "Tin ngành\n\nNgành giáo dục và đào tạo tỉnh họp giao ban."})
    hits = {hit.id: hit for hit in search_all("GD&ĐT", index_dir).results}
    assert "<mark>GD&amp;ĐT</mark>" in hits["abbr.txt"].snippet
    assert "<mark>giáo dục và đào tạo</mark>" in hits["long.txt"].snippet


def test_synonym_forms_are_not_highlighted_word_by_word(tmp_path):
    index_dir = make_index(tmp_path, {"abbr.txt": "Tin ngành\n\nSở GD&ĐT tỉnh họp giao ban và lãnh đạo dự."})
    hit = search_all("GD&ĐT", index_dir).results[0]
    assert marked(hit.snippet) == ["GD&ĐT"]


def test_a_quoted_phrase_is_highlighted_only_where_it_occurs(tmp_path):
    index_dir = make_index(tmp_path, {"p.txt": "Hồ Gươm và hồ Tây\n\nMặt hồ Gươm đổi màu, nước hồ Tây vẫn xanh. Gươm báu."})
    hit = search_all('"hồ gươm"', index_dir).results[0]
    assert marked(hit.snippet) == ["hồ Gươm"]
    assert marked(hit.title) == ["Hồ Gươm"]
    view = get_document("p.txt", '"ho guom"', index_dir=index_dir, config=CONFIG)
    assert marked(view.body) == ["hồ Gươm"] and marked(view.title) == ["Hồ Gươm"]


def test_a_phrase_broken_by_punctuation_is_not_highlighted():
    assert spans_by_tokenizing("hồ, Gươm và hồ Gươm", [], [("hồ", "gươm")]) == [(12, 19)]


# --- Snippets and highlighting --------------------------------------------------------------------


def test_unaccented_query_marks_accented_compounds_whole(sample_index):
    hits = search_all("giao duc", sample_index).results
    assert all("<mark>" in hit.snippet for hit in hits)
    assert any(re.search(r"<mark>giáo dục</mark>", hit.snippet, re.I) for hit in hits)
    for hit in hits:
        for text in marked(hit.snippet) + marked(hit.title):
            assert set(folded_words(text)) <= {"giao", "duc"}, text


def test_marks_follow_the_diacritics_typed(sample_index):
    hit = next(h for h in search_all("hồ", sample_index).results if h.id == HO_GUOM)
    assert {normalise_word(m) for m in marked(hit.snippet)} == {"hồ"}


def test_document_text_is_escaped(sample_index):
    hit = next(h for h in search_all("script", sample_index).results if h.id == XSS_DOC)
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in hit.snippet
    assert "<script" not in hit.snippet.lower()


def test_markup_in_documents_and_queries_is_shown_as_text(tmp_path):
    index_dir = make_index(tmp_path, {
        "x.txt": "Tiêu đề <b>đậm</b> & <i>nghiêng</i>\n\nĐoạn có <script>alert('x')</script> và <b>chữ đậm</b> \"trích\".",
    })
    hit = search_all("<script> đậm", index_dir).results[0]
    assert "<b>" not in hit.snippet + hit.title and "<i>" not in hit.title
    assert "<script" not in hit.snippet
    assert "&lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)" in hit.snippet
    assert "&lt;b&gt;<mark>chữ đậm</mark>&lt;/b&gt;" in hit.snippet or "&lt;b&gt;chữ <mark>đậm</mark>" in hit.snippet
    assert hit.title.startswith("Tiêu đề &lt;b&gt;<mark>đậm</mark>&lt;/b&gt; &amp; &lt;i&gt;")
    assert re.fullmatch(r"([^<>]|<mark>|</mark>)*", hit.snippet + hit.title), "no tag but <mark>"


QUERIES = ["giao duc", "hồ", "hoa binh", "gddt", "khoe", "thpt", "hoc sinh", "nam hoc", "truong",
           "ha noi", "da nang", "mua lu", "chuyen doi so", "cong nghe thong tin", "nguoi", "hoi nghi"]


@pytest.mark.parametrize("q", QUERIES)
def test_snippets_have_at_most_three_short_fragments(sample_index, q):
    for hit in search_all(q, sample_index).results:
        text = plain(hit.snippet)
        fragments = text.strip("…").split(" … ")
        assert 1 <= len(fragments) <= CONFIG.snippet_fragments
        for fragment in fragments:
            assert len(fragment) <= CONFIG.snippet_chars * 1.3, fragment
        body = " ".join(stored(sample_index, hit.id)["body"].split())
        for fragment in fragments:
            assert fragment.strip("…") in body, "fragments are cut from the document's own text"


@pytest.fixture
def nfd_index(tmp_path):
    """An index holding one document whose stored text is NFD (not what the loader writes)."""
    index_dir = tmp_path / "index"
    gen = new_generation(index_dir)
    title = unicodedata.normalize("NFD", "Hội thi giáo viên dạy giỏi")
    body = unicodedata.normalize("NFD", "Sáng nay, Sở Giáo dục và Đào tạo Hà Nội tổ chức hội thi. "
                                        "Ngành giáo dục thủ đô có nhiều giáo viên giỏi, khoẻ mạnh.")
    writer = whoosh_index.open_dir(str(gen)).writer()
    writer.add_document(**document_fields(Document("nfd.txt", title, body, "nfd.txt")))
    writer.commit()
    publish_generation(index_dir, gen)
    return index_dir


@pytest.mark.parametrize("q, words", [
    ("giao duc", ["giáo dục", "giáo dục", "giáo"]),
    ("giáo dục", ["giáo dục", "giáo dục", "giáo"]),
    ("hà nội", ["hà nội"]),
    ("khỏe", ["khoẻ"]),
])
def test_highlights_in_an_nfd_document_use_the_original_offsets(nfd_index, q, words):
    hit = search_all(q, nfd_index).results[0]
    marks = marked(hit.snippet)
    assert all(unicodedata.is_normalized("NFD", m) for m in marks), "the original NFD substring"
    assert [normalise_word(unicodedata.normalize("NFC", m)) if " " not in m else
            unicodedata.normalize("NFC", m).lower() for m in marks] == words
    body = unicodedata.normalize("NFC", stored(nfd_index, "nfd.txt")["body"])
    assert unicodedata.normalize("NFC", plain(hit.snippet)).strip("…") in body


def test_document_view_of_an_nfd_document(nfd_index):
    view = get_document("nfd.txt", "giao duc", index_dir=nfd_index, config=CONFIG)
    marks = marked(view.body) + marked(view.title)
    assert [unicodedata.normalize("NFC", m).lower() for m in marks] == ["giáo dục", "giáo dục", "giáo", "giáo"]
    assert all(unicodedata.is_normalized("NFD", m) for m in marks)


def test_document_view_highlights_and_escapes(sample_index):
    view = get_document(XSS_DOC, "an toan thong tin", index_dir=sample_index, config=CONFIG)
    assert view is not None and view.body.startswith("<p>")
    assert "<mark>an toàn thông tin</mark>" in view.body.lower()
    assert "<mark>an toàn thông tin</mark>" in view.title.lower()
    assert "&lt;script&gt;" in view.body and "<script" not in view.body
    assert get_document("no-such-id", index_dir=sample_index, config=CONFIG) is None


def test_mark_escapes_and_merges():
    text = "a <b> giáo  dục & c"
    spans = [(6, 10), (12, 15)]
    assert mark(text, spans) == "a &lt;b&gt; <mark>giáo dục</mark> &amp; c"
    assert merge_spans(text, [(12, 15), (6, 10), (7, 9)]) == [(6, 15)]
    assert mark(text, [(0, 1)], 2, 5) == "&lt;b&gt;"


def test_select_spans_prefers_the_exact_form_when_present():
    text = "hồ và họ và hộ"
    spans = [(0, 2), (6, 8), (12, 14)]
    assert select_spans(text, spans, ["hồ"]) == [(0, 2)]
    assert select_spans(text, spans, ["ho"]) == spans
    assert select_spans("họ và hộ", [(0, 2), (6, 8)], ["hồ"]) == [(0, 2), (6, 8)], "no exact form: all"
    assert spans_by_tokenizing(text, ["hộ"]) == [(12, 14)]


def test_make_snippet_without_matches_is_the_start_of_the_text():
    text = "Một hai ba bốn năm sáu bảy tám chín mười. " * 20
    snippet = make_snippet(text, [], size=50)
    assert snippet.endswith("…") and len(snippet) <= 60 and text.startswith(snippet[:-1])
    assert make_snippet("", [], 50) == ""
    assert make_snippet("ngắn", [], 50) == "ngắn"


def test_a_snippet_leads_with_the_preferred_passage_when_it_holds_a_match():
    dense = "Bão số 5 đổ bộ, bão gây mưa lớn, bão làm đổ cây."
    filler = " Người dân dọn dẹp đường phố sau nhiều ngày." * 6
    answer = " Các trường cho học sinh nghỉ học vì bão."
    text = dense + filler + answer + filler
    spans = spans_by_tokenizing(text, ["bão"])

    def first(snippet: str) -> str:
        return plain(snippet).strip("…").split(" … ")[0]

    assert first(make_snippet(text, spans, size=60, fragments=1)).startswith("Bão số 5"), "densest first"
    passage = (text.index(answer), text.index(answer) + len(answer))
    assert "nghỉ học vì bão" in first(make_snippet(text, spans, size=60, fragments=1, prefer=passage))
    no_match = (len(dense), len(dense) + len(filler))
    assert first(make_snippet(text, spans, size=60, fragments=1, prefer=no_match)).startswith("Bão số 5")


def test_a_preferred_passage_must_show_half_the_query_words_the_best_fragment_does():
    dense = "Bão số 5 khiến học sinh cả tỉnh nghỉ học."
    filler = " Người dân dọn dẹp đường phố sau nhiều ngày." * 6
    lone = " Trời lại có bão."
    text = dense + filler + lone + filler
    spans = spans_by_tokenizing(text, ["bão", "học", "sinh", "nghỉ"])
    passage = (text.index(lone), text.index(lone) + len(lone))
    snippet = plain(make_snippet(text, spans, size=60, fragments=1, prefer=passage))
    assert snippet.startswith("Bão số 5"), "one word of four is not enough"


@pytest.mark.parametrize("text", [
    "x" * 5000 + " hồ " + "y" * 5000,
    "Xem tại https://example.vn/" + "tin-tuc/" * 60 + "hồ-gươm " + "và đoạn văn sau. " * 20,
    "Một câu mở đầu. " * 5 + "a" * 300 + "/hồ/" + "b" * 300,
])
def test_snippet_around_one_very_long_word_is_cut(text):
    spans = spans_by_tokenizing(text, ["hồ"])
    assert spans
    snippet = make_snippet(text, spans, size=200, fragments=3)
    assert "<mark>hồ</mark>" in snippet
    for fragment in plain(snippet).strip("…").split(" … "):
        assert len(fragment) <= 200 * 1.3, len(fragment)
