"""Walks over postings: what the index stored for given terms in given documents.

Re-ranking reads positions and highlighting reads character offsets this way, instead of
analysing the documents' text again.
"""

from __future__ import annotations


def postings_values(reader, docnums: list[int], terms: list[str], kind: str) -> dict[int, dict[str, list]]:
    """``kind`` ("positions" or "characters") of each term in each document of ``docnums``.

    One raw posting matcher per term walks the documents in order: no re-analysis and no
    scorer set-up.
    """
    values: dict[int, dict[str, list]] = {d: {} for d in docnums}
    order = sorted(docnums)
    for term in terms:
        if ("text", term) not in reader:
            continue
        m = reader.postings("text", term)
        for docnum in postings_at(m, order):
            values[docnum][term] = m.value_as(kind)
    return values


def postings_at(m, docnums: list[int]):
    """Move matcher ``m`` to each of the sorted ``docnums`` it has; yield those documents."""
    for docnum in docnums:
        if not m.is_active():
            return
        if m.id() < docnum:
            m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            yield docnum
