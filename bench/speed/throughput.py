"""The HTTP steps of the benchmark: requests per second at several load levels, and the
server's memory over many distinct requests."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from bench.speed.load import Load, cycle, serve, server_rss_mb
from bench.speed.steps import log

#: Before each server is measured: imports, pyvi's model and the vocabulary load in each worker.
WARM_UP = {"clients": 2, "seconds": 2, "paths": 20}


def _warm_up(port: int, paths: list[str]) -> None:
    Load(port, WARM_UP["clients"], cycle(paths[:WARM_UP["paths"]]), seconds=WARM_UP["seconds"]).run()


def http_rates(index: str, queries: list[str], workers_list: list[int], clients_list: list[int],
               seconds: float, options: tuple[str, ...] = ()) -> list[dict]:
    """One row per (workers, clients): requests/s, p50 and p99 ms, errors, over the JSON API
    (``options``: more ``vnsearch serve`` options, e.g. another worker class to compare)."""
    paths = ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in queries]
    rows = []
    for workers in workers_list:
        with serve(Path(index), workers, options=options) as server:
            _warm_up(server.port, paths)
            for clients in clients_list:
                r = Load(server.port, clients, cycle(paths), seconds=seconds).run().summary()
                rows.append({"workers": workers, "clients": clients, **r})
                log(f"  HTTP {workers} worker(s), {clients} client(s): {r['rps']:.1f} req/s, "
                    f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms, {r['errors']} errors")
    return rows


def server_memory(index: str, queries: list[str], requests: int, clients: int, workers: int, every: int) -> dict:
    """``requests`` searches (JSON API and search page alternately) from ``clients`` threads
    against one server; the server's RSS after the warm-up and every ``every`` requests."""
    paths = [("/api/search?" if i % 2 else "/?") + urllib.parse.urlencode({"q": q}) for i, q in enumerate(queries)]
    with serve(Path(index), workers) as server:
        _warm_up(server.port, paths)
        samples = [(0, server_rss_mb(server.proc.pid))]

        def sample(done: int) -> None:
            if done % every == 0:
                samples.append((done, server_rss_mb(server.proc.pid)))

        load = Load(server.port, clients, cycle(paths), seconds=float("inf"), max_requests=requests,
                    timeout=60, on_response=sample).run()
    return {"requests": load.requests, "errors": len(load.failures), "seconds": load.elapsed, "clients": clients,
            "workers": workers, "distinct": len(paths), "samples": sorted(samples)}
