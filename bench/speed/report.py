"""The markdown report of one run, and where it goes in docs/BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from pathlib import Path

from bench.speed.corpus import FULL_SIZE
from bench.speed.load import percentile
from bench.speed.queries import SEED
from bench.speed.stages import QUERY_STAGES, summarise

HEADING = "## Speed and scale"
ENGINES = {
    "vnsearch": "vnsearch",
    "fts5-fair": "SQLite FTS5, user setup",
    "tantivy-fair": "Tantivy, user setup",
    "fts5": "SQLite FTS5, our tokens",
    "tantivy": "Tantivy, our tokens",
}
FAIR_PEERS = ("fts5-fair", "tantivy-fair")


def machine() -> dict:
    """Cores, CPU model, RAM, Python, the date and the load average now."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    return {"nproc": nproc, "cpu": cpu, "ram_gib": mem_kb / 2**20, "python": platform.python_version(),
            "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "load": load_average()}


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def lat(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 95, 99))


def ratio(ours: list[float], theirs: list[float], p: float) -> str:
    return f"{percentile(ours, p) / percentile(theirs, p):.1f}"


def markdown(run: dict) -> str:
    """The whole dated section of one run: ``run`` is what ``__main__`` saved as results JSON."""
    parts = [header(run), indexing(run), query_latency(run), targets(run), query_stages(run),
             index_stages(run), http(run), memory(run),
             "![p50 and p95 latency of keyword queries (cold) against corpus size](speed-latency.png)"]
    return "\n\n".join(p for p in parts if p) + "\n"


def header(run: dict) -> str:
    info, sizes = run["machine"], [r["size"] for r in run["results"]]
    out = [f"### {info['date']}: {', '.join(f'{n:,}' for n in sizes)} documents", "",
           f"`{run['command']}` on {info['nproc']} cores ({info['cpu']}), {info['ram_gib']:.1f} GiB RAM, "
           f"Python {info['python']}. Load average when it started: {info['load']}; at the end: "
           f"{info['load_end']} (the machine is shared with other jobs, so absolute figures are "
           "pessimistic; the ratios compare engines measured back to back in the same run)."]
    if max(sizes) < FULL_SIZE:
        out.append(f"The whole collection ({FULL_SIZE:,} articles) was not run here; it takes "
                   "`python -m bench.speed --sizes 10000,45000,150704` (expect well over an hour).")
    return "\n".join(out)


def indexing(run: dict) -> str:
    out = ["**Indexing.** vnsearch is `reindex(full=True)` from one jsonl file (reading, pyvi, "
           "Whoosh postings with character offsets, stored title and body). The pyvi row is "
           "`ViTokenizer.tokenize(title + abstract + body)` alone in a `multiprocessing.Pool` of the "
           "same size: what indexing could reach if everything else were free. The user-setup peers "
           "read the same documents; the our-tokens peers are given our analyzer's tokens from a file "
           "(their time excludes the analysis). Peers build from one thread. Peak RSS is the largest "
           "single process.", "",
           "| docs | engine | procs | seconds | docs/s | peak RSS MB | index MB | vnsearch ÷ this |",
           "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in run["results"]:
        n = r["size"]
        for p, v in sorted(r["vnsearch"].items()):
            if "reused" in v:
                out.append(f"| {n:,} | vnsearch | | (built earlier: `--index-for`) | | | | |")
                continue
            out.append(f"| {n:,} | vnsearch | {p} | {v['seconds']:.0f} | {n / v['seconds']:.0f} | "
                       f"{v['rss_mb']:.0f} | {v['index_mb']:.0f} | |")
        for p, v in sorted(r["pyvi"].items()):
            out.append(f"| {n:,} | pyvi alone | {p} | {v['seconds']:.0f} | {n / v['seconds']:.0f} | "
                       f"{v['rss_mb']:.0f} | | {r['vnsearch'][p]['seconds'] / v['seconds']:.2f} |")
        timed = [v["seconds"] for v in r["vnsearch"].values() if "seconds" in v]
        for engine, v in r["builds"].items():
            versus = f"{min(timed) / v['seconds']:.0f}" if timed else ""
            out.append(f"| {n:,} | {ENGINES[engine]} | 1 | {v['seconds']:.1f} | {n / v['seconds']:.0f} | "
                       f"{v['rss_mb']:.0f} | {v['index_mb']:.0f} | {versus} |")
    for t in run["token_prep"]:
        out += ["", f"Our analyzer alone (making the our-tokens peers' input: pyvi, syllables, bigrams; "
                f"no Whoosh), {t['procs']} processes: {t['docs'] / t['seconds']:.0f} docs/s over "
                f"{t['docs']:,} documents."]
    return "\n".join(out)


def query_latency(run: dict) -> str:
    results, args = run["results"], run["args"]
    timeout_ms = args["query_timeout"] * 1000
    setup = ", ".join(f"{r['queries']['keywords']['vnsearch']['setup_ms'] / 1000:.1f} s at {r['size']:,} documents"
                      for r in results)
    segs = ", ".join(f"{r['size']:,}: {r['vnsearch'][max(r['vnsearch'])]['segments']}" for r in results)
    out = [f"**Query latency**, ms p50 / p95 / p99, `search(q, index_dir=..., per_page=10)` in-process "
           f"with snippets, the total and the year facet, on the index built with the most processes "
           f"(segments: {segs}). {args['queries']} keyword queries (1–4 consecutive title words, seed "
           f"{SEED}, every second one without diacritics) and {args['queries']} ViNewsQA dev questions. "
           "Cold is the first pass in a fresh process (the page cache is not dropped), warm the second; "
           "before the clock starts, the process warms up as a server worker does at boot "
           f"(`indexer.warmup`: pyvi's model, the readers, the most common syllables' postings; {setup}). "
           "A query still running after "
           f"{args['query_timeout']:g} s is stopped and counted as {timeout_ms:.0f} ms (a lower bound).",
           "",
           "The user-setup peers are SQLite FTS5 `fts5(title, body, tokenize='unicode61 remove_diacritics 2')` "
           "and Tantivy (simple tokenizer, lower-case, ASCII folding) over the same documents with `đ`/`Đ` "
           "replaced by `d`/`D`; a keyword query is the AND of its folded syllables (every one required, "
           "as vnsearch requires every word of a short query), a question the OR of them; each fetches the "
           "top 10 by BM25 with a snippet and counts every match exactly. The our-tokens peers run an OR of "
           "the query's analyzer tokens, top 10 with snippets, no count. Ratios are vnsearch ÷ that engine.",
           "",
           "| docs | queries | engine | cold | warm | stopped | cold p50 ÷ | cold p95 ÷ | warm p50 ÷ | warm p95 ÷ |",
           "|---:|---|---|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for qset, engines in r["queries"].items():
            ours = engines["vnsearch"]
            for engine, v in engines.items():
                ratios = ["", "", "", ""] if engine == "vnsearch" else [
                    ratio(ours[k], v[k], p) for k in ("cold", "warm") for p in (50, 95)]
                out.append(f"| {r['size']:,} | {qset} | {ENGINES[engine]} | {lat(v['cold'])} | {lat(v['warm'])} "
                           f"| {v['timeouts']} | " + " | ".join(ratios) + " |")
    return "\n".join(out)


def targets(run: dict) -> str:
    """Issue 15's keyword targets against the user-setup FTS5, at each size."""
    out = ["**Targets** (issue 15): keyword queries, cold, vnsearch ÷ SQLite FTS5 (user setup) from this run; "
           "p50 within 3×, p95 within 2×. Questions: p95 ≤ 1,000 ms, none stopped.", "",
           "| docs | keyword p50 ÷ FTS5 | ≤ 3 | keyword p95 ÷ FTS5 | ≤ 2 | question p95 ms | ≤ 1,000 | stopped |",
           "|---:|---:|---|---:|---|---:|---|---:|"]
    for r in run["results"]:
        kw, qs = r["queries"]["keywords"], r["queries"]["questions"]["vnsearch"]
        p50 = percentile(kw["vnsearch"]["cold"], 50) / percentile(kw["fts5-fair"]["cold"], 50)
        p95 = percentile(kw["vnsearch"]["cold"], 95) / percentile(kw["fts5-fair"]["cold"], 95)
        q95 = percentile(qs["cold"], 95)
        mark = lambda ok: "met" if ok else "not met"  # noqa: E731
        out.append(f"| {r['size']:,} | {p50:.1f} | {mark(p50 <= 3)} | {p95:.1f} | {mark(p95 <= 2)} | "
                   f"{q95:.0f} | {mark(q95 <= 1000 and not qs['timeouts'])} | {qs['timeouts']} |")
    return "\n".join(out)


def query_stages(run: dict) -> str:
    out = ["**Where a search spends its time**, warm, from each search's own `stage_ms`: ms p50 / mean "
           "per stage (plan: parsing, synonyms and the query plan; count: the total and the year facet; "
           "top_k: the scored top k; rerank: proximity re-ranking; snippets; suggest: did-you-mean).", "",
           "| docs | queries | " + " | ".join(QUERY_STAGES) + " |",
           "|---:|---|" + "---:|" * len(QUERY_STAGES)]
    for r in run["results"]:
        for qset, per_query in r["stages"].items():
            summary = summarise(per_query)
            out.append(f"| {r['size']:,} | {qset} | " + " | ".join(
                f"{summary[s][0]:.1f} / {summary[s][1]:.1f}" for s in QUERY_STAGES) + " |")
    return "\n".join(out)


def index_stages(run: dict) -> str:
    s = run.get("index_stages")
    if not s:
        return ""
    share = lambda v: f"{100 * v / s['reindex']:.0f} %"  # noqa: E731
    rest = s["reindex"] - s["loading"] - s["segmentation"]
    return (f"**Where indexing spends its time**, {s['docs']:,} documents, one process: the full reindex took "
            f"{s['reindex']:.1f} s. Reading them alone (`indexer.documents.iter_documents`) takes "
            f"{s['loading']:.1f} s ({share(s['loading'])}, and a reindex reads twice: a scan for ids and "
            f"hashes, then the write), segmenting title and body with pyvi "
            f"(`indexer.analysis.segment_words`) {s['segmentation']:.1f} s ({share(s['segmentation'])}); the "
            f"remaining {rest:.1f} s ({share(rest)}) is the rest of the analyzer, Whoosh's postings and commit.")


def http(run: dict) -> str:
    rows = [(r["size"], h) for r in run["results"] for h in r.get("http", [])]
    if not rows:
        return ""
    out = [f"**HTTP.** `vnsearch serve` on 127.0.0.1 (gunicorn gevent workers), Python client threads on "
           f"keep-alive connections (reopened when gunicorn closes them), {run['args']['http_seconds']:g} s "
           "per row over the keyword queries, after a short warm-up. The clients share the cores with the "
           "server.", "",
           "| docs | workers | clients | requests | req/s | p50 ms | p99 ms | errors |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, h in rows:
        out.append(f"| {n:,} | {h['workers']} | {h['clients']} | {h['requests']} | {h['rps']:.1f} | "
                   f"{h['p50']:.0f} | {h['p99']:.0f} | {h['errors']} |")
    return "\n".join(out)


def memory(run: dict) -> str:
    out = []
    for r in run["results"]:
        if "rss" not in r:
            continue
        m = r["rss"]
        marks = m["samples"]
        out += [f"**Server memory.** `vnsearch serve --workers {m['workers']}` on the {r['size']:,}-document "
                f"index, {m['requests']:,} requests from {m['clients']} clients over {m['distinct']:,} distinct "
                f"keyword queries (JSON API and search page alternately) in {m['seconds']:.0f} s, {m['errors']} "
                "errors. RSS of the gunicorn master and its workers, after the warm-up (0) and every so many "
                "requests:", "",
                "| requests | " + " | ".join(f"{k:,}" for k, _ in marks) + " |",
                "|---|" + "---:|" * len(marks),
                "| RSS MB | " + " | ".join(f"{mb:.0f}" for _, mb in marks) + " |"]
    return "\n".join(out)


def append_section(docs: Path, text: str) -> Path:
    """Append ``text`` at the end of the ``## Speed and scale`` section of docs/BENCHMARKS.md."""
    path = docs / "BENCHMARKS.md"
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if HEADING not in doc.splitlines():
        doc = (doc.rstrip("\n") + f"\n\n{HEADING}\n\nMeasured with `python -m bench.speed`; "
               "each run adds a dated section below.\n")
    lines = doc.splitlines()
    start = lines.index(HEADING)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    block = lines[:end]
    while block and not block[-1].strip():
        block.pop()
    rest = lines[end:]
    path.write_text("\n".join(block + [""] + text.rstrip("\n").splitlines() + ([""] + rest if rest else [])) + "\n",
                    encoding="utf-8")
    return path
