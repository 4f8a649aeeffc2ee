"""How the service is served to the internet: its limits, time-limited searches, forwarded
headers, and what responses reveal. See docs/RELIABILITY.md."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from flask import request

from bench.speed.load import Load, cycle, serve
from bench.speed.slowloris import KINDS, SlowClients
from conftest import SAMPLES
from indexer.config import Config, ServerSettings, load_config
from indexer.errors import ConfigError, SearchTimeout
from webapp.deadline import time_limit
from webapp.server import gunicorn_settings

SLOW_CLIENTS = 200
NORMAL_CLIENTS = 16
SLOW_SECONDS = 30
#: A slow client sends a byte this often: each byte would reset a per-read socket timeout.
TRICKLE_SECONDS = 2.0

NORMAL_PATHS = [f"/api/search?q={q}" for q in ("giao+duc", "hoc+sinh", "truong", "thi+tot+nghiep", "da+nang")]


# --- Slow clients -------------------------------------------------------------------


@pytest.mark.slow
def test_slow_clients_cost_sockets_not_workers(sample_index, tmp_path):
    """200 slowloris connections (headers or a POST body trickled a byte every 2 s, or nothing
    sent) held open for 30 s: 16 normal clients get every answer; the server closes each slow
    connection once its headers have taken longer than ``keepalive``, and a trickled body as
    soon as the request is answered (the app never reads a body)."""
    keepalive = ServerSettings().keepalive
    with serve(sample_index, workers=2, log=tmp_path / "serve.log") as server:
        with SlowClients(server.port, SLOW_CLIENTS, TRICKLE_SECONDS) as slow:
            time.sleep(TRICKLE_SECONDS)
            load = Load(server.port, NORMAL_CLIENTS, cycle(NORMAL_PATHS), seconds=SLOW_SECONDS, timeout=20).run()
            held = slow.open_now
    summary = load.summary()
    print(f"\nslow clients: {summary['requests']} answers, p50 {summary['p50']:.0f} ms, p99 {summary['p99']:.0f} ms; "
          f"closed {({k: len(v) for k, v in slow.lifetimes.items()})}, longest {slow.longest}")
    assert load.failures == [] and summary["requests"] > NORMAL_CLIENTS
    assert held == SLOW_CLIENTS and slow.refused == 0  # they were really held open meanwhile
    for kind in KINDS:
        lifetimes = sorted(slow.lifetimes[kind])
        # Each one is closed, every slow connection of the first round at least.
        assert len(lifetimes) >= SLOW_CLIENTS // len(KINDS), kind
        assert lifetimes[len(lifetimes) // 2] < SLOW_SECONDS / 2, kind
        if kind != "body":  # the header limit is what closes them, never earlier
            assert lifetimes[0] >= keepalive - 0.5, kind


def test_gunicorn_is_given_the_configured_limits():
    server = ServerSettings(workers=3, keepalive=7, max_connections=50, search_time_limit=40)
    settings = gunicorn_settings(server, "127.0.0.1", 8000)
    assert settings["worker_class"] == "gevent" and settings["workers"] == 3
    assert settings["keepalive"] == 7 and settings["worker_connections"] == 50
    assert settings["timeout"] > 40  # a long search ends as a 503 before gunicorn kills its worker
    assert settings["limit_request_line"] <= 8190 and settings["limit_request_fields"] <= 100
    assert settings["forwarded_allow_ips"] == ""  # forwarded headers are believed from no one
    trusted = gunicorn_settings(replace(server, trust_proxy=True, forwarded_allow_ips="10.0.0.1"), "::", 80)
    assert trusted["forwarded_allow_ips"] == "10.0.0.1"


def test_server_section_of_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[server]\nworkers = 4\nkeepalive = 3\nsearch_time_limit = 2.5\ntrust_proxy = true\n"
                    'forwarded_allow_ips = "10.0.0.0/8"\n', encoding="utf-8")
    assert load_config(path).server == ServerSettings(4, 3, 1000, 2.5, True, "10.0.0.0/8")
    for bad in ("keepalive = 0", "search_time_limit = -1", 'trust_proxy = "yes"', "max_connections = 'many'"):
        path.write_text(f"[server]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            load_config(path)


# --- A search's time limit ---------------------------------------------------------------


def test_time_limit_interrupts_cpu_bound_code():
    started = time.monotonic()
    with pytest.raises(SearchTimeout):
        with time_limit(0.05):
            while True:
                pass
    assert time.monotonic() - started < 5
    with time_limit(5):  # disarmed on the way out: nothing fires later
        pass
    time.sleep(0.1)


def test_search_past_its_time_limit_is_a_503_and_the_next_one_works(sample_index, make_app):
    app = make_app(sample_index)
    client = app.test_client()
    expected = client.get("/api/search?q=giao+duc").get_json()
    config = app.config["VNSEARCH_CONFIG"]
    app.config["VNSEARCH_CONFIG"] = replace(config, server=replace(config.server, search_time_limit=1e-6))
    for path in ("/api/search?q=giao+duc", "/api/search?q=hoc+sinh+truong+thi"):
        response = client.get(path)
        assert response.status_code == 503
        assert response.get_json() == {"ok": False, "error": response.get_json()["error"], "status": 503}
        assert "lâu" in response.get_json()["error"]
    page = client.get("/?q=giao+duc")
    assert page.status_code == 503 and "lâu" in page.get_data(as_text=True)
    app.config["VNSEARCH_CONFIG"] = config
    again = client.get("/api/search?q=giao+duc").get_json()
    assert again["results"] == expected["results"] and again["total"] == expected["total"]


# --- Forwarded headers -------------------------------------------------------------------

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "tim.example.vn"}


def _seen_by_app(app, peer: str) -> dict:
    """What the app believes about the client of a request carrying FORWARDED from ``peer``."""
    app.add_url_rule("/_seen", "seen", lambda: {"addr": request.remote_addr, "scheme": request.scheme,
                                                "host": request.host})
    return app.test_client().get("/_seen", headers=FORWARDED, environ_base={"REMOTE_ADDR": peer}).get_json()


def test_forwarded_headers_are_ignored_unless_configured(sample_index, make_app):
    seen = _seen_by_app(make_app(sample_index), "127.0.0.1")
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_forwarded_headers_are_honoured_from_the_configured_proxy_only(sample_index, make_app):
    config = Config(server=ServerSettings(trust_proxy=True, forwarded_allow_ips="10.0.0.0/8"))
    assert _seen_by_app(make_app(sample_index, config), "10.1.2.3") == \
        {"addr": "203.0.113.9", "scheme": "https", "host": "tim.example.vn"}
    assert _seen_by_app(make_app(sample_index, config), "198.51.100.7") == \
        {"addr": "198.51.100.7", "scheme": "http", "host": "localhost"}


# --- What responses reveal -------------------------------------------------------------------


def test_no_response_reveals_a_server_path(sample_index, client):
    """Neither the index's nor the source folder's absolute path, in the API, the page or /doc."""
    secrets = [str(Path(sample_index).resolve()), str(SAMPLES.resolve()), str(SAMPLES.parent.resolve())]
    api = client.get("/api/search?q=giao+duc&per_page=100").get_json()
    assert api["results"] and all(hit["path"] == hit["id"] for hit in api["results"])
    paths = ["/api/search?q=giao+duc&per_page=100", "/api/search?q=hoc&sort=date", "/api/openapi.json",
             "/?q=giao+duc", "/?q=giao+duc&fragment=1", "/?q=khong+co+gi+xyzzy", "/healthz",
             "/api/search?page=0", "/api/search?year=", "/doc/khong-co.txt", "/nowhere"]
    paths += [f"/doc/{hit['id']}?q=giao+duc" for hit in api["results"]]
    for path in paths:
        body = client.get(path).get_data(as_text=True)
        assert not any(secret in body for secret in secrets), path


def test_an_index_holding_absolute_paths_is_rebuilt(tmp_path):
    from whoosh import index as whoosh_index

    from indexer.build import reindex
    from indexer.store import current_generation

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("Một\n\nhồ nước", encoding="utf-8")
    reindex([tmp_path / "src"], tmp_path / "index", procs=1, log=lambda line: None)
    with whoosh_index.open_dir(str(current_generation(tmp_path / "index"))).writer() as writer:
        writer.update_document(id="a.txt", path=str(tmp_path / "src" / "a.txt"), content_hash="old")
    lines = []
    reindex([tmp_path / "src"], tmp_path / "index", procs=1, log=lines.append)
    assert any("absolute file paths" in line for line in lines)
    with whoosh_index.open_dir(str(current_generation(tmp_path / "index"))).searcher() as searcher:
        assert [fields["path"] for fields in searcher.all_stored_fields()] == ["a.txt"]


# --- The API as its OpenAPI describes it ----------------------------------------------------------


def test_the_api_rejects_empty_numbers_the_page_accepts_them(client):
    for name in ("year", "page", "per_page", "sort"):
        response = client.get(f"/api/search?q=giao+duc&{name}=")
        assert response.status_code == 400 and response.get_json()["ok"] is False, name
    assert client.get("/api/search?q=giao+duc&page=%2B1").status_code == 400
    assert client.get("/?q=giao+duc&year=&sort=").status_code == 200


def test_a_page_past_the_result_window_lists_nothing(client):
    first = client.get("/api/search?q=giao+duc").get_json()
    far = client.get("/api/search?q=giao+duc&page=1000&per_page=100")
    assert far.status_code == 200
    assert far.get_json()["results"] == [] and far.get_json()["total"] == first["total"]


def test_openapi_names_a_document_of_the_index(client):
    spec = client.get("/api/openapi.json").get_json()
    example = spec["paths"]["/doc/{id}"]["get"]["parameters"][0]["example"]
    assert client.get(f"/doc/{example}").status_code == 200
