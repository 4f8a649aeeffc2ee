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


class UnknownPostingsFormat(Exception):
    """The postings are not in the W3 layout this module reads (a Whoosh upgrade?)."""


def segment_key(segreader) -> tuple[str, str]:
    """What identifies a segment's immutable files: its folder (one per generation) and id."""
    storage = segreader.storage()
    folder = getattr(storage, "folder", None) or getattr(getattr(storage, "b", None), "folder", None)
    if folder is None:
        raise UnknownPostingsFormat(f"segment storage {type(storage).__name__} has no folder")
    return str(folder), segreader.segment().segment_id()


def term_postings(segreader, fieldname: str, text: str) -> tuple[np.ndarray, ...]:
    """(document numbers, weights, value offsets, values) of one term in one segment,
    deleted documents included: posting ``i``'s encoded value (positions, characters) is
    ``values[offsets[i]:offsets[i + 1]]`` (``term_values`` decodes it).

    Empty arrays when the segment lacks the term.
    """
    info = _term_info(segreader, fieldname, text)
    if info is None:
        return EMPTY_IDS, EMPTY_WEIGHTS, NO_OFFSETS, NO_VALUES
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        return (np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32),
                *_packed([values]))
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length in struct.unpack's tuple
        (length,) = length
    return _read_blocks(segreader._terms._postfile, offset, length)


def _term_info(segreader, fieldname: str, text: str):
    tbytes = segreader.schema[fieldname].to_bytes(text)
    if (fieldname, tbytes) not in segreader:
        return None
    terms = segreader._terms
    if not isinstance(terms, whoosh3.W3TermsReader):
        raise UnknownPostingsFormat(f"terms reader {type(terms).__name__}")
    return terms.term_info(fieldname, tbytes)


def _read_blocks(postfile, offset: int, length: int) -> tuple[np.ndarray, ...]:
    """Every block of a posting list, read as ``W3LeafMatcher`` reads them, from one read
    of the whole list."""
    buf = io.BytesIO(postfile.get(offset, length))
    if buf.read(4) != whoosh3.WHOOSH3_HEADER_MAGIC:
        raise UnknownPostingsFormat("posting list header tag")
    ids_parts, weight_parts, value_parts = [], [], []
    while True:
        position = buf.tell()
        (size,) = _INT.unpack(buf.read(_INT_SIZE))
        count, _maxid, _maxweight, compression, _minlen, _maxlen = pickle.load(buf)
        data = buf.read(position + _INT_SIZE + abs(size) - buf.tell())
        deltas, weights, values = pickle.loads(zlib.decompress(data) if compression else data)
        if len(deltas) != count or not isinstance(values, tuple) or len(values) != count:
            raise UnknownPostingsFormat("block layout")
        ids_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float32))
        value_parts.append(values)
        if size < 0:  # a negative length marks the last block
            break
    return (np.concatenate(ids_parts).astype(np.int32), np.concatenate(weight_parts), *_packed(value_parts))


def _packed(value_parts: list[tuple[bytes, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Encoded posting values as one byte array and the offset where each one starts."""
    lengths = np.concatenate([np.fromiter(map(len, part), dtype=np.int32, count=len(part)) for part in value_parts])
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)  # one term's values stay far below 2 GB
    np.cumsum(lengths, out=offsets[1:])
    blob = b"".join([b"".join(part) for part in value_parts])
    return offsets, np.frombuffer(blob, dtype=np.uint8)


def term_values(segreader, fieldname: str, offsets: np.ndarray, values: np.ndarray,
                indices: list[int], kind: str) -> list:
    """``kind`` ("positions", "characters") of the postings at ``indices`` of a term's
    posting list, from ``term_postings``' packed values."""
    decode = segreader.schema[fieldname].format.decoder(kind)
    return [decode(values[offsets[i]:offsets[i + 1]].tobytes()) for i in indices]


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
