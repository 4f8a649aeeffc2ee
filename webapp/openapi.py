"""The OpenAPI 3.0 description of the JSON API, with the limits the search function enforces."""

from __future__ import annotations

from indexer.completion import MAX_SUGGESTIONS
from indexer.config import Config
from indexer.search import MAX_PAGE, MAX_RESULT_WINDOW, SORTS


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


#: gunicorn answers a request line over its limit itself, before the app, in HTML.
URI_TOO_LONG = {"description": "The request line is longer than the server accepts (8190 bytes)",
                "content": {"text/html": {}}}


def openapi_spec(config: Config, example_id: str | None = None) -> dict:
    """The OpenAPI document for ``config`` (its per_page default and maximum); ``example_id``,
    a document of the index, shows (and lets API testers find) what a /doc/{id} answer is."""
    example = {"example": example_id} if example_id else {}
    nullable_string = {"type": "string", "nullable": True}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "vnsearch",
            "version": "0.1.0",
            "description": "Full-text search of Vietnamese documents: accent-insensitive, ranked, "
                           "with highlighted snippets. Only GET and HEAD are allowed.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search the index",
                    "operationId": "search",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string", "default": ""},
                         "description": f"The query, with or without diacritics (Telex/VNI typing is "
                                        f"understood). Cut to {config.max_query_chars} characters. "
                                        "`\"phrase\"`, `-word`, `OR` and `title:word` are supported. "
                                        "An empty query gives no results."},
                        {"name": "page", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
                        {"name": "per_page", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": config.max_per_page,
                                    "default": config.per_page},
                         "description": f"Results per page. Only the first {MAX_RESULT_WINDOW} results are "
                                        "listed: a page past them has no results (its total and facets "
                                        "are the query's)."},
                        {"name": "sort", "in": "query",
                         "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"},
                         "description": "`date` sorts newest first."},
                        {"name": "year", "in": "query",
                         "schema": {"type": "integer", "minimum": 1000, "maximum": 2999},
                         "description": "Only documents dated in this year."},
                        {"name": "typing", "in": "query",
                         "schema": {"type": "string", "enum": ["", "0", "1"], "default": ""},
                         "description": "`1`: the query is being typed; unless it ends with a space or a closing "
                                        "quote, its last word also matches the words it begins (`completions` "
                                        "says which). Without it, only a last word found nowhere is completed."},
                        {"name": "exact", "in": "query",
                         "schema": {"type": "string", "enum": ["", "0", "1"], "default": ""},
                         "description": "`1`: run the query as typed: no Telex reading, typo correction or completion."},
                    ],
                    "responses": {
                        "414": URI_TOO_LONG,
                        "200": {"description": "A page of results",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/SearchResult"}}}},
                        "400": _error_response("A parameter is out of range; `error` says which"),
                        "503": _error_response("No index has been built yet, or the search ran past "
                                               "its time limit (config.toml [server] search_time_limit)"),
                    },
                },
            },
            "/api/suggest": {
                "get": {
                    "summary": "Autocomplete: completions of what is typed, with diacritics",
                    "operationId": "suggest",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string", "default": ""},
                         "description": "The text as typed; a trailing space means its last word is complete "
                                        "(the completions then add the words that most often follow it)."},
                    ],
                    "responses": {
                        "200": {"description": f"Up to {MAX_SUGGESTIONS} completions, likeliest first",
                                "content": {"application/json": {"schema": {
                                    "type": "object", "required": ["query", "suggestions"],
                                    "properties": {
                                        "query": {"type": "string", "description": "The text as sent"},
                                        "suggestions": {"type": "array", "maxItems": MAX_SUGGESTIONS,
                                                        "items": {"type": "string"}}}}}}},
                        "503": _error_response("No index has been built yet"),
                    },
                },
            },
            "/doc/{id}": {
                "get": {
                    "summary": "One whole document as an HTML page, the query words highlighted",
                    "operationId": "document",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}, **example,
                         "description": "A document id from the results; ids look like relative paths "
                                        "and may contain `/` (e.g. `sub/a.txt`)."},
                        {"name": "q", "in": "query", "schema": {"type": "string"},
                         "description": "Words to highlight."},
                    ],
                    "responses": {
                        "414": URI_TOO_LONG,
                        "200": {"description": "The document", "content": {"text/html": {}}},
                        "404": {"description": "No document with this id", "content": {"text/html": {}}},
                        "503": {"description": "No index has been built yet", "content": {"text/html": {}}},
                    },
                },
            },
            "/healthz": {
                "get": {
                    "summary": "Whether the index opens",
                    "operationId": "health",
                    "responses": {
                        "414": URI_TOO_LONG,
                        "200": {"description": "The index opens",
                                "content": {"application/json": {"schema": {
                                    "type": "object", "required": ["ok", "documents"],
                                    "properties": {"ok": {"type": "boolean", "enum": [True]},
                                                   "documents": {"type": "integer", "minimum": 0}}}}}},
                        "503": _error_response("No index has been built yet"),
                    },
                },
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {"414": URI_TOO_LONG, "200": {"description": "OpenAPI 3.0 document",
                                          "content": {"application/json": {}}}},
                },
            },
        },
        "components": {
            "schemas": {
                "Hit": {
                    "type": "object",
                    "required": ["id", "title", "snippet", "date", "path", "url", "score", "rank_score"],
                    "properties": {
                        "id": {"type": "string", "description": "Use in /doc/{id}"},
                        "title": {"type": "string", "description": "HTML: escaped text with <mark> around matches"},
                        "snippet": {"type": "string", "description": "HTML: escaped text with <mark> around matches"},
                        "date": {**nullable_string, "format": "date"},
                        "path": {"type": "string",
                                 "description": "The document's file relative to the source folder it was "
                                                "indexed from (`sub/a.txt`, or `news.jsonl` for a record of "
                                                "it); never a path on the server"},
                        "url": {"type": "string"},
                        "score": {"type": "number", "nullable": True,
                                  "description": "BM25F score; null when sorted by date"},
                        "rank_score": {"type": "number", "nullable": True,
                                       "description": "The score the top hits are re-ranked by: BM25F over the "
                                                      "first hit's plus the proximity bonus, and with hybrid "
                                                      "ranking the weighted cosine below the best one; null past "
                                                      "the re-ranked top and when sorted by date"},
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "required": ["query", "ran_query", "total", "page", "per_page", "took_ms",
                                 "suggestion", "results", "facets", "notice", "sort", "year"],
                    "properties": {
                        "query": {"type": "string", "description": "The query as sent"},
                        "ran_query": {"type": "string", "description": "The query that was run (e.g. the Telex reading)"},
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1},
                        "took_ms": {"type": "number"},
                        "stage_ms": {"type": "object", "additionalProperties": {"type": "number"},
                                     "description": "Milliseconds per stage: plan, count, top_k, rerank, snippets, suggest"},
                        "suggestion": {**nullable_string, "description": "A corrected query, with diacritics"},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "facets": {
                            "type": "object",
                            "properties": {"year": {"type": "array", "items": {
                                "type": "object", "required": ["year", "count"],
                                "properties": {"year": {"type": "integer"}, "count": {"type": "integer"}}}}},
                        },
                        "notice": {**nullable_string, "description": "A note in Vietnamese, e.g. the Telex reading that was run"},
                        "sort": {"type": "string", "enum": list(SORTS)},
                        "year": {"type": "integer", "nullable": True},
                        "completions": {"type": "array", "items": {"type": "string"},
                                        "description": "What the last word, typed half-way, was completed to, likeliest first"},
                        "corrected": {**nullable_string,
                                      "description": "The corrected query, with diacritics, that ran instead of the one typed"},
                        "ranking": {"type": "string", "enum": ["hybrid", "lexical"],
                                    "description": "hybrid: the top hits re-ranked by meaning too"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["ok", "error", "status"],
                    "properties": {
                        "ok": {"type": "boolean", "enum": [False]},
                        "error": {"type": "string", "description": "A message fit for a user"},
                        "status": {"type": "integer", "description": "The HTTP status"},
                    },
                },
            },
        },
    }
