"""BM25F scoring: the probabilistic IDF, and field lengths read once per segment."""

from __future__ import annotations

import math
import weakref

from whoosh import scoring


def idf(n_docs: int, doc_freq: int) -> float:
    """The probabilistic IDF ``log(1 + (N - n + 0.5) / (n + 0.5))``.

    Whoosh's default ``log(N / (n + 1)) + 1`` never falls below 1, so the common syllables
    of a long question (``của``, ``là``, ``gì``) would weigh almost as much as rare ones.
    """
    return math.log(1 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


class RobertsonBM25F(scoring.BM25F):
    """BM25F with the probabilistic ``idf``, reading each field length once (``_field_lengths``)."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        return idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            scorer.dfl = _field_lengths(searcher.reader(), fieldname).__getitem__
        return scorer


class _FieldLengths(dict):
    """Document number -> length of one field in one segment, read once and then remembered.

    BM25 needs the length of every matching document; Whoosh reads it from disk per posting.
    """

    def __init__(self, reader, fieldname: str):
        super().__init__()
        self.reader, self.fieldname = reader, fieldname

    def __missing__(self, docnum: int) -> int:
        length = self[docnum] = self.reader.doc_field_length(docnum, self.fieldname, 1)
        return length


_lengths_by_reader: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _field_lengths(reader, fieldname: str) -> _FieldLengths:
    """The remembered field lengths of a segment reader (they live as long as the reader)."""
    by_field = _lengths_by_reader.setdefault(reader, {})
    if fieldname not in by_field:
        by_field[fieldname] = _FieldLengths(reader, fieldname)
    return by_field[fieldname]
