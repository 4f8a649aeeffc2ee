"""Proximity re-ranking of the top hits, from the positions stored in the postings."""

from __future__ import annotations

from whoosh import query as wq

from .analysis import fold
from .plan import Ranking, drop_stopwords
from .postings import postings_values
from .query import ParsedQuery
from .scoring import idf
from .vectorised import Evaluator


class ProximityReranker:
    """Re-rank the top hits by how close together the query's words occur.

    A question is usually answered by one passage that holds most of its words: each hit
    gains ``weight`` × (IDF-weighted share of the query's distinct words found inside the
    best window of ``window`` syllables), added to its BM25 score divided by the top score.
    That sum is each re-ranked hit's ``rank_score``; the semantic ranker adds to it.
    Positions come from the postings of the ``text`` field; nothing is re-analysed.

    The BM25 score first gets the ``common`` terms' share, which the query left out
    (``common_clauses``). A completion other than the likeliest (``completion``) counts in
    no window: with the likeliest, a document scores as with the whole word typed.
    """

    def __init__(self, parsed: ParsedQuery, searcher, r: Ranking, common: list[wq.Term] = ()):
        self.depth = r.rerank_depth
        self.weight = r.proximity
        self.window = r.proximity_window
        self.common = list(common)
        n = searcher.doc_count_all()
        self.idf = {}
        slots = drop_stopwords(parsed, r).slots
        if parsed.completes_last_slot and slots and slots[-1] is parsed.slots[-1]:
            slots = slots[:-1] + (slots[-1][:1],)
        for slot in slots:
            for alt in slot:
                for s in alt.syllables:
                    f = fold(s)
                    df = searcher.doc_frequency("text", f)
                    if df:
                        self.idf[f] = idf(n, df)

    def best_window(self, events: list[tuple[int, str]]) -> float:
        """The largest IDF sum of distinct terms within ``window`` consecutive positions."""
        counts: dict[str, int] = {}
        best = current = 0.0
        j = 0
        for pos, term in events:
            if not counts.get(term):
                current += self.idf[term]
            counts[term] = counts.get(term, 0) + 1
            while events[j][0] <= pos - self.window:
                old = events[j][1]
                counts[old] -= 1
                if not counts[old]:
                    current -= self.idf[old]
                j += 1
            best = max(best, current)
        return best

    def _common_scores(self, searcher, docnums: list[int]) -> dict[int, float]:
        """The common terms' share of each document's BM25 score."""
        scores = dict.fromkeys(docnums, 0.0)
        if self.common:
            evaluator = Evaluator(searcher, searcher.weighting)
            for clause in self.common:
                for docnum, score in evaluator.term_scores(clause, docnums).items():
                    scores[docnum] += score
        return scores

    def __call__(self, searcher, hits: list) -> list:
        if not hits:
            return hits
        docnums = [h.docnum for h in hits]
        common = self._common_scores(searcher, docnums)
        bm25 = {h.docnum: (h.score or 0.0) + common[h.docnum] for h in hits}
        total_idf = sum(self.idf.values())
        top = max(bm25.values()) or 1.0
        if not total_idf or len(self.idf) < 2 or not self.weight:
            return ranked_by(hits, [bm25[h.docnum] / top for h in hits])
        positions = postings_values(searcher.reader(), docnums, list(self.idf), "positions")

        def score(hit):
            events = sorted((p, t) for t, ps in positions[hit.docnum].items() for p in ps)
            return bm25[hit.docnum] / top + self.weight * self.best_window(events) / total_idf

        return ranked_by(hits, [score(h) for h in hits])


def ranked_by(hits: list, scores) -> list:
    """The hits by descending score (ties keep their order), each with its ``rank_score``."""
    for hit, s in zip(hits, scores):
        hit.rank_score = float(s)
    return sorted(hits, key=lambda hit: hit.rank_score, reverse=True)
