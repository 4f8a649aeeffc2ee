"""A segment's postings, field lengths and year column as numpy arrays.

The only module that reads Whoosh 2.7's W3 codec from the inside: a posting block is a
pickled ``(delta-coded ids, weights, values)`` tuple (``W3LeafMatcher._read_data``), a term
with a single posting is inlined in its term info, and field lengths are a one-byte-per-
document column (``_<field>_len``). Whoosh-Reloaded is pinned (pyproject.toml);
tests/test_segment_arrays.py fails loudly if that format changes.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
from whoosh.codec import whoosh3
from whoosh.system import _INT_SIZE

#: Whoosh's mapping of a length byte back to a length (``byte_to_length``), as an array.
_LENGTH_OF_BYTE = np.array([whoosh3.byte_to_length(b) for b in range(256)], dtype=np.float64)

#: The signed length before each block (``StructFile.read_int``).
_INT = struct.Struct("!i")
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
NO_OFFSETS = np.zeros(1, dtype=np.int32)
NO_VALUES = np.zeros(0, dtype=np.uint8)
#: What CPython spends on a bytes object besides its bytes.
_BYTES_OVERHEAD = 33


class UnknownPostingsFormat(Exception):
    """The postings are not in the W3 layout this module reads (a Whoosh upgrade?)."""


def segment_key(segreader) -> tuple[str, str]:
    """What identifies a segment's immutable files: its folder (one per generation) and id."""
    storage = segreader.storage()
    folder = getattr(storage, "folder", None) or getattr(getattr(storage, "b", None), "folder", None)
    if folder is None:
        raise UnknownPostingsFormat(f"segment storage {type(storage).__name__} has no folder")
    return str(folder), segreader.segment().segment_id()


@dataclass(frozen=True)
class PackedPostings:
    """A term's postings decoded whole: posting ``i``'s encoded value (positions, characters)
    is ``values[offsets[i]:offsets[i + 1]]``."""

    ids: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray
    packed: np.ndarray

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.weights.nbytes + self.offsets.nbytes + self.packed.nbytes

    def values(self, segreader, fieldname: str, indices: list[int], kind: str) -> list:
        """``kind`` ("positions", "characters") of the postings at ``indices``."""
        decode = segreader.schema[fieldname].format.decoder(kind)
        return [decode(self.packed[self.offsets[i]:self.offsets[i + 1]].tobytes()) for i in indices]


@dataclass(frozen=True)
class BlockPostings:
    """A term's document numbers and weights, and where each of its blocks starts in the
    segment's posting file (``block_first``: the index of the block's first posting): a
    posting's value is decoded from its own block only."""

    ids: np.ndarray
    weights: np.ndarray
    block_first: np.ndarray
    block_position: np.ndarray

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.weights.nbytes + self.block_first.nbytes + self.block_position.nbytes

    def values(self, segreader, fieldname: str, indices: list[int], kind: str,
               block_values: Callable[[int], BlockValues] | None = None) -> list:
        """``kind`` of the postings at ``indices``; ``block_values`` (by default
        ``read_block_values``) gives a block's encoded values, from a cache say."""
        decode = segreader.schema[fieldname].format.decoder(kind)
        block_values = block_values or (lambda block: self.read_block_values(segreader, block))
        blocks = np.searchsorted(self.block_first, indices, side="right") - 1
        decoded: dict[int, BlockValues] = {}
        out = []
        for i, b in zip(indices, blocks.tolist()):
            if b not in decoded:
                decoded[b] = block_values(b)
            out.append(decode(decoded[b].values[i - int(self.block_first[b])]))
        return out

    def read_block_values(self, segreader, block: int) -> BlockValues:
        """The encoded values of ``block``, read from ``segreader``'s posting file (the
        reader searching now: another may have closed its files)."""
        return BlockValues(_read_block(posting_file(segreader), int(self.block_position[block]))[0][2])


@dataclass(frozen=True)
class BlockValues:
    """The encoded values of one block's postings."""

    values: tuple[bytes, ...]

    @property
    def nbytes(self) -> int:
        return sum(map(len, self.values)) + _BYTES_OVERHEAD * len(self.values)


EMPTY = PackedPostings(EMPTY_IDS, EMPTY_WEIGHTS, NO_OFFSETS, NO_VALUES)


def term_postings(segreader, fieldname: str, text: str) -> PackedPostings:
    """Every posting of one term in one segment, deleted documents included; empty when the
    segment lacks the term."""
    info = _term_info(segreader, fieldname, text)
    if info is None:
        return EMPTY
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        return PackedPostings(np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32),
                              *_packed([values]))
    offset, length = extent(info)
    ids, weights, values = [], [], []
    for (deltas, w, v), _ in _blocks(posting_file(segreader), offset, length):
        ids.append(_ids(deltas))
        weights.append(_weights(w, len(deltas)))
        values.append(v)
    return PackedPostings(np.concatenate(ids).astype(np.int32), np.concatenate(weights), *_packed(values))


def block_postings(postfile, offset: int, length: int) -> BlockPostings:
    """The document numbers and weights of the posting list at ``offset``, and its blocks'
    places, its values left encoded in the file."""
    ids, weights, firsts, positions = [], [], [], []
    count = 0
    for (deltas, w, _), position in _blocks(postfile, offset, length):
        ids.append(_ids(deltas))
        weights.append(_weights(w, len(deltas)))
        firsts.append(count)
        positions.append(position)
        count += len(deltas)
    return BlockPostings(np.concatenate(ids).astype(np.int32), np.concatenate(weights),
                         np.array(firsts, dtype=np.int32), np.array(positions, dtype=np.int64))


def extent(info) -> tuple[int, int]:
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length in struct.unpack's tuple
        (length,) = length
    return offset, length


def posting_file(segreader):
    """The segment's file of posting blocks (``W3TermsReader._postfile``)."""
    terms = segreader._terms
    if not isinstance(terms, whoosh3.W3TermsReader):
        raise UnknownPostingsFormat(f"terms reader {type(terms).__name__}")
    return terms._postfile


def _term_info(segreader, fieldname: str, text: str):
    tbytes = segreader.schema[fieldname].to_bytes(text)
    if (fieldname, tbytes) not in segreader:
        return None
    terms = segreader._terms
    if not isinstance(terms, whoosh3.W3TermsReader):
        raise UnknownPostingsFormat(f"terms reader {type(terms).__name__}")
    return terms.term_info(fieldname, tbytes)


def _blocks(postfile, offset: int, length: int):
    """Each block of a posting list, as ``W3LeafMatcher`` reads them, from one read of the
    whole list: ((deltas, weights, values), the block's position in ``postfile``)."""
    data = postfile.get(offset, length)
    if data[:4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        raise UnknownPostingsFormat("posting list header tag")
    at = 4
    while True:
        block, size, end = _parse_block(data, at)
        yield block, offset + at
        if size < 0:  # a negative length marks the last block
            return
        at = end


def _read_block(postfile, position: int) -> tuple[tuple, int]:
    """The block at ``position`` of the posting file: ((deltas, weights, values), its size)."""
    (size,) = _INT.unpack(postfile.get(position, _INT_SIZE))
    block, size, _ = _parse_block(postfile.get(position, _INT_SIZE + abs(size)), 0)
    return block, size


def _parse_block(data, at: int) -> tuple[tuple, int, int]:
    """The block starting at ``at`` of ``data``: its (deltas, weights, values), its signed
    size, and where the next block starts."""
    (size,) = _INT.unpack_from(data, at)
    end = at + _INT_SIZE + abs(size)
    buf = io.BytesIO(data[at + _INT_SIZE:end])
    count, _maxid, _maxweight, compression, _minlen, _maxlen = pickle.load(buf)
    body = buf.read()
    deltas, weights, values = pickle.loads(zlib.decompress(body) if compression else body)
    if len(deltas) != count or not isinstance(values, tuple) or len(values) != count:
        raise UnknownPostingsFormat("block layout")
    return (deltas, weights, values), size, end


def _ids(deltas) -> np.ndarray:
    return np.cumsum(np.asarray(deltas, dtype=np.int64))


def _weights(weights, count: int) -> np.ndarray:
    if weights is None:
        return np.ones(count, dtype=np.float32)
    if isinstance(weights, float):
        return np.full(count, weights, dtype=np.float32)
    return np.asarray(weights, dtype=np.float32)


def _packed(value_parts: list[tuple[bytes, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Encoded posting values as one byte array and the offset where each one starts."""
    lengths = np.concatenate([np.fromiter(map(len, part), dtype=np.int32, count=len(part)) for part in value_parts])
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)  # one term's values stay far below 2 GB
    np.cumsum(lengths, out=offsets[1:])
    blob = b"".join([b"".join(part) for part in value_parts])
    return offsets, np.frombuffer(blob, dtype=np.uint8)


def field_lengths(segreader, fieldname: str) -> np.ndarray:
    """Each document's length in ``fieldname`` (as Whoosh's scorer sees it), by document number."""
    perdoc = segreader._perdoc  # W3PerDocReader
    column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    count = segreader.doc_count_all()
    if column is None:
        return np.zeros(count, dtype=np.float64)
    lengths = np.fromiter(column, dtype=np.uint8, count=count)
    return _LENGTH_OF_BYTE[lengths]


def years(segreader, fieldname: str = "year") -> np.ndarray:
    """Each document's year from the sortable ``fieldname`` column (0 when it has none)."""
    count = segreader.doc_count_all()
    if not segreader.has_column(fieldname):
        return np.zeros(count, dtype=np.int32)
    column = segreader.column_reader(fieldname)
    return np.fromiter((_year(v) for v in column), dtype=np.int32, count=count)


def _year(value) -> int:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return int(value) if value and str(value).isdigit() else 0


def deleted(segreader) -> np.ndarray | None:
    """A mask of the segment's deleted documents, or None when it has none."""
    if not segreader.has_deletions():
        return None
    mask = np.zeros(segreader.doc_count_all(), dtype=bool)
    mask[np.fromiter(segreader.segment().deleted_docs(), dtype=np.int64)] = True
    return mask
