"""Hostile queries: any bytes in any parameter are a normal answer or the one JSON 400, never a
failure, and nothing a query holds becomes markup. See docs/RELIABILITY.md."""

from __future__ import annotations

import time
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import REQUEST_SECONDS, assert_marked_text_only, assert_no_live_markup
from indexer.config import Config


@pytest.fixture(scope="module")
def sample_client(sample_index, make_client):
    """The app over the session's sample index (module scope: hypothesis runs many examples)."""
    return make_client(sample_index)


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
        shown = len(body["results"])
        assert shown <= body["per_page"] and body["total"] >= shown, "the count covers the hits listed"
        if body["page"] == 1:
            assert shown == min(body["total"], body["per_page"]), "page 1 lists the first hits of the total"
        assert len({hit["id"] for hit in body["results"]}) == len(body["results"])
        for hit in body["results"]:
            assert_marked_text_only(hit["title"])
            assert_marked_text_only(hit["snippet"])
    page = _get(client, "/?" + query_string)
    # The page's form may send numbers the API holds to its OpenAPI types (`year=`, ` 2 `).
    assert page.status_code == api.status_code or (api.status_code, page.status_code) == (400, 200)
    assert page.content_type.startswith("text/html")
    assert_no_live_markup(page.get_data(as_text=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
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

