"""A searcher's segments, each with its arrays decoded once and kept in ``array_cache.ARRAYS``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import segment_arrays
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
        return self._postings(fieldname, text)[:2]

    def _postings(self, fieldname: str, text: str) -> tuple[np.ndarray, ...]:
        return self.cache.get((self.key, "postings", fieldname, text),
                              lambda: segment_arrays.term_postings(self.reader, fieldname, text))

    def lengths(self, fieldname: str) -> np.ndarray:
        return self.cache.get((self.key, "lengths", fieldname),
                              lambda: (segment_arrays.field_lengths(self.reader, fieldname),))[0]

    def years(self) -> np.ndarray:
        return self.cache.get((self.key, "years"), lambda: (segment_arrays.years(self.reader),))[0]

    def values(self, fieldname: str, text: str, docnums: np.ndarray, kind: str) -> dict[int, list]:
        """Local document number -> ``kind`` ("positions", "characters") of the term, for those
        of the sorted ``docnums`` (local) that hold it."""
        ids, _, offsets, packed = self._postings(fieldname, text)
        if not len(ids) or not len(docnums):
            return {}
        at = np.searchsorted(ids, docnums)
        found = at < len(ids)
        found[found] = ids[at[found]] == docnums[found]
        docs, indices = docnums[found].tolist(), at[found].tolist()
        return dict(zip(docs, segment_arrays.term_values(self.reader, fieldname, offsets, packed, indices, kind)))


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
