"""The web app: a server-rendered search page, document pages and a JSON API over ``indexer.search``.

The app opens no index itself: each search uses the reader its serving thread keeps
(``indexer.store.kept_reader``), which is reopened as soon as a reindex changes the index, so
the next request after a reindex sees it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import Flask

from indexer.config import load_config

from .errors import register_error_handlers
from .formats import FILTERS, GLOBALS
from .proxy import TrustedProxyFix
from .views import api, pages, search_url

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


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
    register_error_handlers(app)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(GLOBALS, search_url=search_url)
    if config.server.trust_proxy:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, config.server.forwarded_allow_ips)
    return app


def _security_headers(response):
    response.headers.update(SECURITY_HEADERS)
    return response
