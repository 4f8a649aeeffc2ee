"""The web app: a server-rendered search page, document pages and a JSON API over ``indexer.search``.

Every request calls the search function, which opens and closes its own searcher, so the
app holds no index between requests and sees a reindex on the next request.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException, NotFound

from indexer.config import Config, load_config
from indexer.errors import IndexNotFound, QueryError, VnsearchError
from indexer.search import get_document, search
from indexer.store import open_index

from .openapi import openapi_spec

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

#: Request parameters passed through to the search function, and kept by every link.
SEARCH_PARAMS = ("q", "page", "per_page", "sort", "year")

NO_INDEX_MESSAGE = "Chưa có chỉ mục: chạy vnsearch reindex"

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; ``test_config`` may hold ``VNSEARCH_CONFIG`` (a Config) and ``INDEX_DIR``."""
    # No automatic OPTIONS: only GET and HEAD are answered, everything else is a 405.
    # The static route is added by hand so that it is registered under that rule too.
    app = Flask(__name__, static_folder=None)
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.config.from_mapping(test_config or {})
    config = app.config.get("VNSEARCH_CONFIG") or load_config()
    if app.config.get("INDEX_DIR"):
        config = replace(config, index_dir=Path(app.config["INDEX_DIR"]))
    app.config["VNSEARCH_CONFIG"] = config

    app.static_folder = "static"
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=app.send_static_file)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(VnsearchError, _vnsearch_error)
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.filters["vn_number"] = vn_number
    app.jinja_env.globals["page_window"] = page_window
    app.jinja_env.globals["search_url"] = search_url
    app.jinja_env.globals["safe_url"] = safe_url
    app.jinja_env.globals["source_label"] = source_label
    return app


def _config() -> Config:
    return current_app.config["VNSEARCH_CONFIG"]


def _search_args() -> dict:
    """The search parameters of this request, as the raw strings the search function checks."""
    return {name: request.args.get(name, "") for name in SEARCH_PARAMS}


def run_search(args: dict):
    """The one query behind both the HTML page and the JSON API."""
    return search(args["q"], page=args["page"], per_page=args["per_page"],
                  sort=args["sort"] or "relevance", year=args["year"], config=_config())


def search_url(args: dict, **changes) -> str:
    """A URL of the search page with ``args`` updated by ``changes``; empty values are left out."""
    merged = {**args, **changes}
    return url_for("pages.index", **{k: v for k, v in merged.items() if v not in (None, "")})


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/api", "/healthz")


def _json_error(message: str, status: int):
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


# --- HTML pages -----------------------------------------------------------------------


@pages.get("/")
def index():
    """The search page: form, results, filters and pagination, rendered on the server."""
    args = _search_args()
    result = run_search(args)
    return render_template("search.html", args=args, q=args["q"], result=result)


@pages.get("/doc/<path:doc_id>")
def document(doc_id: str):
    """One whole document from the index (never from disk), the query words highlighted."""
    q = request.args.get("q", "")
    doc = get_document(doc_id, q, config=_config())
    if doc is None:
        raise NotFound("Không tìm thấy tài liệu này trong chỉ mục.")
    return render_template("document.html", doc=doc, q=q, back_url=search_url({"q": q}))


@pages.get("/healthz")
def healthz():
    """Whether the index opens, and how many documents it holds."""
    with open_index(_config().index_dir).reader() as reader:
        count = reader.doc_count()
    return jsonify({"ok": True, "documents": count})


# --- JSON API -----------------------------------------------------------------------------


@api.get("/search")
def api_search():
    """The same search as the page, as JSON (SearchResult.to_dict())."""
    return jsonify(run_search(_search_args()).to_dict())


@api.get("/openapi.json")
def api_openapi():
    return jsonify(openapi_spec(_config()))


# --- Errors and headers ---------------------------------------------------------------------

#: Vietnamese titles and messages of the HTTP errors a user may meet.
ERRORS = {
    400: ("Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ."),
    404: ("Không tìm thấy trang", "Không tìm thấy trang này."),
    405: ("Phương thức không được hỗ trợ", "Chỉ hỗ trợ GET và HEAD."),
    500: ("Lỗi máy chủ", "Đã có lỗi không mong muốn. Vui lòng thử lại sau."),
    503: ("Dịch vụ tạm thời không sẵn sàng", "Dịch vụ tạm thời không sẵn sàng."),
}


def _http_error(error: HTTPException):
    """Every HTTP error: the one JSON shape under /api, an HTML page elsewhere.

    The error's own response is kept for its headers (e.g. ``Allow`` on a 405). A 500 never
    shows the exception (Flask has logged it already).
    """
    status = error.code or 500
    title, message = ERRORS.get(status, (error.name, error.name))
    if status != 500 and error.description != type(error).description:
        message = error.description  # one of ours, already fit for a user
    response = error.get_response()
    if _wants_json():
        response.set_data(jsonify({"ok": False, "error": message, "status": status}).get_data())
        response.content_type = "application/json"
    else:
        response.set_data(render_template("error.html", status=status, title=title, message=message, q=""))
        response.content_type = "text/html; charset=utf-8"
    return response


def _vnsearch_error(error: VnsearchError):
    """Bad parameters (400), no index (503), anything else from the indexer (500)."""
    message = str(error)
    if isinstance(error, QueryError):
        status = 400
    elif isinstance(error, IndexNotFound):
        status, message = 503, NO_INDEX_MESSAGE  # the server's paths stay in the log
        current_app.logger.warning("%s", error)
    else:
        current_app.logger.error("vnsearch error: %s", error)
        status = 500
    if _wants_json():
        return _json_error(message, status)
    args = _search_args()
    html = render_template(
        "search.html", args=args, q=args["q"], result=None,
        error=message if status != 503 else None, no_index=status == 503,
        no_index_message=NO_INDEX_MESSAGE,
    )
    return html, status


def _security_headers(response):
    response.headers.update(SECURITY_HEADERS)
    return response


# --- Template helpers -------------------------------------------------------------------------


def vn_date(iso: str | None) -> str:
    """``2024-07-04`` as Vietnamese write it: ``04/07/2024``."""
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def vn_number(n: int) -> str:
    """Thousands separated by dots, as in Vietnamese: ``12.345``."""
    return f"{n:,}".replace(",", ".")


def page_window(page: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and ``radius`` around the current; None for a gap."""
    shown = sorted({1, pages, *range(max(1, page - radius), min(pages, page + radius) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def safe_url(url: str) -> str | None:
    """A document's source URL if it is http(s), so that no ``javascript:`` link is ever rendered."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def source_label(path: str, doc_id: str) -> str:
    """Where a document came from, without the server's directories: a relative path, else the id."""
    return path if path and not Path(path).is_absolute() else doc_id
