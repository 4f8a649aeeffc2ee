"""The server under load and under raw hostile HTTP: 16 clients, no failure, flat memory.
See docs/RELIABILITY.md."""

from __future__ import annotations

import os
import re
import socket
import time

import pytest

from bench.speed.load import Load, get, percentile, serve, server_rss_mb
from helpers import REQUEST_SECONDS, SECRET, consistent_search, random_search, synthetic_docs, write_jsonl
from indexer.build import reindex
from indexer.store import index_version


LOAD_SECONDS = float(os.environ.get("VNSEARCH_LOAD_SECONDS", "20"))


@pytest.fixture(scope="module")
def load_server(tmp_path_factory):
    """``vnsearch serve`` (2 workers) over an index of 600 synthetic documents."""
    base = tmp_path_factory.mktemp("load")
    write_jsonl(base / "src" / "news.jsonl", synthetic_docs(range(600), seed=7))
    index_dir = base / "index"
    reindex([base / "src"], index_dir)
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    with serve(index_dir, log=base / "serve.log") as server:
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
    # gunicorn's request-line limit (8 KB) gets gunicorn's own 414 before reaching the app.
    send("GET", b"/api/search?q=%ED%A0%80&page=%ED%A0%80", {400})
    send("GET", b"/api/search?q=" + b"(" * 3000, {200})
    try:
        send("GET", b"/api/search?q=" + b"a" * 100_000, {400, 414})
    except ConnectionResetError:
        pass  # gunicorn answered 414 and closed the connection while the rest was still coming
    send("GET", b"/?q=%00%01%02&per_page=-1", {400})
    for url in ("/", "/api/search", "/healthz", "/doc/d00001", "/api/openapi.json", "/static/style.css"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            send(method, url.encode(), {405}, body=b'{"q": "x"}')
    assert get(server.port, "/doc/d00001")[0] == 200
    assert index_version(index_dir) == version
    print(f"\nraw HTTP to gunicorn: {sum(statuses.values())} hostile requests, statuses {dict(sorted(statuses.items()))}")


@pytest.mark.slow
def test_load_16_clients(load_server):
    server, _ = load_server
    warm_up = min(5.0, LOAD_SECONDS / 4)
    with Load(server.port, 16, random_search, seconds=LOAD_SECONDS, seed=2, timeout=REQUEST_SECONDS,
              check=consistent_search) as load:
        time.sleep(warm_up)
        rss_warm = server_rss_mb(server.proc.pid)
        rss_max = rss_warm
        while time.monotonic() < load.started + LOAD_SECONDS and any(t.is_alive() for t in load.threads):
            time.sleep(0.5)
            rss_max = max(rss_max, server_rss_mb(server.proc.pid))
        load.wait()
        rss_end = server_rss_mb(server.proc.pid)
    served_requests = load.requests
    print(f"\nload: 16 clients, {served_requests} requests in {load.elapsed:.1f} s "
          f"({served_requests / load.elapsed:.0f}/s), {len(load.failures)} failed, "
          f"p50 {percentile(load.latencies_ms, 50):.0f} ms, p99 {percentile(load.latencies_ms, 99):.0f} ms, "
          f"max {max(load.latencies_ms):.0f} ms; "
          f"RSS after warm-up {rss_warm:.0f} MB, max {rss_max:.0f} MB, end {rss_end:.0f} MB")
    assert load.failures == [], load.failures[:10]
    assert served_requests >= 100
    assert rss_end <= 1.5 * rss_warm, (rss_warm, rss_end)

