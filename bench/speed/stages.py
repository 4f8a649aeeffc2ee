"""Where the time goes: indexing timed through the public functions it is made of, and each
search's own per-stage times (``SearchResult.stage_ms``)."""

from __future__ import annotations

import shutil
import statistics
import time

from bench.speed.steps import peak_rss_mb

#: The keys of ``SearchResult.stage_ms``, in the order a search runs them.
QUERY_STAGES = ("plan", "count", "top_k", "rerank", "snippets", "suggest")


def index_stages(source: str, index_dir: str) -> dict:
    """Seconds to read every document of ``source``, to segment their text with pyvi, and to
    build the whole index with one process (which does both again, then writes postings)."""
    from indexer.analysis import segment_words, split_units
    from indexer.build import reindex
    from indexer.documents import Document, iter_documents

    segment_words(split_units("Hà Nội"))  # pyvi's model loads once, outside the clock
    started = time.perf_counter()
    docs = [item for item in iter_documents(source) if isinstance(item, Document)]
    loading = time.perf_counter() - started
    started = time.perf_counter()
    for doc in docs:
        segment_words(split_units(doc.title))
        segment_words(split_units(doc.body))
    segmentation = time.perf_counter() - started
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    reindex([source], index_dir, full=True, procs=1, log=lambda line: None)
    total = time.perf_counter() - started
    shutil.rmtree(index_dir, ignore_errors=True)
    return {"docs": len(docs), "loading": loading, "segmentation": segmentation, "reindex": total,
            "rss_mb": peak_rss_mb()}


def query_stages(index: str, query_sets: dict[str, list[str]]) -> dict:
    """``stage_ms`` of every query of each set, warm (after two searches open the index)."""
    from indexer.search import search

    for q in next(iter(query_sets.values()))[:2]:
        search(q, index_dir=index, per_page=10)
    return {name: [search(q, index_dir=index, per_page=10).stage_ms for q in queries]
            for name, queries in query_sets.items()}


def summarise(per_query: list[dict]) -> dict[str, tuple[float, float]]:
    """Stage -> (p50, mean) in ms over the queries."""
    return {stage: (statistics.median(values), statistics.fmean(values))
            for stage in QUERY_STAGES
            if (values := [ms.get(stage, 0.0) for ms in per_query])}
