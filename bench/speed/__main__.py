"""Speed and scale: indexing rate, query latency and HTTP throughput at several corpus sizes.

    python -m bench.speed --sizes 10000,45000,150704 [--workdir bench/work/speed] [--queries 200]
        [--procs 1,2] [--query-timeout 5] [--http-seconds 10] [--rss-requests 10000] [--profile 2000]
        [--fresh] [--no-docs] [--index-for SIZE=PATH ...] [--peers all|fair]

Each size is the first N VietNews articles (train, val, test, in file order), read from
../shared/data. vnsearch is compared with the pyvi segmentation it cannot beat (its ceiling),
with SQLite FTS5 and Tantivy set up as a user would set them up (the fair peers), and with
both fed the very tokens our analyzer emits, so that only the engine differs. Every heavy step
runs in a fresh child process, one at a time; each finished step is kept in ``WORKDIR/steps``
so that an interrupted run resumes (``--fresh`` measures everything again). Results are
appended as a dated section under ``## Speed and scale`` in docs/BENCHMARKS.md and plotted in
docs/speed-latency.png (``--no-docs`` prints them instead).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from bench.speed import engines, fair, stages, throughput, timing
from bench.speed.corpus import FULL_SIZE, CorpusTooSmall, missing_data, write_corpus
from bench.speed.plot import plot
from bench.speed.queries import analyzer_tokens, folded_syllables, keyword_queries, question_queries
from bench.speed.report import append_section, lat, load_average, machine, markdown
from bench.speed.steps import ROOT, StepCache, StepFailed, child_main, log

DOCS = ROOT / "docs"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
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
                        help="also time the stages of indexing DOCS documents with one process")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/ (a trial run)")
    parser.add_argument("--index-for", action="append", default=[], metavar="SIZE=PATH",
                        help="query the vnsearch index already built at PATH for SIZE documents "
                             "instead of building one (its indexing is then not timed)")
    parser.add_argument("--peers", choices=("all", "fair"), default="all",
                        help="fair: only the user-setup peers (the our-tokens peers need our analyzer "
                             "run over every document first)")
    parser.add_argument("--fresh", action="store_true",
                        help="measure every step again (by default a rerun reuses finished steps)")
    args = parser.parse_args(argv)
    args.command = " ".join(["python -m bench.speed", *argv])
    args.sizes = sorted({int(s) for s in args.sizes.split(",")})
    args.procs = sorted({int(p) for p in args.procs.split(",")})
    if not args.sizes or args.sizes[0] < 1 or max(args.sizes) > FULL_SIZE:
        parser.error(f"sizes must be between 1 and {FULL_SIZE}")
    args.workdir = args.workdir.resolve()
    try:
        args.index_for = {int(size): Path(path).resolve() for size, path in
                          (item.split("=", 1) for item in args.index_for)}
    except ValueError:
        parser.error("--index-for takes SIZE=PATH")
    return args


def index_all(args, steps: StepCache, n: int, corpus: Path) -> dict:
    """vnsearch with each process count, pyvi alone, and the four peers' builds."""
    work = args.workdir
    result: dict = {"size": n, "vnsearch": {}, "pyvi": {}, "builds": {}}
    queried = max(args.procs)
    reused = args.index_for.get(n)
    if reused is not None:
        log(f"[{n:,}] vnsearch: querying the index at {reused} (not rebuilt, indexing not timed)")
        result["vnsearch"][queried] = {"reused": str(reused), "segments": engines.segment_count(reused)}
    for p in args.procs if reused is None else ():
        index_dir, step = work / f"index-{n}-p{p}", f"index-{n}-p{p}"
        if p == queried and not (index_dir / "current").exists():
            steps.forget(step)  # the index to query is gone: build it again
        log(f"[{n:,}] vnsearch reindex, procs={p}")
        r = result["vnsearch"][p] = steps.run(engines.build_vnsearch, step, source=str(corpus),
                                              index_dir=str(index_dir), procs=p)
        log(f"[{n:,}] vnsearch procs={p}: {r['seconds']:.0f} s, {n / r['seconds']:.0f} docs/s, "
            f"{r['rss_mb']:.0f} MB peak RSS, {r['index_mb']:.0f} MB on disk")
        r = result["pyvi"][p] = steps.run(engines.time_pyvi, f"pyvi-{n}-p{p}", corpus=str(corpus), n=n, procs=p)
        log(f"[{n:,}] pyvi alone procs={p}: {r['seconds']:.0f} s, {n / r['seconds']:.0f} docs/s")
        if p != queried:  # keep only the index that is queried
            shutil.rmtree(index_dir, ignore_errors=True)
    tokens = str(work / "tokens.tsv")
    builds = {  # engine -> (builder, where its index goes, builder's arguments)
        "fts5-fair": (fair.build_fts5, work / f"fts5-fair-{n}.db", {"corpus": str(corpus)}),
        "tantivy-fair": (fair.build_tantivy, work / f"tantivy-fair-{n}", {"corpus": str(corpus), "threads": 1}),
        "fts5": (engines.build_token_fts5, work / f"fts5-{n}.db", {"tokens": tokens}),
        "tantivy": (engines.build_token_tantivy, work / f"tantivy-{n}", {"tokens": tokens, "threads": 1}),
    }
    if args.peers == "fair":
        del builds["fts5"], builds["tantivy"]
    for engine, (build, where, kwargs) in builds.items():
        step = f"{engine}-{n}" if where.exists() else None  # a kept result needs its index
        r = result["builds"][engine] = steps.run(build, step, n=n, path=str(where), **kwargs)
        log(f"[{n:,}] {engine} build: {r['seconds']:.1f} s, {r['index_mb']:.0f} MB")
    result["where"] = {"vnsearch": str(reused or work / f"index-{n}-p{queried}"),
                       **{engine: str(where) for engine, (_, where, _) in builds.items()}}
    return result


def query_forms(keywords: list[str], questions: list[str], peers: str = "all") -> dict:
    """Query set -> engine -> (the queries as that engine takes them, its options)."""
    def forms(texts: list[str], require_all: bool) -> dict:
        tokens = [list(dict.fromkeys(analyzer_tokens(q))) for q in texts]
        syllables = [folded_syllables(q) for q in texts]
        forms = {"vnsearch": (texts, {}),
                 "fts5-fair": (syllables, {"require_all": require_all}),
                 "tantivy-fair": (syllables, {"require_all": require_all})}
        return forms if peers == "fair" else {**forms, "fts5": (tokens, {}), "tantivy": (tokens, {})}
    return {"keywords": forms(keywords, True), "questions": forms(questions, False)}


def query_all(args, steps: StepCache, result: dict, forms: dict, keywords: list[str], questions: list[str]) -> None:
    n = result["size"]
    result["queries"] = {}
    for qset, engine_forms in forms.items():
        result["queries"][qset] = {}
        for engine, (qs, options) in engine_forms.items():
            r = steps.run(timing.time_queries, f"queries-{n}-{qset}-{engine}-{len(qs)}", engine=engine,
                          index=result["where"][engine], queries=qs, timeout=args.query_timeout, options=options)
            result["queries"][qset][engine] = r
            log(f"[{n:,}] {qset} {engine}: cold p50/p95/p99 {lat(r['cold'])} ms, warm {lat(r['warm'])} ms, "
                f"{r['timeouts']} over {args.query_timeout:g} s")
    result["stages"] = steps.run(stages.query_stages, f"stages-{n}-{len(keywords)}", index=result["where"]["vnsearch"],
                                 query_sets={"keywords": keywords, "questions": questions})


def serve_all(args, steps: StepCache, result: dict, corpus: Path, keywords: list[str]) -> None:
    n, index = result["size"], result["where"]["vnsearch"]
    if args.rss_requests > 0 and n == args.sizes[0]:
        log(f"[{n:,}] server memory over {args.rss_requests:,} requests")
        distinct = keyword_queries(corpus, n, min(args.rss_requests, 2000))
        r = result["rss"] = steps.run(throughput.server_memory, f"rss-{n}-{args.rss_requests}", index=index,
                                      queries=distinct, requests=args.rss_requests, clients=16, workers=2, every=1000)
        log(f"[{n:,}] server RSS {r['samples'][0][1]:.0f} MB after warm-up, {r['samples'][-1][1]:.0f} MB after "
            f"{r['requests']:,} requests ({r['requests'] / r['seconds']:.1f} req/s, {r['errors']} errors)")
    if args.http_seconds > 0 and n == args.sizes[-1]:
        log(f"[{n:,}] HTTP load")
        result["http"] = steps.run(throughput.http_rates, f"http-{n}-{args.http_seconds:g}", index=index,
                                   queries=keywords, workers_list=[1, 2], clients_list=[1, 4, 16],
                                   seconds=args.http_seconds)


def bench(args) -> dict:
    """Every measurement of the run, as saved in WORKDIR/results-*.json."""
    args.workdir.mkdir(parents=True, exist_ok=True)
    steps = StepCache(args.workdir / "steps")
    if args.fresh:
        shutil.rmtree(steps.folder, ignore_errors=True)
    info = machine()
    log(f"{info['nproc']} cores ({info['cpu']}), {info['ram_gib']:.1f} GiB, Python {info['python']}, "
        f"load {info['load']}; sizes {args.sizes}, work in {args.workdir}")
    corpora = {n: write_corpus(args.workdir, n) for n in args.sizes}
    keywords = keyword_queries(corpora[args.sizes[0]], args.sizes[0], args.queries)
    questions = question_queries(args.queries)
    forms = query_forms(keywords, questions, args.peers)
    prep = None if args.peers == "fair" else engines.ensure_tokens(
        args.workdir / "tokens.tsv", corpora[args.sizes[-1]], args.sizes[-1], max(args.procs))
    results = []
    for n in args.sizes:
        result = index_all(args, steps, n, corpora[n])
        query_all(args, steps, result, forms, keywords, questions)
        serve_all(args, steps, result, corpora[n], keywords)
        results.append(result)
    index_stages = None
    if args.profile:
        n = min(args.profile, args.sizes[-1])
        log(f"timing the stages of indexing {n:,} documents (one process)")
        index_stages = steps.run(stages.index_stages, f"index-stages-{n}", source=str(write_corpus(args.workdir, n)),
                                 index_dir=str(args.workdir / "index-stages"))
    info["load_end"] = load_average()
    return {"command": args.command, "machine": info, "results": results, "index_stages": index_stages,
            "token_prep": [prep] if prep else [],
            "args": {"queries": args.queries, "query_timeout": args.query_timeout, "http_seconds": args.http_seconds}}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        return child_main(argv[1])
    args = parse_args(argv)
    problem = missing_data()
    if problem:
        print(f"bench.speed: {problem}", file=sys.stderr)
        return 2
    try:
        run = bench(args)
    except (StepFailed, CorpusTooSmall) as e:
        print(f"bench.speed: {e}", file=sys.stderr)
        return 1
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.workdir / f"results-{stamp}.json").write_text(json.dumps(run), "utf-8")
    text = markdown(run)
    if args.no_docs:
        print(text)
        return 0
    plot(run["results"], DOCS / "speed-latency.png")
    path = append_section(DOCS, text)
    log(f"results appended to {path}; plot in {DOCS / 'speed-latency.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
