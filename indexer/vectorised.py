"""The query plan evaluated over whole posting lists at once, with numpy.

Whoosh's matchers walk postings one at a time in Python, a few microseconds each; the
common syllables (``nam``, ``người``) have postings in most documents. Here each segment's
term postings are decoded once (``segment_arrays``, kept in ``array_cache.ARRAYS``) and the
plan's ``Term``, ``And``, ``Or``, ``PreloadedOr``, ``AndMaybe`` and ``AndNot`` become array
operations: a mask of matching documents and their BM25F scores, computed exactly as
``RobertsonBM25F`` does; a ``Phrase`` is the ``And`` of its words, checked with positions
in the candidate documents only. A plan holding anything else (a ``Prefix``, a phrase with
slop) raises ``Unsupported``; the caller then runs Whoosh's own matchers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh import scoring

from . import segment_arrays
from .array_cache import ARRAYS, ArrayCache
from .segments import Segment, by_segment, segments


class Unsupported(Exception):
    """The plan holds a clause this evaluator does not compute."""


@dataclass
class Matches:
    """Documents of one segment matching a clause: a mask, and their scores (0 elsewhere)."""

    mask: np.ndarray
    scores: np.ndarray | None


class Evaluator:
    """Evaluates plans over one searcher's segments with its BM25F weighting."""

    def __init__(self, searcher, weighting, cache: ArrayCache = ARRAYS):
        if not isinstance(weighting, scoring.BM25F):
            raise Unsupported(f"weighting {type(weighting).__name__}")
        self.searcher = searcher
        self.weighting = weighting
        try:
            self.segments = segments(searcher.reader(), cache)
        except segment_arrays.UnknownPostingsFormat as e:
            raise Unsupported(str(e)) from None

    def matches(self, q: wq.Query, scored: bool) -> list[Matches]:
        """Per segment, what ``q`` matches (deleted documents left out)."""
        out = []
        for seg in self.segments:
            m = self._eval(seg, q, scored)
            gone = segment_arrays.deleted(seg.reader)
            if gone is not None:
                m = _restrict(m, ~gone)
            out.append(m)
        return out

    def check(self, q: wq.Query) -> None:
        """Raise ``Unsupported`` unless every clause of ``q`` is one this evaluator computes."""
        if q is wq.NullQuery or isinstance(q, wq.Term):
            return
        if isinstance(q, wq.Phrase):
            if q.slop != 1 or not q.words:
                raise Unsupported("Phrase with slop")
            return
        if isinstance(q, (wq.AndMaybe, wq.AndNot)):
            self.check(q.a)
            self.check(q.b)
        elif type(q) in (wq.And, wq.Or, wq.PreloadedOr, wq.DisjunctionMax):
            if isinstance(q, wq.DisjunctionMax) and q.tiebreak:
                raise Unsupported("DisjunctionMax with tiebreak")
            if isinstance(q, wq.Or) and (q.minmatch or q.scale):
                raise Unsupported("Or with minmatch or scale")
            for sub in q.subqueries:
                self.check(sub)
        else:
            raise Unsupported(type(q).__name__)

    def term_scores(self, q: wq.Term, docnums) -> dict[int, float]:
        """Global document number -> the score of ``q`` there, for those of ``docnums`` it matches."""
        out: dict[int, float] = {}
        if q.fieldname not in self.searcher.schema:
            return out
        for seg, local in by_segment(self.segments, docnums):
            ids, weights = seg.postings(q.fieldname, q.text)
            at = np.searchsorted(ids, local)
            found = at < len(ids)
            found[found] = ids[at[found]] == local[found]
            if found.any():
                at = at[found]
                scores = self._bm25(seg, q.fieldname, q.text, ids[at], weights[at]) * q.boost
                out.update(zip((local[found] + seg.offset).tolist(), scores.tolist()))
        return out

    def _eval(self, seg: Segment, q: wq.Query, scored: bool) -> Matches:
        if q is wq.NullQuery:
            return _none(seg, scored)
        if isinstance(q, wq.Term):
            return self._term(seg, q, scored)
        if isinstance(q, wq.Phrase):
            return self._boosted(self._phrase(seg, q, scored), q)
        if isinstance(q, wq.AndMaybe):
            a = self._eval(seg, q.a, scored)
            if not scored:
                return a
            b = self._eval(seg, q.b, scored)
            return Matches(a.mask, np.where(a.mask, a.scores + b.scores, 0.0))
        if isinstance(q, wq.AndNot):
            a = self._eval(seg, q.a, scored)
            return _restrict(a, ~self._eval(seg, q.b, False).mask)
        if type(q) is wq.And:
            return self._boosted(_all_of([self._eval(seg, s, scored) for s in q.subqueries], seg, scored), q)
        if type(q) in (wq.Or, wq.PreloadedOr):
            return self._boosted(_any_of([self._eval(seg, s, scored) for s in q.subqueries], seg, scored), q)
        if type(q) is wq.DisjunctionMax:
            return self._boosted(_best_of([self._eval(seg, s, scored) for s in q.subqueries], seg, scored), q)
        raise Unsupported(type(q).__name__)

    @staticmethod
    def _boosted(m: Matches, q: wq.Query) -> Matches:
        if m.scores is not None and q.boost != 1.0:
            m.scores = m.scores * q.boost
        return m

    def _term(self, seg: Segment, q: wq.Term, scored: bool) -> Matches:
        if q.fieldname not in self.searcher.schema:
            return _none(seg, scored)
        ids, weights = seg.postings(q.fieldname, q.text)
        mask = np.zeros(seg.size, dtype=bool)
        mask[ids] = True
        if not scored:
            return Matches(mask, None)
        scores = np.zeros(seg.size, dtype=np.float64)
        if len(ids):
            scores[ids] = self._bm25(seg, q.fieldname, q.text, ids, weights) * q.boost
        return Matches(mask, scores)

    def _phrase(self, seg: Segment, q: wq.Phrase, scored: bool) -> Matches:
        """The documents holding every word, kept where the words' positions follow one
        another; scored as Whoosh scores a phrase, the sum of its words' scores."""
        reader = self.searcher.reader()
        field = self.searcher.schema[q.fieldname] if q.fieldname in self.searcher.schema else None
        if field is None or any((q.fieldname, field.to_bytes(w)) not in reader for w in q.words):
            return _none(seg, scored)
        m = _all_of([self._term(seg, wq.Term(q.fieldname, w), scored) for w in q.words], seg, scored)

        def followed() -> tuple[np.ndarray]:
            candidates = np.flatnonzero(m.mask)
            positions = [seg.values(q.fieldname, w, candidates, "positions") for w in q.words]
            return (np.array([d for d in candidates.tolist() if in_sequence([p[d] for p in positions])],
                             dtype=np.int64),)

        # The same few phrases (synonyms' expansions: thành phố hồ chí minh) come back in
        # many queries, and checking positions reads every candidate's: kept per segment.
        (found,) = seg.cache.get((seg.key, "phrase", q.fieldname, tuple(q.words)), followed)
        keep = np.zeros(seg.size, dtype=bool)
        keep[found] = True
        return _restrict(m, keep)

    def _bm25(self, seg: Segment, fieldname: str, text: str, ids, weights) -> np.ndarray:
        """``scoring.bm25`` for each posting, with the same operations in the same order."""
        w = self.weighting
        if not self.searcher.schema[fieldname].scorable:
            raise Unsupported(f"unscorable field {fieldname}")
        b = w._field_B.get(fieldname, w.B)
        k1 = w.K1
        idf = self.searcher.idf(fieldname, text)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        tf = weights.astype(np.float64)
        fl = seg.lengths(fieldname)[ids]
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))


def in_sequence(positions: list[list[int]]) -> bool:
    """Whether some position ``p`` of the first word has word ``i`` at ``p + i`` for every ``i``."""
    starts = set(positions[0])
    for i, later in enumerate(positions[1:], 1):
        starts &= {p - i for p in later}
        if not starts:
            return False
    return bool(starts)


def _none(seg: Segment, scored: bool) -> Matches:
    return Matches(np.zeros(seg.size, dtype=bool), np.zeros(seg.size) if scored else None)


def _restrict(m: Matches, keep: np.ndarray) -> Matches:
    mask = m.mask & keep
    return Matches(mask, None if m.scores is None else np.where(mask, m.scores, 0.0))


def _all_of(parts: list[Matches], seg: Segment, scored: bool) -> Matches:
    if not parts:
        return _none(seg, scored)
    mask = parts[0].mask.copy()
    for p in parts[1:]:
        mask &= p.mask
    if not scored:
        return Matches(mask, None)
    return Matches(mask, np.where(mask, _sum(parts), 0.0))


def _any_of(parts: list[Matches], seg: Segment, scored: bool) -> Matches:
    if not parts:
        return _none(seg, scored)
    mask = parts[0].mask.copy()
    for p in parts[1:]:
        mask |= p.mask
    return Matches(mask, _sum(parts) if scored else None)


def _best_of(parts: list[Matches], seg: Segment, scored: bool) -> Matches:
    """Any of the clauses, scored by the best of them (Whoosh's ``DisjunctionMax``)."""
    m = _any_of(parts, seg, False)
    if scored and parts:
        m.scores = np.maximum.reduce([p.scores for p in parts])
    return m


def _sum(parts: list[Matches]) -> np.ndarray:
    """The clauses' scores added in clause order, as Whoosh's matchers add them."""
    total = parts[0].scores.copy()
    for p in parts[1:]:
        total += p.scores
    return total
