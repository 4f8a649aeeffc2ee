"""Searches over real HTTP while reindexes and full swaps run underneath: none fails, and each
change is visible to the very next search. See docs/RELIABILITY.md."""

from __future__ import annotations

import time

import pytest

from bench.speed.load import Load, percentile, serve
from helpers import (EVERY, REQUEST_SECONDS, api_total, assert_clean_failure, cli, consistent_search, kill_group,
                     random_search, start_cli, synthetic_docs, tag, wait_for, write_jsonl)
from indexer.build import reindex


def _visible_within(port: int, q: str, expected, timeout: float = 2.0) -> tuple[int, float]:
    """(searches made, seconds) until a search for ``q`` returns ``expected(total)``, polling
    from the moment the reindex returned; fails after ``timeout``."""
    started = time.monotonic()
    attempts = 0

    def visible():
        nonlocal attempts
        attempts += 1
        return expected(api_total(port, q))

    wait_for(visible, timeout, 0.02, f"{q!r} to be searchable")
    return attempts, time.monotonic() - started


@pytest.mark.slow
def test_searches_during_reindexes_and_swaps_never_fail(tmp_path):
    source = tmp_path / "src"
    corpus = source / "news.jsonl"
    docs = synthetic_docs(range(900), seed=5)
    write_jsonl(corpus, docs[:300])
    index_dir = tmp_path / "index"
    reindex([source], index_dir, procs=1)
    latencies: dict[str, float] = {}
    with serve(index_dir, log=tmp_path / "serve.log") as server, \
            Load(server.port, 4, random_search, seconds=120, max_requests=20_000, seed=1,
                 timeout=REQUEST_SECONDS, check=consistent_search) as load:
        port = server.port
        # Add 600 documents.
        write_jsonl(corpus, docs)
        result = cli("reindex", source, "--index", index_dir)
        assert result.returncode == 0, result.stderr
        latencies["added"] = _visible_within(port, tag(899), lambda n: n == 1)
        assert api_total(port, EVERY) == 900
        # Change 50 and delete 100.
        changed = [dict(d, body=d["body"] + " capnhat") if int(d["id"][1:]) < 50 else d for d in docs[:800]]
        write_jsonl(corpus, changed)
        result = cli("reindex", source, "--index", index_dir)
        assert result.returncode == 0 and "50 updated, 100 deleted" in result.stdout, result.stdout + result.stderr
        latencies["changed"] = _visible_within(port, "capnhat", lambda n: n == 50)
        latencies["deleted"] = _visible_within(port, tag(899), lambda n: n == 0)
        assert api_total(port, EVERY) == 800
        # A full rebuild swapped in, and a second reindex started while it runs.
        write_jsonl(corpus, changed + synthetic_docs([5000], seed=6))
        full = start_cli("reindex", source, "--index", index_dir, "--full")
        try:
            wait_for(lambda: full.poll() is not None or
                     (index_dir / "reindex.lock").read_text().strip() == str(full.pid), 30, 0.01, "the lock")
            second = cli("reindex", source, "--index", index_dir)
            assert_clean_failure(second, "another reindex")
            out, err = full.communicate(timeout=120)
            assert full.returncode == 0, err
        finally:
            kill_group(full)
        latencies["full swap"] = _visible_within(port, tag(5000), lambda n: n == 1)
        assert api_total(port, EVERY) == 801
        load.stop()
    served_requests = load.requests
    print(f"\nduring reindexes: {served_requests} requests in {load.elapsed:.1f} s, {len(load.failures)} failed, "
          f"p50 {percentile(load.latencies_ms, 50):.0f} ms, p99 {percentile(load.latencies_ms, 99):.0f} ms; "
          "visible: " + ", ".join(f"{k} at search #{n} ({v * 1000:.0f} ms)" for k, (n, v) in latencies.items()))
    assert load.failures == [], load.failures[:10]
    assert served_requests >= 100
    # Each search checks for a newer generation: the very next one sees the change. Its time is
    # recorded (it includes building the new index's vocabulary), bounded only generously.
    assert all(n == 1 or v < 2.0 for n, v in latencies.values()), latencies
