"""Ranking quality on a BEIR-layout collection, through the same search function as the web API.

    python -m bench.relevance --corpus C.jsonl --queries Q.jsonl --qrels R.tsv \
        [--fold-queries] [--distractors F.jsonl.gz ...] [--workdir DIR] [--limit N] [--peers]

Prints MRR@10, nDCG@10, Recall@10, Recall@100 and the median query time; the last line is
exactly ``mrr10=0.xxx ndcg10=0.xxx r10=0.xxx r100=0.xxx``. With ``--peers`` the same is
measured for the peer engines of ``bench.peers`` instead of vnsearch, one line per peer and a
markdown table; the last line is then the last peer's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from indexer.analysis import fold
from indexer.build import reindex
from indexer.config import load_config
from indexer.errors import IndexBusy
from indexer.plan import DEFAULT_RANKING, Ranking
from indexer.search import search

#: How long a run waits before trying again when another run is building the same index.
BUSY_WAIT_SECONDS = 10

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def read_queries(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8") as f:
        return {r["_id"]: r["text"] for r in map(json.loads, f) if r.get("text")}


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, {})[did] = int(score)
    return qrels


def metrics(ranked: list[str], relevant: dict[str, int]) -> dict[str, float]:
    """MRR@10, nDCG@10, Recall@10 and Recall@100 of one ranked list."""
    mrr = next((1 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:10]))
    return {
        "mrr10": mrr,
        "ndcg10": dcg / ideal if ideal else 0.0,
        "r10": len(set(ranked[:10]) & set(relevant)) / len(relevant),
        "r100": len(set(ranked[:100]) & set(relevant)) / len(relevant),
    }


def build_index(corpus: Path, distractors: list[Path], workdir: Path, procs: int) -> Path:
    """Index the collection (and distractors) once per distinct input set under ``workdir``."""
    key = hashlib.sha1("\0".join(str(p.resolve()) for p in [corpus, *distractors]).encode()).hexdigest()[:10]
    index_dir = workdir / f"index-{corpus.parent.name}-{len(distractors)}d-{key}"
    while True:
        try:
            report = reindex([corpus, *distractors], index_dir, procs=procs)
            break
        except IndexBusy as busy:  # another run (the other query form) is building it
            print(f"{busy}; waiting", file=sys.stderr)
            time.sleep(BUSY_WAIT_SECONDS)
    print(f"index {index_dir}: {report.summary()}", file=sys.stderr)
    return index_dir


def evaluate(index_dir: Path, queries: dict[str, str], qrels, fold_queries: bool,
             ranking: Ranking = DEFAULT_RANKING, depth: int = 100) -> tuple[dict[str, float], float]:
    """Mean metrics over the judged queries, and the median query time in ms."""
    config = replace(load_config(), index_dir=index_dir)
    totals = {"mrr10": 0.0, "ndcg10": 0.0, "r10": 0.0, "r100": 0.0}
    times = []
    judged = [qid for qid in queries if qid in qrels]
    for n, qid in enumerate(judged, 1):
        text = fold(queries[qid]) if fold_queries else queries[qid]
        started = time.perf_counter()
        result = search(text, config=config, per_page=depth, ranking=ranking)
        times.append((time.perf_counter() - started) * 1000)
        for name, value in metrics([h.id for h in result.results], qrels[qid]).items():
            totals[name] += value
        if n % 250 == 0:
            print(f"  {n}/{len(judged)} queries, mrr10 so far {totals['mrr10'] / n:.3f}", file=sys.stderr)
    return {k: v / max(1, len(judged)) for k, v in totals.items()}, statistics.median(times or [0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument("--fold-queries", action="store_true", help="strip all diacritics from the queries")
    parser.add_argument("--distractors", type=Path, nargs="*", default=[])
    parser.add_argument("--workdir", type=Path, default=Path("bench/work"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N judged queries")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--ranking", type=json.loads, default={}, help='overrides, e.g. {"bigram": 1.5}')
    parser.add_argument("--peers", action="store_true", help="measure the peer engines (bench.peers) instead")
    args = parser.parse_args(argv)
    for path in [args.corpus, args.queries, args.qrels, *args.distractors]:
        if not path.exists():
            print(f"missing {path}: the collections live in ../shared/data", file=sys.stderr)
            return 2
    queries = read_queries(args.queries)
    qrels = read_qrels(args.qrels)
    if args.limit:
        queries = dict(list((q, t) for q, t in queries.items() if q in qrels)[: args.limit])
    if args.peers:
        from bench import peers

        results = peers.run(args.corpus, queries, qrels, [args.fold_queries], args.procs, args.distractors)
        for result in results:
            print(peers.line(result))
        print(peers.markdown_table(results))
        print(" ".join(f"{k}={v:.3f}" for k, v in results[-1].scores.items()))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    index_dir = build_index(args.corpus, args.distractors, args.workdir, args.procs)
    ranking = replace(DEFAULT_RANKING, **args.ranking)
    scores, median_ms = evaluate(index_dir, queries, qrels, args.fold_queries, ranking)
    form = "unaccented" if args.fold_queries else "as given"
    print(f"{args.corpus.parent.name} ({form}, {len(args.distractors)} distractor files): "
          f"MRR@10 {scores['mrr10']:.3f}  nDCG@10 {scores['ndcg10']:.3f}  "
          f"R@10 {scores['r10']:.3f}  R@100 {scores['r100']:.3f}  median {median_ms:.0f} ms/query")
    print(" ".join(f"{k}={v:.3f}" for k, v in scores.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
