"""Search as you type, typo tolerance and autocomplete, through the web app's test client."""

from __future__ import annotations

import re

import pytest

from indexer.build import reindex
from indexer.completion import MAX_COMPLETIONS, MAX_SUGGESTIONS
from helpers import write_jsonl

THI_TOT_NGHIEP = "2025-thi-tot-nghiep-thpt-ngay-dau-tien.html"


def api(client, path="/api/search", **params):
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def first_ids(data, n=3) -> list[str]:
    return [hit["id"] for hit in data["results"][:n]]


def _client_of(src, tmp_path_factory, make_client):
    """A test client of the web app over a new index of the folder ``src``."""
    index_dir = tmp_path_factory.mktemp("index")
    reindex([src], index_dir, procs=1, log=lambda line: None)
    return make_client(index_dir)


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


def test_a_submitted_last_word_is_read_as_a_typo_where_no_completion_follows_the_word_before(
        tmp_path_factory, make_client):
    # ``chna`` begins ``Chnam`` (a name, in one document) and is one letter from ``chắn``,
    # which follows ``chắc`` in ten: submitted, the query was typed whole.
    src = tmp_path_factory.mktemp("chna-src")
    write_jsonl(src / "news.jsonl", [{"id": f"sure-{i}", "title": f"Tin {i}", "body": "Đội nhà chắc chắn thắng."}
                                     for i in range(10)]
                + [{"id": "name", "title": "Khách mời", "body": "Ông Chnam đến thăm."}])
    client = _client_of(src, tmp_path_factory, make_client)
    data = api(client, q="chac chna")
    assert data["corrected"] == "chắc chắn" and data["completions"] == []
    assert data["total"] == 10 and data["results"][0]["id"].startswith("sure-")
    # While it is typed, it is still a word typed half-way.
    assert api(client, q="chac chna", typing="1")["completions"] == ["chnam"]


def test_completions_are_bounded(client):
    for q in ("n", "giao d", "t"):
        data = api(client, q=q, typing="1")
        assert 1 <= len(data["completions"]) <= MAX_COMPLETIONS
    suggestions = api(client, "/api/suggest", q="t")["suggestions"]
    assert 1 <= len(suggestions) <= MAX_SUGGESTIONS


@pytest.fixture(scope="module")
def phrase_client(tmp_path_factory, make_client):
    """``Hà Nam`` and ``Hà Nguyên`` in five bodies; ``Hà Nội`` after ``thủ đô`` in two;
    ``Hà Ngân`` in one title; ``Chi Pu nói`` in one document and ``sự nổ`` in twelve;
    ``ý kiến`` in thirty and ``ý kén`` in one; ``âm nhạc`` in ten and ``ấm nhỏ`` in one;
    ``Việt Cường`` in ten, ``cuốn`` in twenty-one, ``Việt cuốn`` in one of them."""
    docs = {f"noi-{i}.txt": f"Tin {i}\n\nKhách du lịch đến thủ đô Hà Nội dịp lễ.\n" for i in range(2)}
    docs |= {f"nam-{i}.txt": f"Bản tin {i}\n\nMưa lớn ở tỉnh Hà Nam, ông Hà Nguyên cho biết.\n"
             for i in range(5)}
    docs["ngan.txt"] = "Hà Ngân ra mắt sách\n\nNhà văn giới thiệu tác phẩm mới.\n"
    docs["pu.txt"] = "Chi Pu nói về album mới\n\nCa sĩ Chi Pu nói lời cảm ơn khán giả.\n"
    docs |= {f"no-{i}.txt": f"Điều tra vụ việc {i}\n\nCơ quan chức năng điều tra sự nổ bình ga.\n"
             for i in range(12)}
    docs |= {f"y-kien-{i}.txt": f"Ý kiến bạn đọc số {i}\n\nBạn đọc gửi ý kiến.\n" for i in range(30)}
    docs["ken.txt"] = "Kén chọn\n\nNhiều người ý kén chọn quá.\n"
    docs |= {f"am-nhac-{i}.txt": f"Đêm nhạc {i}\n\nChương trình âm nhạc cuối tuần.\n" for i in range(10)}
    docs["am-nho.txt"] = "Bình trà\n\nChiếc ấm nhỏ trên bàn.\n"
    docs |= {f"cuong-{i}.txt": f"Ca sĩ {i}\n\nCa sĩ Việt Cường hát.\n" for i in range(10)}
    docs |= {f"cuon-{i}.txt": f"Sách {i}\n\nMột cuốn sách mới.\n" for i in range(20)}
    docs["viet-cuon.txt"] = "Trào lưu\n\nGiới trẻ Việt cuốn theo trào lưu.\n"
    src = tmp_path_factory.mktemp("phrase-src")
    for name, text in docs.items():
        (src / name).write_text(text, encoding="utf-8")
    return _client_of(src, tmp_path_factory, make_client)


def test_a_completion_is_counted_where_the_earlier_words_are(phrase_client):
    # ``nam`` follows ``hà`` most often, but never after ``thủ đô``.
    assert api(phrase_client, q="tinh ha n", typing="1")["completions"][0] == "nam"
    data = api(phrase_client, q="thu do ha n", typing="1")
    assert data["completions"][0] == "noi"
    assert data["results"][0]["id"] == "noi-0.txt"


def test_a_phrase_in_a_title_outweighs_a_few_bodies(phrase_client):
    # ``Hà Nguyên`` is in five bodies; ``Hà Ngân`` is one document's title.
    data = api(phrase_client, q="hà ng", typing="1")
    assert data["completions"][0] == "ngân"
    assert first_ids(data, 1) == ["ngan.txt"]


def test_a_completion_the_words_typed_are_followed_by_comes_before_one_they_never_are(
        tmp_path_factory, make_client):
    # Forty documents hold ``tập cuối``, ``cuối Vân`` and ``Vân thương``, never one after the
    # other; one holds ``tập cuối Vân thừa``, though ``Vân thừa`` is forty times rarer.
    src = tmp_path_factory.mktemp("held-src")
    write_jsonl(src / "news.jsonl",
                [{"id": f"miss-{i}", "title": f"Phim {i}", "body": "Xem tập cuối tối nay. Cuối Vân thương nhớ."}
                 for i in range(40)]
                + [{"id": "admit", "title": "Phim truyền hình", "body": "Mẹ chồng tập cuối Vân thừa nhận."}])
    client = _client_of(src, tmp_path_factory, make_client)
    data = api(client, q="tap cuoi van thu", typing="1")
    assert data["completions"][:2] == ["thua", "thuong"]
    assert first_ids(data, 1) == ["admit"]
    # After one word the bigram is the phrase: ``Vân thương`` is the likelier.
    assert api(client, q="van thu", typing="1")["completions"][0] == "thuong"


TITLE_PHRASES = {
    # Forty bodies say ``Mỹ ở Thái Lan``, one title ``Mỹ ở Thổ Nhĩ Kỳ``; no title holds
    # ``quân đội Mỹ ở Thổ``: there the bodies decide.
    "phrase": ([{"id": f"thai-{i}", "title": f"Tin {i}", "body": "Quân đội Mỹ ở Thái Lan tập trận."}
                for i in range(40)]
               + [{"id": "tho", "title": "Phóng viên Mỹ ở Thổ Nhĩ Kỳ bị bắt", "body": "Tin quốc tế."}],
               "my o th", "tho", "tho", "quan doi my o th", "thai"),
    # Five titles say ``ký sắc lệnh cấm``, one ``ký sắc lệnh cản``. ``cả``, typed with its tone,
    # begins ``cản`` and ``cảm``, never ``cấm``; typed without diacritics, ``ca`` begins ``cấm``.
    "spelt as typed": (
        [{"id": f"cam-{i}", "title": f"Ông Trump ký sắc lệnh cấm nhập cảnh lần {i}", "body": "Tin thế giới."}
         for i in range(5)]
        + [{"id": f"thu-{i}", "title": f"Thư bạn đọc {i}", "body": "Xin cảm ơn bạn đọc."} for i in range(5)]
        + [{"id": "can", "title": "Ông Trump ký sắc lệnh cản đường Huawei", "body": "Tin công nghệ."}],
        "ký sắc lệnh cả", "cản", "can", "ky sac lenh ca", "cam"),
}


@pytest.mark.parametrize("records, cut, completion, first, other_cut, other_completion",
                         TITLE_PHRASES.values(), ids=TITLE_PHRASES.keys())
def test_a_completion_a_title_holds_after_the_words_typed_comes_before_one_only_bodies_hold(
        tmp_path_factory, make_client, records, cut, completion, first, other_cut, other_completion):
    src = tmp_path_factory.mktemp("title-phrase-src")
    write_jsonl(src / "news.jsonl", records)
    client = _client_of(src, tmp_path_factory, make_client)
    data = api(client, q=cut, typing="1")
    assert data["completions"][0] == completion and first_ids(data, 1) == [first]
    assert api(client, q=other_cut, typing="1")["completions"][0] == other_completion


def test_a_completion_that_ends_an_abbreviation_finds_what_the_whole_word_finds(tmp_path_factory, make_client):
    # ``CSGT`` stands for ``cảnh sát giao thông`` (synonyms.txt), and ``TP`` ``HCM`` for
    # ``thành phố Hồ Chí Minh``: typed half-way, each finds what typed whole it finds.
    src = tmp_path_factory.mktemp("abbreviation-src")
    write_jsonl(src / "news.jsonl", [
        {"id": "spelt-out", "title": "Thông tin cảnh sát giao thông", "body": "Phạt nguội."},
        {"id": "abbreviated", "title": "Tin tức", "body": "Thông tin CSGT xử phạt."},
        {"id": "city", "title": "Trung tâm thành phố Hồ Chí Minh", "body": "Đường phố."},
        {"id": "other", "title": "Trung tâm TP. Hà Nội", "body": "Tin HCM."},
    ])
    client = _client_of(src, tmp_path_factory, make_client)
    for cut, whole in (("thong tin cs", "thong tin csgt"), ("trung tam tp hc", "trung tam tp hcm")):
        typing, complete = api(client, q=cut, typing="1"), api(client, q=whole)
        assert typing["completions"][0] == whole.split()[-1]
        assert first_ids(typing, 3) == first_ids(complete, 3) and typing["total"] == complete["total"]
    assert "spelt-out" in first_ids(api(client, q="thong tin cs", typing="1"), 3)


def test_a_whole_word_typed_with_diacritics_is_not_completed_to_a_typo_its_context_carries(
        tmp_path_factory, make_client):
    # The only document holding ``động cầu`` spells ``thuận`` as the typo ``thuẩn``, the only
    # completion of ``thủ`` there: the twenty documents holding ``cầu thủ`` say what is meant.
    src = tmp_path_factory.mktemp("thu-src")
    write_jsonl(src / "news.jsonl", [{"id": f"thu-{i}", "title": f"Bóng đá {i}", "body": "Các cầu thủ ghi bàn."}
                                     for i in range(20)]
                + [{"id": f"thuan-{i}", "title": f"Giao thông {i}", "body": "Xe qua cầu Thuận Phước."}
                   for i in range(20)]
                + [{"id": "typo", "title": "Lễ hội", "body": "Người dân vận động cầu thuẩn lợi."}])
    client = _client_of(src, tmp_path_factory, make_client)
    typing = api(client, q="động cầu thủ", typing="1")
    assert typing["completions"][0] == "thủ"
    assert first_ids(typing, 1) == first_ids(api(client, q="động cầu thủ"), 1)


def test_a_word_typed_halfway_is_completed_as_a_phrase_in_quotes_reads(tmp_path_factory, make_client):
    # ``giấu bát`` is in five documents, ``Nga " giấu bài "`` in one: the bigram ``nga_giau``
    # spans the quote, so the earlier word says which completion it is.
    src = tmp_path_factory.mktemp("quote-src")
    write_jsonl(src / "news.jsonl", [{"id": f"bat-{i}", "title": f"Bữa cơm {i}", "body": "Cô ấy giấu bát cơm."}
                                     for i in range(5)]
                + [{"id": "bai", "title": "Thời sự", "body": 'Nga " giấu bài " với Mỹ.'}])
    data = api(_client_of(src, tmp_path_factory, make_client), q="nga giau ba", typing="1")
    assert data["completions"][0] == "bai" and first_ids(data, 1) == ["bai"]


def test_a_word_typed_before_a_halfway_word_is_kept(phrase_client):
    # ``pu`` is never beside ``nó`` itself, but it is beside ``nói``, the word being typed:
    # respelling it ``sự`` (``sự nổ``, twelve documents) would lose what the reader types.
    data = api(phrase_client, q="pu nó", typing="1")
    assert data["completions"][0] == "nói" and data["corrected"] is None
    assert first_ids(data, 1) == ["pu.txt"]


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
    assert api(client, q="thu nghiem")["corrected"] is None, "a phrase the index has is not corrected"
    # ``nghiem`` is never after ``tot``, but ``tot`` is in too few of these documents to say so.
    assert api(client, q="thi tot nghiem")["corrected"] is None


def test_a_tone_typed_before_a_halfway_word_is_kept(phrase_client):
    # ``nh`` is likeliest ``nhạc`` after ``am``, always spelt ``âm`` there; ``ấm`` is still a
    # word the reader may be typing (``ấm nhỏ``).
    data = api(phrase_client, q="ấm nh", typing="1")
    assert data["corrected"] is None and data["ran_query"] == "ấm nh"
    # The documents holding ``ấm`` as typed say which ``am nh…`` it begins.
    assert data["completions"][0] == "nhỏ" and first_ids(data, 1) == ["am-nho.txt"]


def test_a_spelling_the_index_never_holds_is_corrected_by_letter(phrase_client):
    # ``ý ken`` is a phrase the index holds, but never spelt ``kến``: a letter left out of
    # ``kiến``, the spelling beside ``ý`` in thirty documents, not the tone of ``kén``.
    data = api(phrase_client, q="ý kến")
    assert data["corrected"] == "ý kiến" and data["total"] == 30


def test_the_marks_typed_count_in_a_correction(phrase_client):
    # ``cườn``: a letter left out of ``cường``, whose marks it has, rather than ``cuốn``,
    # the same letters with three marks changed (and once after ``Việt``).
    data = api(phrase_client, q="việt cườn")
    assert data["corrected"] == "việt cường" and data["total"] == 10


def test_a_correction_with_every_word_wins_over_none(phrase_client):
    # No document holds every word of ``điều tra sự nói``; ``điều tra sự nổ`` is in twelve.
    data = api(phrase_client, q="điều tra sự nói")
    assert data["corrected"] == "điều tra sự nổ" and data["total"] == 12
    assert api(phrase_client, q="điều tra sự nói", exact="1")["corrected"] is None


@pytest.mark.parametrize("typo, intended", [("giáo dực", "giáo dục"), ("hồ gưom", "hồ gươm"),
                                            ("sốt xuất huyêt", "sốt xuất huyết")])
def test_a_tone_typed_wrong_or_left_out_is_corrected(client, typo, intended):
    data = api(client, q=typo)
    assert data["corrected"] == intended
    assert first_ids(data) == first_ids(api(client, q=intended))


def test_two_letters_swapped_beside_a_tone_mark_are_corrected(tmp_path_factory, make_client):
    # ``hiạ`` is written ``hịa``: where the mark sits follows from the letters, so the swap
    # moves it, and ``hịa`` is a mark and a letter from ``hại`` but one letter from ``hoa``.
    src = tmp_path_factory.mktemp("hai-src")
    write_jsonl(src / "news.jsonl", [{"id": f"hai-{i}", "title": f"Tin {i}", "body": "Kẻ sát hại người bị bắt."}
                                     for i in range(5)]
                + [{"id": f"hoa-{i}", "title": "Hoa", "body": "Vườn hoa đẹp."} for i in range(5)])
    data = api(_client_of(src, tmp_path_factory, make_client), q="sát hiạ")
    assert data["corrected"] == "sát hại" and data["results"][0]["id"].startswith("hai-")


def test_a_word_typed_with_diacritics_is_respelt_as_the_whole_phrase_reads(tmp_path_factory, make_client):
    # Beside ``Việt`` and ``chiến``, ``trên`` is likelier (forty ``Việt trên chiến hạm``), but
    # only ``tuyên`` makes a phrase the index holds: ``Việt tuyên chiến với`` in three documents.
    src = tmp_path_factory.mktemp("tuyen-src")
    write_jsonl(src / "news.jsonl", [{"id": f"tren-{i}", "title": f"Tin {i}", "body": "Người Việt trên chiến hạm."}
                                     for i in range(40)]
                + [{"id": f"tuyen-{i}", "title": f"Bài {i}", "body": "Ông Việt tuyên chiến với thuốc lá."}
                   for i in range(3)])
    data = api(_client_of(src, tmp_path_factory, make_client), q="việt tyên chiến với")
    assert data["corrected"] == "việt tuyên chiến với" and data["total"] == 3


@pytest.fixture(scope="module")
def typo_client(tmp_path_factory, make_client):
    """``Triều Tiên`` in 1,001 documents and ``triểu tiên`` in one; ``triệu tiền`` in thirty;
    ``ông Trump`` in twenty and ``trupm`` once elsewhere; ``gái ruột`` in twenty, ``gia đình``
    in twenty, ``giá vàng`` in five and ``ruột thừa`` in fifty; ``bộ biến`` in thirty and
    ``vùng bờ biển`` in ten."""
    records = [("typo-tone", "Lỗi", "Bản tin về triểu tiên.")]
    records += [(f"kp-{i}", f"Tin {i}", "Quan hệ với Triều Tiên.") for i in range(1001)]
    records += [(f"money-{i}", f"Giải thưởng {i}", "Giải thưởng hàng triệu tiền mặt.") for i in range(30)]
    records += [(f"trump-{i}", f"Thế giới {i}", "Ông Trump phát biểu.") for i in range(20)]
    records.append(("typo-letters", "Lỗi gõ", "Bài viết có chữ trupm."))
    records += [(f"ruot-{i}", f"Gia đình {i}", "Con gái ruột về thăm.") for i in range(20)]
    records += [(f"family-{i}", f"Xã hội {i}", "Ngày hội gia đình.") for i in range(20)]
    records += [(f"gold-{i}", f"Thị trường {i}", "Giá vàng tăng.") for i in range(5)]
    records += [(f"health-{i}", f"Sức khoẻ {i}", "Đau ruột thừa.") for i in range(50)]
    records += [(f"inverter-{i}", f"Thiết bị {i}", "Lắp bộ biến tần.") for i in range(30)]
    records += [(f"coast-{i}", f"Du lịch {i}", "Sóng lớn ở vùng bờ biển.") for i in range(10)]
    src = tmp_path_factory.mktemp("typo-src")
    write_jsonl(src / "news.jsonl", [{"id": i, "title": t, "body": b} for i, t, b in records])
    return _client_of(src, tmp_path_factory, make_client)


def test_a_letter_typed_before_an_accented_word_is_dropped_and_its_marks_kept(tmp_path_factory, make_client):
    # ``ycứu`` is ``cứu`` one letter away; ``cưu`` (without the tone) is a word of the index too.
    src = tmp_path_factory.mktemp("cuu-src")
    write_jsonl(src / "news.jsonl", [{"id": f"cuu-{i}", "title": f"Tin {i}", "body": "Cứu người bị nạn."}
                                     for i in range(5)]
                + [{"id": "cuu-mang", "title": "Tình người", "body": "Cưu mang người nghèo."}])
    data = api(_client_of(src, tmp_path_factory, make_client), q="ycứu người")
    assert data["corrected"] == "cứu người" and data["results"][0]["id"].startswith("cuu-")


def test_a_real_word_typed_for_another_is_corrected_by_its_neighbours(typo_client):
    # ``gia`` is a word of the index, but never before ``ruot``; ``gái ruột`` is in twenty documents.
    data = api(typo_client, q="gia ruot")
    assert data["corrected"] == "gái ruột" and data["total"] == 20
    assert api(typo_client, q="gia dinh")["corrected"] is None


def test_beside_a_word_the_index_lacks_a_real_word_is_kept_where_the_query_reads_so(
        tmp_path_factory, make_client):
    # ``taq`` is no word of the index: ``tai``. ``đầu tư`` is far likelier than ``âu từ``, and
    # 200 documents hold ``đầu tư``, ``tư tài`` and ``tai nạn``, but a title reads ``âu từ
    # tai nạn``, once one word is corrected.
    src = tmp_path_factory.mktemp("au-tu-src")
    write_jsonl(src / "news.jsonl", [{"id": "worry", "title": "Lo âu từ tai nạn xe khách", "body": "Bài viết."}]
                + [{"id": f"invest-{i}", "title": f"Kinh tế {i}",
                    "body": "Nhà đầu tư tài trợ dự án. Tai nạn giao thông giảm."} for i in range(200)])
    data = api(_client_of(src, tmp_path_factory, make_client), q="au tu taq nan")
    assert data["corrected"] == "âu từ tai nạn" and first_ids(data, 1) == ["worry"]


def test_a_word_no_syllable_spells_is_corrected_as_the_whole_phrase_reads(tmp_path_factory, make_client):
    # ``v`` (a word of ``V League``) is one letter from ``và`` and ``về``. Each bigram alone
    # makes ``mật và bữa`` likelier: ``mật và`` and ``và bữa`` are both common, but never in
    # one document, while twelve documents hold ``mật về bữa``.
    src = tmp_path_factory.mktemp("phrase-src")
    records = [(f"honey-{i}", f"Ẩm thực {i}", "Mật và sữa.") for i in range(30)]
    records += [(f"meal-{i}", f"Sức khoẻ {i}", "Ăn sáng và bữa trưa.") for i in range(30)]
    records += [(f"party-{i}", f"Tin {i}", "Tin mật về bữa tiệc.") for i in range(12)]
    records += [(f"league-{i}", f"Bóng đá {i}", "Giải V League.") for i in range(3)]
    write_jsonl(src / "news.jsonl", [{"id": i, "title": t, "body": b} for i, t, b in records])
    data = api(_client_of(src, tmp_path_factory, make_client), q="mật v bữa")
    assert data["corrected"] == "mật về bữa"
    assert data["results"][0]["id"].startswith("party-")


@pytest.fixture(scope="module")
def spelt_client(tmp_path_factory, make_client):
    """``phiến quân`` in 500 documents, the typo ``phiến tuân`` in one, ``tuân thủ`` in five;
    ``thay vì`` in 400 documents, ``thấy gì`` in one, ``làm gì`` in five; ``chở bột`` in 400,
    ``khổ`` in three, once as ``khổ bột``."""
    records = [(f"rebel-{i}", f"Tin {i}", "Phiến quân tấn công.") for i in range(500)]
    records += [("typo", "Lỗi gõ", "Bài có chữ phiến tuân."), ("seen", "Hỏi", "Họ thấy gì?")]
    records += [(f"law-{i}", f"Luật {i}", "Tuân thủ luật. Làm gì đây?") for i in range(5)]
    records += [(f"instead-{i}", f"Đời sống {i}", "Thay vì ngồi nhà.") for i in range(400)]
    records += [(f"flour-{i}", f"Vận tải {i}", "Xe chở bột.") for i in range(400)]
    records += [(f"hard-{i}", f"Đời {i}", "Nỗi khổ.") for i in range(2)] + [("hard-flour", "Bếp", "Khổ bột.")]
    src = tmp_path_factory.mktemp("spelt-src")
    write_jsonl(src / "news.jsonl", [{"id": i, "title": t, "body": b} for i, t, b in records])
    return _client_of(src, tmp_path_factory, make_client)


def test_a_real_word_typed_with_diacritics_is_respelt_where_its_neighbours_as_typed_read_so(spelt_client):
    # ``phiến`` is typed with its marks, and ``phiến quân`` is what the documents hold beside it.
    data = api(spelt_client, q="phiến tuân")
    assert data["corrected"] == "phiến quân" and data["total"] == 500


def test_a_word_typed_with_diacritics_is_kept_where_only_another_spelling_of_its_neighbour_reads_otherwise(
        spelt_client):
    # Folded, ``thay gi`` is once and ``thay vi`` 400 times, but every one is ``thay vì``:
    # no document holds ``thấy vì``, so ``thấy gì``, typed with its marks, is what was meant.
    data = api(spelt_client, q="thấy gì")
    assert data["corrected"] is None and data["ran_query"] == "thấy gì"
    assert first_ids(data, 1) == ["seen"]


def test_a_neighbour_respelt_is_no_evidence_for_respelling_a_word_typed_with_diacritics(spelt_client):
    # ``btột`` is respelt ``bột``; beside it ``chở`` is far likelier than ``khổ``, but no
    # word typed says so.
    data = api(spelt_client, q="khổ btột")
    assert data["corrected"] == "khổ bột" and first_ids(data, 1) == ["hard-flour"]


@pytest.fixture(scope="module")
def unheld_client(tmp_path_factory, make_client):
    """``thịt lợn`` in 20 documents, ``lộn`` in 50 others, ``lợi`` in 300, never after
    ``thịt``; ``như trên`` in 200 documents, ``trêu`` in three, once as ``như trêu``;
    ``nhóm đối`` in 20, ``nối`` in 200 and ``mối`` in 30 others."""
    groups = [("pork", "Chợ", "Giá thịt lợn tăng.", 20), ("mess", "Nhà", "Đồ đạc lộn xộn.", 50),
              ("gain", "Kinh tế", "Lợi ích chung.", 300), ("above", "Thông báo", "Như trên đã nói.", 200),
              ("tease", "Trẻ", "Hay trêu bạn.", 2), ("tease", "Trò đùa", "Như trêu ngươi.", None),
              ("gang", "Án", "Bắt nhóm đối tượng.", 20), ("link", "Mạng", "Nối mạng.", 200),
              ("tie", "Quan hệ", "Mối quan hệ.", 30)]
    records = [(key, title, body) if n is None else (f"{key}-{i}", f"{title} {i}", body)
               for key, title, body, n in groups for i in range(n or 1)]
    src = tmp_path_factory.mktemp("unheld-src")
    write_jsonl(src / "news.jsonl", [{"id": i, "title": t, "body": b} for i, t, b in records])
    return _client_of(src, tmp_path_factory, make_client)


@pytest.mark.parametrize("typed, meant", [
    # No document holds ``thịt lợi``; twenty hold ``thịt lợn``, spelt with the tone typed,
    # though ``lộn`` is the commoner spelling of ``lon`` with that tone.
    ("thịt lợi", "thịt lợn"),
    # ``nối`` is a key away from ``mối`` and the commoner word, but no document holds
    # ``nhóm nối``; twenty hold ``nhóm đối``, a likely correction though not the likeliest.
    ("nhóm mối", "nhóm đối"),
])
def test_a_word_typed_with_diacritics_no_document_holds_beside_its_neighbour_is_respelt_as_read(
        unheld_client, typed, meant):
    data = api(unheld_client, q=typed)
    assert data["corrected"] == meant and data["total"] == 20


def test_a_word_typed_with_diacritics_a_document_holds_beside_its_neighbour_is_kept(unheld_client):
    # ``như trên`` is 200 times commoner, but one document holds ``như trêu`` as typed.
    data = api(unheld_client, q="như trêu")
    assert data["corrected"] is None and first_ids(data, 1) == ["tease"]


def test_a_typo_a_document_carries_is_still_corrected(typo_client):
    # ``trupm`` is in one document, ``trump`` in twenty, and beside ``ông`` in all of them.
    data = api(typo_client, q="ông trupm")
    assert data["corrected"] == "ông trump" and data["total"] == 20
    # ``triểu`` is in one document (among those read for how ``trieu tien`` is spelt), ``triều`` in 1,001.
    data = api(typo_client, q="triểu tiên")
    assert data["corrected"] == "triều tiên"
    assert all(doc_id.startswith("kp-") for doc_id in first_ids(data, 10))


def test_a_tone_is_judged_beside_the_spelling_typed_next_to_it(typo_client):
    # Folded, ``bo bien`` is mostly ``bộ biến``; after ``bờ`` it is always ``biển``.
    data = api(typo_client, q="vùng bờ biến")
    assert data["corrected"] == "vùng bờ biển"
    assert all(doc_id.startswith("coast-") for doc_id in first_ids(data, 10))


def test_a_completion_is_spelt_as_after_the_word_typed_before_it(typo_client):
    # Folded, ``trieu tien`` is ``triều tiên`` 1,001 times and ``triệu tiền`` thirty.
    data = api(typo_client, q="triệu tiê", typing="1")
    assert data["completions"][0] == "tiền"
    assert first_ids(data, 1)[0].startswith("money-")
    assert api(typo_client, q="triều tiê", typing="1")["completions"][0] == "tiên"


#: The documents of ``tone_client``: file name, how many, title, body (``{i}``: which one).
TONE_DOCUMENTS = [
    ("ho-{i}", 10, "Tin {i}", "Dạo quanh hồ Gươm buổi sáng số {i}."),
    ("ho-gia-dinh-{i}", 3, "Tin {i}", "Mỗi hộ gia đình nhận quà."),
    ("a-ngan-{i}", 30, "Tin ngăn {i}", "Công an ngăn cản vụ việc."),
    ("z-dep", 1, "Vẻ đẹp ngàn cân", "Bức tượng đẹp ngàn cân."),
    ("du-lich-{i}", 10, "Tin du lịch {i}", "Khách du lịch đến Huế."),
    ("ly-lich", 1, "Hé lộ lý lịch “đen” của kẻ lừa đảo", "Công an điều tra."),
    ("dau-phai-{i}", 6, "Tin {i}", "Đâu phải chuyện đùa."),
    ("dung-dau-{i}", 2, "Tin {i}", "Người đứng đầu phải gương mẫu."),
    ("danh-du", 1, "Người đứng đầu phải có danh dự", "Bài bình luận."),
    ("bac-dau", 1, "Sao Bắc Đẩu", "Nhìn lên trời."),
    ("ban-than-{i}", 3, "Tin {i}", "Bạn thân của tôi."),
    ("than-dep", 1, "Vị thần đẹp nhất", "Chuyện cổ tích."),
    ("b-cu-gia-{i}", 2, "Tin {i}", "Cứ giá cao là mua."),
    ("c-cu-gia-{i:02}", 30, "Tin {i}", "Cụ già đi chợ."),
    ("e-cu-gia-{i:02}", 18, "Tin {i}", "Cứ giá rẻ là bán."),
    ("e-cu-gia-x{i}", 4, "Tin {i}", "Đồ cũ giá rẻ."),
    ("f-cu-gia", 1, "Bầu cử giá trị", "Một lá phiếu."),
]


@pytest.fixture(scope="module")
def tone_client(tmp_path_factory, make_client):
    """``hồ gươm`` in ten documents; ``hộ`` elsewhere, so that ``hộ gươm`` is a real word typed
    wrong; ``ngăn cản`` in thirty documents, and ``đẹp ngàn cân`` after them in one;
    ``du lịch đến`` in ten, and ``lý lịch “đen”`` in one; ``đâu phải`` in six, ``đầu phải`` in
    three, one of them ``đầu phải có danh``, and ``Đẩu`` in one; ``thân`` in three, ``thần
    đẹp`` in one; in this order, ``cứ giá`` in two, ``cụ già`` in thirty, ``cứ giá`` in
    eighteen and ``cũ giá`` in four, then ``cử giá`` in one."""
    src = tmp_path_factory.mktemp("tone-src")
    for name, count, title, body in TONE_DOCUMENTS:
        for i in range(count):
            text = f"{title}\n\n{body}\n".format(i=i)
            (src / f"{name.format(i=i)}.txt").write_text(text, encoding="utf-8")
    return _client_of(src, tmp_path_factory, make_client)


def test_a_wrong_tone_that_spells_another_word_is_corrected_by_context(tone_client):
    data = api(tone_client, q="hộ gươm")
    assert data["corrected"] == "hồ gươm" and data["total"] == 10
    assert api(tone_client, q="hộ gia đình")["corrected"] is None


def test_a_tone_the_whole_phrase_is_spelt_with_is_kept(tone_client):
    # ``ngan can`` is ``ngăn cản`` in every document sampled, but ``đẹp ngàn cân`` is a phrase
    # the index holds as typed.
    data = api(tone_client, q="đẹp ngàn cân")
    assert data["corrected"] is None and data["results"][0]["id"] == "z-dep.txt"


def test_a_real_word_stays_as_typed_where_no_document_holds_the_phrase_to_overrule_it(tone_client):
    # ``lịch đen`` is ``lịch đến`` wherever the bigram stands, but no document holds the
    # phrase typed: the one it comes from has ``đen`` in quotes, across which no bigram reaches.
    data = api(tone_client, q="lý lịch đen")
    assert data["corrected"] is None and data["results"][0]["id"] == "ly-lich.txt"


def test_a_tone_its_neighbours_leave_open_is_the_one_every_document_holding_the_phrase_has(tone_client):
    # Beside ``phải`` the documents are split (``đâu phải`` 6, ``đầu phải`` 3); the one
    # document holding the whole phrase spells ``đầu``, and ``đẩu`` is rarer.
    data = api(tone_client, q="đẩu phải có danh")
    assert data["corrected"] == "đầu phải có danh" and data["results"][0]["id"] == "danh-du.txt"


@pytest.mark.parametrize("q, source", [("thân đẹp", "than-dep.txt"), ("cử giá", "f-cu-gia.txt")])
def test_a_phrase_in_few_documents_does_not_overrule_a_common_spelling_or_a_sample(tone_client, q, source):
    # One document has ``thần đẹp``, but ``thân`` is the commoner word. Beside ``giá`` the
    # documents read spell ``cứ`` or ``cũ``, too split to say; of those holding ``cu gia``
    # with ``giá`` few are read, and the one spelling ``cử giá`` may not be among them.
    data = api(tone_client, q=q)
    assert data["corrected"] is None and source in [r["id"] for r in data["results"]]


@pytest.fixture(scope="module")
def held_client(tmp_path_factory, make_client):
    """``hành vi mua bán`` in forty documents, then ``vì mua bán`` in one; ``tố cáo Vân`` in
    twenty, then ``tố “đạo văn”`` in one; ``phụ trách`` and ``trách nhiệm`` in 150, never
    one after the other, then ``phủi trách nhiệm`` in one."""
    records = [(f"hanh-vi-{i:02}", f"Tin {i}", "Xử lý hành vi mua bán hàng giả.") for i in range(40)]
    records.append(("vi-mua-ban", "Bị bắt vì mua bán ma tuý", "Công an điều tra."))
    records += [(f"to-cao-{i:02}", f"Tin {i}", "Chị Mai tố cáo Vân lừa đảo.") for i in range(20)]
    records.append(("dao-van", "Nhà văn bị tố “đạo văn”", "Tác giả lên tiếng."))
    records += [(f"phu-trach-{i:03}", f"Dự án {i}", "Ông Nam phụ trách dự án và chịu trách nhiệm.")
                for i in range(150)]
    records.append(("phui", "Không thể phủi trách nhiệm", "Chủ đầu tư lên tiếng."))
    src = tmp_path_factory.mktemp("held-src")
    write_jsonl(src / "news.jsonl", [{"id": i, "title": t, "body": b} for i, t, b in records])
    return _client_of(src, tmp_path_factory, make_client)


@pytest.mark.parametrize("q, source", [("vì mua bán", "vi-mua-ban"), ("to dao van", "dao-van"),
                                       ("phui trach nhiem", "phui")])
def test_a_phrase_the_index_holds_as_typed_is_not_corrected_to_a_commoner_one(held_client, q, source):
    # Folded, ``vi mua ban`` is ``hành vi mua bán`` in forty documents of the forty-one, but
    # one spells it ``vì``; ``to dao van`` stands across a quotation mark, which no bigram
    # spans, while ``tố cáo Vân`` is in twenty. Forty and twenty are fewer than a hundred times
    # one. ``phụ trách nhiệm`` is in no document: its bigrams are in 150, never one after the other.
    for typing in ("", "1"):
        data = api(held_client, q=q, typing=typing)
        assert data["corrected"] is None and data["results"][0]["id"] == source
    # A phrase the index does not hold as typed is still corrected.
    assert api(held_client, q="hành vì mua bán")["corrected"] == "hành vi mua bán"


@pytest.fixture(scope="module")
def title_client(tmp_path_factory, make_client):
    """``cơ quan công an`` and ``Bộ Công Thương`` in 300 documents each; ``Quang Công`` in
    one title, ``bọc công`` in one body."""
    records = [(f"quan-cong-{i:03}", f"Tin {i}", "Cơ quan công an phường vào cuộc.") for i in range(300)]
    records += [(f"bo-cong-{i:03}", f"Tin {i}", "Bộ Công Thương kiểm tra thị trường.") for i in range(300)]
    records.append(("quang-cong", "Võ sĩ Quang Công giành huy chương", "Lễ trao giải diễn ra tối qua."))
    records.append(("boc-cong", "Cách gói quà", "Dùng giấy bọc công phu rồi buộc nơ."))
    src = tmp_path_factory.mktemp("title-src")
    write_jsonl(src / "news.jsonl", [{"id": i, "title": t, "body": b} for i, t, b in records])
    return _client_of(src, tmp_path_factory, make_client)


def test_a_phrase_a_title_holds_as_typed_is_not_corrected_to_a_commoner_one(title_client):
    # A title is edited text that readers look for: holding the phrase, it counts as twenty
    # documents, and 300 is fewer than a hundred times twenty-one.
    for typing in ("", "1"):
        data = api(title_client, q="quang cong", typing=typing)
        assert data["corrected"] is None and data["results"][0]["id"] == "quang-cong"
    # Held in one body only, against 300, the phrase is still taken for a typo.
    assert api(title_client, q="boc cong")["corrected"] == "bộ công"


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


def test_a_phrase_is_spelt_as_each_document_writes_it_nfd_and_old_tones_included(tmp_path):
    """How documents spell a phrase is read from their text where the phrase stands: an NFD
    document and one with the old tone placement spell it as their NFC, new-style twins do,
    and a document spelling it two ways counts for both."""
    import unicodedata

    from indexer.analysis import normalise_word
    from indexer.store import kept_reader
    from indexer.vocabulary import Vocabulary

    docs = [
        {"id": "nfc", "title": "Tin", "body": "Hoạt động hòa nhạc ở Huế."},
        {"id": "nfd", "title": "Tin", "body": unicodedata.normalize("NFD", "Buổi hòa nhạc đầu năm.")},
        {"id": "old", "title": "Tin", "body": "Đêm hoà nhạc mùa thu."},
        {"id": "two", "title": "Tin", "body": "Hòa nhạc. Hoa nhac trong văn bản không dấu."},
    ]
    write_jsonl(tmp_path / "src" / "docs.jsonl", docs)
    reindex([tmp_path / "src"], tmp_path / "index", procs=1, log=lambda line: None)
    vocab = Vocabulary(kept_reader(tmp_path / "index"))
    toned = normalise_word("hòa")  # one canonical tone placement for both
    hoa, nhac = vocab.phrase_evidence(["hoa", "nhac"])
    assert hoa == {toned: 4, "hoa": 1} and nhac == {"nhạc": 4, "nhac": 1}
    assert vocab.phrase_evidence(["hoa", "nhac"], places={1}) == [{}, nhac]
    assert vocab.spell_phrase(["hoa", "nhac"]) == [toned, "nhạc"]


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
