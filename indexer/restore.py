"""Diacritics put back into a query typed without them, from the text of its top lexical hits.

The embedding model reads ``giao duc`` as noise; the hits that matched it write ``giáo dục``.
Each pair of words, then each word, takes the spelling those texts use most often; a word
they do not hold (``bao nhieu``, ``o dau``: the question's own words) is spelt as the whole
index spells it beside its neighbours, through the ``spell`` given. Pure.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Optional

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


#: Spells a folded word between its folded neighbours (``None`` at the query's ends), or None.
Speller = Callable[[str, Optional[str], Optional[str]], Optional[str]]


def restore_diacritics(query: str, texts: list[str], spell: Speller | None = None) -> str:
    """``query`` with each word written as ``texts`` write it (pairs first), else as ``spell``
    spells it; separators, and words neither knows, stay as typed; a capital initial is kept."""
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
        written = singles.get(folds[i])
        if written is None and spell is not None:
            written = spell(folds[i], folds[i - 1] if i else None, folds[i + 1] if i + 1 < len(folds) else None)
        out += [query[at:first.start()], _case(first.group(), written or first.group())]
        at, i = first.end(), i + 1
    return "".join(out) + query[at:]


def _case(typed: str, written: str) -> str:
    return written[:1].upper() + written[1:] if typed[:1].isupper() else written
