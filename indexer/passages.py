"""Split a document into passages for embedding: the title plus about N syllables of whole sentences.

A document is scored semantically by its best passage, and a snippet can prefer that
passage, so each passage keeps its character offsets in the body. A document can be tiled
at several sizes, one tiling after another, so that what one tiling cuts at a passage's
end another holds whole. Pure: no I/O, no model.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Iterator, NamedTuple, Sequence

#: A sentence ends at . ! ? … (with any closing quotes or brackets) before white space, or
#: at a line break; headings and list items in plain text are lines of their own.
_SENTENCE_END = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s)|\n""")
_SYLLABLE = re.compile(r"[^\W_]+")


class Passage(NamedTuple):
    """What is embedded (``text``: title and sentences) and where its sentences lie in the body."""

    text: str
    start: int
    end: int


def sentence_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of ``body``, white space trimmed, empty ones dropped."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(body):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(body)))
    return [t for t in (_trim(body, s, e) for s, e in spans) if t[0] < t[1]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def syllable_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of every syllable (run of letters or digits) of ``text[start:end]``."""
    return [(m.start(), m.end()) for m in _SYLLABLE.finditer(text, start, end)]


def _pieces(body: str, size: int) -> Iterator[tuple[int, int, int]]:
    """Sentences as (start, end, syllables); a sentence of more than twice ``size`` syllables
    is cut into runs of ``size`` (a law article or a list may have no full stop at all)."""
    for start, end in sentence_spans(body):
        count = len(_SYLLABLE.findall(body, start, end))
        if count <= 2 * size:
            yield start, end, count
            continue
        sylls = syllable_spans(body, start, end)
        cuts = [sylls[i][0] for i in range(size, len(sylls), size)]
        bounds = [start, *cuts, end]
        for a, b in zip(bounds, bounds[1:]):
            a, b = _trim(body, a, b)
            yield a, b, len(_SYLLABLE.findall(body, a, b))


def iter_passages(title: str, body: str, size: int = 60) -> Iterator[Passage]:
    """The passages of a document, first to last: whole sentences packed up to about ``size``
    syllables each, every passage prefixed by the title. A document without body text is one
    title passage. Lazy, so that finding one passage reads the body only as far as it."""
    if size < 1:
        raise ValueError(f"passage size must be at least 1 syllable, not {size}")
    title = " ".join(title.split())
    group: list[tuple[int, int, int]] = []
    count = 0
    for piece in _pieces(body, size):
        # join when that brings the passage nearer ``size`` than it is without the sentence
        if group and count + piece[2] - size <= size - count:
            group.append(piece)
            count += piece[2]
            continue
        if group:
            yield _passage(title, body, group)
        group, count = [piece], piece[2]
    yield _passage(title, body, group) if group else Passage(title, 0, 0)


def _passage(title: str, body: str, group: list[tuple[int, int, int]]) -> Passage:
    start, end = group[0][0], group[-1][1]
    text = " ".join(body[start:end].split())
    return Passage(f"{title}\n{text}" if title else text, start, end)


def split_passages(title: str, body: str, size: int = 60) -> list[Passage]:
    """Every passage of a document (``iter_passages``)."""
    return list(iter_passages(title, body, size))


def tiled_passages(title: str, body: str, sizes: Sequence[int]) -> Iterator[tuple[int, Passage]]:
    """(size, passage) of every tiling of a document, the tilings in the order of ``sizes``.
    A passage whose text an earlier tiling holds is left out: a short document is one passage
    at any size, and is embedded once."""
    earlier: set[str] = set()
    for size in sizes:
        texts = []
        for passage in iter_passages(title, body, size):
            if passage.text not in earlier:
                texts.append(passage.text)
                yield size, passage
        earlier.update(texts)


def passage_at(title: str, body: str, sizes: Sequence[int], number: int) -> Passage | None:
    """Passage ``number`` (from 0, in ``tiled_passages`` order) of a document, or None past its last."""
    found = next(islice(tiled_passages(title, body, sizes), number, None), None)
    return found[1] if found else None
