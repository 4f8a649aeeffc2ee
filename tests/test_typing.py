"""Search as you type, typo tolerance and autocomplete, through the web app's test client."""

from __future__ import annotations

import re

import pytest

from indexer.build import reindex
from indexer.completion import MAX_COMPLETIONS, MAX_SUGGESTIONS

THI_TOT_NGHIEP = "2025-thi-tot-nghiep-thpt-ngay-dau-tien.html"


def api(client, path="/api/search", **params):
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def first_ids(data, n=3) -> list[str]:
    return [hit["id"] for hit in data["results"][:n]]


# --- Prefix on the last word ---------------------------------------------------------------------


@pytest.mark.parametrize("cut", ["thi tot ng", "thi tot nghi", "thi tot nghie", "thi tốt nghiệ"])
def test_a_last_word_typed_halfway_finds_what_the_whole_word_does(client, cut):
    data = api(client, q=cut, typing="1")
    assert data["completions"][0] in ("nghiep", "nghiệp")
    assert data["results"][0]["id"] == THI_TOT_NGHIEP
    assert first_ids(data, 1) == first_ids(api(client, q="thi tot nghiep"), 1)


def test_a_completion_with_diacritics_follows_the_previous_word(client):
    data = api(client, q="tuyển s", typing="1")
    assert data["completions"][0] == "sinh"
    assert first_ids(data, 1) == first_ids(api(client, q="tuyển sinh"), 1)


def test_no_completion_after_a_space_or_a_closing_quote(client):
    assert api(client, q="thi tot ", typing="1")["completions"] == []
    assert api(client, q='"thi tot"', typing="1")["completions"] == []
    assert api(client, q="giao -duc", typing="1")["completions"] == []


def test_a_submitted_query_completes_a_last_word_found_nowhere(client):
    data = api(client, q="thi tot nghie")
    assert data["completions"] == ["nghiep"] and data["results"][0]["id"] == THI_TOT_NGHIEP
    assert api(client, q="thi tot nghie", exact="1")["completions"] == []
    # A last word the index has is left as typed when the query is submitted.
    assert api(client, q="giao duc")["completions"] == []


def test_completions_are_bounded(client):
    for q in ("n", "giao d", "t"):
        data = api(client, q=q, typing="1")
        assert 1 <= len(data["completions"]) <= MAX_COMPLETIONS
    suggestions = api(client, "/api/suggest", q="t")["suggestions"]
    assert 1 <= len(suggestions) <= MAX_SUGGESTIONS


# --- Typo tolerance ------------------------------------------------------------------------------


@pytest.mark.parametrize("typo, kind", [("truongg", "insert"), ("truog", "delete"), ("truonh", "substitute"),
                                        ("truogn", "transpose")])
def test_each_letter_edit_is_corrected_and_searched(client, typo, kind):
    data = api(client, q=typo)
    assert data["corrected"] == "trường", kind
    assert data["notice"] == "Kết quả cho “trường”"
    assert first_ids(data) == first_ids(api(client, q="truong"))


def test_a_correction_is_chosen_with_its_context(client):
    assert api(client, q="côg an")["corrected"] == "công an"
    data = api(client, q="thi tot nghiem")
    assert data["corrected"] is None, "a phrase the index has is not corrected"


@pytest.mark.parametrize("typo, intended", [("giáo dực", "giáo dục"), ("hồ gưom", "hồ gươm"),
                                            ("sốt xuất huyêt", "sốt xuất huyết")])
def test_a_tone_typed_wrong_or_left_out_is_corrected(client, typo, intended):
    data = api(client, q=typo)
    assert data["corrected"] == intended
    assert first_ids(data) == first_ids(api(client, q=intended))


@pytest.fixture(scope="module")
def tone_client(tmp_path_factory, make_client):
    """``hồ gươm`` in ten documents; ``hộ`` elsewhere, so that ``hộ gươm`` is a real word typed wrong."""
    src = tmp_path_factory.mktemp("tone-src")
    for i in range(10):
        (src / f"ho-{i}.txt").write_text(f"Tin {i}\n\nDạo quanh hồ Gươm buổi sáng số {i}.\n", encoding="utf-8")
    for i in range(3):
        (src / f"ho-gia-dinh-{i}.txt").write_text(f"Tin {i}\n\nMỗi hộ gia đình nhận quà.\n", encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("tone-index")
    reindex([src], index_dir, procs=1, log=lambda line: None)
    return make_client(index_dir)


def test_a_wrong_tone_that_spells_another_word_is_corrected_by_context(tone_client):
    data = api(tone_client, q="hộ gươm")
    assert data["corrected"] == "hồ gươm" and data["total"] == 10
    assert api(tone_client, q="hộ gia đình")["corrected"] is None


@pytest.mark.parametrize("q", ["giáo dục", "giao duc", "hồ Gươm", "tuyển sinh lớp 10", "thi tot nghiep",
                               "học sinh", "Bà Charlotte Bussard", "sốt xuất huyết"])
def test_a_correctly_typed_query_is_never_corrected(client, q):
    for typing in ("", "1"):
        data = api(client, q=q, typing=typing)
        assert data["corrected"] is None and data["suggestion"] is None
        assert data["ran_query"] == data["query"]


def test_the_notice_links_back_to_the_literal_query(client):
    html = client.get("/", query_string={"q": "truonh"}).get_data(as_text=True)
    assert "Kết quả cho “trường”" in html
    href = re.search(r'<a class="literal" href="([^"]+)">tìm chính xác “truonh”</a>', html)
    assert href, html[:3000]
    literal = client.get(href.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Không tìm thấy tài liệu nào khớp với “<strong>truonh</strong>”" in literal
    assert "Có phải bạn muốn tìm:" in literal and "trường</a>" in literal


# --- Autocomplete --------------------------------------------------------------------------------


def test_suggest_completes_with_diacritics_from_the_index(client):
    data = api(client, "/api/suggest", q="thi tot ngh")
    assert data["query"] == "thi tot ngh" and data["suggestions"][0] == "thi tốt nghiệp"
    assert "giáo dục" in api(client, "/api/suggest", q="giao d")["suggestions"]
    assert "tuyển sinh" in api(client, "/api/suggest", q="tuyển s")["suggestions"]


def test_suggest_after_a_space_proposes_the_next_word(client):
    assert "giáo dục" in api(client, "/api/suggest", q="giao ")["suggestions"]


def test_suggest_for_nothing_or_nonsense_is_empty(client):
    assert api(client, "/api/suggest", q="")["suggestions"] == []
    assert api(client, "/api/suggest", q="   ")["suggestions"] == []
    assert api(client, "/api/suggest", q="xyzzyq")["suggestions"] == []
    assert all("<" not in s for s in api(client, "/api/suggest", q="<script>")["suggestions"])


def test_suggest_without_an_index_is_the_json_error(tmp_path, make_client):
    response = make_client(tmp_path / "none").get("/api/suggest?q=giao")
    assert response.status_code == 503
    assert set(response.get_json()) == {"ok", "error", "status"}
