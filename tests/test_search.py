"""Searching (indexer/search.py), snippets (highlight.py) and abbreviations (synonyms.py).

Most tests run on the session's index of samples/ (``sample_index``); the rest build tiny
purpose-made corpora in tmp_path.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.analysis import fold, normalise_word, syllables
from indexer.build import document_fields, reindex
from indexer.config import Config
from indexer.documents import Document
from indexer.errors import ConfigError, QueryError
from indexer.highlight import make_snippet, mark, merge_spans, select_spans, spans_by_tokenizing
from indexer.search import DEFAULT_RANKING, MAX_RESULT_WINDOW, get_document, search, validate_params
from indexer.store import new_generation, open_index, publish_generation
from indexer.synonyms import expansions, load_synonyms, parse_synonyms

CONFIG = Config()  # defaults, with the project's synonyms.txt; config.toml is not read

HO_GUOM = "2023-ho-guom-ho-nuoc-noi-do.txt"
XSS_DOC = "2022-tap-huan-an-toan-thong-tin-nganh-giao-duc.html"
OLD_TONES = "old-tone-hoa-binh-suc-khoe-hoc-duong.txt"
UNDATED = "thuy-nguyen-trien-khai-nam-hoc-moi.txt"


def run(q, index_dir, **kwargs):
    kwargs.setdefault("per_page", 100)
    return search(q, index_dir=index_dir, config=CONFIG, **kwargs)


def ids(result) -> list[str]:
    return [hit.id for hit in result.results]


def plain(snippet: str) -> str:
    """The visible text of a snippet or title."""
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def marked(snippet: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", snippet)]


def folded_words(text: str) -> list[str]:
    return [fold(normalise_word(u.surface)) for u in syllables(text)]


def stored(index_dir: Path, doc_id: str) -> dict:
    """The stored fields of one document."""
    with open_index(index_dir).searcher() as searcher:
        return searcher.document(id=doc_id)


def make_index(tmp_path: Path, docs: dict[str, str]) -> Path:
    """An index of .txt documents (first line title, rest body)."""
    src = tmp_path / "src"
    src.mkdir()
    for name, text in docs.items():
        (src / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex([src], index_dir, procs=1, log=lambda line: None)
    return index_dir


# --- Accents, case, Unicode forms ---------------------------------------------------------------


@pytest.mark.parametrize("q", ["GIÁO DỤC", "Giáo Dục", unicodedata.normalize("NFD", "giáo dục"), "giáo  dục"])
def test_case_and_unicode_form_do_not_change_the_results(sample_index, q):
    assert ids(run(q, sample_index)) == ids(run("giáo dục", sample_index))


@pytest.mark.parametrize("q", ["giao duc", "GIAO DUC"])
def test_unaccented_query_finds_the_same_documents(sample_index, q):
    accented = run("giáo dục", sample_index)
    unaccented = run(q, sample_index)
    assert set(ids(unaccented)) == set(ids(accented)) and unaccented.total == accented.total >= 5
    assert ids(unaccented)[:2] == ids(accented)[:2]


def test_nfd_source_document_is_found_by_nfc_and_unaccented_queries(sample_index):
    for q in ["hội thi giáo viên dạy giỏi", "hoi thi giao vien day gioi"]:
        assert ids(run(q, sample_index))[0] == "nfd-hoi-thi-giao-vien-day-gioi-ha-noi.txt"


@pytest.mark.parametrize("old, new", [("hoà bình", "hòa bình"), ("sức khoẻ", "sức khỏe"),
                                      ("thuỷ điện", "thủy điện"), ("văn hoá", "văn hóa")])
def test_old_and_new_tone_placement_find_the_same_documents(sample_index, old, new):
    result = run(old, sample_index)
    assert ids(result) == ids(run(new, sample_index))
    assert OLD_TONES in ids(result)
    assert len(ids(result)) >= 2, "documents in both styles"


@pytest.fixture(scope="module")
def ho_index(tmp_path_factory):
    """Three documents identical but for hồ / họ / hộ."""
    tmp = tmp_path_factory.mktemp("ho")
    template = "Chuyện trong làng\n\nNgười dân kể chuyện về cái {} ở đầu làng từ ngày xưa.\n"
    return make_index(tmp, {"ho-lake.txt": template.format("hồ"), "ho-clan.txt": template.format("họ"),
                            "ho-household.txt": template.format("hộ")})


@pytest.mark.parametrize("q, first", [("hồ", "ho-lake.txt"), ("họ", "ho-clan.txt"), ("hộ", "ho-household.txt"),
                                      ("HỒ", "ho-lake.txt"), (unicodedata.normalize("NFD", "hộ"), "ho-household.txt")])
def test_the_exact_diacritics_rank_first(ho_index, q, first):
    result = run(q, ho_index)
    assert result.total == 3
    assert ids(result)[0] == first
    assert result.results[0].score > result.results[1].score
    assert marked(result.results[0].snippet) == [normalise_word(q)]


def test_unaccented_query_finds_every_diacritic_variant(ho_index):
    result = run("ho", ho_index)
    assert set(ids(result)) == {"ho-lake.txt", "ho-clan.txt", "ho-household.txt"}
    assert len({hit.score for hit in result.results}) == 1, "no variant is preferred"


# --- Long questions -----------------------------------------------------------------------------

QUESTION = "người dân trồng sen vàng ở đâu nhiều nhất trong tỉnh"


@pytest.fixture(scope="module")
def common_word_index(tmp_path_factory):
    """``người`` and ``dân`` are in most documents; ``sen vàng`` in two, one of them with ``người``."""
    docs = {f"filler-{i}.txt": f"Tin địa phương {i}\n\nNgười dân xã {i} họp bàn việc làm đường.\n"
            for i in range(5)}
    docs["lotus-a.txt"] = "Mùa sen\n\nDân làng trồng sen vàng ven hồ, khách đi xem rất đông.\n"
    docs["lotus-b.txt"] = "Mùa sen\n\nDân làng trồng sen vàng ven hồ, người đi xem rất đông.\n"
    return make_index(tmp_path_factory.mktemp("common"), docs)


def test_common_words_of_a_long_question_still_rank_the_top_hits(common_word_index):
    # The lotus documents differ in one word: b has the question's ``người``, a common word
    # that does not pick candidates but must still count (here in BM25 alone, without the
    # proximity re-ranking, which would favour b for its own reasons).
    bm25_only = replace(DEFAULT_RANKING, proximity=0)
    for q in (QUESTION, fold(QUESTION)):
        assert ids(run(q, common_word_index, ranking=bm25_only))[:2] == ["lotus-b.txt", "lotus-a.txt"]
        assert ids(run(q, common_word_index))[:2] == ["lotus-b.txt", "lotus-a.txt"]


def test_documents_with_only_the_common_words_of_a_long_question_do_not_match(common_word_index):
    result = run(QUESTION, common_word_index)
    assert set(ids(result)) == {"lotus-a.txt", "lotus-b.txt"}
    assert result.total == 2
    # A short query keeps every word: the common ones find documents by themselves.
    assert run("người dân", common_word_index).total == 6


@pytest.mark.parametrize("q", [QUESTION, "Năm học mới ở Thừa Thiên Huế bắt đầu vào ngày nào và học sinh có phải "
                                         "nghỉ học vì mưa lũ không"])
def test_a_long_question_pages_through_exactly_its_total(sample_index, q):
    for query in (q, fold(q)):
        result = run(query, sample_index)
        assert result.total == len(ids(result))


# --- Operators ---------------------------------------------------------------------------------


def test_phrase_only_returns_consecutive_words(sample_index):
    loose = run("hồ nước", sample_index)
    phrase = run('"hồ nước"', sample_index)
    assert 0 < phrase.total < loose.total
    assert set(ids(phrase)) <= set(ids(loose))
    for hit in loose.results:
        words = folded_words(plain(hit.title) + " . " + stored(sample_index, hit.id)["body"])
        consecutive = any(a == "ho" and b == "nuoc" for a, b in zip(words, words[1:]))
        assert consecutive == (hit.id in ids(phrase)), hit.id


def test_phrase_does_not_span_title_and_body(tmp_path):
    index_dir = make_index(tmp_path, {"x.txt": "Nước hồ Gươm đổi màu\n\nNgày 10/03/2023, mặt hồ chuyển màu."})
    assert run('"ho guom"', index_dir).total == 1
    assert run('"doi mau ngay"', index_dir).total == 0


def test_unaccented_phrase(sample_index):
    assert ids(run('"ho guom"', sample_index)) == [HO_GUOM]
    assert run('"guom nuoc ho"', sample_index).total == 0


def test_excluded_word_removes_documents(sample_index):
    with_guom = set(ids(run("hồ gươm", sample_index)))
    result = run("hồ -gươm", sample_index)
    assert HO_GUOM in set(ids(run("hồ", sample_index)))
    assert with_guom and not with_guom & set(ids(result))
    assert result.total == run("hồ", sample_index).total - len(with_guom)


def test_excluded_phrase(sample_index):
    everything = set(ids(run("giáo dục", sample_index)))
    without = set(ids(run('giáo dục -"hoà bình"', sample_index)))
    assert without < everything
    assert not without & set(ids(run('"hoà bình"', sample_index)))


def test_title_restricts_to_title_matches(sample_index):
    anywhere = run("hồ", sample_index)
    in_title = run("title:hồ", sample_index)
    assert 0 < in_title.total < anywhere.total
    for hit in in_title.results:
        assert "ho" in folded_words(plain(hit.title)), hit.title
    for hit in anywhere.results:
        if hit.id not in ids(in_title):
            assert "ho" not in folded_words(plain(hit.title))


def test_or(sample_index):
    hue = set(ids(run("huế", sample_index)))
    nang = set(ids(run("nẵng", sample_index)))
    either = run("huế OR nẵng", sample_index)
    assert hue and nang and hue != nang
    assert set(ids(either)) == hue | nang and either.total == len(hue | nang)
    assert set(ids(run("huế nẵng", sample_index))) == hue & nang


@pytest.mark.parametrize("q", ["", "   ", "*", '""', "-giáo", "OR", "\x00", "😀"])
def test_queries_without_positive_words_find_nothing(sample_index, q):
    result = run(q, sample_index)
    assert result.total == 0 and result.results == [] and result.pages == 1


def test_hostile_queries_do_not_fail(sample_index):
    for q in ["<script>alert(1)</script>", "a" * 5000, "title:" * 100, '"' * 33, "(((", "-" * 50,
              " OR ".join(["giáo"] * 200), "\ud800", "giáo\u0000dục"]:
        result = run(q, sample_index)
        assert result.total >= 0


def test_words_beyond_the_limit_are_ignored(sample_index):
    config = Config(max_query_terms=2)
    result = search("giáo dục xyzxyz", index_dir=sample_index, config=config, per_page=50)
    assert set(ids(result)) == set(ids(run("giáo dục", sample_index)))


# --- Abbreviations ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synonym_index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synonyms")
    return make_index(tmp, {
        "abbr.txt": "Tin ngành\n\nSở GD&ĐT tỉnh họp giao ban.",
        "long.txt": "Tin ngành\n\nNgành giáo dục và đào tạo tỉnh họp giao ban.",
        "thpt.txt": "Tin thi\n\nHọc sinh THPT dự thi.",
        "thpt-long.txt": "Tin thi\n\nHọc sinh trung học phổ thông dự thi.",
        "neither.txt": "Tin khác\n\nNông dân thu hoạch lúa.",
    })


@pytest.mark.parametrize("q", ["GD&ĐT", "gd&đt", "GDĐT", "gddt", "giáo dục và đào tạo", "giao duc va dao tao"])
def test_gddt_and_its_expansion_find_each_other(synonym_index, q):
    assert set(ids(run(q, synonym_index))) == {"abbr.txt", "long.txt"}


@pytest.mark.parametrize("q", ["THPT", "thpt", "trung học phổ thông", "trung hoc pho thong"])
def test_thpt_and_its_expansion_find_each_other(synonym_index, q):
    assert set(ids(run(q, synonym_index))) == {"thpt.txt", "thpt-long.txt"}


def test_synonym_expansion_marks_the_other_form(synonym_index):
    hits = {hit.id: hit for hit in run("GD&ĐT", synonym_index).results}
    assert "<mark>GD&amp;ĐT</mark>" in hits["abbr.txt"].snippet
    assert "<mark>giáo dục và đào tạo</mark>" in hits["long.txt"].snippet


def test_synonym_forms_are_not_highlighted_word_by_word(tmp_path):
    index_dir = make_index(tmp_path, {"abbr.txt": "Tin ngành\n\nSở GD&ĐT tỉnh họp giao ban và lãnh đạo dự."})
    hit = run("GD&ĐT", index_dir).results[0]
    assert marked(hit.snippet) == ["GD&ĐT"]


def test_a_quoted_phrase_is_highlighted_only_where_it_occurs(tmp_path):
    index_dir = make_index(tmp_path, {"p.txt": "Hồ Gươm và hồ Tây\n\nMặt hồ Gươm đổi màu, nước hồ Tây vẫn xanh. Gươm báu."})
    hit = run('"hồ gươm"', index_dir).results[0]
    assert marked(hit.snippet) == ["hồ Gươm"]
    assert marked(hit.title) == ["Hồ Gươm"]
    view = get_document("p.txt", '"ho guom"', index_dir=index_dir, config=CONFIG)
    assert marked(view.body) == ["hồ Gươm"] and marked(view.title) == ["Hồ Gươm"]


def test_a_phrase_broken_by_punctuation_is_not_highlighted():
    assert spans_by_tokenizing("hồ, Gươm và hồ Gươm", [], [("hồ", "gươm")]) == [(12, 19)]


def test_synonyms_off():
    assert load_synonyms(None) == ()


def test_parse_synonyms():
    groups = parse_synonyms("# comment\nGD&ĐT, GDĐT, giáo dục và đào tạo  # trailing\n\nlone\nA, a\n")
    assert groups == [(("gd&đt",), ("gdđt",), ("giáo", "dục", "và", "đào", "tạo"))]


def test_expansions_match_folded_and_prefer_the_longest():
    groups = parse_synonyms("TP, thành phố\nTP.HCM, TPHCM, thành phố Hồ Chí Minh")
    words = ["thanh", "pho", "ho", "chi", "minh", "va", "tp"]
    found = expansions(words, groups)
    assert found == [(0, 5, [("tp", "hcm"), ("tphcm",)]), (6, 7, [("thành", "phố")])]


def test_unreadable_synonyms_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="synonyms"):
        load_synonyms(tmp_path / "missing.txt")


def test_project_synonyms_file_parses():
    groups = load_synonyms(CONFIG.synonyms)
    assert len(groups) >= 20
    assert any(("thpt",) in group for group in groups)


# --- Snippets and highlighting --------------------------------------------------------------------


def test_unaccented_query_marks_accented_compounds_whole(sample_index):
    hits = run("giao duc", sample_index).results
    assert all("<mark>" in hit.snippet for hit in hits)
    assert any(re.search(r"<mark>giáo dục</mark>", hit.snippet, re.I) for hit in hits)
    for hit in hits:
        for text in marked(hit.snippet) + marked(hit.title):
            assert set(folded_words(text)) <= {"giao", "duc"}, text


def test_marks_follow_the_diacritics_typed(sample_index):
    hit = next(h for h in run("hồ", sample_index).results if h.id == HO_GUOM)
    assert {normalise_word(m) for m in marked(hit.snippet)} == {"hồ"}


def test_document_text_is_escaped(sample_index):
    hit = next(h for h in run("script", sample_index).results if h.id == XSS_DOC)
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in hit.snippet
    assert "<script" not in hit.snippet.lower()


def test_markup_in_documents_and_queries_is_shown_as_text(tmp_path):
    index_dir = make_index(tmp_path, {
        "x.txt": "Tiêu đề <b>đậm</b> & <i>nghiêng</i>\n\nĐoạn có <script>alert('x')</script> và <b>chữ đậm</b> \"trích\".",
    })
    hit = run("<script> đậm", index_dir).results[0]
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
    for hit in run(q, sample_index).results:
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
    hit = run(q, nfd_index).results[0]
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


# --- Pagination, filters, sorting, facets -------------------------------------------------------------


def test_pages_partition_the_results(sample_index):
    everything = run("nam hoc", sample_index)
    per_page = 3
    last = math.ceil(everything.total / per_page)
    pages = [run("nam hoc", sample_index, per_page=per_page, page=p) for p in range(1, last + 2)]
    assert all(p.total == everything.total for p in pages)
    assert everything.total > 2 * per_page
    assert all(p.pages == last for p in pages)
    collected = [i for p in pages for i in ids(p)]
    assert collected == ids(everything), "same order, no repeats, nothing missing"
    assert all(len(ids(p)) == per_page for p in pages[:-2])
    assert ids(pages[-1]) == [], "past the last page: empty, total unchanged"


def test_year_filter(sample_index):
    everything = run("giao duc", sample_index)
    facets = {f["year"]: f["count"] for f in everything.facets["year"]}
    for year, count in facets.items():
        filtered = run("giao duc", sample_index, year=year)
        assert filtered.total == count and filtered.year == year
        assert all(hit.date and hit.date.startswith(str(year)) for hit in filtered.results)
        assert filtered.facets == everything.facets, "facets ignore the year filter"
    assert run("giao duc", sample_index, year="1999").total == 0


@pytest.mark.parametrize("q", ["nam hoc", "giao duc", "ho", "hoc sinh", "da nang OR hue"])
def test_year_facets_count_the_dated_results(sample_index, q):
    result = run(q, sample_index)
    counts = [f["count"] for f in result.facets["year"]]
    assert sum(counts) == sum(1 for hit in result.results if hit.date) <= result.total
    years = [f["year"] for f in result.facets["year"]]
    assert years == sorted(years, reverse=True)


def test_sort_by_date_is_newest_first(sample_index):
    result = run("nam hoc", sample_index, sort="date")
    assert result.sort == "date" and set(ids(result)) == set(ids(run("nam hoc", sample_index)))
    dates = [hit.date for hit in result.results if hit.date]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 10
    assert all(hit.score is None for hit in result.results)


def test_sort_by_date_puts_undated_documents_last(sample_index):
    result = run("nam hoc", sample_index, sort="date")
    assert UNDATED in ids(result)
    assert ids(result)[-1] == UNDATED


# --- Telex / VNI and did-you-mean -------------------------------------------------------------------


@pytest.mark.parametrize("q, reading", [("giaos ducj", "giáo dục"), ("gia1o du5c", "giáo dục"),
                                        ("dduwowngf", "đường")])
def test_telex_and_vni_are_read_when_they_find_more(sample_index, q, reading):
    result = run(q, sample_index)
    assert result.ran_query == reading and result.query == q
    assert result.notice and reading in result.notice and "Telex" in result.notice
    assert ids(result) == ids(run(reading, sample_index))
    assert result.suggestion is None


def test_plain_words_are_not_read_as_telex(sample_index):
    result = run("giao duc", sample_index)
    assert result.ran_query == "giao duc" and result.notice is None


def test_did_you_mean_for_a_misspelt_word(sample_index):
    result = run("truonh", sample_index)
    assert result.total == 0 and result.suggestion == "trường"
    assert run(result.suggestion, sample_index).total > 0


def test_no_suggestion_for_words_the_index_has(sample_index):
    assert run("giáo dục", sample_index).suggestion is None
    assert run("xyzzyq", sample_index).suggestion is None


def test_did_you_mean_when_one_word_of_several_is_misspelt(sample_index):
    assert run("hoi nghj", sample_index).suggestion == "hội nghị"


# --- Parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"page": 0}, {"page": -1}, {"page": "abc"}, {"page": "1.5"}, {"page": 1001},
    {"per_page": 0}, {"per_page": 101}, {"per_page": "ten"},
    {"page": 1000, "per_page": 100},
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
    assert validate_params(config=CONFIG) == (1, CONFIG.per_page, "relevance", None)
    assert validate_params(" 2 ", "5", "", "", config=CONFIG) == (2, 5, "relevance", None)
    assert validate_params(3, 20, "date", "2024", config=CONFIG) == (3, 20, "date", 2024)
    assert validate_params(100, 100, config=CONFIG)[0] * 100 == MAX_RESULT_WINDOW


def test_result_as_dict(sample_index):
    data = run("giao duc", sample_index, per_page=2).to_dict()
    assert set(data) >= {"query", "ran_query", "total", "page", "per_page", "results", "facets", "suggestion"}
    assert len(data["results"]) == 2 and set(data["results"][0]) >= {"id", "title", "snippet", "date", "score"}
