"""Reliability and security: hostile input, crashes, a full disk, concurrency and load.

Everything runs on throwaway indexes in temp dirs and talks only to 127.0.0.1. Every loop
is bounded in count and in time. The numbers in docs/RELIABILITY.md come from these tests
(run with ``-s`` to see what they print).
"""

from __future__ import annotations

import functools
import gzip
import http.client
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bench.speed import server_rss_mb
from indexer.build import indexed_hashes, reindex
from indexer.config import Config
from indexer.documents import Document, Skipped, iter_documents
from indexer.search import search
from indexer.store import current_generation, index_version
from webapp.app import SECURITY_HEADERS, create_app

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "webapp" / "templates"
VIETNEWS = ROOT.parent / "shared" / "data" / "vietnews" / "detok_val.jsonl.gz"
CLI = "from webapp.cli import main; main()"
#: A generous sanity bound for one request; timings are recorded, not asserted strictly.
REQUEST_SECONDS = 10.0


# --- Helpers: a synthetic corpus, the CLI, waiting ----------------------------------------------

SYLLABLES = (
    "học sinh giáo viên trường lớp thi cử năm mới khai giảng đại hội thành phố huyện xã tỉnh "
    "nông dân ruộng lúa mùa vụ mưa bão lũ lụt sông núi biển đảo du lịch văn hóa lễ hội kinh tế "
    "đầu tư doanh nghiệp ngân hàng thị trường giá cả xăng dầu điện nước y tế bệnh viện bác sĩ "
    "sức khỏe cộng đồng an toàn giao thông đường bộ cầu cảng sân bay công nghệ số hóa chuyển đổi "
    "phần mềm dữ liệu mạng điện thoại thanh niên phụ nữ gia đình trẻ em người cao tuổi hội nghị "
    "tổng kết triển khai kế hoạch chính sách pháp luật quy định"
).split()
#: A word every synthetic document has: searching it counts the documents.
EVERY = "tinbai"


def tag(n: int) -> str:
    """A word found in one synthetic document only (letters: digits would be split off)."""
    letters = ""
    for _ in range(5):
        n, r = divmod(n, 26)
        letters += chr(ord("a") + r)
    return "zq" + letters


def synthetic_docs(ids, seed: int = 0, extra: str = "") -> list[dict]:
    """Vietnamese-looking news records, varied enough that segmentation takes real time."""
    r = random.Random(seed)
    docs = []
    for i in ids:
        words = [r.choice(SYLLABLES) for _ in range(r.randint(50, 100))]
        docs.append({
            "id": f"d{i:05d}",
            "title": " ".join(r.choice(SYLLABLES) for _ in range(8)),
            "body": " ".join(words) + f". {EVERY} {tag(i)} {extra}".rstrip(),
            "date": f"20{r.randint(10, 24)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        })
    return docs


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def count(index_dir: Path, q: str = EVERY) -> int:
    """How many documents a search for ``q`` finds (through the real search function)."""
    return search(q, index_dir=index_dir, config=Config(), suggest=False).total


def cli(*args, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLI, *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def start_cli(*args, **kwargs) -> subprocess.Popen:
    """The CLI in its own process group, so that a test can kill it and all its workers."""
    return subprocess.Popen([sys.executable, "-c", CLI, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)


def wait_for(predicate, timeout: float, interval: float = 0.01, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def live_group_members(pgid: int) -> list[int]:
    """Pids of the process group that are still running (zombies do not count: nothing reaps
    orphans in some containers, but a zombie holds no file, lock or memory)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def kill_group(proc: subprocess.Popen) -> None:
    """Clean up after a test: kill what is left of ``proc``'s process group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_clean_failure(result: subprocess.CompletedProcess, *words: str) -> None:
    """Non-zero exit, one clear message, no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# --- HTML inspection -------------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


#: Every element our templates write; anything else on a page came from data.
TEMPLATE_TAGS = frozenset(
    name for f in TEMPLATES.glob("*.html") for name in re.findall(r"<([a-z][a-z0-9]*)", f.read_text())
) | {"mark"}


def assert_no_live_markup(html: str) -> None:
    """Nothing from a document or a query became an element, an event handler or a script URL."""
    for tag, attrs in Tags(html).tags:
        assert tag in TEMPLATE_TAGS, f"<{tag}> on the page: {attrs}"
        if tag == "script":
            assert attrs == {"src": "/static/search.js", "defer": None}, attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}=...>"
            if name in ("href", "src", "action") and value:
                scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
                assert scheme is None or scheme.group(1).lower() in ("http", "https"), value
    assert len(re.findall(r"<script\b", html, re.I)) == 1


def assert_marked_text_only(fragment: str) -> None:
    """A title or snippet from the API: escaped text and bare <mark> elements, nothing else."""
    for tag, attrs in Tags(fragment).tags:
        assert tag == "mark" and not attrs, (tag, attrs)
    assert not re.search(r"<(?!/?mark>)", fragment), fragment


# --- Hostile queries ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_client(sample_index):
    """The app over the session's sample index (module scope: hypothesis runs many examples)."""
    return create_app({"TESTING": True, "VNSEARCH_CONFIG": Config(), "INDEX_DIR": str(sample_index)}).test_client()


def encoded(value: str) -> str:
    """``value`` percent-encoded as raw bytes: lone surrogates become %ED%A0%80 and the like."""
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")


ANY_CHAR = st.one_of(
    st.characters(exclude_categories=()),                 # any code point, surrogates included
    st.characters(categories=["Cc", "Cf", "Cs", "Zs"]),   # control, format, lone surrogates, spaces
    st.sampled_from('()"*-:?~^\\%&#+<>\'{}[]'),
    st.sampled_from("giáo dục Hồ Gươm thi tốt nghiệp OR title:"),
)
REPEATED = ["(", ")", "((a))", "a*", "*", '"', "-", "OR ", "AND ", "title:", "giáo dục ", "%", "\x00", "\ud800", "😀"]
QUERIES = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    # Long and deeply nested: 100 KB and more, cut by max_query_chars/max_query_terms.
    st.builds(lambda unit, n: unit * n, st.sampled_from(REPEATED), st.integers(1, 110_000)),
    st.builds(lambda n: "(" * n + "giáo" + ")" * n, st.integers(1, 60_000)),
    st.sampled_from(["*", "a*", "*a", "?", "giáo*", "gi?o", "~", "^", "\\", "", " ", "\x00", "%00",
                     "\ud800", "\udfff\ud800", "\ufeff", "\u200b", "title:*", '"*"', "-*", "OR"]),
)
NUMBERS = st.one_of(
    st.integers(-10**30, 10**30).map(str),
    st.integers(-5, 2000).map(str),
    st.sampled_from(["", " ", "1", "10", "100", "101", "1000", "2024", "0", "-1", "1.5", "1e3", "0x10",
                     "١٢", "１", "1_0", "NaN", "inf", "-0", "+3", " 2 ", "9" * 5000, "\x00", "\ud800"]),
    st.text(ANY_CHAR, max_size=20),
)
SEARCH_PARAMS = st.fixed_dictionaries({}, optional={
    "q": QUERIES, "page": NUMBERS, "per_page": NUMBERS, "year": NUMBERS,
    "sort": st.one_of(st.sampled_from(["relevance", "date", "", "DATE", "score"]), st.text(ANY_CHAR, max_size=10)),
})


def _query_string(params: dict) -> str:
    return "&".join(f"{name}={encoded(value)}" for name, value in params.items())


def _get(client, url: str):
    started = time.monotonic()
    response = client.get(url)
    elapsed = time.monotonic() - started
    assert elapsed < REQUEST_SECONDS, f"{url[:200]} took {elapsed:.1f} s"
    return response


def _check_search_response(client, params: dict) -> None:
    query_string = _query_string(params)
    api = _get(client, "/api/search?" + query_string)
    assert api.status_code in (200, 400), (api.status_code, query_string[:300])
    assert api.content_type == "application/json"
    body = api.get_json()
    if api.status_code == 400:
        assert body == {"ok": False, "error": body["error"], "status": 400}
        assert body["error"] and "Traceback" not in body["error"]
        assert set(params) - {"q"}, "a query alone is never a bad request"
    else:
        assert len(body["results"]) <= body["per_page"] and body["total"] >= 0
        assert len({hit["id"] for hit in body["results"]}) == len(body["results"])
        for hit in body["results"]:
            assert_marked_text_only(hit["title"])
            assert_marked_text_only(hit["snippet"])
    page = _get(client, "/?" + query_string)
    assert page.status_code == api.status_code
    assert page.content_type.startswith("text/html")
    assert_no_live_markup(page.get_data(as_text=True))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(params=SEARCH_PARAMS)
def test_hostile_search_requests_never_fail(sample_client, params):
    _check_search_response(sample_client, params)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERIES)
def test_hostile_query_on_a_document_page(sample_client, q):
    response = _get(sample_client, "/doc/2023-ho-guom-ho-nuoc-noi-do.txt?q=" + encoded(q))
    assert response.status_code == 200
    assert_no_live_markup(response.get_data(as_text=True))


@pytest.mark.parametrize("params, bad", [
    ({"q": "a", "page": "9" * 400}, "page"),
    ({"q": "a", "page": "-99999999999999999999"}, "page"),
    ({"q": "a", "page": "%ED%A0%80"}, "page"),
    ({"q": "a", "per_page": "1e9"}, "per_page"),
    ({"q": "a", "per_page": "%00"}, "per_page"),
    ({"q": "a", "year": "-2024"}, "year"),
    ({"q": "a", "year": "20" * 1000}, "year"),
    ({"q": "a", "year": "%ED%A0%80"}, "year"),
    ({"q": "a", "sort": "%ED%A0%80"}, "sort"),
])
def test_bad_parameters_are_400_json_even_when_hostile(sample_client, params, bad):
    raw = "&".join(f"{k}={v}" for k, v in params.items())
    response = _get(sample_client, "/api/search?" + raw)
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": response.get_json()["error"], "status": 400}
    assert bad in response.get_json()["error"]
    assert len(response.get_json()["error"]) < 200, "the whole hostile value is not echoed back"
    assert _get(sample_client, "/?" + raw).status_code == 400


def test_wildcards_are_plain_text_and_queries_are_capped(sample_client):
    def total(q: str) -> int:
        return _get(sample_client, "/api/search?q=" + encoded(q)).get_json()["total"]

    # ``*`` is not an operator: nothing is expanded, "giáo*" is "giáo" and "*" alone is empty.
    assert total("*") == 0 and total("**") == 0
    for pattern, plain in (("a*", "a"), ("giáo*", "giáo"), ("*o*", "o"), ("gi*", "gi"), ("giao*duc", "giao duc")):
        assert total(pattern) == total(plain), pattern
    huge = "giáo dục " * 12_000  # 108 KB
    data = _get(sample_client, "/api/search?q=" + encoded(huge)).get_json()
    assert data["query"] == huge and len(data["ran_query"]) <= Config().max_query_chars
    nested = "(" * 50_000 + "hồ gươm" + ")" * 50_000
    assert _get(sample_client, "/api/search?q=" + encoded(nested)).status_code == 200


# --- Hostile documents ----------------------------------------------------------------------------

HOSTILE_HTML = """<!doctype html>
<html><head><title>Phố cổ <script>alert('title')</script> Hội An &amp; <b onmouseover=alert(1)>xssmarker</b></title>
<style>body { background: url("javascript:alert(2)") } .x::after { content: "xssstyle" }</style>
<script>alert(document.cookie)</script>
<meta http-equiv="refresh" content="0;url=javascript:alert(3)">
</head><body>
<h1>Hội An <img src=x onerror=alert(4)></h1>
<p>Phố cổ Hội An xssmarker <a href="javascript:alert(5)">bấm vào đây</a> và
<a href="  JaVaScRiPt:alert(6)">đây nữa</a>.</p>
<!-- <script>alert(7)</script> xsscomment -->
<p>Văn bản &lt;script&gt;alert(8)&lt;/script&gt; &amp;lt;img src=x onerror=alert(9)&amp;gt;
&#60;svg onload=alert(10)&#62; &quot;&gt;&lt;iframe src=javascript:alert(11)&gt;</p>
<svg onload="alert(12)"><title>xsssvg</title></svg>
<iframe src="javascript:alert(13)"></iframe>
<p><img src="x" onerror="alert(14)"> <div onclick="alert(15)">đèn lồng xssmarker</div></p>
<noscript><img src=x onerror=alert(16)></noscript>
<textarea></textarea><script>alert(17)</script>
</body></html>
"""
HOSTILE_TXT = """<script>alert('txt')</script> Tiêu đề xssmarker <b>đậm</b>
<img src=x onerror=alert(20)> Đà Nẵng xssmarker
"><svg/onload=alert(21)> '><script>alert(22)</script> javascript:alert(23)
</textarea></title></style><script>alert(24)</script> <!-- --> &lt;i&gt; &amp;
"""
HOSTILE_RECORDS = [
    {"id": "title-markup", "title": "<b onmouseover=alert(30)>Tiêu đề</b><script>alert(31)</script> xssmarker",
     "body": "Huế xssmarker </title><script>alert(32)</script> <img src=x onerror=alert(33)>",
     "url": "javascript:alert(34)"},
    {"id": "\"><img src=x onerror=alert(35)>", "title": "Mã định danh xssmarker",
     "body": "Cần Thơ xssmarker", "url": "data:text/html,<script>alert(36)</script>"},
    {"id": "<script>alert(37)</script>", "title": "<svg onload=alert(38)>",
     "body": "Sa Pa xssmarker {{7*7}} {% raw %}", "url": "https://example.org/?q=<script>alert(39)</script>"},
]


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    source = tmp_path_factory.mktemp("hostile-docs")
    (source / "evil.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (source / "html-in-text.txt").write_text(HOSTILE_TXT, encoding="utf-8")
    write_jsonl(source / "records.jsonl", HOSTILE_RECORDS)
    index_dir = tmp_path_factory.mktemp("hostile-index")
    report = reindex([source], index_dir, procs=1)
    assert report.added == 5 and not report.skipped, report.summary()
    return index_dir


@pytest.fixture(scope="module")
def hostile_client(hostile_index):
    return create_app({"TESTING": True, "VNSEARCH_CONFIG": Config(), "INDEX_DIR": str(hostile_index)}).test_client()


HOSTILE_QUERIES = ["xssmarker", "alert", "script alert", "onerror", "javascript", "img src",
                   "<script>alert(1)</script>", "svg onload", "xsscomment", "xssstyle", "xsssvg"]


def hostile_ids(client) -> list[str]:
    data = client.get("/api/search", query_string={"q": "xssmarker", "per_page": 50}).get_json()
    return [hit["id"] for hit in data["results"]]


def test_hostile_documents_stay_text_in_json_and_html(hostile_client):
    ids = hostile_ids(hostile_client)
    assert len(ids) == 5
    for q in HOSTILE_QUERIES:
        data = hostile_client.get("/api/search", query_string={"q": q, "per_page": 50}).get_json()
        for hit in data["results"]:
            assert_marked_text_only(hit["title"])
            assert_marked_text_only(hit["snippet"])
        assert_no_live_markup(hostile_client.get("/", query_string={"q": q}).get_data(as_text=True))
    # Comments, <style> and <script> content are not indexed at all.
    for q in ("xsscomment", "xssstyle", "document cookie"):
        assert hostile_client.get("/api/search", query_string={"q": q}).get_json()["total"] == 0, q
    for doc_id in ids:
        for q in ("", "xssmarker alert script onerror"):
            response = hostile_client.get(f"/doc/{quote(doc_id, safe='/')}", query_string={"q": q} if q else None)
            assert response.status_code == 200, doc_id
            html = response.get_data(as_text=True)
            assert_no_live_markup(html)
            assert response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The script text itself is still there, as text a reader can see.
    html = hostile_client.get("/doc/html-in-text.txt").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(20)&gt;" in html


def test_csp_forbids_inline_script(hostile_client):
    csp = hostile_client.get("/?q=xssmarker").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"


# --- Hostile documents in a real browser ----------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Elements and attributes that would mean hostile markup went live.
LIVE_MARKUP = ("script:not([src='/static/search.js']), img, iframe, svg, style, object, embed, textarea, "
               "[onerror], [onload], [onclick], [onmouseover], a[href^='javascript' i], meta[http-equiv]")


@pytest.fixture(scope="module")
def hostile_server(hostile_index):
    from werkzeug.serving import make_server

    app = create_app({"VNSEARCH_CONFIG": Config(), "INDEX_DIR": str(hostile_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hostile-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _browse_hostile_pages(base_url: str, ids: list[str]) -> dict:
    """Visit every hostile page in Chromium; what dialogs and console errors appeared."""
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    errors: list[str] = []
    visited = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=base_url, locale="vi-VN")
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))

            def check():
                page.wait_for_load_state("load")
                page.wait_for_timeout(100)  # let onload/onerror handlers fire, if any existed
                assert page.locator(LIVE_MARKUP).count() == 0, page.url
                assert page.evaluate("typeof window.__xss") == "undefined"

            for q in ("xssmarker", "script alert", "onerror img"):
                page.goto("/?q=" + quote(q))
                check()
                visited += 1
            # Results rendered by search.js from the JSON, as the user types.
            page.goto("/")
            page.get_by_label("Từ khóa tìm kiếm").fill("xssmarker")
            page.wait_for_url(re.compile(r"q=xssmarker"))
            page.locator(".results .result").first.wait_for()
            assert page.locator(".results .result").count() == 5
            check()
            visited += 1
            for doc_id in ids:
                page.goto(f"/doc/{quote(doc_id, safe='/')}?q=alert+script+xssmarker")
                assert page.locator(".doc-body").count() == 1
                check()
                visited += 1
            # Every result link, clicked rather than typed, leads to its document.
            page.goto("/?q=xssmarker")
            for n in range(page.locator(".result-title a").count()):
                with page.expect_navigation():
                    page.locator(".result-title a").nth(n).click()
                assert page.locator(".doc-body").count() == 1
                check()
                page.go_back()
                visited += 1
        finally:
            browser.close()
    return {"visited": visited, "dialogs": dialogs, "errors": errors}


@pytest.mark.browser
def test_hostile_documents_do_not_run_in_chromium(hostile_server, hostile_client):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    ids = hostile_ids(hostile_client)
    # Playwright's sync API refuses a thread with a running event loop: test_browser.py's
    # session-wide browser may hold this one, so this browser gets a thread of its own.
    outcome: dict = {}

    def run():
        try:
            outcome.update(_browse_hostile_pages(hostile_server, ids))
        except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
            outcome["exception"] = e

    thread = threading.Thread(target=run, name="hostile-chromium", daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser session did not finish in 120 s"
    if "exception" in outcome:
        raise outcome["exception"]
    print(f"\nchromium: {outcome['visited']} hostile pages, {len(outcome['dialogs'])} dialogs, "
          f"{len(outcome['errors'])} console errors")
    assert outcome["dialogs"] == [], outcome["dialogs"]
    assert outcome["errors"] == [], outcome["errors"]


# --- Hostile paths and methods --------------------------------------------------------------------

SECRET = "TOP-SECRET-9f2c1e"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """An index with secrets beside it, inside it and in its source folder (not indexed)."""
    base = tmp_path_factory.mktemp("guarded")
    source = base / "docs"
    source.mkdir()
    (source / "hue.txt").write_text("Huế\n\nKinh thành Huế.\n", encoding="utf-8")
    (source / "secret.md").write_text(SECRET, encoding="utf-8")  # unsupported type: not indexed
    (source / ".secret.txt").write_text(SECRET, encoding="utf-8")  # hidden: not indexed
    index_dir = base / "index"
    reindex([source], index_dir, procs=1)
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    (index_dir / "secret.txt").write_text(SECRET, encoding="utf-8")
    (current_generation(index_dir) / "secret.txt").write_text(SECRET, encoding="utf-8")
    app = create_app({"TESTING": True, "VNSEARCH_CONFIG": Config(), "INDEX_DIR": str(index_dir)})
    return base, index_dir, app


class FileOpens:
    """Every file the process opens while ``active`` (a CPython audit hook: it cannot be removed,
    so it stays registered, idle, after the test)."""

    installed: "FileOpens | None" = None

    def __init__(self):
        self.active = False
        self.paths: list[str] = []

    @classmethod
    def get(cls) -> "FileOpens":
        if cls.installed is None:
            cls.installed = FileOpens()
            sys.addaudithook(cls.installed._hook)
        return cls.installed

    def _hook(self, event, args):
        if self.active and event == "open" and isinstance(args[0], (str, bytes)):
            self.paths.append(os.fsdecode(args[0]))

    @contextmanager
    def recording(self):
        self.paths, self.active = [], True
        try:
            yield self.paths
        finally:
            self.active = False


def hostile_paths(base: Path, index_dir: Path) -> list[str]:
    gen = current_generation(index_dir)
    absolute = [str(base / "secret.txt"), str(index_dir / "secret.txt"), str(gen / "secret.txt"),
                str(base / "docs" / "secret.md"), "/etc/passwd", str(ROOT / "pyproject.toml")]
    relative = ["../secret.txt", "../../secret.txt", "secret.txt", "docs/secret.md", "../docs/secret.md",
                ".secret.txt", "../index/secret.txt", f"{gen.name}/secret.txt", "current/secret.txt",
                "../" * 12 + "etc/passwd"]
    urls = []
    for path in relative + [p.lstrip("/") for p in absolute]:
        urls += [f"/doc/{path}", f"/doc/{quote(path, safe='')}", "/doc/" + path.replace("/", "%2F"),
                 "/doc/" + path.replace(".", "%2e").replace("/", "%2f"), "/doc/" + path.replace("/", "%5C"),
                 f"/doc/{path}%00", f"/doc/{path}%00.txt", f"/doc/{path}\x00.txt".replace("\x00", "%00"),
                 "/doc/" + path.replace("../", "..%c0%af"), "/doc/" + path.replace("../", "....//")]
    urls += [f"/doc/{p}" for p in absolute] + [f"/doc//{p}" for p in absolute]
    urls += ["/doc/%00", "/doc/%ED%A0%80", "/doc/%FF%FE", "/doc/nonexistent.txt", "/doc/hue.txt/..",
             "/doc/hue.txt/../secret.txt", "/doc/./hue.txt", "/doc/~root", "/doc/" + "a" * 5000,
             "/static/../secret.txt", "/static/..%2F..%2F..%2Fpyproject.toml", "/static/%2e%2e/app.py",
             "/static//etc/passwd", "/static/..%5capp.py", "/api/../secret.txt", "/..%2Fsecret.txt"]
    return urls


def test_hostile_document_paths_are_404_and_read_nothing(guarded):
    base, index_dir, app = guarded
    client = app.test_client()
    urls = hostile_paths(base, index_dir)
    before = index_version(index_dir)
    opens = FileOpens.get()
    with opens.recording() as opened:
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 404, (url, response.status_code)
            assert SECRET not in response.get_data(as_text=True), url
            assert "root:" not in response.get_data(as_text=True), url
    secrets = {str(p) for p in (base / "secret.txt", index_dir / "secret.txt",
                                current_generation(index_dir) / "secret.txt", base / "docs" / "secret.md",
                                base / "docs" / ".secret.txt")} | {"/etc/passwd"}
    assert not secrets & {os.path.realpath(p) for p in opened}, "a secret file was opened"
    outside = [p for p in opened if p.startswith(str(base)) and not p.startswith(str(index_dir))]
    assert outside == [], "files outside the index were opened"
    assert client.get("/doc/hue.txt").status_code == 200, "the real document is still served"
    assert index_version(index_dir) == before
    print(f"\nhostile paths: {len(urls)} URLs, all 404, {len(opened)} files opened, none outside the index")


def _route_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:[a-z]+:)?doc_id>", "hue.txt", rule.rule)
        urls.append(re.sub(r"<(?:[a-z]+:)?filename>", "style.css", url))
    return urls


def test_every_route_refuses_writes_and_nothing_changes_the_index(guarded):
    base, index_dir, app = guarded
    client = app.test_client()
    urls = _route_urls(app)
    assert {"/", "/api/search", "/healthz", "/doc/hue.txt", "/static/style.css"} <= set(urls)
    before = index_version(index_dir)
    files_before = {p: p.stat().st_mtime_ns for p in index_dir.rglob("*") if p.is_file()}
    requests = 0
    for url in urls:
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "TRACE"):
            for body in (None, b"q=x", b'{"q": "x"}'):
                with client.open(url, method=method, data=body) as response:
                    assert response.status_code == 405, (method, url, response.status_code)
                    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
                requests += 1
        for method in ("GET", "HEAD"):
            with client.open(url, method=method) as response:
                assert response.status_code == 200, (method, url)
            requests += 1
    for url in hostile_paths(base, index_dir)[:40]:
        with client.get(url):
            requests += 1
    assert index_version(index_dir) == before
    assert {p: p.stat().st_mtime_ns for p in index_dir.rglob("*") if p.is_file()} == files_before
    assert client.get("/healthz").get_json() == {"ok": True, "documents": 1}
    print(f"\nmethods: {requests} requests on {len(urls)} routes, every write method 405, index unchanged")


# --- Crash mid-reindex ------------------------------------------------------------------------------


def _new_files(directory: Path, before: set[str], suffix: str) -> bool:
    """Whether ``directory`` (and its Whoosh temp folder) holds a ``suffix`` file not in ``before``."""
    return any(name.endswith(suffix) for name in _files(directory) - before)


def _files(directory: Path) -> set[str]:
    names = set()
    for sub in (directory, directory / "MAIN.tmp"):
        try:
            names |= {f"{sub.name}/{n}" for n in os.listdir(sub)}
        except FileNotFoundError:
            pass
    return names


def _toc_segment_ids(gen: Path) -> set[str]:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(gen))
    return {s.segment_id() for s in whoosh_index.TOC.read(ix.storage, ix.indexname).segments}


def assert_no_leftovers(index_dir: Path) -> None:
    """One generation, no temp folder, no segment file that its TOC does not name."""
    gen = current_generation(index_dir)
    assert sorted(p.name for p in index_dir.glob("gen-*")) == [gen.name]
    names = os.listdir(gen)
    assert "MAIN.tmp" not in names
    live = _toc_segment_ids(gen)
    orphans = [n for n in names if re.match(r"MAIN_[0-9a-z]+\.", n) and n.split(".")[0] not in live]
    assert orphans == [], orphans


def _kill_at(proc: subprocess.Popen, trigger, delay: float, timeout: float = 90) -> bool:
    """SIGKILL the reindex (its main process only, as ``kill -9 PID`` would) once ``trigger()``
    holds, plus ``delay`` seconds. False if it finished first. Its workers must die with it."""
    wait_for(lambda: proc.poll() is not None or trigger(), timeout, 0.002, "the kill point")
    if delay:
        time.sleep(delay)
    landed = proc.poll() is None
    if landed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    wait_for(lambda: not live_group_members(proc.pid), 10, 0.05, "the reindex workers to die with it")
    return landed


#: Documents in the crash test: the first CRASH_BASE indexed, then the rest added (the pool
#: of workers starts at 400 documents to write).
CRASH_DOCS, CRASH_BASE = 550, 100


@pytest.fixture
def crash_corpus(tmp_path):
    """(source folder, its corpus file, docs) for the crash tests: real news if available."""
    source = tmp_path / "src"
    corpus = source / "news.jsonl"
    if VIETNEWS.exists() and os.environ.get("VNSEARCH_CRASH_CORPUS") == "vietnews":
        with gzip.open(VIETNEWS, "rt", encoding="utf-8") as f:
            docs = [json.loads(line) for line in itertools.islice(f, CRASH_DOCS)]
        for n, doc in enumerate(docs):
            doc["id"] = f"d{n:05d}"
            doc["body"] = doc.get("body", "") + f" {EVERY} {tag(n)}"
    else:
        docs = synthetic_docs(range(CRASH_DOCS))
    return source, corpus, docs


@pytest.mark.slow
def test_kill_9_mid_reindex_keeps_the_previous_index(tmp_path, crash_corpus):
    source, corpus, docs = crash_corpus
    index_dir = tmp_path / "index"
    write_jsonl(corpus, docs[:CRASH_BASE])
    reindex([source], index_dir, procs=1)
    assert count(index_dir) == CRASH_BASE
    write_jsonl(corpus, docs)  # enough documents to add that the pool of workers is used
    gen = current_generation(index_dir)
    version = index_version(index_dir)
    last = CRASH_DOCS - 1
    # Each trigger looks for files this run made (a killed run leaves its own behind).
    kill_points = [
        ("segmenting", ".doclist", 0.8),  # a batch of documents handed to the workers
        ("commit: column files being written", ".col", 0.1),
        ("commit: a segment finished", ".seg", 0.0),
    ]
    landed = []
    for name, suffix, delay in kill_points:
        started = time.monotonic()
        trigger = functools.partial(_new_files, gen, _files(gen), suffix)
        proc = start_cli("reindex", source, "--index", index_dir)
        try:
            hit = _kill_at(proc, trigger, delay)
        finally:
            kill_group(proc)
        landed.append((name, hit, round(time.monotonic() - started, 1)))
        if hit and index_version(index_dir) == version:
            assert count(index_dir) == CRASH_BASE, name
            assert count(index_dir, tag(last)) == 0, name
        else:  # it committed first: then all of it is there
            assert count(index_dir) == CRASH_DOCS and count(index_dir, tag(last)) == 1, name
            break
    result = cli("reindex", source, "--index", index_dir)
    assert result.returncode == 0, result.stderr
    assert count(index_dir) == CRASH_DOCS and count(index_dir, tag(last)) == 1
    assert len(indexed_hashes(index_dir)) == CRASH_DOCS
    assert_no_leftovers(index_dir)

    # A full rebuild killed before, during and right at the swap of ``current``.
    kept = CRASH_DOCS - 50
    write_jsonl(corpus, docs[:kept])
    old_gen = current_generation(index_dir)

    def new_gen(before: set[Path]) -> Path | None:
        return next((p for p in index_dir.glob("gen-*") if p not in before and p.is_dir()), None)

    full_points = [
        ("full: segmenting", ".doclist", 0.8),
        ("full: committed, swapping", "_MAIN_1.toc", 0.0),
    ]
    for name, suffix, delay in full_points:
        started = time.monotonic()
        before = set(index_dir.glob("gen-*"))

        def trigger(before=before, suffix=suffix):
            gen = new_gen(before)
            return gen is not None and _new_files(gen, set(), suffix)

        proc = start_cli("reindex", source, "--index", index_dir, "--full")
        try:
            hit = _kill_at(proc, trigger, delay)
        finally:
            kill_group(proc)
        current = current_generation(index_dir)
        assert current is not None, name
        landed.append((name + (" (before the swap)" if current == old_gen else " (after the swap)"),
                       hit, round(time.monotonic() - started, 1)))
        if current == old_gen:
            assert count(index_dir) == CRASH_DOCS, name
        else:  # swapped before the kill: the new index whole
            assert count(index_dir) == kept and count(index_dir, tag(last)) == 0, name
            break
    result = cli("reindex", source, "--index", index_dir, "--full")
    assert result.returncode == 0, result.stderr
    assert count(index_dir) == kept and count(index_dir, tag(kept - 1)) == 1 and count(index_dir, tag(last)) == 0
    assert_no_leftovers(index_dir)
    print(f"\nkill -9 points: {landed}")
    assert sum(hit for _, hit, _ in landed) >= 4, "most kill points land before the commit"


# --- A full disk ---------------------------------------------------------------------------------------


@contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs at ``path``; skips the test when it cannot be mounted (not root)."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs ({mounted.stderr.strip()}); the RLIMIT_FSIZE variant runs instead")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _free(path: Path) -> int:
    st_ = os.statvfs(path)
    return st_.f_bavail * st_.f_frsize


#: Above the writer's job files (~200 KB), below a worker's segment files (MBs): the workers fail.
FSIZE_LIMIT = 1024 * 1024
LIMITED_CLI = (f"import resource, signal; resource.setrlimit(resource.RLIMIT_FSIZE, ({FSIZE_LIMIT}, {FSIZE_LIMIT})); "
               "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); " + CLI)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["tmpfs", "rlimit"])
def test_full_disk_fails_cleanly_and_keeps_the_index(tmp_path, how):
    source = tmp_path / "src"
    docs = synthetic_docs(range(520), seed=3)  # 420 to add: the pool of workers is used
    write_jsonl(source / "news.jsonl", docs[:100])
    with tmpfs(tmp_path / "disk", "16m") if how == "tmpfs" else nullcontext(tmp_path) as disk:
        index_dir = disk / "index"
        reindex([source], index_dir, procs=1)
        version = index_version(index_dir)
        write_jsonl(source / "news.jsonl", docs)
        filler = disk / "filler"
        if how == "tmpfs":
            filler.write_bytes(b"\0" * max(0, _free(disk) - 300 * 1024))  # 300 KB left
        command = [sys.executable, "-c", CLI if how == "tmpfs" else LIMITED_CLI]
        modes = ([], ["--full"], ["--procs", "1"]) if how == "tmpfs" else ([], ["--procs", "1"])
        for extra in modes:
            free_before = _free(disk)
            result = subprocess.run([*command, "reindex", str(source), "--index", str(index_dir), *extra],
                                    capture_output=True, text=True, timeout=120)
            assert_clean_failure(result, "disk full" if how == "tmpfs" else "File too large")
            assert "previous index is unchanged" in result.stderr or how == "rlimit"
            assert index_version(index_dir) == version, extra
            assert count(index_dir) == 100 and count(index_dir, tag(519)) == 0
            if how == "tmpfs":
                assert _free(disk) >= free_before - 64 * 1024, "what the failed run wrote is removed"
            assert_no_leftovers(index_dir)
        filler.unlink(missing_ok=True)
        result = cli("reindex", source, "--index", index_dir)
        assert result.returncode == 0, result.stderr
        assert count(index_dir) == 520 and count(index_dir, tag(519)) == 1


# --- The server under concurrent reindexing and under load -----------------------------------------


def http_get(port: int, path: str, timeout: float = REQUEST_SECONDS) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def api_total(port: int, q: str) -> int:
    status, body = http_get(port, "/api/search?per_page=1&q=" + quote(q))
    assert status == 200, body[:300]
    return json.loads(body)["total"]


class Served:
    """``vnsearch serve`` in a subprocess on a free loopback port."""

    def __init__(self, index_dir: Path, log: Path, workers: int = 2):
        self.port = free_port()
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--index", str(index_dir), "--workers", str(workers)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self) -> None:
        def ready():
            assert self.proc.poll() is None, "the server exited"
            try:
                return http_get(self.port, "/healthz", timeout=2)[0] == 200
            except OSError:
                return False

        wait_for(ready, 60, 0.1, "the server to answer /healthz")

    def stop(self) -> None:
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
        finally:
            kill_group(self.proc)
            self.log.close()


@contextmanager
def served(index_dir: Path, log: Path, workers: int = 2):
    server = Served(index_dir, log, workers)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


class Load:
    """Client threads searching in a loop, bounded in time and in requests; every response checked."""

    def __init__(self, port: int, threads: int, seconds: float, max_requests: int, seed: int = 0):
        self.port, self.seconds, self.max_requests = port, seconds, max_requests
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(seed + n,), daemon=True) for n in range(threads)]

    def __enter__(self):
        self.started = time.monotonic()
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=REQUEST_SECONDS + 5)
        assert not any(t.is_alive() for t in self.threads)
        self.elapsed = time.monotonic() - self.started

    def wait(self) -> None:
        """Until the time is up or every thread has made its requests."""
        deadline = self.started + self.seconds
        for t in self.threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_SECONDS)

    def _path(self, r: random.Random) -> tuple[str, int]:
        words = [r.choice(SYLLABLES) for _ in range(r.choice([1, 1, 2, 3]))]
        q = r.choice([" ".join(words), EVERY, tag(r.randrange(1000)), f'"{words[0]} {r.choice(SYLLABLES)}"',
                      "giao duc", "hoc sinh -thi", "nang luong OR dien"])
        per_page = r.choice([1, 5, 10, 20, 50])
        params = {"q": q, "per_page": per_page, "page": r.choice([1, 1, 1, 2, 5])}
        if r.random() < 0.2:
            params["sort"] = "date"
        return "/api/search?" + "&".join(f"{k}={quote(str(v))}" for k, v in params.items()), per_page

    def _run(self, seed: int) -> None:
        r = random.Random(seed)
        deadline = self.started + self.seconds
        for _ in range(self.max_requests):
            if self.stop_event.is_set() or time.monotonic() > deadline:
                return
            path, per_page = self._path(r)
            started = time.monotonic()
            try:
                status, body = http_get(self.port, path)
                elapsed = time.monotonic() - started
                problem = self._check(status, body, per_page)
            except Exception as e:  # noqa: BLE001 - every failure is recorded and asserted on
                elapsed, problem = time.monotonic() - started, f"{type(e).__name__}: {e}"
            with self.lock:
                self.latencies.append(elapsed)
                if problem:
                    self.failures.append(f"{path}: {problem}")

    @staticmethod
    def _check(status: int, body: bytes, per_page: int) -> str | None:
        if status != 200:
            return f"HTTP {status}: {body[:200]!r}"
        data = json.loads(body)
        ids = [hit["id"] for hit in data["results"]]
        if not (len(ids) <= per_page == data["per_page"] and data["total"] >= len(ids) and len(set(ids)) == len(ids)):
            return f"inconsistent: total {data['total']}, {len(ids)} results, per_page {data['per_page']}"
        return None

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _visible_within(port: int, q: str, expected, timeout: float = 2.0) -> tuple[int, float]:
    """(searches made, seconds) until a search for ``q`` returns ``expected(total)``, polling
    from the moment the reindex returned; fails after ``timeout``."""
    started = time.monotonic()
    attempts = 0

    def visible():
        nonlocal attempts
        attempts += 1
        return expected(api_total(port, q))

    wait_for(visible, timeout, 0.02, f"{q!r} to be searchable")
    return attempts, time.monotonic() - started


@pytest.mark.slow
def test_searches_during_reindexes_and_swaps_never_fail(tmp_path):
    source = tmp_path / "src"
    corpus = source / "news.jsonl"
    docs = synthetic_docs(range(900), seed=5)
    write_jsonl(corpus, docs[:300])
    index_dir = tmp_path / "index"
    reindex([source], index_dir, procs=1)
    latencies: dict[str, float] = {}
    with served(index_dir, tmp_path / "serve.log") as server, \
            Load(server.port, threads=4, seconds=120, max_requests=5000, seed=1) as load:
        port = server.port
        # Add 600 documents.
        write_jsonl(corpus, docs)
        result = cli("reindex", source, "--index", index_dir)
        assert result.returncode == 0, result.stderr
        latencies["added"] = _visible_within(port, tag(899), lambda n: n == 1)
        assert api_total(port, EVERY) == 900
        # Change 50 and delete 100.
        changed = [dict(d, body=d["body"] + " capnhat") if int(d["id"][1:]) < 50 else d for d in docs[:800]]
        write_jsonl(corpus, changed)
        result = cli("reindex", source, "--index", index_dir)
        assert result.returncode == 0 and "50 updated, 100 deleted" in result.stdout, result.stdout + result.stderr
        latencies["changed"] = _visible_within(port, "capnhat", lambda n: n == 50)
        latencies["deleted"] = _visible_within(port, tag(899), lambda n: n == 0)
        assert api_total(port, EVERY) == 800
        # A full rebuild swapped in, and a second reindex started while it runs.
        write_jsonl(corpus, changed + synthetic_docs([5000], seed=6))
        full = start_cli("reindex", source, "--index", index_dir, "--full")
        try:
            wait_for(lambda: full.poll() is not None or
                     (index_dir / "reindex.lock").read_text().strip() == str(full.pid), 30, 0.01, "the lock")
            second = cli("reindex", source, "--index", index_dir)
            assert_clean_failure(second, "another reindex")
            out, err = full.communicate(timeout=120)
            assert full.returncode == 0, err
        finally:
            kill_group(full)
        latencies["full swap"] = _visible_within(port, tag(5000), lambda n: n == 1)
        assert api_total(port, EVERY) == 801
        load.stop_event.set()
    served_requests = len(load.latencies)
    print(f"\nduring reindexes: {served_requests} requests in {load.elapsed:.1f} s, {len(load.failures)} failed, "
          f"p50 {load.p(0.5) * 1000:.0f} ms, p99 {load.p(0.99) * 1000:.0f} ms; "
          "visible: " + ", ".join(f"{k} at search #{n} ({v * 1000:.0f} ms)" for k, (n, v) in latencies.items()))
    assert load.failures == [], load.failures[:10]
    assert served_requests >= 100
    # Each request opens the index afresh: the very next search sees the change. Its time is
    # recorded (it includes building the new index's vocabulary), bounded only generously.
    assert all(n == 1 or v < 2.0 for n, v in latencies.values()), latencies


LOAD_SECONDS = float(os.environ.get("VNSEARCH_LOAD_SECONDS", "20"))


@pytest.fixture(scope="module")
def load_server(tmp_path_factory):
    """``vnsearch serve`` (2 workers) over an index of 600 synthetic documents."""
    base = tmp_path_factory.mktemp("load")
    write_jsonl(base / "src" / "news.jsonl", synthetic_docs(range(600), seed=7))
    index_dir = base / "index"
    reindex([base / "src"], index_dir)
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    with served(index_dir, base / "serve.log") as server:
        yield server, index_dir


def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client-side normalisation of the path) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=REQUEST_SECONDS) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    response = b"".join(chunks)
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return status, response


def test_hostile_requests_over_real_http(load_server):
    server, index_dir = load_server
    version = index_version(index_dir)
    statuses: dict[int, int] = {}

    def send(method: str, target: bytes, expected: set[int], body: bytes = b"") -> None:
        request = (method.encode() + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                   + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status, response = raw_request(server.port, request)
        statuses[status] = statuses.get(status, 0) + 1
        assert status in expected, (method, target[:120], response[:300])
        assert SECRET.encode() not in response and b"root:" not in response and b"Traceback" not in response
        if status == 308:  # werkzeug merging "//": to the Host the client named, never elsewhere
            location = re.search(rb"\r\nLocation: (\S+)", response).group(1).decode()
            assert location.startswith("http://127.0.0.1/doc/") and "//" not in location[7:], location

    for path in ["/doc/../secret.txt", "/doc/../../secret.txt", "/doc/..%2F..%2Fsecret.txt", "/doc/%2e%2e/secret.txt",
                 f"/doc/{index_dir.parent}/secret.txt", f"/doc//{index_dir.parent}/secret.txt", "/doc/%00",
                 "/doc/d00001%00.txt", "/doc/nonexistent", "/static/../../secret.txt", "/static/..%2f..%2fapp.py",
                 "/../../secret.txt", "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd"]:
        send("GET", path.encode(), {400, 404, 308})
    for target in [b"/doc/a\x00b", b"/doc/\xed\xa0\x80", b"/?q=\xff\xfe", b"/doc/a b"]:
        send("GET", target, {400, 404})
    # Query strings: bad parameters are the JSON 400, odd bytes a normal answer; a URL past
    # gunicorn's request-line limit (4 KB) gets gunicorn's own 400 before reaching the app.
    send("GET", b"/api/search?q=%ED%A0%80&page=%ED%A0%80", {400})
    send("GET", b"/api/search?q=" + b"(" * 3000, {200})
    send("GET", b"/api/search?q=" + b"a" * 100_000, {400, 414})
    send("GET", b"/?q=%00%01%02&per_page=-1", {400})
    for url in ("/", "/api/search", "/healthz", "/doc/d00001", "/api/openapi.json", "/static/style.css"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            send(method, url.encode(), {405}, body=b'{"q": "x"}')
    assert http_get(server.port, "/doc/d00001")[0] == 200
    assert index_version(index_dir) == version
    print(f"\nraw HTTP to gunicorn: {sum(statuses.values())} hostile requests, statuses {dict(sorted(statuses.items()))}")


@pytest.mark.slow
def test_load_16_clients(load_server):
    server, _ = load_server
    warm_up = min(5.0, LOAD_SECONDS / 4)
    with Load(server.port, threads=16, seconds=LOAD_SECONDS, max_requests=100_000, seed=2) as load:
        time.sleep(warm_up)
        rss_warm = server_rss_mb(server.proc.pid)
        rss_max = rss_warm
        while time.monotonic() < load.started + LOAD_SECONDS and any(t.is_alive() for t in load.threads):
            time.sleep(0.5)
            rss_max = max(rss_max, server_rss_mb(server.proc.pid))
        load.wait()
        rss_end = server_rss_mb(server.proc.pid)
    served_requests = len(load.latencies)
    print(f"\nload: 16 clients, {served_requests} requests in {load.elapsed:.1f} s "
          f"({served_requests / load.elapsed:.0f}/s), {len(load.failures)} failed, "
          f"p50 {load.p(0.5) * 1000:.0f} ms, p99 {load.p(0.99) * 1000:.0f} ms, max {max(load.latencies) * 1000:.0f} ms; "
          f"RSS after warm-up {rss_warm:.0f} MB, max {rss_max:.0f} MB, end {rss_end:.0f} MB")
    assert load.failures == [], load.failures[:10]
    assert served_requests >= 100
    assert rss_end <= 1.5 * rss_warm, (rss_warm, rss_end)


# --- Bad corpus files ------------------------------------------------------------------------------

TEXT = "Hà Nội mùa thu\n\nPhố cổ Hà Nội vào thu, lá vàng rơi trên phố. Người Hà Nội uống trà sen.\n"
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Legacy Vietnamese bytes: base letters precomposed, tone marks as combining characters."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append(base + "".join(c for c in parts if c in TONE_MARKS))
    return "".join(out).encode("cp1258")


def bad_corpus(folder: Path) -> dict[str, str]:
    """A folder of good files in mixed encodings and bad files; returns {bad name: reason}."""
    folder.mkdir()
    (folder / "a-utf8.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b-utf8-bom.txt").write_bytes(TEXT.encode("utf-8-sig"))
    (folder / "c-utf16.txt").write_bytes(TEXT.encode("utf-16"))
    (folder / "d-windows-1258.txt").write_bytes(windows_1258(TEXT))
    (folder / "e-page.html").write_bytes(("<title>Hà Nội</title><p>" + TEXT + "</p>").encode("utf-8"))
    (folder / "f-records.jsonl").write_bytes(
        json.dumps({"id": "r1", "title": "Hà Nội", "body": TEXT}, ensure_ascii=False).encode() + b"\n"
        + b"{not json\n" + b'{"id": "r2", "body": "H\xe0 N\xf4i"}\n'
        + json.dumps({"id": "r3", "title": "Hà Nội", "body": TEXT}).encode() + b"\n")
    (folder / "g-binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "h-garbled.html").write_bytes(b"<p>Gi\x81o d\x8dc \x90\x9d</p>")
    with open(folder / "i-50mb.txt", "wb") as f:  # real text, not sparse
        chunk = (TEXT * 100).encode("utf-8")
        for _ in range(50 * 2**20 // len(chunk) + 1):
            f.write(chunk)
    os.symlink(folder, folder / "j-loop")
    os.symlink("k-loop-b.txt", folder / "k-loop-a.txt")
    os.symlink("k-loop-a.txt", folder / "k-loop-b.txt")
    os.symlink(folder / "missing.txt", folder / "l-dangling.txt")
    os.mkfifo(folder / "m-fifo.txt")
    (folder / "n-empty.txt").write_bytes(b"")
    return {
        "f-records.jsonl:2": "bad JSON on line 2",
        "f-records.jsonl:3": "not UTF-8 on line 3",
        "g-binary.txt": "binary file",
        "h-garbled.html": "cannot decode (not UTF-8/UTF-16/Windows-1258)",
        "i-50mb.txt": "file too large (>20 MB)",
        "j-loop": "directory loop",
        "k-loop-a.txt": "symlink loop",
        "k-loop-b.txt": "symlink loop",
        "l-dangling.txt": "broken symlink",
        "m-fifo.txt": "not a regular file",
        "n-empty.txt": "empty file",
    }


GOOD_IDS = {"a-utf8.txt", "b-utf8-bom.txt", "c-utf16.txt", "d-windows-1258.txt", "e-page.html", "r1", "r3"}


def test_bad_corpus_files_are_skipped_with_reasons_and_the_rest_indexed(tmp_path):
    folder = tmp_path / "corpus"
    expected = bad_corpus(folder)
    results = list(iter_documents(folder))
    skipped = {os.path.basename(s.path): s.reason for s in results if isinstance(s, Skipped)}
    assert skipped == expected
    assert {d.id for d in results if isinstance(d, Document)} == GOOD_IDS
    # The same through the command a user runs: exit 0, every skip and its reason in the summary.
    index_dir = tmp_path / "index"
    result = cli("reindex", folder, "--index", index_dir, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{len(GOOD_IDS)} added" in result.stdout and f"{len(expected)} skipped" in result.stdout
    for name, reason in expected.items():
        assert f"{name}: {reason}" in result.stdout
    assert "Traceback" not in result.stderr
    # Mixed encodings in one folder: every good file is found by the same words.
    hits = search("pho co ha noi", index_dir=index_dir, config=replace(Config(), max_per_page=50), per_page=50)
    assert {hit.id for hit in hits.results} == GOOD_IDS
    print(f"\nbad corpus: {len(expected)} bad files skipped with their reasons, {len(GOOD_IDS)} documents indexed")


def test_a_file_deleted_while_the_folder_is_read_is_skipped(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(TEXT, encoding="utf-8")
    results = []
    for item in iter_documents(folder):
        results.append(item)
        if len(results) == 1:  # listed already, deleted before it is read
            (folder / "b.txt").unlink()
    assert [(type(r).__name__, os.path.basename(getattr(r, "path", ""))) for r in results] == [
        ("Document", "a.txt"), ("Skipped", "b.txt"), ("Document", "c.txt")]
    assert results[1].reason == "vanished while reading"


def test_an_unreadable_file_is_skipped(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading a file")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b-secret.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b-secret.txt").chmod(0)
    try:
        results = list(iter_documents(folder))
    finally:
        (folder / "b-secret.txt").chmod(0o644)
    assert [(type(r).__name__, os.path.basename(r.path)) for r in results] == [
        ("Document", "a.txt"), ("Skipped", "b-secret.txt")]
    assert results[1].reason == "permission denied"
