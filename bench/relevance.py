"""Ranking quality on a BEIR-layout collection, through the same search function as the web API.

    python -m bench.relevance --collection vinewsqa [--fold-queries] [--hybrid]   # ../shared/data/vinewsqa
    python -m bench.relevance --corpus C.jsonl --queries Q.jsonl --qrels R.tsv \
        [--fold-queries] [--distractors F.jsonl.gz ... [--distractor-limit N]] [--workdir DIR] [--limit N] [--peers]

Prints MRR@10, nDCG@10, Recall@10, Recall@100 and the median query time of lexical ranking;
with ``--hybrid`` the embedding stage runs first (what the index's vector store lacks) and
hybrid ranking (config.toml's ``[semantic]``, turned on, or each ``--semantic`` override of
it) is measured beside it. The last
line is exactly ``mrr10=0.xxx ndcg10=0.xxx r10=0.xxx r100=0.xxx``, of the last ranking. With ``--peers`` the same is
measured for the peer engines of ``bench.peers`` instead of vnsearch, one line per peer and a
markdown table; the last line is then the last peer's.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench import beir
from bench.beir import read_qrels, read_queries
from indexer.build import reindex
from indexer.config import SemanticSettings, load_config, semantic_settings
from indexer.errors import IndexBusy
from indexer.plan import DEFAULT_RANKING, Ranking
from indexer.search import search

#: How long a run waits before trying again when another run is building the same index.
BUSY_WAIT_SECONDS = 10


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


def first_records(files: list[Path], n: int, workdir: Path) -> Path:
    """The first ``n`` records of the jsonl(.gz) ``files``, in order, as one jsonl file under
    ``workdir`` (written once: the data is read from ../shared/data, never copied into the project)."""
    key = hashlib.sha1("\0".join(str(p.resolve()) for p in files).encode()).hexdigest()[:10]
    path = workdir / "distractors" / f"first-{n}-{key}.jsonl"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    left = n
    with open(tmp, "w", encoding="utf-8") as out:
        for f in files:
            with (gzip.open if f.suffix == ".gz" else open)(f, "rt", encoding="utf-8") as source:
                lines = list(itertools.islice(source, left))
            out.writelines(lines)
            left -= len(lines)
    tmp.replace(path)
    return path


def evaluate(index_dir: Path, queries: dict[str, str], qrels: beir.Qrels, fold_queries: bool,
             ranking: Ranking = DEFAULT_RANKING, depth: int = 100,
             semantic: SemanticSettings | None = None) -> tuple[dict[str, float], float]:
    """Mean metrics of vnsearch over the judged queries, and the median query time in ms.
    Lexical ranking, or hybrid with the ``semantic`` settings (which every query must then have run)."""
    config = replace(load_config(), index_dir=index_dir)
    config = replace(config, semantic=semantic or replace(config.semantic, enabled=False))
    wanted = "lexical" if semantic is None else "hybrid"

    def rank(text: str) -> list[str]:
        result = search(text, config=config, per_page=depth, ranking=ranking)
        if result.ranking != wanted:
            raise SystemExit(f"{text!r} was ranked {result.ranking}, not {wanted}")
        return [hit.id for hit in result.results]

    def progress(n: int, total: int, mrr: float) -> None:
        if n % 250 == 0:
            print(f"  {n}/{total} queries, mrr10 so far {mrr:.3f}", file=sys.stderr)

    return beir.evaluate(rank, queries, qrels, fold_queries, progress)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", choices=beir.COLLECTIONS,
                        help="a dev collection in ../shared/data, instead of the three paths")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--qrels", type=Path)
    parser.add_argument("--fold-queries", action="store_true", help="strip all diacritics from the queries")
    parser.add_argument("--distractors", type=Path, nargs="*", default=[])
    parser.add_argument("--distractor-limit", type=int, default=0, help="only the first N distractor records")
    parser.add_argument("--workdir", type=Path, default=Path("bench/work"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N judged queries")
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--ranking", type=json.loads, default={}, help='overrides, e.g. {"bigram": 1.5}')
    parser.add_argument("--peers", action="store_true", help="measure the peer engines (bench.peers) instead")
    parser.add_argument("--hybrid", action="store_true", help="embed, then measure hybrid ranking beside lexical")
    parser.add_argument("--embed-threads", type=int, help="the model's threads while embedding (config.toml's otherwise)")
    parser.add_argument("--semantic", type=json.loads, action="append", default=[],
                        help='with --hybrid: [semantic] overrides, e.g. {"passage_syllables": [60, 40], "weight": 14};'
                             " repeat it to measure several hybrid rankings beside lexical in one run")
    args = parser.parse_args(argv)
    if args.collection:
        args.corpus, args.queries, args.qrels = beir.collection(args.collection)
    elif not (args.corpus and args.queries and args.qrels):
        parser.error("give --collection NAME, or all of --corpus, --queries and --qrels")
    problem = beir.missing_message([args.corpus, args.queries, args.qrels, *args.distractors])
    if problem:
        print(problem, file=sys.stderr)
        return 2
    qrels = read_qrels(args.qrels)
    queries = beir.judged_queries(read_queries(args.queries), qrels, args.limit)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.distractor_limit:
        args.distractors = [first_records(args.distractors, args.distractor_limit, args.workdir)]
    if args.peers:
        from bench import peers

        results = peers.run(args.corpus, queries, qrels, [args.fold_queries], args.procs, args.distractors)
        for result in results:
            print(peers.line(result))
        print(peers.markdown_table(results))
        print(beir.score_line(results[-1].scores))
        return 0
    index_dir = build_index(args.corpus, args.distractors, args.workdir, args.procs)
    ranking = replace(DEFAULT_RANKING, **args.ranking)
    rankings: list[SemanticSettings | None] = [None]  # lexical
    if args.hybrid:
        try:
            rankings += [overridden(overrides) for overrides in args.semantic or [{}]]
        except (TypeError, ValueError) as e:
            parser.error(f"--semantic: {e}")
        for settings in rankings[1:]:
            if (problem := embed(index_dir, settings, args.embed_threads)) is not None:
                print(problem, file=sys.stderr)
                return 2
    form = "unaccented" if args.fold_queries else "as given"
    for settings in rankings:
        scores, median_ms = evaluate(index_dir, queries, qrels, args.fold_queries, ranking, semantic=settings)
        kind = "lexical" if settings is None else f"hybrid {describe(settings)}"
        print(f"{args.corpus.parent.name} ({form}, {len(args.distractors)} distractor files, {kind}): "
              f"MRR@10 {scores['mrr10']:.3f}  nDCG@10 {scores['ndcg10']:.3f}  "
              f"R@10 {scores['r10']:.3f}  R@100 {scores['r100']:.3f}  median {median_ms:.0f} ms/query", flush=True)
    print(beir.score_line(scores))
    return 0


def overridden(overrides: dict) -> SemanticSettings:
    """config.toml's ``[semantic]`` settings with ``overrides`` (read as config.toml's), turned on."""
    return replace(semantic_settings(overrides, load_config().semantic), enabled=True)


def describe(settings: SemanticSettings) -> str:
    sizes = "+".join(map(str, settings.passage_syllables))
    return f"({sizes} syllables, {settings.fusion} {settings.weight:g}, depth {settings.depth})"


def embed(index_dir: Path, settings: SemanticSettings, threads: int | None = None) -> str | None:
    """Run the embedding stage with ``settings`` (and the model on ``threads`` threads, when
    given); the reason when it cannot run."""
    from indexer.vectorize import reindex_vectors

    settings = replace(settings, threads=threads or settings.threads)
    while (report := reindex_vectors(index_dir, settings)).busy:  # the other query form's run
        print(f"{report.skipped}; waiting", file=sys.stderr)
        time.sleep(BUSY_WAIT_SECONDS)
    print(f"index {index_dir}: {report.summary()}", file=sys.stderr)
    return f"hybrid ranking cannot be measured: {report.skipped}" if report.skipped else None


if __name__ == "__main__":
    sys.exit(main())
