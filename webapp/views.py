"""The views: the search page (whole, or its results region alone for as-you-type), documents, the JSON API.

The page, its fragment and ``/api/search`` are renderings of one search (``run_search``).
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import NotFound

from indexer.config import Config
from indexer.completion import suggest_completions
from indexer.errors import IndexNotFound, QueryError
from indexer.search import SORTS, SearchResult, get_document, search
from indexer.store import kept_reader, open_index

from .deadline import time_limit
from .openapi import openapi_spec

#: Request parameters passed through to the search function, and kept by every link.
SEARCH_PARAMS = ("q", "page", "per_page", "sort", "year")
#: ``?typing=1``: the query is being typed (search.js), its last word may be unfinished;
#: ``?exact=1``: run the query as typed, uncorrected (the link back from a correction).
TYPING_PARAM, EXACT_PARAM = "typing", "exact"

#: ``?fragment=1`` asks for the results region alone (templates/_results.html), as search.js does.
FRAGMENT_PARAM = "fragment"

#: The parameters the API declares integers.
INTEGER_PARAMS = ("page", "per_page", "year")

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


def app_config() -> Config:
    return current_app.config["VNSEARCH_CONFIG"]


def search_args() -> dict:
    """The search parameters of this request, as the raw strings the search function checks."""
    return {name: request.args.get(name, "") for name in SEARCH_PARAMS}


def api_args() -> dict:
    """The search parameters of an API request, held to the OpenAPI description: a parameter
    given is a valid value of its type (``year=`` is an error, as an empty number is in
    Elasticsearch); the page's form may leave them empty."""
    args = search_args()
    for name in INTEGER_PARAMS:
        if name in request.args and not re.fullmatch(r"-?[0-9]+", args[name]):
            raise QueryError(f"{name} must be a whole number, not {args[name][:40]!r}")
    if "sort" in request.args and args["sort"] not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    for name in (TYPING_PARAM, EXACT_PARAM):
        if request.args.get(name, "") not in ("", "0", "1"):
            raise QueryError(f"{name} must be 0 or 1, not {request.args[name][:40]!r}")
    return args


def run_search(args: dict) -> SearchResult:
    """The one search behind the page, its fragment and the JSON API, within the time limit."""
    config = app_config()
    with time_limit(config.server.search_time_limit):
        return search(args["q"], page=args["page"], per_page=args["per_page"],
                      sort=args["sort"] or "relevance", year=args["year"], config=config,
                      typing=request.args.get(TYPING_PARAM, ""), exact=request.args.get(EXACT_PARAM, ""))


def search_url(args: dict, **changes) -> str:
    """A URL of the search page with ``args`` updated by ``changes``; empty values are left out."""
    merged = {**args, **changes}
    return url_for("pages.index", **{k: v for k, v in merged.items() if v not in (None, "")})


def render_results(args: dict, status: int = 200, **context):
    """The search page for ``args``, or only its results region when the request asks for the fragment.

    ``context`` is what the results region shows: a ``result``, or an ``error`` or ``no_index``.
    """
    template = "_results.html" if request.args.get(FRAGMENT_PARAM) == "1" else "search.html"
    return render_template(template, args=args, q=args["q"], **context), status


# --- HTML pages -----------------------------------------------------------------------


@pages.get("/")
def index():
    """The search page: form, results, filters and pagination, rendered on the server."""
    args = search_args()
    return render_results(args, result=run_search(args))


@pages.get("/doc/<path:doc_id>")
def document(doc_id: str):
    """One whole document from the index (never from disk), the query words highlighted."""
    q = request.args.get("q", "")
    config = app_config()
    with time_limit(config.server.search_time_limit):
        doc = get_document(doc_id, q, config=config)
    if doc is None:
        raise NotFound("Không tìm thấy tài liệu này trong chỉ mục.")
    return render_template("document.html", doc=doc, q=q, back_url=search_url({"q": q}))


@pages.get("/healthz")
def healthz():
    """Whether the index opens, and how many documents it holds."""
    with open_index(app_config().index_dir).reader() as reader:
        count = reader.doc_count()
    return jsonify({"ok": True, "documents": count})


# --- JSON API -----------------------------------------------------------------------------


@api.get("/search")
def api_search():
    """The same search as the page, as JSON (SearchResult.to_dict())."""
    return jsonify(run_search(api_args()).to_dict())


@api.get("/suggest")
def api_suggest():
    """Completions of what is typed, with diacritics, for the autocomplete list under the search box."""
    q = request.args.get("q", "")
    return jsonify({"query": q, "suggestions": suggest_completions(q, config=app_config())})


@api.get("/openapi.json")
def api_openapi():
    return jsonify(openapi_spec(app_config(), example_id=first_document_id()))


def first_document_id() -> str | None:
    """The id of a document of the index, or None when there is none (or no index)."""
    try:
        return next(kept_reader(app_config().index_dir).all_stored_fields(), {}).get("id")
    except IndexNotFound:
        return None
