"""End to end in a real headless Chromium (Playwright): what a user sees and clicks."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.config import Config

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Where ``make screenshot`` has the results page saved (docs/screenshot-results.png); unset, no file is written.
SCREENSHOT = os.environ.get("VNSEARCH_SCREENSHOT")
XSS_DOC = "2022-tap-huan-an-toan-thong-tin-nganh-giao-duc.html"
#: Five results a page, so that ``giao duc`` (8 documents in samples/) has two pages.
PER_PAGE = 5


def _ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if _ci():
            pytest.fail(message)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def site(sample_index, make_app, live_server):
    """The app (PER_PAGE results a page) on an ephemeral port, served from a background thread."""
    with live_server(make_app(sample_index, replace(Config(), per_page=PER_PAGE), testing=False)) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def chromium(chromium_path):
    from playwright.sync_api import sync_playwright  # imported here: a skip needs no Playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page with every dialog, page error and console error it produced."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._console)

    def _console(self, msg):
        # The status of a page we opened on purpose (a 404 page) is not an error of ours.
        expected_status = msg.text.startswith("Failed to load resource") and msg.location.get("url") == self.page.url
        if msg.type == "error" and not expected_status:
            self.errors.append(f"console: {msg.text} ({msg.location.get('url')})")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self):
        assert self.dialogs == [], "a dialog opened: script ran"
        assert self.errors == [], "errors or CSP violations in the console"


@pytest.fixture
def make_page(chromium, site):
    """Open pages in fresh browser contexts; every page is checked for dialogs and console errors."""
    contexts, watched = [], []

    def open_page(width=1200, height=900, javascript=True, **options):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                       base_url=site, java_script_enabled=javascript, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        w = Watched(context.new_page())
        watched.append(w)
        return w

    yield open_page
    for context in contexts:
        context.close()
    for w in watched:
        w.assert_clean()


@pytest.fixture
def page(make_page):
    return make_page().page


def search_by_typing(page, query: str) -> None:
    page.goto("/")
    box = page.get_by_label("Từ khóa tìm kiếm")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    page.locator("#results-region .summary").wait_for()


def result_ids(page) -> list[str]:
    return [href.split("?")[0] for href in page.locator(".result-title a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]


def test_search_shows_highlighted_accented_words(page):
    search_by_typing(page, "giao duc")
    assert re.search(r"[?&]q=giao(\+|%20)duc", page.url)
    marks = page.locator(".results mark").all_inner_texts()
    assert any("giáo dục" in m.lower() for m in marks), marks
    assert page.locator(".summary").inner_text().startswith("Khoảng 8 kết quả")


@pytest.mark.skipif(not SCREENSHOT, reason="only `make screenshot` writes the screenshot")
def test_screenshot_of_the_results_page(page):
    search_by_typing(page, "giao duc")
    page.screenshot(path=SCREENSHOT)
    assert Path(SCREENSHOT).stat().st_size > 0


def test_search_works_without_javascript(make_page):
    page = make_page(javascript=False).page
    search_by_typing(page, "giáo dục")
    assert page.locator(".result").count() == PER_PAGE
    with page.expect_navigation():
        page.get_by_role("link", name="Mới nhất").click()
    dates = page.locator(".result time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)


def region_text(page) -> str:
    """What the results region says, without the time the search took."""
    return re.sub(r"\(\d+ ms\)", "(… ms)", page.locator("#results-region").inner_text())


def type_and_wait_for_the_fragment(page, text: str) -> None:
    """Type ``text`` into the box (replacing what is there) and wait until its results region is in."""
    box = page.get_by_label("Từ khóa tìm kiếm")
    with page.expect_response(lambda r: "fragment=1" in r.url and r.status == 200):
        box.fill("")
        box.press_sequentially(text, delay=30)
    page.wait_for_function("q => document.title.startsWith(q)", arg=text.strip())


def test_results_as_you_type(page):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/")
    type_and_wait_for_the_fragment(page, "ho guom")
    page.locator(".results mark").first.wait_for()
    assert "/doc/2023-ho-guom-ho-nuoc-noi-do.txt" in result_ids(page)
    assert re.search(r"[?&]q=ho(\+|%20)guom", page.url), "the URL follows the query"
    assert "fragment" not in page.url
    marks = [m.lower() for m in page.locator(".results mark").all_inner_texts()]
    assert "hồ" in marks or "gươm" in marks
    assert not [url for url in requested if "/api/" in url and "/api/suggest" not in url], \
        "the results are fetched as HTML; only the autocomplete list is JSON"
    # Typing keeps the box focused, the caret at the end.
    assert page.evaluate("[document.activeElement.id, document.activeElement.selectionStart]") == ["q", 7]
    # The swapped-in region is the one the server renders for the URL.
    typed = region_text(page)
    page.reload()
    assert region_text(page) == typed


def test_as_you_type_keeps_sort_and_back_returns_to_the_page_before(page):
    page.goto("/?q=giao+duc&sort=date")
    before = region_text(page)
    type_and_wait_for_the_fragment(page, "nam hoc")
    assert "sort=date" in page.url and "q=nam" in page.url, "the form's other fields are kept"
    dates = page.locator(".result time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates and dates == sorted(dates, reverse=True)
    after = region_text(page)
    page.go_back()
    page.wait_for_function("() => document.title.startsWith('giao duc')")
    assert region_text(page) == before
    assert page.get_by_label("Từ khóa tìm kiếm").input_value() == "giao duc"
    page.go_forward()
    page.wait_for_function("() => document.title.startsWith('nam hoc')")
    assert region_text(page) == after


def test_clearing_the_box_shows_the_start_page(page):
    page.goto("/?q=giao+duc")
    box = page.get_by_label("Từ khóa tìm kiếm")
    with page.expect_response(lambda r: "fragment=1" in r.url):
        box.fill("")
    page.locator(".intro").wait_for()
    assert page.url.endswith("/") and page.title() == "vnsearch: tìm kiếm tài liệu tiếng Việt"


def test_pagination_link(page):
    search_by_typing(page, "giao duc")
    first = result_ids(page)
    pagination = page.get_by_role("navigation", name="Phân trang")
    assert pagination.locator("[aria-current=page]").inner_text() == "1"
    with page.expect_navigation():
        pagination.get_by_role("link", name="Trang 2").click()
    assert "page=2" in page.url and "q=giao" in page.url
    assert pagination.locator("[aria-current=page]").inner_text() == "2"
    second = result_ids(page)
    assert second and not set(first) & set(second)
    assert page.locator(".summary").inner_text().startswith("Khoảng 8 kết quả")


def test_year_facet(page):
    search_by_typing(page, "giao duc")
    facet = page.locator(".facet-list a", has=page.locator(".facet-value")).first
    year = facet.locator(".facet-value").inner_text()
    count = int(facet.locator(".count").inner_text())
    with page.expect_navigation():
        facet.click()
    assert f"year={year}" in page.url
    dates = page.locator(".result time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert len(dates) == min(count, PER_PAGE)
    assert all(d.startswith(year + "-") for d in dates), dates
    assert page.locator(".facet-list [aria-current=true] .facet-value").inner_text() == year
    with page.expect_navigation():
        page.get_by_role("link", name="Tất cả các năm").click()
    assert "year=" not in page.url


def test_did_you_mean(page):
    page.goto("/?q=guomm&exact=1")  # searched as typed: a typo is otherwise corrected and searched
    assert page.locator(".result").count() == 0
    suggestion = page.locator(".suggestion a")
    assert suggestion.inner_text() == "gươm"
    with page.expect_navigation():
        suggestion.click()
    assert page.get_by_label("Từ khóa tìm kiếm").input_value() == "gươm"
    assert "/doc/2023-ho-guom-ho-nuoc-noi-do.txt" in result_ids(page)
    assert "gươm" in [m.lower() for m in page.locator(".results mark").all_inner_texts()]


def test_telex_notice(page):
    search_by_typing(page, "giaos ducj")
    assert "Telex" in page.locator(".notice").inner_text()
    assert page.locator(".result").count() > 0


def test_script_text_in_a_document_does_not_run(make_page):
    watched = make_page()
    page = watched.page
    search_by_typing(page, "script alert")
    assert "<script>alert(1)</script>" in page.locator(".snippet").first.inner_text()
    with page.expect_navigation():
        page.locator(".result-title a").first.click()
    assert XSS_DOC in page.url
    assert "<script>alert(1)</script>" in page.locator(".doc-body").inner_text()
    assert page.locator(".doc-body script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    watched.assert_clean()


def test_hostile_query_does_not_run(make_page):
    from playwright.sync_api import expect

    watched = make_page()
    page = watched.page
    hostile = '"><img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
    search_by_typing(page, hostile)
    assert page.get_by_label("Từ khóa tìm kiếm").input_value() == hostile
    # And typed, for the as-you-type results.
    page.get_by_label("Từ khóa tìm kiếm").fill(hostile + " giáo")
    expect(page).to_have_title(re.compile("giáo – vnsearch$"))
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img").count() == 0
    watched.assert_clean()


@pytest.mark.parametrize("url", ["/", "/?q=giao+duc", "/?q=guomm", f"/doc/{XSS_DOC}?q=giao+duc", "/khong-co"])
def test_phone_width(make_page, url):
    page = make_page(width=375, height=740, is_mobile=True, has_touch=True).page
    page.goto(url)
    box = page.get_by_label("Từ khóa tìm kiếm")
    assert box.is_visible()
    bounds = box.bounding_box()
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 375
    assert page.get_by_role("button", name="Tìm kiếm").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 376


# --- Search as you type, autocomplete, the way back from a correction ----------------------------

THI_TOT_NGHIEP = "/doc/2025-thi-tot-nghiep-thpt-ngay-dau-tien.html"


def box(page):
    return page.get_by_label("Từ khóa tìm kiếm")


def test_typing_without_diacritics_finds_the_document_before_the_last_word_is_complete(page):
    page.goto("/")
    with page.expect_response(lambda r: "fragment=1" in r.url and "typing=1" in r.url and r.status == 200):
        box(page).press_sequentially("thi tot ngh", delay=40)
    page.wait_for_function("q => document.title.startsWith(q)", arg="thi tot ngh")
    assert result_ids(page)[0] == THI_TOT_NGHIEP
    assert any("nghiệp" in m.lower() for m in page.locator(".results mark").all_inner_texts())
    assert "typing" not in page.url, "the address is that of the query, reloadable as it is"


def test_an_autocomplete_entry_is_picked_with_the_keyboard(page):
    page.goto("/")
    search = box(page)
    search.press_sequentially("thi tot ngh", delay=40)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    options = page.get_by_role("option")
    assert options.first.inner_text() == "thi tốt nghiệp"
    assert search.get_attribute("aria-expanded") == "true"
    assert "gợi ý" in page.locator("#q-suggestions-status").inner_text()
    search.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    with page.expect_navigation():
        search.press("Enter")
    assert search.input_value() == "thi tốt nghiệp"
    assert re.search(r"[?&]q=thi(\+|%20)t%E1%BB%91t", page.url)
    assert result_ids(page)[0] == THI_TOT_NGHIEP


def test_escape_closes_the_autocomplete_list(page):
    page.goto("/")
    search = box(page)
    search.press_sequentially("giao d", delay=40)
    page.get_by_role("listbox").wait_for()
    search.press("Escape")
    page.get_by_role("listbox").wait_for(state="hidden")
    assert search.get_attribute("aria-expanded") == "false"
    assert search.input_value() == "giao d"


def test_the_link_back_to_the_literal_query(page):
    page.goto("/?q=truonh")
    notice = page.locator(".notice")
    assert "Kết quả cho “trường”" in notice.inner_text()
    assert result_ids(page)
    with page.expect_navigation():
        notice.get_by_role("link", name="tìm chính xác “truonh”").click()
    assert "exact=1" in page.url
    assert "0 kết quả" in page.locator(".summary").inner_text()
    assert page.locator(".suggestion a").inner_text() == "trường"
