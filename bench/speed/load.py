"""HTTP load: ``vnsearch serve`` in a subprocess, client threads searching it, the server's RSS.

The one load generator of the project: ``bench.speed`` measures throughput and memory with it,
and the reliability tests check every response it gets while indexes are swapped underneath.
"""

from __future__ import annotations

import http.client
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

#: How long a started server has to answer /healthz.
SERVER_START_SECONDS = 60


class ServerFailed(Exception):
    """``vnsearch serve`` exited or did not answer in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vnsearch_command() -> list[str]:
    """The ``vnsearch`` script of this interpreter's environment."""
    exe = Path(sys.executable).with_name("vnsearch")
    return [str(exe) if exe.exists() else shutil.which("vnsearch") or "vnsearch"]


class Server:
    """``vnsearch serve`` on a free loopback port, in its own process group."""

    def __init__(self, index: Path, workers: int = 2, log: Path | None = None, options: tuple[str, ...] = ()):
        self.port = free_port()
        self.log = open(log, "w") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [*vnsearch_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--index", str(index), "--workers", str(workers), *options],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed(f"vnsearch serve exited with code {self.proc.returncode}")
            try:
                if get(self.port, "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise ServerFailed(f"vnsearch serve did not answer within {SERVER_START_SECONDS} s")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL to the whole group if gunicorn has not gone within 15 s."""
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


@contextmanager
def serve(index: Path, workers: int = 2, log: Path | None = None, options: tuple[str, ...] = ()):
    """A ready ``Server`` (``options``: more ``vnsearch serve`` options), stopped on the way out."""
    server = Server(index, workers, log, options)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """One GET on a new connection: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def server_rss_mb(pid: int) -> float:
    """VmRSS of the gunicorn master ``pid`` and its workers, in MB."""
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    total_kb = 0
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total_kb += int(match.group(1)) if match else 0
    return total_kb / 1024


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ok_200(path: str, status: int, body: bytes) -> str | None:
    return None if status == 200 else f"HTTP {status}: {body[:200]!r}"


class Load:
    """``clients`` threads searching in a loop, each on its own keep-alive connection (reopened
    when gunicorn closes it), until ``seconds`` pass, ``max_requests`` are made in all, or
    ``stop()``. ``next_path(rng, n)`` gives the n-th request's path; ``check(path, status, body)``
    names what is wrong with a response, or None; ``on_response(done)`` runs after each one.
    """

    def __init__(self, port: int, clients: int, next_path: Callable[[random.Random, int], str], *,
                 seconds: float, max_requests: int | None = None, seed: int = 0, timeout: float = 30.0,
                 check: Callable[[str, int, bytes], str | None] = ok_200,
                 on_response: Callable[[int], None] | None = None):
        self.port, self.seconds, self.max_requests, self.timeout = port, seconds, max_requests, timeout
        self.next_path, self.check, self.on_response = next_path, check, on_response
        self.latencies_ms: list[float] = []
        self.failures: list[str] = []
        self._issued = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(random.Random(seed + k),), daemon=True)
                        for k in range(clients)]

    def __enter__(self) -> "Load":
        self.started = time.monotonic()
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def run(self) -> "Load":
        """Start, wait for the end, stop: a whole load level."""
        with self:
            self.wait()
        return self

    def wait(self) -> None:
        """Until the time is up or the requests are all made."""
        for t in self.threads:
            remaining = self.started + self.seconds - time.monotonic()
            t.join(None if math.isinf(remaining) else max(0.0, remaining) + self.timeout)

    def stop(self) -> None:
        """Let every client finish its request and end; the load's ``elapsed`` is then fixed."""
        if self._stop.is_set():
            return
        self._stop.set()
        for t in self.threads:
            t.join(timeout=self.timeout + 5)
        if any(t.is_alive() for t in self.threads):
            raise RuntimeError("a load client did not finish its request in time")
        self.elapsed = time.monotonic() - self.started

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def summary(self) -> dict:
        ms = self.latencies_ms
        return {"requests": len(ms), "rps": len(ms) / self.elapsed, "p50": percentile(ms, 50),
                "p99": percentile(ms, 99), "errors": len(self.failures)}

    def _take(self) -> int | None:
        """The next request's number, or None when the load is over."""
        with self._lock:
            over = (self._stop.is_set() or time.monotonic() >= self.started + self.seconds
                    or (self.max_requests is not None and self._issued >= self.max_requests))
            if over:
                return None
            self._issued += 1
            return self._issued - 1

    def _client(self, rng: random.Random) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        while (n := self._take()) is not None:
            path = self.next_path(rng, n)
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                if response.will_close:  # gunicorn's sync workers close after each response
                    conn.close()
                problem = self.check(path, response.status, body)
            except Exception as e:  # noqa: BLE001 - every failure is recorded and reported
                conn.close()
                problem = f"{type(e).__name__}: {e}"
            elapsed = (time.perf_counter() - started) * 1000
            with self._lock:
                self.latencies_ms.append(elapsed)
                if problem:
                    self.failures.append(f"{path}: {problem}")
                done = len(self.latencies_ms)
            if self.on_response:
                self.on_response(done)
        conn.close()


def cycle(paths: list[str]) -> Callable[[random.Random, int], str]:
    """Requests that walk ``paths`` in order, over and over."""
    return lambda rng, n: paths[n % len(paths)]
