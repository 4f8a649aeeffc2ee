"""Hostile documents: markup and scripts inside documents stay text in the JSON, the pages and
a real browser. See docs/RELIABILITY.md."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from helpers import assert_marked_text_only, assert_no_live_markup, write_jsonl
from indexer.build import reindex
from webapp.app import SECURITY_HEADERS


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
def hostile_client(hostile_index, make_client):
    return make_client(hostile_index)


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
def hostile_server(hostile_index, make_app, live_server):
    with live_server(make_app(hostile_index, testing=False)) as base_url:
        yield base_url


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
            # The results region search.js fetches and swaps in as the user types.
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

