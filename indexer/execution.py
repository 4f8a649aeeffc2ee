"""Executing a plan: the total, the year facet and the ranked top hits of one query.

Plans that ``vectorised`` computes run there (the counts with ``bincount``, the top k with
``argpartition``); the others (phrases) and date-sorted pages run Whoosh's matchers and
collectors. Both give the same documents and the same scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh import sorting

from .vectorised import Evaluator, Matches, Unsupported


@dataclass
class ScoredHit:
    """A hit of the vectorised path, with what re-ranking and snippets read from Whoosh's hits."""

    docnum: int
    score: float | None
    searcher: object
    rank_score: float | None = None  # set by re-ranking
    best_passage: int | None = None  # set by the semantic ranker

    def fields(self) -> dict:
        return self.searcher.stored_fields(self.docnum)


def execute(searcher, q, count_q, request, rerank, times):
    """(total, hits on the page, year counts for the query regardless of the year filter).

    ``count_q`` matches the same documents as ``q`` without its score-only clauses;
    ``request`` is the ``SearchRequest``; ``rerank`` reorders the top hits (relevance sort
    only: pages past its depth keep BM25 order).
    """
    try:
        evaluator = Evaluator(searcher, searcher.weighting)
        evaluator.check(q)
        evaluator.check(count_q)
    except Unsupported:
        return _execute_with_whoosh(searcher, q, count_q, request, rerank, times)
    depth = rerank.depth if request.sort == "relevance" else 0
    limit = max(request.page * request.per_page, depth)
    with times.stage("count"):
        counted = evaluator.matches(count_q, scored=False)
        total, facets = _count(evaluator, counted, request.year)
    if not total or request.past_window:
        return total, [], facets
    if request.sort != "relevance":
        # Whoosh sorts by date; the filter keeps its hits to the documents counted here
        # (its AndNotMatcher alone lets some excluded ones through).
        with times.stage("top_k"):
            allowed = _docnums(evaluator, evaluator.matches(q, scored=False), request.year)
        ranked = _whoosh_top(searcher, q, request, limit, times, allowed)
    else:
        with times.stage("top_k"):
            ranked = _top(evaluator, evaluator.matches(q, scored=True), request.year, limit)
    return total, _page(searcher, ranked, request, rerank, depth, times), facets


def _count(evaluator: Evaluator, matches: list[Matches], year: int | None) -> tuple[int, list[tuple[int, int]]]:
    """The number of matches (of ``year`` only, if given) and the matches' year facet."""
    counts = np.zeros(1, dtype=np.int64)
    for seg, m in zip(evaluator.segments, matches):
        found = np.bincount(seg.years()[m.mask])
        if len(found) > len(counts):
            found[:len(counts)] += counts
            counts = found
        else:
            counts[:len(found)] += found
    facets = [(int(y), int(counts[y])) for y in np.flatnonzero(counts)[::-1] if y]
    total = int(counts.sum()) if year is None else int(counts[year]) if year < len(counts) else 0
    return total, facets


def _docnums(evaluator: Evaluator, matches: list[Matches], year: int | None) -> set[int]:
    """The global numbers of the matching documents (of ``year`` only, if given)."""
    out: set[int] = set()
    for seg, m in zip(evaluator.segments, matches):
        mask = m.mask if year is None else m.mask & (seg.years() == year)
        out.update((np.flatnonzero(mask) + seg.offset).tolist())
    return out


def _top(evaluator: Evaluator, matches: list[Matches], year: int | None, limit: int) -> list[ScoredHit]:
    """The ``limit`` best matches: highest score first, then lowest document number (as Whoosh)."""
    docnums, scores = [], []
    for seg, m in zip(evaluator.segments, matches):
        mask = m.mask if year is None else m.mask & (seg.years() == year)
        local = np.flatnonzero(mask)
        docnums.append(local + seg.offset)
        scores.append(m.scores[local])
    docnums, scores = np.concatenate(docnums), np.concatenate(scores)
    if len(scores) > limit:
        floor = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= floor
        docnums, scores = docnums[keep], scores[keep]
    order = np.lexsort((docnums, -scores))[:limit]
    return [ScoredHit(int(docnums[i]), float(scores[i]), evaluator.searcher) for i in order]


def _page(searcher, ranked: list, request, rerank, depth: int, times) -> list:
    if depth:
        with times.stage("rerank"):
            ranked = rerank(searcher, ranked[:depth]) + ranked[depth:]
    return ranked[(request.page - 1) * request.per_page: request.page * request.per_page]


# --- Whoosh's matchers and collectors -------------------------------------------------


def _year_facet():
    return sorting.FieldFacet("year", maptype=sorting.Count)


def for_whoosh(q: wq.Query) -> wq.Query:
    """``q`` with each ``DisjunctionMax`` an ``Or``, for Whoosh's matchers: its
    DisjunctionMaxMatcher scores a document with sub-matchers standing on other documents,
    and matches nothing more once one of them runs out."""
    if isinstance(q, wq.DisjunctionMax):
        return wq.Or([for_whoosh(s) for s in q.subqueries], boost=q.boost)
    return q.apply(for_whoosh)


def _whoosh_top(searcher, q, request, limit: int, times, allowed: set[int] | None = None) -> list:
    """The top hits by Whoosh's collectors; only among ``allowed`` documents, when given."""
    q = for_whoosh(q)
    # Undated documents have no year: sorting by year first puts them last.
    sortedby = [sorting.FieldFacet("year", reverse=True), sorting.FieldFacet("date", reverse=True)] \
        if request.sort == "date" else None
    with times.stage("top_k"):
        flt = allowed if allowed is not None else None if request.year is None else wq.Term("year", str(request.year))
        results = searcher.search(q, limit=limit, sortedby=sortedby, filter=flt)
        return [results[i] for i in range(min(limit, results.scored_length()))]


def _execute_with_whoosh(searcher, q, count_q, request, rerank, times):
    """``execute`` with Whoosh's matchers: for plans that ``vectorised`` does not compute."""
    depth = rerank.depth if request.sort == "relevance" else 0
    limit = max(request.page * request.per_page, depth)
    year = request.year
    # Counting pass without scoring gives the honest total and the year facet; the scored
    # pass then only needs the top hits, so Whoosh can skip blocks that cannot enter them.
    with times.stage("count"):
        counted = searcher.search(for_whoosh(count_q), limit=None, scored=False, groupedby={"year": _year_facet()})
        counts = counted.groups("year")
        total = len(counted) if year is None else counts.get(str(year), 0)
        facets = sorted(((int(y), n) for y, n in counts.items() if y), reverse=True)
    if not total or request.past_window:
        return total, [], facets
    ranked = _whoosh_top(searcher, q, request, limit, times)
    return total, _page(searcher, ranked, request, rerank, depth, times), facets
