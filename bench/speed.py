"""Speed and scale: indexing rate, query latency and HTTP throughput at several corpus sizes.

    python -m bench.speed --sizes 10000,45000,150704 [--workdir bench/work/speed] [--queries 200]
        [--procs 1,2] [--query-timeout 5] [--http-seconds 10] [--rss-requests 10000] [--profile 2000]
        [--fresh] [--no-docs]

Each size is the first N VietNews articles (train, val, test, in file order). vnsearch is
compared with the pyvi segmentation it cannot beat (its ceiling), and with SQLite FTS5 and
Tantivy fed the very tokens our analyzer emits, so that only the engine differs. Every heavy
step runs in a fresh child process, one at a time; each finished step is kept in
``WORKDIR/steps`` so that an interrupted run resumes (``--fresh`` measures everything again).
Results are appended as a dated section under ``## Speed and scale`` in docs/BENCHMARKS.md,
and plotted in docs/speed-latency.png.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gzip
import http.client
import itertools
import json
import math
import os
import platform
import pstats
import random
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VIETNEWS = [DATA / "vietnews" / f"detok_{part}.jsonl.gz" for part in ("train", "val", "test")]
QUESTIONS = DATA / "vinewsqa" / "queries.dev.jsonl"
DOCS = ROOT / "docs"
FULL_SIZE = 150_704
SEED = 20240601
SNIPPET_TOKENS = 20

# --- Inputs -------------------------------------------------------------------------


def check_data() -> None:
    missing = [p for p in [*VIETNEWS, QUESTIONS] if not p.exists()]
    if missing:
        sys.exit(f"bench.speed: missing {', '.join(map(str, missing))}; the collections are "
                 f"read from {DATA} (../shared/data next to the project) and never copied into it")


def write_corpus(workdir: Path, n: int) -> Path:
    """The first ``n`` articles as one jsonl file (reused when already written)."""
    path = workdir / "corpus" / f"first-{n}.jsonl"
    done = path.with_suffix(".done")
    if done.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for source in VIETNEWS:
            with gzip.open(source, "rt", encoding="utf-8") as f:
                for line in f:
                    if written == n:
                        break
                    r = json.loads(line)
                    out.write(json.dumps({k: r.get(k, "") for k in ("id", "title", "abstract", "body")},
                                         ensure_ascii=False) + "\n")
                    written += 1
            if written == n:
                break
    if written < n:
        sys.exit(f"bench.speed: the collection has only {written} articles, fewer than {n}")
    done.touch()
    return path


def read_records(corpus: Path, n: int | None = None):
    with open(corpus, encoding="utf-8") as f:
        for line in itertools.islice(f, n):
            yield json.loads(line)


def keyword_queries(corpus: Path, n_docs: int, count: int) -> list[str]:
    """``count`` runs of 1-4 consecutive title words (fixed seed); every second one unaccented."""
    from indexer.analysis import fold, split_units

    titles = [r["title"] for r in read_records(corpus, n_docs)]
    rng = random.Random(SEED)
    out: list[str] = []
    while len(out) < count:
        units = split_units(rng.choice(titles))
        length = rng.randint(1, 4)
        # Runs of words not broken by punctuation, so a query reads like something typed.
        runs = [list(g) for word, g in itertools.groupby(units, key=lambda u: u.is_word) if word]
        runs = [r for r in runs if len(r) >= length]
        if not runs:
            continue
        run = rng.choice(runs)
        start = rng.randrange(len(run) - length + 1)
        text = " ".join(u.surface for u in run[start:start + length])
        out.append(fold(text) if len(out) % 2 else text)
    return out


def question_queries(count: int) -> list[str]:
    with open(QUESTIONS, encoding="utf-8") as f:
        texts = [r["text"] for r in map(json.loads, f) if r.get("text")]
    return texts[:count]


def analyzer_tokens(text: str) -> list[str]:
    from indexer.schema import build_schema

    global _ANALYZER
    if _ANALYZER is None:
        _ANALYZER = build_schema()["text"].analyzer
    return [t.text for t in _ANALYZER(text)]


_ANALYZER = None


def _doc_tokens(line: str) -> str:
    from indexer.documents import document_from_record
    from indexer.schema import indexed_text

    doc = document_from_record(json.loads(line), "bench")
    return doc.id + "\t" + " ".join(analyzer_tokens(indexed_text(doc.title, doc.body))) + "\n"


def ensure_tokens(workdir: Path, corpus: Path, n: int, procs: int) -> tuple[Path, dict | None]:
    """Our analyzer's tokens for the first ``n`` documents, one line each (extended as needed).

    The same document fields as vnsearch's ``text`` field (title, separator, abstract, body).
    """
    from multiprocessing import Pool

    path = workdir / "tokens.tsv"
    kept = workdir / "steps" / "tokens.json"
    have = sum(1 for _ in open(path, encoding="utf-8")) if path.exists() else 0
    if have >= n:
        return path, json.loads(kept.read_text("utf-8")) if kept.exists() else None
    log(f"analyzing documents {have + 1}-{n} for the peers ({procs} processes)")
    started = time.perf_counter()
    with open(corpus, encoding="utf-8") as f, open(path, "a", encoding="utf-8") as out, Pool(procs) as pool:
        lines = itertools.islice(f, have, n)
        for i, row in enumerate(pool.imap(_doc_tokens, lines, chunksize=16), have + 1):
            out.write(row)
            if i % 2000 == 0:
                log(f"  analyzed {i}/{n}")
    prep = {"docs": n - have, "seconds": time.perf_counter() - started, "procs": procs}
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps(prep), "utf-8")
    return path, prep


# --- Child processes --------------------------------------------------------------------


STEPS: Path | None = None  # where finished steps are kept, so that a rerun resumes


def run_child(task: str, step: str | None = None, **kwargs) -> dict:
    """Run ``task`` in a fresh interpreter: arguments as JSON on stdin, result as the last stdout line.

    With ``step``, a result kept from an earlier run of the same step is reused.
    """
    done = STEPS / f"{step}.json" if STEPS and step else None
    if done and done.exists():
        log(f"  (reusing {done.name} from an earlier run)")
        return json.loads(done.read_text("utf-8"))
    cmd = [sys.executable, "-m", "bench.speed", "_child", task]
    proc = subprocess.run(cmd, cwd=ROOT, input=json.dumps(kwargs), stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench.speed: child {task} failed with exit code {proc.returncode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if done:
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(json.dumps(result), "utf-8")
    return result


def _peak_rss_mb() -> float:
    """Peak RSS of this process or of its largest waited-for child (Linux reports KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def child_index(source: str, index_dir: str, procs: int) -> dict:
    from indexer.build import reindex

    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    report = reindex([source], index_dir, full=True, procs=procs)
    seconds = time.perf_counter() - started
    from indexer.store import current_generation

    segments = len(list(current_generation(Path(index_dir)).glob("*.seg")))
    return {"seconds": seconds, "docs": report.added, "rss_mb": _peak_rss_mb(), "segments": segments,
            "index_mb": dir_mb(Path(index_dir))}


def _pyvi_one(text: str) -> int:
    from pyvi import ViTokenizer

    return len(ViTokenizer.tokenize(text))


def child_pyvi(corpus: str, n: int, procs: int) -> dict:
    from multiprocessing import Pool

    from pyvi import ViTokenizer  # noqa: F401 - the model loads on import, before the clock

    texts = [r["title"] + "\n" + r["abstract"] + "\n" + r["body"] for r in read_records(Path(corpus), n)]
    started = time.perf_counter()
    with Pool(procs) as pool:
        for _ in pool.imap_unordered(_pyvi_one, texts, chunksize=16):
            pass
    return {"seconds": time.perf_counter() - started, "rss_mb": _peak_rss_mb()}


def _token_lines(tokens: str, n: int):
    with open(tokens, encoding="utf-8") as f:
        for line in itertools.islice(f, n):
            doc_id, text = line.rstrip("\n").split("\t", 1)
            yield doc_id, text


FTS5_TABLE = """CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, text, tokenize="ascii tokenchars '_+&'")"""


def child_fts5_build(tokens: str, n: int, path: str) -> dict:
    # The ascii tokenizer leaves non-ASCII bytes alone, and with "_+&" as token characters
    # it splits only on the spaces between our tokens: every token is indexed as it is.
    for suffix in ("", "-wal", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute(FTS5_TABLE)
    with db:
        db.executemany("INSERT INTO docs(id, text) VALUES (?, ?)", _token_lines(tokens, n))
    with db:
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.close()
    return {"seconds": time.perf_counter() - started, "rss_mb": _peak_rss_mb(),
            "index_mb": os.path.getsize(path) / 2**20}


def _tantivy_schema():
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    # Stored, so that snippets can be cut from it as FTS5 does from its content.
    sb.add_text_field("text", stored=True, tokenizer_name="tokens")
    return sb.build()


def _tantivy_index(path: str):
    import tantivy

    index = tantivy.Index(_tantivy_schema(), path=path)
    # Tantivy's own "whitespace" analyzer lower-cases and drops tokens over 40 bytes: ours
    # only splits, so the index holds exactly the analyzer's tokens.
    index.register_tokenizer("tokens", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


def child_tantivy_build(tokens: str, n: int, path: str, threads: int) -> dict:
    import tantivy

    shutil.rmtree(path, ignore_errors=True)
    Path(path).mkdir(parents=True)
    started = time.perf_counter()
    index = _tantivy_index(path)
    writer = index.writer(heap_size=256_000_000, num_threads=threads)
    for doc_id, text in _token_lines(tokens, n):
        writer.add_document(tantivy.Document(id=doc_id, text=text))
    writer.commit()
    writer.wait_merging_threads()
    return {"seconds": time.perf_counter() - started, "rss_mb": _peak_rss_mb(), "index_mb": dir_mb(Path(path))}


def _vnsearch_runner(index: str):
    """Loads pyvi's model first: a one-off cost of the process, outside the clock (and a
    timeout must not interrupt an import)."""
    from indexer.analysis import segment_words, split_units
    from indexer.search import search

    segment_words(split_units("Hà Nội"))

    def run(q: str) -> int:
        return search(q, index_dir=index, per_page=10).total
    return run


class QueryTimeout(Exception):
    """A query ran past ``--query-timeout``."""


def _alarm(signum, frame):
    raise QueryTimeout


def _fts5_runner(path: str):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    sql = (f"SELECT id, snippet(docs, 1, '<mark>', '</mark>', '…', {SNIPPET_TOKENS}) FROM docs "
           "WHERE docs MATCH ? ORDER BY rank LIMIT 10")

    def run(tokens: list[str]) -> int:
        if not tokens:
            return 0
        return len(db.execute(sql, (" OR ".join(f'"{t}"' for t in tokens),)).fetchall())
    return run


def _tantivy_runner(path: str):
    import tantivy

    index = _tantivy_index(path)
    schema = _tantivy_schema()

    def run(tokens: list[str]) -> int:
        if not tokens:
            return 0
        q = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "text", t)) for t in tokens])
        searcher = index.searcher()
        hits = searcher.search(q, 10).hits
        snippets = tantivy.SnippetGenerator.create(searcher, q, schema, "text")
        for _, address in hits:
            doc = searcher.doc(address)
            doc["id"], snippets.snippet_from_doc(doc).to_html()
        return len(hits)
    return run


RUNNERS = {"vnsearch": _vnsearch_runner, "fts5": _fts5_runner, "tantivy": _tantivy_runner}


def child_queries(engine: str, index: str, queries: list, timeout: float) -> dict:
    """Two passes over the queries in this fresh process: the first is "cold", the second "warm".

    A query stopped after ``timeout`` seconds counts as ``timeout`` (a lower bound); the
    number of distinct queries stopped in either pass is reported.
    """
    import signal

    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    run = RUNNERS[engine](index)
    setup = time.perf_counter() - started
    passes, timed_out = [], set()
    for _ in range(2):
        times = []
        for i, q in enumerate(queries):
            t = time.perf_counter()
            try:
                try:
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                    run(q)
                finally:  # the alarm may still go off in here: the outer handler catches it
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except QueryTimeout:
                timed_out.add(i)
            times.append(min(timeout, time.perf_counter() - t) * 1000)
        passes.append(times)
    return {"setup_ms": setup * 1000, "cold": passes[0], "warm": passes[1], "timeouts": len(timed_out)}


def child_profile(source: str, index_dir: str, query_index: str, questions: list[str], out: str) -> dict:
    """cProfile of indexing ``source`` with one process, and of question queries (warm)."""
    from indexer.build import reindex
    from indexer.search import search
    from pyvi import ViTokenizer  # noqa: F401 - model load and sklearn import are not indexing

    shutil.rmtree(index_dir, ignore_errors=True)
    prof = cProfile.Profile()
    prof.enable()
    reindex([source], index_dir, full=True, procs=1, log=lambda line: None)
    prof.disable()
    prof.dump_stats(out + "-index.prof")
    for q in questions[:2]:  # warm up: open files, pyvi model, vocabulary
        search(q, index_dir=query_index, per_page=10)
    qprof = cProfile.Profile()
    qprof.enable()
    for q in questions:
        search(q, index_dir=query_index, per_page=10)
    qprof.disable()
    qprof.dump_stats(out + "-query.prof")
    return {"index": _index_profile(out + "-index.prof"), "query": _query_profile(out + "-query.prof", len(questions))}


def _cum(stats: pstats.Stats, name: str, file_part: str = "") -> float:
    """Cumulative seconds of the functions called ``name`` in a file containing ``file_part``."""
    total = 0.0
    for (file, _, func), (_, _, _, ct, _) in stats.stats.items():
        if func == name and file_part in file:
            total += ct
    return total


def _index_profile(path: str) -> dict:
    s = pstats.Stats(path)
    return {
        "total": _cum(s, "reindex", "indexer/build.py"),
        "pyvi": _cum(s, "_pyvi_labels", "indexer/analysis.py"),
        "pyvi_features": _cum(s, "_pyvi_attributes", "indexer/analysis.py"),
        "analyzer": _cum(s, "__call__", "indexer/analysis.py"),
        "add_document": _cum(s, "update_document", "whoosh"),
        "commit": _cum(s, "commit", "whoosh/writing.py"),
        "loading": _cum(s, "_iter_jsonl", "indexer/documents.py"),
    }


def _query_profile(path: str, n: int) -> dict:
    s = pstats.Stats(path)
    per = lambda v: v / n * 1000  # noqa: E731 - ms per query
    return {
        "total_ms": per(_cum(s, "search", "indexer/search.py")),
        "parse_ms": per(_cum(s, "parse_query", "indexer/query.py") + _cum(s, "expand_synonyms", "indexer/search.py")),
        "pyvi_ms": per(_cum(s, "_pyvi_labels", "indexer/analysis.py")),
        "whoosh_search_ms": per(_cum(s, "search", "whoosh/searching.py")),
        "rerank_ms": per(_cum(s, "__call__", "indexer/search.py")),
        "snippets_ms": per(_cum(s, "_text_spans", "indexer/search.py") + _cum(s, "_hit", "indexer/search.py")),
        "suggest_ms": per(_cum(s, "_suggestion", "indexer/search.py")),
        "open_ms": per(_cum(s, "open_index", "indexer/store.py") + _cum(s, "searcher", "whoosh/index.py")),
    }


# --- HTTP ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, workers: int) -> tuple[subprocess.Popen, int]:
    exe = Path(sys.executable).with_name("vnsearch")
    cmd = [str(exe) if exe.exists() else shutil.which("vnsearch") or "vnsearch"]
    port = free_port()
    proc = subprocess.Popen([*cmd, "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index),
                             "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench.speed: vnsearch serve exited with code {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/search?q=test")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    sys.exit("bench.speed: vnsearch serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def load(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    """``clients`` threads, each on its own keep-alive connection, for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        for i in itertools.count(k * len(paths) // clients):
            if time.monotonic() >= deadline[0]:
                break
            t = time.perf_counter()
            try:
                conn.request("GET", paths[i % len(paths)])
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                if resp.will_close:  # gunicorn's sync workers close after each response
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            latencies[k].append((time.perf_counter() - t) * 1000)
            errors[k] += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    started = time.monotonic()
    deadline[0] = started + seconds
    barrier.wait()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    all_ms = [ms for per in latencies for ms in per]
    return {"requests": len(all_ms), "rps": len(all_ms) / elapsed, "p50": pct(all_ms, 50),
            "p99": pct(all_ms, 99), "errors": sum(errors)}


def http_bench(index: str, queries: list[str], workers_list, clients_list, seconds: float) -> list[dict]:
    paths = ["/api/search?" + urllib.parse.urlencode({"q": q}) for q in queries]
    rows = []
    for workers in workers_list:
        proc, port = start_server(index, workers)
        try:
            load(port, paths[:20], 2, 2)  # warm-up: imports, pyvi model, vocabulary in each worker
            for clients in clients_list:
                r = load(port, paths, clients, seconds)
                rows.append({"workers": workers, "clients": clients, **r})
                log(f"  HTTP {workers} worker(s), {clients} client(s): {r['rps']:.1f} req/s, "
                    f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms, {r['errors']} errors")
        finally:
            stop_server(proc)
    return rows


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


def child_rss(index: str, queries: list[str], requests: int, clients: int, workers: int, every: int) -> dict:
    """``requests`` distinct-ish searches (JSON API and search page alternately) from ``clients``
    threads against one server; the server's RSS every ``every`` requests."""
    paths = [("/api/search?" if i % 2 else "/?") + urllib.parse.urlencode({"q": q}) for i, q in enumerate(queries)]
    proc, port = start_server(Path(index), workers)
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "errors": 0}
    samples: list[tuple[int, float]] = []
    try:
        load(port, paths[:20], 2, 2)  # warm-up, as in the throughput rows
        samples.append((0, server_rss_mb(proc.pid)))

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    i = state["next"]
                    if i >= requests:
                        break
                    state["next"] += 1
                try:
                    conn.request("GET", paths[i % len(paths)])
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 200
                    if resp.will_close:
                        conn.close()
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                with lock:
                    state["done"] += 1
                    state["errors"] += not ok
                    if state["done"] % every == 0:
                        samples.append((state["done"], server_rss_mb(proc.pid)))
            conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        seconds = time.monotonic() - started
    finally:
        stop_server(proc)
    return {"requests": state["done"], "errors": state["errors"], "seconds": seconds, "clients": clients,
            "workers": workers, "distinct": len(paths), "samples": samples}


CHILDREN = {"index": child_index, "pyvi": child_pyvi, "fts5_build": child_fts5_build,
            "tantivy_build": child_tantivy_build, "queries": child_queries, "profile": child_profile,
            "rss": child_rss, "http": http_bench}


# --- Reporting -------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def log(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    return {"nproc": nproc, "cpu": cpu, "ram_gib": mem_kb / 2**20, "python": platform.python_version(),
            "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def _setup_text(results: list[dict]) -> str:
    return ", ".join(f"{r['queries']['keywords']['vnsearch']['setup_ms'] / 1000:.1f} s at {r['size']:,} documents"
                     for r in results)


def lat(values: list[float]) -> str:
    return " / ".join(f"{pct(values, p):.1f}" for p in (50, 95, 99))


def markdown(args, info: dict, results: list[dict], profile: dict | None, token_prep: list[dict]) -> str:
    sizes = [r["size"] for r in results]
    cmd = "python -m bench.speed " + " ".join(args.argv)
    out = [f"### {info['date']}: {', '.join(f'{n:,}' for n in sizes)} documents", ""]
    out.append(f"`{cmd}` on {info['nproc']} cores ({info['cpu']}), {info['ram_gib']:.1f} GiB RAM, "
               f"Python {info['python']}. Load average when it started: {info['load']}; at the end: "
               f"{info['load_end']} (the machine was shared with other jobs, so absolute figures are "
               f"pessimistic; the ratios compare runs made back to back).")
    if max(sizes) < FULL_SIZE:
        out.append(f"The whole collection ({FULL_SIZE:,} articles) was not run here; it takes "
                   f"`python -m bench.speed --sizes 10000,45000,150704` (expect well over an hour).")
    out += ["", "**Indexing.** vnsearch is `reindex(full=True)` from one jsonl file (reading, pyvi, "
            "Whoosh postings with character offsets, stored title and body). The pyvi row is "
            "`ViTokenizer.tokenize(title + abstract + body)` alone in a `multiprocessing.Pool` of the "
            "same size: what indexing could reach if everything else were free. FTS5 and Tantivy are "
            "given our analyzer's tokens, read from a file (their time excludes the analysis), "
            "and build from one thread. Peak RSS is the largest single process.", "",
            "| docs | engine | procs | seconds | docs/s | peak RSS MB | index MB | vnsearch ÷ this |",
            "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        n = r["size"]
        for p, v in sorted(r["vnsearch"].items()):
            out.append(f"| {n:,} | vnsearch | {p} | {v['seconds']:.0f} | {n / v['seconds']:.0f} | "
                       f"{v['rss_mb']:.0f} | {v['index_mb']:.0f} | |")
        for p, v in sorted(r["pyvi"].items()):
            ratio = r["vnsearch"][p]["seconds"] / v["seconds"]
            rss = f"{v['rss_mb']:.0f}" if v.get("rss_mb") else ""
            out.append(f"| {n:,} | pyvi alone | {p} | {v['seconds']:.0f} | {n / v['seconds']:.0f} | "
                       f"{rss} | | {ratio:.2f} |")
        best = min(r["vnsearch"].values(), key=lambda v: v["seconds"])
        for name, key in (("SQLite FTS5", "fts5_build"), ("Tantivy", "tantivy_build")):
            v = r[key]
            out.append(f"| {n:,} | {name} (tokens given) | 1 | {v['seconds']:.1f} | {n / v['seconds']:.0f} | "
                       f"{v['rss_mb']:.0f} | {v['index_mb']:.0f} | {best['seconds'] / v['seconds']:.0f} |")
    for t in token_prep:
        out += ["", f"Our analyzer alone (making the peers' tokens: pyvi, syllables, bigrams; no Whoosh), "
                f"{t['procs']} processes: {t['docs'] / t['seconds']:.0f} docs/s over {t['docs']:,} documents."]
    segs = ", ".join(f"{r['size']:,}: {r['vnsearch'][max(r['vnsearch'])]['segments']}" for r in results)
    out += ["", f"**Query latency**, ms p50 / p95 / p99, `search(q, index_dir=..., per_page=10)` in-process "
            f"with snippets, on the index built with {max(results[0]['vnsearch'])} processes "
            f"(segments: {segs}). {args.queries} keyword queries (1–4 consecutive title words, seed "
            f"{SEED}, every second one without diacritics) and {args.queries} ViNewsQA dev questions. "
            "Cold is the first pass in a fresh process (the page cache is not dropped), warm the second; "
            "pyvi's model is loaded before the clock starts "
            f"({_setup_text(results)}). "
            f"A query still running after {args.query_timeout:g} s is stopped and counted as "
            f"{args.query_timeout * 1000:.0f} ms (so a percentile shown as {args.query_timeout * 1000:.0f} is a "
            "lower bound). "
            "The peers run an OR of the query's analyzer tokens (computed beforehand), top 10 by BM25, "
            "and cut a snippet for each hit; vnsearch also parses the query, segments it with pyvi, "
            "requires every word of short queries, re-ranks the top 50 by proximity and counts years "
            "for the facet. Ratios are vnsearch ÷ peer at p50.", "",
            "| docs | queries | engine | cold | warm | stopped | cold p50 ratio | warm p50 ratio |",
            "|---:|---|---|---|---|---:|---:|---:|"]
    for r in results:
        for qset in ("keywords", "questions"):
            ours = r["queries"][qset]["vnsearch"]
            for engine, v in r["queries"][qset].items():
                ratios = ["", ""] if engine == "vnsearch" else [
                    f"{pct(ours[k], 50) / pct(v[k], 50):.0f}" for k in ("cold", "warm")]
                name = {"vnsearch": "vnsearch", "fts5": "SQLite FTS5", "tantivy": "Tantivy"}[engine]
                out.append(f"| {r['size']:,} | {qset} | {name} | {lat(v['cold'])} | {lat(v['warm'])} | "
                           f"{v['timeouts']} | {ratios[0]} | {ratios[1]} |")
    http_rows = [(r["size"], h) for r in results for h in r.get("http", [])]
    if http_rows:
        out += ["", f"**HTTP.** `vnsearch serve` on 127.0.0.1 (gunicorn sync workers), Python client "
                f"threads on keep-alive connections (reopened when gunicorn closes them), "
                f"{args.http_seconds:g} s per row over the keyword queries, after a short warm-up. "
                "The clients share the 2 cores with the server.", "",
                "| docs | workers | clients | requests | req/s | p50 ms | p99 ms | errors |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for n, h in http_rows:
            out.append(f"| {n:,} | {h['workers']} | {h['clients']} | {h['requests']} | {h['rps']:.1f} | "
                       f"{h['p50']:.0f} | {h['p99']:.0f} | {h['errors']} |")
    for r in results:
        if "rss" not in r:
            continue
        m = r["rss"]
        marks = m["samples"]
        out += ["", f"**Server memory.** `vnsearch serve --workers {m['workers']}` on the {r['size']:,}-document "
                f"index, {m['requests']:,} requests from {m['clients']} clients over {m['distinct']:,} distinct keyword "
                f"queries (JSON API and search page alternately) in {m['seconds']:.0f} s, {m['errors']} errors. "
                "RSS of the gunicorn master and its workers, after the warm-up (0) and every so many requests:", "",
                "| requests | " + " | ".join(f"{k:,}" for k, _ in marks) + " |",
                "|---|" + "---:|" * len(marks),
                "| RSS MB | " + " | ".join(f"{mb:.0f}" for _, mb in marks) + " |"]
    if profile:
        ip, qp = profile["index"], profile["query"]
        share = lambda v: f"{100 * v / ip['total']:.0f} %"  # noqa: E731
        whoosh = ip["add_document"] - ip["analyzer"]
        out += ["", f"**Profile** (cProfile, so slower than the runs above). Indexing the first "
                f"{profile['docs']:,} documents with `procs=1` took {ip['total']:.0f} s under the profiler: "
                f"the analyzer {share(ip['analyzer'])} of it, of which pyvi "
                f"{share(ip['pyvi'])} (feature extraction "
                f"`_pyvi_attributes` {share(ip['pyvi_features'])}, crfsuite tagging "
                f"{share(ip['pyvi'] - ip['pyvi_features'])}); "
                f"Whoosh itself (postings, stored fields, outside the analyzer) {share(whoosh)}, its "
                f"commit (merging postings to disk) {share(ip['commit'])}; reading and cleaning the "
                f"jsonl (done twice: a scan for ids and hashes, then the write) {share(ip['loading'])}.",
                "", f"A warm question query ({profile['queries']} ViNewsQA questions on the "
                f"{results[-1]['size']:,}-document index) took {qp['total_ms']:.0f} ms on average under "
                f"the profiler: Whoosh's search (matching, scoring, year facet) {qp['whoosh_search_ms']:.0f} ms, "
                f"proximity re-ranking {qp['rerank_ms']:.0f} ms, snippets {qp['snippets_ms']:.0f} ms, "
                f"parsing {qp['parse_ms']:.0f} ms (pyvi on the query {qp['pyvi_ms']:.0f} ms), opening "
                f"the index and searcher {qp['open_ms']:.0f} ms, did-you-mean {qp['suggest_ms']:.0f} ms."]
    out += ["", "![p50 and p95 latency of keyword queries (cold) against corpus size](speed-latency.png)", ""]
    return "\n".join(out)


def append_section(text: str) -> Path:
    """Append ``text`` at the end of the ``## Speed and scale`` section of docs/BENCHMARKS.md."""
    path = DOCS / "BENCHMARKS.md"
    heading = "## Speed and scale"
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if heading not in doc.splitlines():
        doc = doc.rstrip("\n") + "\n\n" + heading + "\n\nMeasured with `python -m bench.speed` " \
              "(bench/speed.py); each run adds a dated section below.\n"
    lines = doc.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    block = lines[:end]
    while block and not block[-1].strip():
        block.pop()
    rest = lines[end:]
    doc = "\n".join(block + [""] + text.rstrip("\n").splitlines() + ([""] + rest if rest else [])) + "\n"
    path.write_text(doc, encoding="utf-8")
    return path


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in results]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    styles = {"vnsearch": ("vnsearch", "tab:red"), "fts5": ("SQLite FTS5", "tab:blue"),
              "tantivy": ("Tantivy", "tab:green")}
    for engine, (label, color) in styles.items():
        for p, dash in ((50, "-"), (95, "--")):
            ys = [pct(r["queries"]["keywords"][engine]["cold"], p) for r in results]
            ax.plot(sizes, ys, dash, marker="o", color=color, label=f"{label} p{p}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("documents (first N VietNews articles)")
    ax.set_ylabel("latency, ms (log scale)")
    ax.set_title("Keyword queries, cold, top 10 with snippets")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# --- The run ---------------------------------------------------------------------------------


def bench_size(args, n: int, corpus: Path, keywords: list[str], questions: list[str],
               query_tokens: dict) -> dict:
    work = args.workdir
    result: dict = {"size": n, "vnsearch": {}, "pyvi": {}, "queries": {}}
    for p in args.procs:
        log(f"[{n:,}] vnsearch reindex, procs={p}")
        index_dir = work / f"index-{n}-p{p}"
        step = f"index-{n}-p{p}"
        if p == max(args.procs) and not (index_dir / "current").exists():
            (STEPS / f"{step}.json").unlink(missing_ok=True)  # the index to query is gone: build it again
        r = run_child("index", step, source=str(corpus), index_dir=str(work / f"index-{n}-p{p}"), procs=p)
        result["vnsearch"][p] = r
        log(f"[{n:,}] vnsearch procs={p}: {r['seconds']:.0f} s, {n / r['seconds']:.0f} docs/s, "
            f"{r['rss_mb']:.0f} MB peak RSS, {r['index_mb']:.0f} MB on disk")
        log(f"[{n:,}] pyvi alone, {p} processes")
        r = run_child("pyvi", f"pyvi-{n}-p{p}", corpus=str(corpus), n=n, procs=p)
        result["pyvi"][p] = r
        log(f"[{n:,}] pyvi procs={p}: {r['seconds']:.0f} s, {n / r['seconds']:.0f} docs/s")
    index = work / f"index-{n}-p{max(args.procs)}"
    for p in args.procs:  # keep only the index that is queried
        if p != max(args.procs):
            shutil.rmtree(work / f"index-{n}-p{p}", ignore_errors=True)
    tokens = work / "tokens.tsv"
    log(f"[{n:,}] SQLite FTS5 and Tantivy builds from the analyzer's tokens")
    fts5 = work / f"fts5-{n}.db"
    tantivy_dir = work / f"tantivy-{n}"
    result["fts5_build"] = run_child("fts5_build", f"fts5-{n}" if fts5.exists() else None, tokens=str(tokens), n=n, path=str(fts5))
    result["tantivy_build"] = run_child("tantivy_build", f"tantivy-{n}" if tantivy_dir.exists() else None,
                                       tokens=str(tokens), n=n, path=str(tantivy_dir), threads=1)
    log(f"[{n:,}] FTS5 {result['fts5_build']['seconds']:.1f} s, Tantivy {result['tantivy_build']['seconds']:.1f} s")
    for qset, texts in (("keywords", keywords), ("questions", questions)):
        result["queries"][qset] = {}
        toks = [query_tokens[q] for q in texts]
        for engine, where, qs in (("vnsearch", index, texts), ("fts5", fts5, toks), ("tantivy", tantivy_dir, toks)):
            r = run_child("queries", f"queries-{n}-{qset}-{engine}-{len(qs)}", engine=engine, index=str(where), queries=qs, timeout=args.query_timeout)
            result["queries"][qset][engine] = r
            log(f"[{n:,}] {qset} {engine}: cold p50/p95/p99 {lat(r['cold'])} ms, warm {lat(r['warm'])} ms, "
                f"{r['timeouts']} over {args.query_timeout:g} s")
    if args.rss_requests > 0 and n == args.sizes[0]:
        log(f"[{n:,}] server memory over {args.rss_requests:,} requests")
        distinct = keyword_queries(corpus, n, min(args.rss_requests, 2000))
        r = run_child("rss", f"rss-{n}-{args.rss_requests}", index=str(index), queries=distinct,
                      requests=args.rss_requests, clients=16, workers=2, every=1000)
        result["rss"] = r
        first, last = r["samples"][0][1], r["samples"][-1][1]
        log(f"[{n:,}] server RSS {first:.0f} MB after warm-up, {last:.0f} MB after {r['requests']:,} requests "
            f"({r['requests'] / r['seconds']:.1f} req/s, {r['errors']} errors)")
    if args.http_seconds > 0 and n == args.sizes[-1]:
        log(f"[{n:,}] HTTP load")
        result["http"] = run_child("http", f"http-{n}-{args.http_seconds:g}", index=str(index), queries=keywords,
                                   workers_list=[1, 2], clients_list=[1, 4, 16], seconds=args.http_seconds)
    return result


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        print(json.dumps(CHILDREN[argv[1]](**json.loads(sys.stdin.read()))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,45000,150704", help="comma-separated corpus sizes")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "work" / "speed")
    parser.add_argument("--queries", type=int, default=200, help="queries per set")
    parser.add_argument("--procs", default="1,2", help="indexing process counts to compare")
    parser.add_argument("--query-timeout", type=float, default=5, metavar="SECONDS",
                        help="stop a query after this long and count it at this value")
    parser.add_argument("--http-seconds", type=float, default=10,
                        help="per load level, on the largest size only; 0 skips HTTP")
    parser.add_argument("--rss-requests", type=int, default=10_000, metavar="N",
                        help="on the smallest size, the server's memory over N requests; 0 skips it")
    parser.add_argument("--profile", type=int, default=0, metavar="DOCS",
                        help="also profile indexing DOCS documents with procs=1, and question queries")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/ (a trial run)")
    parser.add_argument("--fresh", action="store_true",
                        help="measure every step again (by default a rerun reuses finished steps)")
    args = parser.parse_args(argv)
    args.argv = argv
    args.sizes = sorted({int(s) for s in args.sizes.split(",")})
    args.procs = sorted({int(p) for p in args.procs.split(",")})
    if not args.sizes or args.sizes[0] < 1 or max(args.sizes) > FULL_SIZE:
        parser.error(f"sizes must be between 1 and {FULL_SIZE}")
    check_data()
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    global STEPS
    STEPS = args.workdir / "steps"
    if args.fresh:
        shutil.rmtree(STEPS, ignore_errors=True)
    info = machine()
    log(f"{info['nproc']} cores ({info['cpu']}), {info['ram_gib']:.1f} GiB, Python {info['python']}, "
        f"load {info['load']}; sizes {args.sizes}, work in {args.workdir}")
    corpora = {n: write_corpus(args.workdir, n) for n in args.sizes}
    keywords = keyword_queries(corpora[args.sizes[0]], args.sizes[0], args.queries)
    questions = question_queries(args.queries)
    query_tokens = {q: list(dict.fromkeys(analyzer_tokens(q))) for q in keywords + questions}
    _, prep = ensure_tokens(args.workdir, corpora[args.sizes[-1]], args.sizes[-1], max(args.procs))
    token_prep = [prep] if prep else []
    results = [bench_size(args, n, corpora[n], keywords, questions, query_tokens) for n in args.sizes]
    profile = None
    if args.profile:
        n = min(args.profile, args.sizes[-1])
        log(f"profiling indexing of {n:,} documents (procs=1) and question queries")
        source = write_corpus(args.workdir, n)
        # The step names the queried index's size too: the text says which index it profiled.
        profile = run_child("profile", f"profile-{n}-q{args.sizes[-1]}", source=str(source), index_dir=str(args.workdir / "index-profile"),
                            query_index=str(args.workdir / f"index-{args.sizes[-1]}-p{max(args.procs)}"),
                            questions=questions[:6], out=str(args.workdir / "profile"))
        profile.update(docs=n, queries=len(questions[:6]))
        shutil.rmtree(args.workdir / "index-profile", ignore_errors=True)
    info["load_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.workdir / f"results-{stamp}.json").write_text(
        json.dumps({"machine": info, "results": results, "profile": profile, "token_prep": token_prep}), "utf-8")
    text = markdown(args, info, results, profile, token_prep)
    if args.no_docs:
        print(text)
    else:
        plot(results, DOCS / "speed-latency.png")
        path = append_section(text)
        log(f"results appended to {path}; plot in {DOCS / 'speed-latency.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
