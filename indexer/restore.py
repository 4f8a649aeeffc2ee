"""Diacritics put back into a query typed without them, from the text of its top lexical hits.

The embedding model reads ``giao duc`` as noise; the hits that matched it write ``giáo dục``.
A pair of words takes the spelling those texts use most often. A word outside such a pair
takes the spelling the whole index gives it beside its neighbours, where it has one: the
hits' texts spell ``nhieu`` ``nhiều`` more often, the index spells ``bao nhieu`` ``bao
nhiêu``. Else the hits' most frequent spelling of the word, else the index's. Pure: the
index is read through the ``Speller`` given (``indexer.vocabulary.Vocabulary``).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional, Protocol

from .analysis import fold

_WORD = re.compile(r"[^\W_]+")


def spellings(texts: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Folded word pair -> its most frequent written form in ``texts``, and the same per word."""
    pairs: Counter = Counter()
    singles: Counter = Counter()
    for text in texts:
        words = [m.group().lower() for m in _WORD.finditer(text)]
        singles.update(words)
        pairs.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return _most_frequent(pairs), _most_frequent(singles)


def _most_frequent(counts: Counter) -> dict[str, str]:
    best: dict[str, str] = {}
    for form, _ in counts.most_common():
        best.setdefault(fold(form), form)
    return best


class Speller(Protocol):
    """How an index spells a folded word between its folded neighbours (None at the query's ends)."""

    def spell_in_context(self, folded: str, left: Optional[str], right: Optional[str]) -> Optional[str]:
        """As the documents holding it beside those neighbours spell it; None if none does."""

    def spell(self, folded: str) -> Optional[str]:
        """Its most frequent spelling; None if the index lacks it."""


def restore_diacritics(query: str, texts: list[str], index: Speller | None = None) -> str:
    """``query`` with each pair of words written as ``texts`` write it, each other word as
    ``index`` spells it beside its neighbours, else as ``texts`` write it, else as ``index``
    spells it alone; separators, and words none knows, stay as typed; a capital initial is kept."""
    pairs, singles = spellings(texts)
    words = list(_WORD.finditer(query))
    folds = [fold(w.group()).lower() for w in words]
    out, at, i = [], 0, 0
    while i < len(words):
        first = words[i]
        second = words[i + 1] if i + 1 < len(words) else None
        joined = second is not None and query[first.end():second.start()].isspace()
        pair = pairs.get(fold(f"{first.group()} {second.group()}").lower()) if joined else None
        if pair:
            a, b = pair.split(" ")
            out += [query[at:first.start()], _case(first.group(), a), query[first.end():second.start()],
                    _case(second.group(), b)]
            at, i = second.end(), i + 2
            continue
        written = _spelling(folds, i, singles, index)
        out += [query[at:first.start()], _case(first.group(), written or first.group())]
        at, i = first.end(), i + 1
    return "".join(out) + query[at:]


def _spelling(folds: list[str], i: int, singles: dict[str, str], index: Speller | None) -> str | None:
    """How word ``i`` of the folded query, outside a pair the texts hold, is written: as the
    index spells it beside its neighbours, else as the texts write it, else as the index
    spells it alone."""
    if index is not None:
        left, right = folds[i - 1] if i else None, folds[i + 1] if i + 1 < len(folds) else None
        if written := index.spell_in_context(folds[i], left, right):
            return written
    return singles.get(folds[i]) or (index.spell(folds[i]) if index is not None else None)


def _case(typed: str, written: str) -> str:
    return written[:1].upper() + written[1:] if typed[:1].isupper() else written
