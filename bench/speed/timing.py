"""Query latency: every engine runs the same queries twice in a fresh process, cold then warm."""

from __future__ import annotations

import signal
import time

from bench.speed import engines, fair

#: Engine name -> function opening its index; the opener returns a one-query function.
OPENERS = {
    "vnsearch": engines.open_vnsearch,
    "fts5": engines.open_token_fts5,
    "tantivy": engines.open_token_tantivy,
    "fts5-fair": fair.open_fts5,
    "tantivy-fair": fair.open_tantivy,
}


class QueryTimeout(Exception):
    """A query ran past ``--query-timeout``."""


def _alarm(signum, frame):
    raise QueryTimeout


def time_queries(engine: str, index: str, queries: list, timeout: float, options: dict | None = None) -> dict:
    """Two passes over the queries in this fresh process: the first is "cold", the second "warm".

    A query stopped after ``timeout`` seconds counts as ``timeout`` (a lower bound); the
    number of distinct queries stopped in either pass is reported, and the matches each
    query counted in the first pass.
    """
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    run = OPENERS[engine](index, **(options or {}))
    setup = time.perf_counter() - started
    passes, timed_out, matches = [], set(), []
    for _ in range(2):
        times = []
        for i, q in enumerate(queries):
            t = time.perf_counter()
            found = None
            try:
                try:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                    found = run(q)
                finally:  # the alarm may still go off in here: the outer handler catches it
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except QueryTimeout:
                timed_out.add(i)
            times.append(min(timeout, time.perf_counter() - t) * 1000)
            if len(passes) == 0:
                matches.append(found)
        passes.append(times)
    return {"setup_ms": setup * 1000, "cold": passes[0], "warm": passes[1], "timeouts": len(timed_out),
            "matches": matches}
