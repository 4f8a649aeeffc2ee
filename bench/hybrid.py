"""Hybrid ranking experiment: vnsearch's lexical top k re-ranked with multilingual-e5-small.

    python -m bench.hybrid embed   [--collections alqac,viquad,...] [--sizes 60,100,40]
    python -m bench.hybrid lexical [--collections ...]
    python -m bench.hybrid queries [--collections ...]
    python -m bench.hybrid report  [--collections ...] [--sizes ...] > docs/hybrid-results.md
    python -m bench.hybrid cost --index DIR [--queries 200]   # query time, lexical and hybrid

Every stage is resumable and keeps what it computed under bench/work/hybrid: passage and
query vectors in append-only vector stores (indexer.vectors), each query's lexical top 100
(ids, BM25 and the lexical ``rank_score`` that semantic fusion adds to) as JSON. ``report`` embeds nothing: it fuses, cross-validates and prints
markdown. Run the embedding under ``nice`` with one thread; it is the slow part.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from bench.beir import DATA, read_qrels, read_queries
from bench.relevance import build_index
from indexer.analysis import fold
from indexer.config import load_config
from indexer.documents import Document, iter_documents
from indexer.embedding import DIM, MODEL_NAME, load_model
from indexer.passages import split_passages
from indexer.restore import restore_diacritics
from indexer.search import search
from indexer.semantic import RESTORE_FROM
from indexer.store import kept_reader
from indexer.vectors import VectorStore, embed_missing, passage_key
from indexer.vocabulary import Vocabulary

#: Smallest collections first, so that partial results arrive early.
COLLECTIONS = ("alqac", "viquad", "vinewsqa", "vicov19qa")
WORK = Path("bench/work/hybrid")
LEXICAL_DEPTH = 100
FORMS = ("given", "unaccented")


def passage_store(work: Path) -> VectorStore:
    return VectorStore(work / "vectors" / f"{MODEL_NAME}.f16", MODEL_NAME, DIM)


def query_store(work: Path) -> VectorStore:
    return VectorStore(work / "vectors" / f"{MODEL_NAME}.query.f16", MODEL_NAME + ":query", DIM)


def query_key(text: str) -> bytes:
    return passage_key(text, MODEL_NAME + ":query", 0)


def load_documents(collection: str) -> dict[str, Document]:
    corpus = DATA / collection / "corpus.jsonl"
    return {d.id: d for d in iter_documents(corpus) if isinstance(d, Document)}


def document_passages(docs: dict[str, Document], size: int) -> dict[str, list[tuple[bytes, str]]]:
    """Doc id -> its passages as (key, text)."""
    return {i: [(passage_key(p.text, MODEL_NAME, size), p.text) for p in split_passages(d.title, d.body, size)]
            for i, d in docs.items()}


# --- stage: embed passages -------------------------------------------------------------------


def best_ranks(work: Path, collection: str, depth: int, limit: int) -> dict[str, int] | None:
    """Doc id -> its best rank among the stored lexical hits of the first ``limit`` queries in
    either form (top ``depth``), or None while the lexical hits are not all stored."""
    best: dict[str, int] = {}
    for form in FORMS:
        path = lexical_path(work, collection, form)
        if not path.exists():
            return None
        for hits in list(json.loads(path.read_text()).values())[: limit or None]:
            for rank, (doc_id, *_) in enumerate(hits[:depth]):
                best[doc_id] = min(rank, best.get(doc_id, rank))
    return best


def stage_embed(collections, sizes, work: Path, batch: int, depth: int, limit: int, threads: int = 1) -> None:
    """Embed the passages of every document in some query's top ``depth``, rank by rank across
    the collections (all rank-1 hits first), so that an interrupted run leaves every query's
    top r embedded for some r. Waits for collections whose lexical hits are not stored yet."""
    model, why = load_model(threads=threads)
    if model is None:
        sys.exit(why)
    store = passage_store(work)
    costs_path = work / "embed-costs.json"
    costs = json.loads(costs_path.read_text()) if costs_path.exists() else {}
    ranks: dict[str, dict[str, int]] = {}
    passages: dict[tuple[str, int], dict] = {}
    started, done = time.monotonic(), 0
    while True:
        for c in collections:
            if c not in ranks and (found := best_ranks(work, c, depth, limit)) is not None:
                ranks[c] = found
                docs = load_documents(c)
                for size in sizes:
                    passages[c, size] = document_passages({d: docs[d] for d in found}, size)
                    costs.setdefault(f"{c}/{size}", {"embedded": 0, "seconds": 0.0}).update(
                        docs=len(found), passages=sum(len(p) for p in passages[c, size].values()))
        order = sorted(((r, c, d, size) for c in ranks for d, r in ranks[c].items() for size in sizes))
        todo = [(c, size, k, t) for r, c, d, size in order for k, t in passages[c, size][d] if k not in store]
        if not todo:
            if len(ranks) == len(collections):
                break
            time.sleep(10)
            continue
        chunk = todo[:batch]
        t0 = time.monotonic()
        store.append([k for _, _, k, _ in chunk], model.passages([t for _, _, _, t in chunk]))
        seconds = time.monotonic() - t0
        for c, size, _, _ in chunk:
            entry = costs[f"{c}/{size}"]
            entry["embedded"] += 1
            entry["seconds"] += seconds / len(chunk)
        done += len(chunk)
        if done % (batch * 10) < len(chunk) or len(todo) == len(chunk):
            rate = done / (time.monotonic() - started)
            rank = next((r for r, c, d, size in order if any(k not in store for k, _ in passages[c, size][d])),
                        max(r for r, *_ in order) + 1)
            print(f"  {done} embedded, {rate:.1f}/s, {len(todo) - len(chunk)} to go in "
                  f"{', '.join(ranks)}; every top {rank} covered", file=sys.stderr)
            costs_path.write_text(json.dumps(costs, indent=1))
    costs_path.write_text(json.dumps(costs, indent=1))


# --- stage: lexical top 100 -------------------------------------------------------------------


def lexical_path(work: Path, collection: str, form: str) -> Path:
    return work / f"lexical-{collection}-{form}.json"


def judged_queries(collection: str, limit: int) -> tuple[dict[str, str], dict]:
    """The first ``limit`` judged queries of the dev split (all when 0), and the qrels."""
    queries = read_queries(DATA / collection / "queries.dev.jsonl")
    qrels = read_qrels(DATA / collection / "qrels.dev.tsv")
    judged = [q for q in queries if q in qrels]
    return {q: queries[q] for q in judged[: limit or None]}, qrels


def stage_lexical(collections, work: Path, procs: int, limit: int) -> None:
    for c in collections:
        index_dir = collection_index(c, procs)
        config = replace(load_config(), index_dir=index_dir)
        queries, _ = judged_queries(c, limit)
        for form in FORMS:
            path = lexical_path(work, c, form)
            if path.exists():
                continue
            out, times = {}, []
            for qid, text in queries.items():
                text = fold(text) if form == "unaccented" else text
                started = time.perf_counter()
                result = search(text, config=config, per_page=LEXICAL_DEPTH, suggest=False)
                times.append(time.perf_counter() - started)
                out[qid] = [[h.id, h.score, h.rank_score] for h in result.results]
            path.write_text(json.dumps(out, ensure_ascii=False))
            print(f"{c} {form}: {len(out)} queries, median {1000 * np.median(times):.0f} ms", file=sys.stderr)


# --- stage: query vectors ---------------------------------------------------------------------


@lru_cache(maxsize=None)
def collection_index(collection: str, procs: int = 1) -> Path:
    """The collection's index (built once under bench/work, as the lexical stage searches it;
    checked once per process: ``report`` asks for it per query form and passage size)."""
    return build_index(DATA / collection / "corpus.jsonl", [], Path("bench/work"), procs)


def query_texts(collection: str, work: Path, docs: dict[str, Document], limit: int = 0,
                restore_from: int = RESTORE_FROM) -> dict[str, dict]:
    """Qid -> the query text in each form: given, unaccented, and unaccented with diacritics
    restored as search restores them: from its top ``restore_from`` lexical hits, then the
    collection index's vocabulary."""
    queries = read_queries(DATA / collection / "queries.dev.jsonl")
    folded_hits = json.loads(lexical_path(work, collection, "unaccented").read_text())
    vocab = Vocabulary(kept_reader(collection_index(collection)))
    out = {}
    for qid, hits in list(folded_hits.items())[: limit or None]:
        folded = fold(queries[qid])
        texts = [f"{docs[i].title}\n{docs[i].body}" for i, *_ in hits[:restore_from]]
        out[qid] = {"given": queries[qid], "unaccented": folded,
                    "restored": restore_diacritics(folded, texts, vocab)}
    return out


def stage_queries(collections, work: Path, limit: int, threads: int = 1) -> None:
    model, why = load_model(threads=threads)
    if model is None:
        sys.exit(why)
    store = query_store(work)
    for c in collections:
        texts = {query_key(t): t for forms in query_texts(c, work, load_documents(c), limit).values()
                 for t in forms.values()}
        started = time.monotonic()
        n = embed_missing(store, texts, lambda batch: np.stack([model.query(t) for t in batch]), batch=32)
        if n:
            print(f"{c}: {n} query vectors, {1000 * (time.monotonic() - started) / n:.1f} ms each", file=sys.stderr)


# --- query-time cost -------------------------------------------------------------------------


def stage_cost(index_dir: Path, count: int) -> None:
    """p50 / p95 of keyword queries through ``search`` with lexical and with hybrid ranking
    (config.toml's settings) on an index whose vectors are built, each query timed once per
    ranking after a warm-up pass over other queries; prints one markdown table."""
    from bench.speed.queries import keywords_from_titles
    from indexer.store import open_index

    with open_index(index_dir).reader() as reader:
        titles = [stored.get("title", "") for _, stored in reader.iter_docs()]
    queries = keywords_from_titles([t for t in titles if t], 2 * count)
    warm, timed = queries[count:], queries[:count]
    config = replace(load_config(), index_dir=index_dir)
    rankings = {"lexical": replace(config, semantic=replace(config.semantic, enabled=False)),
                "hybrid": replace(config, semantic=replace(config.semantic, enabled=True))}
    for text in warm[:20]:
        for c in rankings.values():
            search(text, config=c)
    times: dict[str, list[float]] = {name: [] for name in rankings}
    for text in timed:
        for name, c in rankings.items():
            started = time.perf_counter()
            result = search(text, config=c)
            times[name].append(1000 * (time.perf_counter() - started))
            if result.ranking != name and result.total:
                sys.exit(f"{text!r} was ranked {result.ranking}, not {name}: are the vectors built?")
    extra = np.array(times["hybrid"]) - np.array(times["lexical"])
    print(f"| {len(titles)} documents, {count} keyword queries | p50 ms | p95 ms |\n|---|---|---|")
    for name, ms in times.items():
        print(f"| {name} | {np.percentile(ms, 50):.1f} | {np.percentile(ms, 95):.1f} |")
    print(f"| hybrid − lexical, per query | {np.percentile(extra, 50):.1f} | {np.percentile(extra, 95):.1f} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=["embed", "lexical", "queries", "report", "cost"])
    parser.add_argument("--index", type=Path, help="cost: an index whose vectors are built")
    parser.add_argument("--queries", type=int, default=200, help="cost: how many keyword queries")
    parser.add_argument("--collections", default=",".join(COLLECTIONS))
    parser.add_argument("--sizes", default="60")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=300, help="the first N judged queries (0: all)")
    parser.add_argument("--embed-limit", type=int, default=100,
                        help="embed the top hits of the first N queries only (the machine is shared)")
    parser.add_argument("--depth", type=int, default=50, help="embed the documents in some query's top N")
    parser.add_argument("--threads", type=int, default=1, help="the model's threads (1 beside other work)")
    args = parser.parse_args(argv)
    collections = args.collections.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    if args.stage == "embed":
        stage_embed(collections, sizes, args.work, args.batch, args.depth, args.embed_limit, args.threads)
    elif args.stage == "lexical":
        stage_lexical(collections, args.work, args.procs, args.limit)
    elif args.stage == "cost":
        if args.index is None:
            parser.error("cost needs --index")
        stage_cost(args.index, args.queries)
    elif args.stage == "queries":
        stage_queries(collections, args.work, args.embed_limit, args.threads)
    else:
        from bench.hybrid_report import report

        print(report(collections, sizes, args.work, args.embed_limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
