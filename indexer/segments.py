"""A searcher's segments, each with its arrays decoded once and kept in ``array_cache.ARRAYS``.

A term's postings come from the segment's postings file when it holds them
(``stored_postings``), else from Whoosh's blocks (``segment_arrays``); both give the same
document numbers, weights and values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import segment_arrays, stored_postings
from .array_cache import ARRAYS, ArrayCache


@dataclass
class Segment:
    """One segment of the index: its reader, its first global document number, its arrays."""

    reader: object
    offset: int
    key: tuple[str, str]
    cache: ArrayCache

    @property
    def size(self) -> int:
        return self.reader.doc_count_all()

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term, deleted documents included."""
        found = self._postings(fieldname, text)
        return found.ids, found.weights

    def _postings(self, fieldname: str, text: str):
        return self.cache.get((self.key, "postings", fieldname, text), lambda: self._read(fieldname, text))

    def _read(self, fieldname: str, text: str):
        stored = stored_postings.stored_postings(self.reader, self.key)
        try:
            found = stored.postings(fieldname, text, self.size) if stored is not None else None
        except OSError:  # deleted with its segment by a merge, or damaged: Whoosh's blocks stand
            found = None
        return found if found is not None else segment_arrays.term_postings(self.reader, fieldname, text)

    def lengths(self, fieldname: str) -> np.ndarray:
        return self.cache.get((self.key, "lengths", fieldname),
                              lambda: (segment_arrays.field_lengths(self.reader, fieldname),))[0]

    def years(self) -> np.ndarray:
        return self.cache.get((self.key, "years"), lambda: (segment_arrays.years(self.reader),))[0]

    def values(self, fieldname: str, text: str, docnums: np.ndarray, kind: str) -> dict[int, list]:
        """Local document number -> ``kind`` ("positions", "characters") of the term, for those
        of the sorted ``docnums`` (local) that hold it."""
        postings = self._postings(fieldname, text)
        ids = postings.ids
        if not len(ids) or not len(docnums):
            return {}
        at = np.searchsorted(ids, docnums)
        found = at < len(ids)
        found[found] = ids[at[found]] == docnums[found]
        docs, indices = docnums[found].tolist(), at[found].tolist()
        if isinstance(postings, segment_arrays.BlockPostings):
            def block_values(block: int) -> segment_arrays.BlockValues:
                return self.cache.get((self.key, "block", fieldname, text, block),
                                      lambda: postings.read_block_values(self.reader, block))
            return dict(zip(docs, postings.values(self.reader, fieldname, indices, kind, block_values)))
        return dict(zip(docs, postings.values(self.reader, fieldname, indices, kind)))


def segments(reader, cache: ArrayCache = ARRAYS) -> list[Segment]:
    """The segments of an index reader that hold documents, in document-number order."""
    return [Segment(r, offset, segment_arrays.segment_key(r), cache)
            for r, offset in reader.leaf_readers() if r.doc_count_all()]


def by_segment(segs: list[Segment], docnums) -> list[tuple[Segment, np.ndarray]]:
    """Sorted global ``docnums`` split into each segment's sorted local numbers."""
    docnums = np.unique(np.asarray(docnums, dtype=np.int64))
    out = []
    for seg in segs:
        inside = docnums[(docnums >= seg.offset) & (docnums < seg.offset + seg.size)]
        if len(inside):
            out.append((seg, inside - seg.offset))
    return out


def in_all(arrays: list[np.ndarray]) -> np.ndarray:
    """The numbers in every one of ``arrays`` (each sorted, without repeats): the shortest
    one filtered by binary search in each of the others, longest last, so that a common
    syllable's postings are never sorted or merged whole."""
    if not arrays:
        return np.zeros(0, np.int64)
    arrays = sorted(arrays, key=len)
    held = arrays[0]
    for other in arrays[1:]:
        if not len(held) or not len(other):
            return held[:0]
        at = np.minimum(np.searchsorted(other, held), len(other) - 1)
        held = held[other[at] == held]
    return held
