"""The web app through Flask's test client: the search page, document pages, the JSON API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape

from indexer.build import reindex
from indexer.config import Config
from indexer.store import current_generation
from webapp.app import SECURITY_HEADERS

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

HO_GUOM = "2023-ho-guom-ho-nuoc-noi-do.txt"
XSS_DOC = "2022-tap-huan-an-toan-thong-tin-nganh-giao-duc.html"
UNDATED_DOC = "thuy-nguyen-trien-khai-nam-hoc-moi.txt"
OUR_SCRIPT_TAG = '<script src="/static/search.js" defer></script>'


def api(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def page(client, url="/", status=200, **params):
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.content_type.startswith("text/html")
    return response.get_data(as_text=True)


def links(html: str, pattern: str) -> list[str]:
    """The hrefs of the <a> elements in ``html`` whose opening tag matches ``pattern``."""
    hrefs = []
    for tag in re.findall(r"<a\b[^>]*>", html):
        if re.search(pattern, tag):
            hrefs.append(re.search(r'href="([^"]*)"', tag).group(1).replace("&amp;", "&"))
    return hrefs


def params_of(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def assert_json_error(response, status: int):
    assert response.status_code == status
    assert response.content_type == "application/json"
    body = response.get_json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in body["error"]


# --- Matching and highlighting -------------------------------------------------------------


def test_unaccented_query_highlights_accented_words(client):
    data = api(client, q="giao duc")
    assert data["total"] >= 5
    assert any(re.search(r"<mark>giáo dục</mark>", hit["snippet"], re.I) for hit in data["results"])
    html = page(client, q="giao duc")
    assert re.search(r"<mark>giáo dục</mark>", html, re.I)
    assert f"Khoảng {data['total']} kết quả (" in html
    assert str(SAMPLES) not in html, "no server directories on the page"


@pytest.mark.parametrize("q", ["giáo dục", "GIÁO DỤC", "GIAO DUC", "Giáo Dục"])
def test_accented_and_uppercase_queries_find_the_same_documents(client, q):
    expected = {hit["id"] for hit in api(client, q="giao duc", per_page=50)["results"]}
    data = api(client, q=q, per_page=50)
    assert {hit["id"] for hit in data["results"]} == expected
    assert any(re.search(r"<mark>giáo dục</mark>", hit["snippet"], re.I) for hit in data["results"])


def test_html_and_json_are_the_same_query(client):
    data = api(client, q="giao duc", per_page=3, sort="date")
    html = page(client, q="giao duc", per_page=3, sort="date")
    doc_links = links(html, r'href="/doc/')
    assert [urlsplit(h).path for h in doc_links] == [f"/doc/{hit['id']}" for hit in data["results"]]


def fragment(client, status=200, **params):
    """The results region alone, as search.js fetches it while the user types."""
    response = client.get("/", query_string={**params, "fragment": "1"})
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.content_type == "text/html; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    return response.get_data(as_text=True)


def without_timing(html: str) -> str:
    return re.sub(r"\(\d+ ms\)", "(… ms)", html)


def region_of(html: str) -> str:
    """The results region of a whole page: from its opening tag to the end of <main>."""
    return html[html.index('<div id="results-region"'):html.index("</main>")].strip()


@pytest.mark.parametrize("params", [
    {"q": "giao duc", "per_page": "3", "sort": "date", "page": "2"},
    {"q": "giao duc", "year": "2022"},
    {"q": "guomm"},
    {"q": "giaos ducj"},
    {"q": "zzzqqqxxx"},
    {"q": "giao duc", "page": "50"},
    {},
])
def test_fragment_is_the_results_region_of_the_page(client, params):
    part = fragment(client, **params)
    assert part.lstrip().startswith('<div id="results-region"') and part.rstrip().endswith("</div>")
    assert "<html" not in part and "<form" not in part and "<script" not in part
    assert without_timing(part.strip()) == without_timing(region_of(page(client, **params)))
    assert "fragment" not in "".join(links(part, r"href=")), "links lead to whole pages"


def test_fragment_carries_the_page_title(client):
    part = fragment(client, q="hồ Gươm")
    assert 'data-title="hồ Gươm – vnsearch"' in part
    assert "<title>hồ Gươm – vnsearch</title>" in page(client, q="hồ Gươm")
    assert 'data-title="vnsearch: tìm kiếm tài liệu tiếng Việt"' in fragment(client)


def test_fragment_of_bad_parameters_says_what_is_wrong(client):
    message = client.get("/api/search", query_string={"q": "giao duc", "page": "0"}).get_json()["error"]
    part = fragment(client, status=400, q="giao duc", page="0")
    assert part.lstrip().startswith('<div id="results-region"')
    assert "Tham số không hợp lệ" in part and str(escape(message)) in part


def test_fragment_without_an_index_says_to_reindex(empty_client):
    part = fragment(empty_client, status=503, q="giao duc")
    assert part.lstrip().startswith('<div id="results-region"') and "<html" not in part
    assert "Chưa có chỉ mục: chạy vnsearch reindex" in part


# --- Pagination, facets, sorting -----------------------------------------------------------------


def test_pagination_pages_differ_and_total_is_stable(client):
    first = api(client, q="giao duc", per_page=3)
    second = api(client, q="giao duc", per_page=3, page=2)
    assert first["total"] == second["total"] > 3
    assert second["page"] == 2
    ids1 = {hit["id"] for hit in first["results"]}
    ids2 = {hit["id"] for hit in second["results"]}
    assert ids1 and ids2 and not ids1 & ids2


def test_pagination_links_keep_query_sort_and_year(client):
    html = page(client, q="giao duc", per_page=2, sort="date", year="2022")
    nav = re.search(r'<nav class="pagination" aria-label="Phân trang">.*?</nav>', html, re.S).group(0)
    assert re.search(r'aria-current="page">1<', nav)
    hrefs = links(nav, r"href=")
    assert hrefs
    for href in hrefs:
        p = params_of(href)
        assert p["q"] == "giao duc" and p["sort"] == "date" and p["year"] == "2022" and p["per_page"] == "2"
    next_href = links(nav, r'rel="next"')[0]
    assert params_of(next_href)["page"] == "2"
    second = client.get(next_href).get_data(as_text=True)
    assert re.search(r'aria-current="page">2<', second)
    assert links(second, r'rel="prev"')


def test_page_past_the_last_one_says_so(client):
    html = page(client, q="giao duc", page=50)
    assert "không có kết quả" in html
    assert "Về trang đầu" in html


def test_year_filter(client):
    unfiltered = api(client, q="giao duc", per_page=50)
    counts = {f["year"]: f["count"] for f in unfiltered["facets"]["year"]}
    assert len(counts) >= 2
    for year, count in counts.items():
        data = api(client, q="giao duc", year=str(year), per_page=50)
        assert data["year"] == year
        assert data["total"] == count == len(data["results"])
        assert all(hit["date"].startswith(f"{year}-") for hit in data["results"])
        # The facet still lists every year, so the user can switch.
        assert {f["year"]: f["count"] for f in data["facets"]["year"]} == counts


def test_year_facet_links_on_the_page(client):
    html = page(client, q="giao duc")
    assert "Tất cả các năm" in html
    year_links = links(html, r'href="/\?[^"]*year=')
    assert year_links
    filtered = page(client, year_links[0])
    year = params_of(year_links[0])["year"]
    dates = re.findall(r'<time datetime="(\d{4})-', filtered)
    assert dates and set(dates) == {year}
    assert re.search(rf'aria-current="true">\s*<span class="facet-value">{year}<', filtered)


def test_sort_by_date_is_newest_first(client):
    data = api(client, q="nam hoc", sort="date", per_page=50)
    dates = [hit["date"] for hit in data["results"] if hit["date"]]
    assert len(dates) >= 5
    assert dates == sorted(dates, reverse=True)
    assert all(hit["score"] is None for hit in data["results"])
    html = page(client, q="nam hoc", sort="date")
    assert re.search(r'aria-current="true">Mới nhất<', html)


def test_sort_by_date_puts_undated_documents_last(client):
    ids = [hit["id"] for hit in api(client, q="nam hoc", sort="date", per_page=50)["results"]]
    assert UNDATED_DOC in ids
    assert ids[-1] == UNDATED_DOC


# --- Suggestions and Telex -----------------------------------------------------------------------


def test_did_you_mean_link(client):
    data = api(client, q="guomm", exact="1")
    assert data["total"] == 0 and data["suggestion"] == "gươm"
    html = page(client, q="guomm", exact="1")
    assert "Có phải bạn muốn tìm:" in html
    href = links(html, r'href="/\?q=g%C6%B0%C6%A1m')
    assert href, "the suggestion is a link to its search"
    followed = client.get(href[0]).get_data(as_text=True)
    assert HO_GUOM in followed
    assert re.search(r"<mark>Gươm</mark>", followed, re.I)


def test_telex_query_shows_the_notice_and_results(client):
    data = api(client, q="giaos ducj")
    assert data["notice"] and data["ran_query"] == "giáo dục"
    assert data["total"] > 0
    html = page(client, q="giaos ducj")
    assert "Telex" in html and "giáo dục" in html
    assert re.search(r"<mark>giáo dục</mark>", html, re.I)
    # Document links highlight the reading that was run, not what was typed.
    doc_link = links(html, r'href="/doc/')[0]
    assert params_of(doc_link)["q"] == "giáo dục"


def test_no_results_shows_the_empty_state(client):
    html = page(client, q="zzzqqqxxx")
    assert "Không tìm thấy tài liệu nào" in html
    assert "0 kết quả" in html
    assert '<ol class="results"' not in html


def test_empty_query(client):
    data = api(client, q="")
    assert data["total"] == 0 and data["results"] == []
    assert api(client)["total"] == 0
    html = page(client)
    assert '<label for="q"' in html and 'name="q"' in html
    assert '<html lang="vi">' in html


# --- Documents ---------------------------------------------------------------------------------


def test_document_page_highlights_the_query(client):
    html = page(client, f"/doc/{HO_GUOM}", q="hồ")
    assert html.count("<mark>hồ</mark>") + html.count("<mark>Hồ</mark>") >= 3
    assert 'href="/?q=h%E1%BB%93"' in html  # back to the results
    plain = page(client, f"/doc/{HO_GUOM}")
    assert "<mark>" not in plain and "Gươm" in plain


def test_document_page_finds_result_links(client):
    for hit in api(client, q="giao duc", per_page=50)["results"]:
        assert client.get(f"/doc/{hit['id']}").status_code == 200


@pytest.mark.parametrize("url", [
    "/doc/no-such-document.txt",
    "/doc/../pyproject.toml",
    "/doc/..%2F..%2Fpyproject.toml",
    "/doc/%2e%2e/%2e%2e/etc/passwd",
    "/doc//etc/passwd",
    "/doc/etc/passwd",
    "/doc/samples/" + HO_GUOM,
    "/doc/%00",
    "/doc/%FF",
])
def test_unknown_document_is_a_404_page(client, url):
    response = client.get(url, follow_redirects=True)  # "//" is first merged by a redirect
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    text = response.get_data(as_text=True)
    assert "Không tìm thấy" in text
    assert "root:" not in text and "[project]" not in text


def test_document_ids_are_only_looked_up_in_the_index(client):
    # A path that exists on disk is still a 404: nothing is read from the file system.
    assert (Path(__file__).parent.parent / "pyproject.toml").exists()
    assert client.get("/doc/pyproject.toml").status_code == 404


# --- Escaping ---------------------------------------------------------------------------------


def test_script_text_in_a_document_stays_text(client):
    data = api(client, q="script alert")
    assert data["results"][0]["id"] == XSS_DOC
    assert "&lt;" in data["results"][0]["snippet"]
    assert "<script" not in data["results"][0]["snippet"]
    for html in (page(client, q="script alert"), page(client, f"/doc/{XSS_DOC}", q="script"),
                 page(client, f"/doc/{XSS_DOC}")):
        text = re.sub(r"</?mark>", "", html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "<script>alert" not in text
        assert re.findall(r"<script\b[^>]*>", html) == [OUR_SCRIPT_TAG.removesuffix("</script>")]


@pytest.mark.parametrize("q", ["<img src=x onerror=alert(1)>", '"><script>alert(1)</script>', "</title><b>x"])
def test_query_is_echoed_only_escaped(client, q):
    for url in ("/", f"/doc/{HO_GUOM}", "/doc/missing.txt"):
        response = client.get(url, query_string={"q": q})
        html = response.get_data(as_text=True)
        assert q not in html
        assert "<img" not in html and "<b>x" not in html
        assert re.findall(r"<script\b[^>]*>", html) == [OUR_SCRIPT_TAG.removesuffix("</script>")]
    assert str(escape(q)) in page(client, q=q)


# --- Parameters and weird input ------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"page": "-1"},
    {"page": "0"},
    {"page": "abc"},
    {"page": "100000"},
    {"page": "1.5"},
    {"per_page": "10000"},
    {"per_page": "0"},
    {"per_page": "-5"},
    {"year": "abc"},
    {"year": "99999"},
    {"sort": "foo"},
    {"sort": "relevance; drop"},
    {"per_page": "101"},
])
def test_bad_api_parameters_are_400_json(client, params):
    response = client.get("/api/search", query_string={"q": "giao duc", **params})
    assert_json_error(response, 400)
    html = client.get("/", query_string={"q": "giao duc", **params})
    assert html.status_code == 400
    assert str(escape(response.get_json()["error"])) in html.get_data(as_text=True)


@pytest.mark.parametrize("params", [{"typing": "AAA"}, {"exact": "yes please"}, {"typing": "true"}])
def test_api_flags_other_than_0_or_1_are_400_json(client, params):
    """The OpenAPI declares the flags 0 or 1; the page, which no program calls, reads any value."""
    assert_json_error(client.get("/api/search", query_string={"q": "giao duc", **params}), 400)
    assert client.get("/", query_string={"q": "giao duc", **params}).status_code == 200


WEIRD_QUERIES = [
    '"unbalanced', 'giáo "dục', '"', '""', "(((", ")))", "*", "a*", "*a", "?", "OR", "AND", "NOT",
    "OR OR", "giáo OR", "-", "--", "-giáo", "- -", "title:", "title:giáo", "title:\"", ":", "body:x",
    "a" * 2000, "giáo dục " * 300, "\x00\x07", "giáo\x00dục", "\u200b\u200d", "\ufeff",
    "😀", "giáo dục 🎓", "Москва 東京 giáo", "مرحبا", "ｇｉａｏ", "e\u0301", "%", "%00", "\\", "'",
    "<", "&amp;", "{{7*7}}", "{% raw %}", "${x}", "\t\n\r", " ", "0", "-1", "1e309",
]


@pytest.mark.parametrize("q", WEIRD_QUERIES, ids=[f"q{i}" for i in range(len(WEIRD_QUERIES))])
def test_weird_queries_never_fail(client, q):
    assert client.get("/", query_string={"q": q}).status_code == 200
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert response.get_json()["query"] == q
    assert client.get(f"/doc/{HO_GUOM}", query_string={"q": q}).status_code == 200


def test_query_is_not_a_template(client):
    html = page(client, q="{{7*7}} {% if 1 %}x{% endif %}")
    assert "{{7*7}} {% if 1 %}x{% endif %}" in html


@pytest.mark.parametrize("raw", ["q=%ED%A0%80", "q=%FF", "q=%C3", "q=gi%C3%A1o+d%E1%BB%A5c%FF", "q=%F0%9F%98"])
def test_invalid_utf8_in_the_query_string(client, raw):
    assert client.get(f"/?{raw}").status_code == 200
    response = client.get(f"/api/search?{raw}")
    assert response.status_code == 200
    assert isinstance(response.get_json()["query"], str)


def test_head_is_allowed(client):
    assert client.head("/?q=giao+duc").status_code == 200
    assert client.head("/api/search?q=giao+duc").status_code == 200


# --- Errors, headers, health, API description ---------------------------------------------------


@pytest.mark.parametrize("method, url, status", [
    ("GET", "/api/search?page=0", 400),
    ("GET", "/api/nope", 404),
    ("GET", "/api/", 404),
    ("POST", "/api/search", 405),
    ("PUT", "/api/search", 405),
    ("DELETE", "/api/search", 405),
    ("OPTIONS", "/api/search", 405),
    ("POST", "/healthz", 405),
])
def test_one_json_error_shape(client, method, url, status):
    response = client.open(url, method=method)
    assert_json_error(response, status)
    if status == 405:
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head_on_pages(client, method):
    for url in ("/", f"/doc/{HO_GUOM}", "/static/style.css"):
        with client.open(url, method=method) as response:
            assert response.status_code == 405
            assert response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize("url", [
    "/", "/?q=giao+duc", "/?page=0", "/?q=giao+duc&fragment=1", "/api/search?q=giao+duc", "/api/search?page=0",
    f"/doc/{HO_GUOM}?q=hồ", "/doc/missing.txt", "/nope", "/api/nope", "/healthz", "/api/openapi.json",
    "/static/style.css", "/static/search.js", "/static/missing.css",
])
def test_security_headers_on_every_response(client, url):
    with client.get(url) as response:
        assert response.status_code < 500
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]


def test_pages_have_no_inline_script_or_style(client):
    for url in ("/", "/?q=giao+duc", "/?q=guomm", f"/doc/{HO_GUOM}", "/nope", "/?page=x"):
        html = client.get(url).get_data(as_text=True)
        assert re.findall(r"<script\b[^>]*>", html) == [OUR_SCRIPT_TAG.removesuffix("</script>")]
        assert "<style" not in html
        assert not re.search(r"<[^>]+\s(style|on[a-z]+)\s*=", html), "inline style or event handler"


def test_landmarks_and_labels(client):
    html = page(client, q="giao duc", per_page=3)
    assert '<label for="q"' in html and 'id="q"' in html
    assert "<header" in html and '<main id="main"' in html and "<footer" in html
    assert '<nav class="pagination" aria-label="Phân trang">' in html
    assert 'aria-current="page"' in html
    assert 'role="search"' in html


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "documents": 20}


def test_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.0")
    assert {"/api/search", "/api/suggest", "/healthz", "/doc/{id}"} <= set(spec["paths"])
    search_op = spec["paths"]["/api/search"]["get"]
    params = {p["name"]: p["schema"] for p in search_op["parameters"]}
    assert set(params) == {"q", "page", "per_page", "sort", "year", "typing", "exact"}
    assert params["per_page"]["maximum"] == Config().max_per_page and params["page"]["minimum"] == 1
    assert params["sort"]["enum"] == ["relevance", "date"]
    assert {"200", "400", "503"} <= set(search_op["responses"])
    # Every field of a real response is described.
    schemas = spec["components"]["schemas"]
    data = api(client, q="giao duc")
    assert set(data) == set(schemas["SearchResult"]["properties"])
    assert set(data["results"][0]) == set(schemas["Hit"]["properties"])
    assert set(schemas["Error"]["properties"]) == {"ok", "error", "status"}


# --- No index, errors inside the app, reindexing --------------------------------------------------


@pytest.fixture
def empty_client(tmp_path, make_client):
    return make_client(tmp_path / "none")


def test_no_index(empty_client, tmp_path):
    for url in ("/", "/?q=giao+duc", f"/doc/{HO_GUOM}"):
        response = empty_client.get(url)
        assert response.status_code == 503
        html = response.get_data(as_text=True)
        assert "Chưa có chỉ mục: chạy vnsearch reindex" in html
        assert str(tmp_path) not in html
    for url in ("/api/search?q=giao+duc", "/api/search", "/healthz"):
        response = empty_client.get(url)
        assert_json_error(response, 503)
        assert str(tmp_path) not in response.get_data(as_text=True)
    # Bad parameters are still reported as such.
    assert_json_error(empty_client.get("/api/search?page=0"), 400)


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # see damaged_toc_leaks
def test_a_damaged_index_is_a_clear_503_and_the_next_reindex_mends_it(tmp_path, damaged_toc_leaks, make_client):
    source = tmp_path / "docs"
    source.mkdir()
    (source / "a.txt").write_text("Hội An\n\nPhố cổ Hội An đón khách du lịch.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex([source], index_dir, procs=1)
    for toc in current_generation(index_dir).glob("_MAIN_*.toc"):
        toc.write_bytes(b"damaged")
    client = make_client(index_dir)
    assert "Chưa có chỉ mục: chạy vnsearch reindex" in client.get("/?q=hoi+an").get_data(as_text=True)
    assert_json_error(client.get("/api/search?q=hoi+an"), 503)
    assert reindex([source], index_dir, procs=1).full
    assert api(client, q="hoi an")["total"] == 1


def test_unexpected_errors_are_clean_500s(sample_index, make_app):
    app = make_app(sample_index, testing=False)

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", view_func=boom)
    app.add_url_rule("/api/boom", view_func=boom, endpoint="api_boom")
    client = app.test_client()
    response = client.get("/api/boom")
    assert_json_error(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    response = client.get("/boom")
    assert response.status_code == 500 and response.content_type.startswith("text/html")
    text = response.get_data(as_text=True)
    assert "secret" not in text and "Traceback" not in text and "Lỗi máy chủ" in text
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_server_side_error_names_no_server_path(sample_index, make_app, tmp_path):
    """A synonyms file that cannot be read is the operator's to fix: the log says which, not the response."""
    from indexer.config import Config

    missing = tmp_path / "gone" / "synonyms.txt"
    client = make_app(sample_index, Config(synonyms=missing), testing=False).test_client()
    for url in ("/api/search?q=giao+duc", "/?q=giao+duc", "/?q=giao+duc&fragment=1"):
        response = client.get(url)
        assert response.status_code == 500, url
        assert str(tmp_path) not in response.get_data(as_text=True), url
    assert_json_error(client.get("/api/search?q=giao+duc"), 500)


def test_the_app_sees_a_reindex(tmp_path, make_client):
    source = tmp_path / "docs"
    source.mkdir()
    (source / "a.txt").write_text("Hội An\n\nPhố cổ Hội An đón khách du lịch.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    reindex([source], index_dir, procs=1)
    client = make_client(index_dir)
    assert api(client, q="hoi an")["total"] == 1
    assert api(client, q="ruong bac thang")["total"] == 0
    (source / "sub").mkdir()
    (source / "sub" / "b.txt").write_text("Mù Cang Chải\n\nRuộng bậc thang mùa lúa chín.\n", encoding="utf-8")
    reindex([source], index_dir, procs=1)
    data = api(client, q="ruong bac thang")
    assert data["total"] == 1
    doc_id = data["results"][0]["id"]
    assert "/" in doc_id  # ids with a folder work as /doc/ paths
    assert "<mark>Ruộng</mark>" in page(client, f"/doc/{doc_id}", q="ruong")
    assert client.get("/healthz").get_json()["documents"] == 2
