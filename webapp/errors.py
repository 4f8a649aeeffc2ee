"""Errors as a user meets them: the one JSON shape under /api, an HTML page (or results region) elsewhere."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexNotFound, QueryError, SearchTimeout, VnsearchError

from .views import render_results, search_args

NO_INDEX_MESSAGE = "Chưa có chỉ mục: chạy vnsearch reindex"
TIMEOUT_MESSAGE = "Tìm kiếm này chạy quá lâu và đã bị dừng; hãy thử lại với ít từ hơn."

#: Vietnamese titles and messages of the HTTP errors a user may meet.
ERRORS = {
    400: ("Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ."),
    404: ("Không tìm thấy trang", "Không tìm thấy trang này."),
    405: ("Phương thức không được hỗ trợ", "Chỉ hỗ trợ GET và HEAD."),
    500: ("Lỗi máy chủ", "Đã có lỗi không mong muốn. Vui lòng thử lại sau."),
    503: ("Dịch vụ tạm thời không sẵn sàng", "Dịch vụ tạm thời không sẵn sàng."),
}


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(VnsearchError, vnsearch_error)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/api", "/healthz")


def json_error(message: str, status: int):
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


def http_error(error: HTTPException):
    """Every HTTP error: the one JSON shape under /api, an HTML page elsewhere.

    The error's own response is kept for its headers (e.g. ``Allow`` on a 405). A 500 never
    shows the exception (Flask has logged it already).
    """
    status = error.code or 500
    title, message = ERRORS.get(status, (error.name, error.name))
    if status != 500 and error.description != type(error).description:
        message = error.description  # one of ours, already fit for a user
    response = error.get_response()
    if wants_json():
        response.set_data(json_error(message, status).get_data())
        response.content_type = "application/json"
    else:
        response.set_data(render_template("error.html", status=status, title=title, message=message, q=""))
        response.content_type = "text/html; charset=utf-8"
    return response


def vnsearch_error(error: VnsearchError):
    """Bad parameters (400), no index or a search past its time limit (503), anything else (500).

    On the search page the message takes the place of the results, in the page or its fragment.
    """
    message = str(error)
    if isinstance(error, QueryError):
        status = 400
    elif isinstance(error, SearchTimeout):
        status, message = 503, TIMEOUT_MESSAGE
        current_app.logger.warning("%s: %s", error, request.full_path[:300])
    elif isinstance(error, IndexNotFound):
        status, message = 503, NO_INDEX_MESSAGE  # the server's paths stay in the log
        current_app.logger.warning("%s", error)
    else:  # a server-side failure (a settings file it cannot read): details, paths among them, stay in the log
        current_app.logger.error("vnsearch error: %s", error)
        status, message = 500, ERRORS[500][1]
    if wants_json():
        return json_error(message, status)
    no_index = isinstance(error, IndexNotFound)
    return render_results(search_args(), status, result=None, error=None if no_index else message,
                          no_index=no_index, no_index_message=NO_INDEX_MESSAGE)
