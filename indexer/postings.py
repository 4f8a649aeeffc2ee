"""What the index stored for given terms in given documents: positions or character offsets.

Re-ranking reads positions and highlighting reads character offsets this way, instead of
analysing the documents' text again. Each term's postings are read once and kept
(``segments``); the wanted postings' values are decoded from the blocks holding them.
"""

from __future__ import annotations

from .segments import by_segment, segments


def postings_values(reader, docnums: list[int], terms: list[str], kind: str) -> dict[int, dict[str, list]]:
    """``kind`` ("positions" or "characters") of each term of the ``text`` field in each
    document of ``docnums`` that holds it."""
    values: dict[int, dict[str, list]] = {d: {} for d in docnums}
    parts = by_segment(segments(reader), docnums)
    for term in terms:
        if ("text", term) not in reader:
            continue
        for seg, local in parts:
            for docnum, value in seg.values("text", term, local, kind).items():
                values[docnum + seg.offset][term] = value
    return values

