"""Collections in BEIR layout, the ranking metrics and the one loop that scores a ranker on them.

A collection is a folder with ``corpus.jsonl`` (``_id``, ``title``, ``text``),
``queries.dev.jsonl`` (``_id``, ``text``) and ``qrels.dev.tsv`` (a header, then
``query-id``, ``corpus-id``, ``score``). The four dev collections live in ../shared/data next
to the project and are read from there, never copied into it.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path
from typing import Callable, NamedTuple

from indexer.analysis import fold

#: Where the collections are read from: ../shared/data next to the project.
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
#: The dev collections ``bench.relevance --collection`` knows by name.
COLLECTIONS = ("vinewsqa", "viquad", "vicov19qa", "alqac")
METRICS = ("mrr10", "ndcg10", "r10", "r100")

Qrels = dict[str, dict[str, int]]


class Collection(NamedTuple):
    corpus: Path
    queries: Path
    qrels: Path

    @property
    def name(self) -> str:
        return self.corpus.parent.name


def collection(name: str, data: Path = DATA) -> Collection:
    """The files of the dev collection ``name`` under ``data``."""
    folder = data / name
    return Collection(folder / "corpus.jsonl", folder / "queries.dev.jsonl", folder / "qrels.dev.tsv")


def missing_message(paths) -> str | None:
    """The one "data missing" message, naming the absent files; None when all are there."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    if not missing:
        return None
    return (f"missing {', '.join(missing)}: the collections are read from {DATA} "
            "(../shared/data next to the project) and never copied into it")


class Doc(NamedTuple):
    """A corpus record: its id, title and text."""
    id: str
    title: str
    text: str


def read_corpus(path: Path) -> list[Doc]:
    with open(path, encoding="utf-8") as f:
        return [Doc(r["_id"], r.get("title") or "", r.get("text") or "") for r in map(json.loads, f)]


def read_queries(path: Path) -> dict[str, str]:
    with open(path, encoding="utf-8") as f:
        return {r["_id"]: r["text"] for r in map(json.loads, f) if r.get("text")}


def read_qrels(path: Path) -> Qrels:
    """Positive judgements only: ``{query id: {document id: grade}}``."""
    qrels: Qrels = {}
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, {})[did] = int(score)
    return qrels


def judged_queries(queries: dict[str, str], qrels: Qrels, limit: int = 0) -> dict[str, str]:
    """The queries that have judgements, in file order; the first ``limit`` when given."""
    judged = {q: t for q, t in queries.items() if q in qrels}
    return dict(list(judged.items())[:limit]) if limit else judged


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


def evaluate(rank: Callable[[str], list[str]], queries: dict[str, str], qrels: Qrels, fold_queries: bool,
             progress: Callable[[int, int, float], None] | None = None) -> tuple[dict[str, float], float]:
    """Mean metrics of ``rank`` (query text -> ranked document ids) over the judged queries,
    and the median time of one ``rank`` call in ms."""
    totals = dict.fromkeys(METRICS, 0.0)
    times = []
    judged = [qid for qid in queries if qid in qrels]
    for n, qid in enumerate(judged, 1):
        text = fold(queries[qid]) if fold_queries else queries[qid]
        started = time.perf_counter()
        ranked = rank(text)
        times.append((time.perf_counter() - started) * 1000)
        for name, value in metrics(ranked, qrels[qid]).items():
            totals[name] += value
        if progress:
            progress(n, len(judged), totals["mrr10"] / n)
    return {k: v / max(1, len(judged)) for k, v in totals.items()}, statistics.median(times or [0])


def score_line(scores: dict[str, float]) -> str:
    """The machine-readable last line: ``mrr10=0.xxx ndcg10=0.xxx r10=0.xxx r100=0.xxx``."""
    return " ".join(f"{k}={scores[k]:.3f}" for k in METRICS)
