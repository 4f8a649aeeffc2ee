"""Loading documents: what a user pointing vnsearch at a folder of files gets back."""
import datetime
import gzip
import json
import os
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from helpers import windows_1258
from indexer.documents import (
    MAX_FILE_BYTES,
    Document,
    Skipped,
    content_hash,
    decode_text,
    document_from_text,
    extract_date,
    html_to_text,
    iter_documents,
)
from indexer.errors import DocumentError

TITLE = "Hội nghị Giáo dục và Đào tạo tỉnh Hòa Bình năm 2024"
BODY = "Sáng ngày 04 tháng 07 năm 2024, Sở Giáo dục tổ chức hội nghị.\n\nĐại biểu thảo luận về chất lượng giáo dục."


def load(source):
    """All results of iter_documents, split into documents by id and skipped files."""
    results = list(iter_documents(source))
    docs = {r.id: r for r in results if isinstance(r, Document)}
    skipped = [r for r in results if isinstance(r, Skipped)]
    assert len(docs) + len(skipped) == len(results)
    return docs, skipped


def reasons(skipped):
    """{file name or name:line -> reason} for Skipped records."""
    return {os.path.basename(s.path): s.reason for s in skipped}


# --- .txt -----------------------------------------------------------------------------

def test_txt_first_nonempty_line_is_title_rest_is_body(tmp_path):
    (tmp_path / "a.txt").write_text("\n\n  " + TITLE + "  \n\n" + BODY + "\n\n", encoding="utf-8")
    docs, skipped = load(tmp_path)
    assert skipped == []
    doc = docs["a.txt"]
    assert (doc.title, doc.body) == (TITLE, BODY)
    assert doc.path == str(tmp_path / "a.txt")
    assert doc.date == datetime.date(2024, 7, 4)
    assert doc.url == ""


def test_txt_windows_and_old_mac_newlines_become_newline(tmp_path):
    (tmp_path / "crlf.txt").write_bytes(b"Title\r\nline one\r\nline two\r\n")
    (tmp_path / "cr.txt").write_bytes(b"Title\rline one\rline two\r")
    docs, _ = load(tmp_path)
    assert docs["crlf.txt"].body == docs["cr.txt"].body == "line one\nline two"


def test_txt_with_only_a_title_line_has_empty_body():
    doc = document_from_text("x.txt", "  Chỉ có tiêu đề  \n\n", "x.txt")
    assert (doc.title, doc.body) == ("Chỉ có tiêu đề", "")


def test_txt_keeps_nbsp_zero_width_space_and_emoji():
    doc = document_from_text("x.txt", "Tiêu đề\nA\u00a0B\u200bC 🎉", "x.txt")
    assert doc.body == "A\u00a0B\u200bC 🎉"


# --- .html ----------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Tin giáo dục</title>
<style>.menu { color: red }</style><script>var tracking = "secret";</script></head>
<body>
<header>Trang chủ | Liên hệ</header><nav><a href="/">Mục lục điều hướng</a></nav>
<!-- bình luận ẩn -->
<article><h1>Tin giáo dục</h1>
<p>Học sinh <b>tỉnh</b> Hòa&nbsp;Bình đạt giải cao.</p>
<p>Mã &lt;script&gt;alert(1)&lt;/script&gt; chỉ là chữ.</p>
<noscript>Bật JavaScript</noscript><form>Tìm kiếm</form><aside>Quảng cáo</aside>
</article>
<footer>Bản quyền 2024</footer><script>document.write("injected")</script>
</body></html>"""


def test_html_title_and_article_text_without_page_furniture():
    title, body = html_to_text(PAGE)
    assert title == "Tin giáo dục"
    assert "Học sinh tỉnh Hòa\u00a0Bình đạt giải cao." in body
    for hidden in ("color: red", "tracking", "secret", "Trang chủ", "Mục lục điều hướng",
                   "bình luận ẩn", "Bật JavaScript", "Tìm kiếm", "Quảng cáo", "Bản quyền", "injected"):
        assert hidden not in body


def test_html_entity_escaped_script_is_literal_text():
    _, body = html_to_text(PAGE)
    assert "Mã <script>alert(1)</script> chỉ là chữ." in body


def test_html_h1_equal_to_title_is_not_repeated_in_body():
    _, body = html_to_text(PAGE)
    assert "Tin giáo dục" not in body


def test_html_blocks_become_paragraphs_and_br_a_line_break():
    title, body = html_to_text("<title>T</title><div>Một</div><p>Hai<br>Ba</p><ul><li>Bốn</li><li>Năm</li></ul>")
    assert body == "Một\n\nHai\nBa\n\nBốn\n\nNăm"


def test_html_title_falls_back_to_h1_then_first_line():
    title, body = html_to_text("<header><h1>Logo</h1></header><h1>Bài  viết\nmới</h1><p>Nội dung</p>")
    assert (title, body) == ("Bài viết mới", "Nội dung")
    assert html_to_text("<p>Dòng đầu tiên</p><p>Dòng sau</p>") == ("Dòng đầu tiên", "Dòng đầu tiên\n\nDòng sau")


def test_html_file_loads_with_date_and_uppercase_extension(tmp_path):
    (tmp_path / "tin.HTM").write_text("<title>Tin</title><p>Hà Nội, 25/04/2014</p>", encoding="utf-8")
    docs, _ = load(tmp_path)
    assert docs["tin.HTM"].date == datetime.date(2014, 4, 25)


def test_html_without_any_text_is_skipped(tmp_path):
    (tmp_path / "blank.html").write_text("<html><script>x()</script></html>", encoding="utf-8")
    _, skipped = load(tmp_path)
    assert reasons(skipped) == {"blank.html": "no text"}


# --- Encodings ------------------------------------------------------------------------

CONTENT = TITLE + "\n" + BODY


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
    pytest.param(lambda t: t.encode("utf-8-sig"), id="utf-8-bom"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
    pytest.param(lambda t: t.encode("utf-16-be").join([b"\xfe\xff", b""]), id="utf-16-be-bom"),
    pytest.param(lambda t: t.encode("utf-16-le"), id="utf-16-le-no-bom"),
    pytest.param(lambda t: unicodedata.normalize("NFD", t).encode("utf-8"), id="nfd-utf-8"),
    pytest.param(lambda t: windows_1258(t.replace("\n", "\r\n")), id="windows-1258"),
])
def test_every_encoding_loads_to_the_same_nfc_text(tmp_path, encode):
    (tmp_path / "doc.txt").write_bytes(encode(CONTENT))
    docs, skipped = load(tmp_path)
    assert skipped == []
    assert (docs["doc.txt"].title, docs["doc.txt"].body) == (TITLE, BODY)


def test_windows_1258_file_really_contains_combining_tone_marks():
    raw = windows_1258(TITLE)
    assert raw != TITLE.encode("utf-8")
    assert decode_text(raw) == TITLE
    assert unicodedata.is_normalized("NFC", decode_text(raw))


def test_mostly_utf8_file_with_one_damaged_byte_stays_utf8():
    text = decode_text(CONTENT.encode("utf-8") + b" \xff")
    assert text.startswith(TITLE)


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b" \n\t\r\n", "empty file"),
    (b"\xef\xbb\xbf", "empty file"),
    (b"\x89PNG\r\n\x1a\n" + os.urandom(200), "binary file"),
    (b"abc\x00def", "binary file"),
    (b"Gi\x81o d\x8dc", "cannot decode (not UTF-8/UTF-16/Windows-1258)"),
    (b"\xe0\x01\x02\x03\x04\x05\x06 control soup \x07\x08\x0e\x0f", "cannot decode (not UTF-8/UTF-16/Windows-1258)"),
])
def test_decode_text_refuses_what_is_not_text(data, reason):
    with pytest.raises(DocumentError) as err:
        decode_text(data)
    assert str(err.value) == reason


# --- Bad files never stop the walk ----------------------------------------------------

def test_bad_files_are_skipped_with_reason_and_the_rest_still_load(tmp_path):
    (tmp_path / "a_good.txt").write_text(CONTENT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(500))
    (tmp_path / "garbled.html").write_bytes(b"<p>Gi\x81o d\x8dc</p>")
    (tmp_path / "z_good.html").write_text("<title>Z</title><p>Cuối</p>", encoding="utf-8")
    docs, skipped = load(tmp_path)
    assert sorted(docs) == ["a_good.txt", "z_good.html"]
    assert reasons(skipped) == {
        "empty.txt": "empty file",
        "image.txt": "binary file",
        "garbled.html": "cannot decode (not UTF-8/UTF-16/Windows-1258)",
    }


def test_directory_symlink_loop_terminates_and_is_reported(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(CONTENT, encoding="utf-8")
    os.symlink(folder, folder / "loop")
    docs, skipped = load(folder)
    assert list(docs) == ["a.txt"]
    assert [(s.path, s.reason) for s in skipped] == [(str(folder / "loop"), "directory loop")]


def test_symlinked_folder_is_followed_once(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text(CONTENT, encoding="utf-8")
    source = tmp_path / "source"
    source.mkdir()
    os.symlink(real, source / "linked")
    os.symlink(real, source / "linked_again")
    docs, skipped = load(source)
    assert list(docs) == ["linked/a.txt"]
    assert reasons(skipped) == {"linked_again": "folder already read through another path"}


def test_broken_symlink_is_skipped(tmp_path):
    os.symlink(tmp_path / "missing.txt", tmp_path / "dangling.txt")
    _, skipped = load(tmp_path)
    assert reasons(skipped) == {"dangling.txt": "broken symlink"}


def test_unreadable_file_is_skipped(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read a chmod 000 file")
    secret = tmp_path / "secret.txt"
    secret.write_text(CONTENT, encoding="utf-8")
    secret.chmod(0)
    try:
        _, skipped = load(tmp_path)
    finally:
        secret.chmod(0o644)
    assert reasons(skipped) == {"secret.txt": "permission denied"}


def test_fifo_named_like_a_document_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    _, skipped = load(tmp_path)
    assert reasons(skipped) == {"pipe.txt": "not a regular file"}


def test_file_over_the_size_limit_is_skipped(tmp_path):
    with open(tmp_path / "huge.txt", "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    _, skipped = load(tmp_path)
    assert reasons(skipped) == {"huge.txt": "file too large (>20 MB)"}


def test_other_extensions_and_hidden_files_are_silently_ignored(tmp_path):
    (tmp_path / "notes.md").write_text(CONTENT, encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / ".hidden.txt").write_text(CONTENT, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "a.txt").write_text(CONTENT, encoding="utf-8")
    (tmp_path / "shown.TXT").write_text(CONTENT, encoding="utf-8")
    docs, skipped = load(tmp_path)
    assert (list(docs), skipped) == (["shown.TXT"], [])


# --- Ids ------------------------------------------------------------------------------

def test_ids_are_relative_paths_with_slashes_in_stable_order(tmp_path):
    for rel in ("b.txt", "a/z.txt", "a/b/c.html", "Đà Nẵng/tin.txt"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<title>{rel}</title>x" if rel.endswith(".html") else f"{rel}\nx", encoding="utf-8")
    first = list(iter_documents(tmp_path))
    assert [d.id for d in first] == ["a/b/c.html", "a/z.txt", "b.txt", "Đà Nẵng/tin.txt"]
    assert list(iter_documents(str(tmp_path))) == first


def test_single_file_source_uses_the_file_name_as_id(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "one.txt"
    path.write_text(CONTENT, encoding="utf-8")
    docs, _ = load(path)
    assert list(docs) == ["one.txt"]
    assert docs["one.txt"].path == str(path)


def test_missing_source_raises_immediately(tmp_path):
    with pytest.raises(DocumentError, match="source not found"):
        iter_documents(tmp_path / "nope")


# --- .jsonl / .jsonl.gz ---------------------------------------------------------------

def jsonl(*records):
    """JSON Lines text; str items are written as raw lines."""
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def test_jsonl_fields_map_to_documents(tmp_path):
    (tmp_path / "c.jsonl").write_text(jsonl(
        {"id": "x1", "title": "Tiêu đề", "abstract": "Tóm tắt.", "body": "Thân bài.", "url": "https://a.vn/1",
         "date": "2024-07-04"},
        {"_id": "n0", "title": "Khác", "text": "Văn bản."},
        {"id": 7, "title": "Số", "body": "Ngày 05/02/2021 16:44 GMT+7, tin."},
    ), encoding="utf-8")
    docs, skipped = load(tmp_path)
    assert skipped == []
    assert docs["x1"] == Document("x1", "Tiêu đề", "Tóm tắt.\n\nThân bài.", str(tmp_path / "c.jsonl"),
                                  "https://a.vn/1", datetime.date(2024, 7, 4), docs["x1"].content_hash)
    assert docs["n0"].body == "Văn bản."
    assert docs["7"].date == datetime.date(2021, 2, 5)


def test_jsonl_record_without_title_uses_first_line_cut_to_120_chars(tmp_path):
    long_line = " ".join(["Giáo dục"] * 40)
    (tmp_path / "c.jsonl").write_text(jsonl({"id": "1", "text": long_line + "\nDòng hai"}), encoding="utf-8")
    docs, _ = load(tmp_path)
    title = docs["1"].title
    assert len(title) <= 120 and long_line.startswith(title) and title.endswith("dục")


def test_jsonl_bad_lines_are_skipped_with_line_numbers_and_the_rest_kept(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(jsonl(
        {"id": "1", "title": "Một", "body": "a"},
        "{not json",
        "",
        "[1, 2]",
        {"title": "không có id", "body": "b"},
        {"id": "6", "title": "", "body": ""},
        {"id": "7", "title": "Bảy", "body": "c"},
    ), encoding="utf-8")
    docs, skipped = load(tmp_path)
    assert list(docs) == ["1", "7"]
    assert [(s.path, s.reason) for s in skipped] == [
        (f"{path}:2", "bad JSON on line 2"),
        (f"{path}:4", "not a JSON object on line 4"),
        (f"{path}:5", "missing id on line 5"),
        (f"{path}:6", "no text on line 6"),
    ]


def test_jsonl_gz_loads_like_jsonl(tmp_path):
    text = jsonl({"id": "g1", "title": "Nén", "body": "Nội dung nén."})
    (tmp_path / "plain.jsonl").write_text(text.replace("g1", "p1"), encoding="utf-8")
    with gzip.open(tmp_path / "packed.JSONL.GZ", "wt", encoding="utf-8") as f:
        f.write(text)
    docs, skipped = load(tmp_path)
    assert skipped == []
    assert docs["g1"].body == docs["p1"].body == "Nội dung nén."
    assert docs["g1"].path == str(tmp_path / "packed.JSONL.GZ")


def test_broken_gzip_is_skipped(tmp_path):
    (tmp_path / "fake.jsonl.gz").write_bytes(b'{"id": "1"}\n')
    packed = gzip.compress(jsonl({"id": "1", "title": "a"}, {"id": "2", "title": "b"}).encode())
    (tmp_path / "truncated.jsonl.gz").write_bytes(packed[:-12])
    _, skipped = load(tmp_path)
    found = reasons(skipped)
    assert found["fake.jsonl.gz"].startswith("bad gzip file")
    assert found["truncated.jsonl.gz"].startswith("bad gzip file")


def test_jsonl_line_over_the_size_limit_is_skipped(tmp_path):
    path = tmp_path / "c.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "big", "body": "x" * MAX_FILE_BYTES}) + "\n")
        f.write(jsonl({"id": "after", "title": "Sau"}))
    docs, skipped = load(tmp_path)
    assert list(docs) == ["after"]
    assert [(s.path, s.reason) for s in skipped] == [(f"{path}:1", "line too large (>20 MB) on line 1")]


# --- Dates ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Hà Nội, ngày 04 tháng 07 năm 2024", datetime.date(2024, 7, 4)),
    ("NGÀY  4 THÁNG\u00a07 NĂM 2024", datetime.date(2024, 7, 4)),
    ("Cập nhật 25/04/2014", datetime.date(2014, 4, 25)),
    ("Cập nhật 25-04-2014", datetime.date(2014, 4, 25)),
    ("Cập nhật 25.04.2014.", datetime.date(2014, 4, 25)),
    ("Thứ Sáu, 05/02/2021 16:44 GMT+7", datetime.date(2021, 2, 5)),
    ("published 2024-07-04T08:00:00+07:00", datetime.date(2024, 7, 4)),
    ("Chiều 23/7, đoàn công tác đến thăm.", None),
    ("Ngày 31/02/2020 không tồn tại", None),
    ("ngày 32 tháng 1 năm 2020", None),
    ("Năm 1850: 01/01/1850", None),
    ("Giao ban quý 2/2021", None),
    ("Năm học 2013-2014", None),
    ("Từ tháng 6/2021", None),
    ("Giá 1.500.000 đồng", None),
])
def test_extract_date(text, expected):
    assert extract_date(text) == expected


def test_extract_date_first_full_date_in_text_order_wins():
    assert extract_date("Chiều 23/7 họp. Ngày 2024-07-04 và ngày 03 tháng 05 năm 2020") == datetime.date(2024, 7, 4)
    assert extract_date("31/02/2020 sai, ngày 03 tháng 05 năm 2020 đúng") == datetime.date(2020, 5, 3)


def test_extract_date_only_looks_near_the_top():
    assert extract_date("x" * 5000 + " 25/04/2014") is None


# --- Content hash ---------------------------------------------------------------------

def test_content_hash_follows_content_not_identity():
    one = document_from_text("a.txt", CONTENT, "a.txt")
    same = document_from_text("b.txt", CONTENT, "elsewhere/b.txt")
    edited = document_from_text("a.txt", CONTENT + " (sửa)", "a.txt")
    assert one.content_hash == same.content_hash == content_hash(TITLE, BODY, "", datetime.date(2024, 7, 4))
    assert edited.content_hash != one.content_hash
    assert len(one.content_hash) == 40


# --- Properties -----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_decode_text_gives_nfc_text_or_a_document_error(data):
    try:
        text = decode_text(data)
    except DocumentError:
        return
    assert text.strip() and "\r" not in text
    assert unicodedata.is_normalized("NFC", text)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\t\n\r"), max_size=200))
def test_utf8_text_round_trips_up_to_nfc_and_newlines(text):
    try:
        decoded = decode_text(text.encode("utf-8"))
    except DocumentError:
        return
    assert decoded == unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>/!-&;#x pbrh1titleàộ\n\"'=sciptyl"), max_size=200))
def test_html_to_text_never_fails_on_markup_soup(html):
    title, body = html_to_text(html)
    assert unicodedata.is_normalized("NFC", title) and unicodedata.is_normalized("NFC", body)
    assert "\n" not in title


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789/.- ngàytháng năm", max_size=60))
def test_extract_date_returns_a_plausible_date_or_none(text):
    found = extract_date(text)
    assert found is None or 1900 <= found.year <= 2100
