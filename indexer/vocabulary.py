"""The words of an index, folded and exact: for did-you-mean and Telex/VNI queries."""

from __future__ import annotations

import threading
from collections import defaultdict

from .analysis import TONE_MARKS, fold
import unicodedata

_cache: dict[tuple, "Vocabulary"] = {}
_lock = threading.Lock()


def tone_of(word: str) -> int:
    """The tone of a syllable: 0 (none) to 5 (nặng)."""
    for c in unicodedata.normalize("NFD", word):
        if c in TONE_MARKS:
            return TONE_MARKS.index(c) + 1
    return 0


class Vocabulary:
    """Exact forms grouped by folded form, with document frequencies."""

    def __init__(self, reader):
        # The field holds every folded syllable, plus the exact form of those with
        # diacritics: a plain form's own count is what its accented forms leave over.
        by_fold: dict[str, dict[str, int]] = defaultdict(dict)
        for term, info in reader.iter_field("text"):
            word = term.decode("utf-8") if isinstance(term, bytes) else term
            if "_" in word or "+" in word:
                continue  # bigrams and compound words
            by_fold[fold(word)][word] = info.doc_frequency()
        for folded, forms in by_fold.items():
            if folded in forms:
                accented = sum(n for w, n in forms.items() if w != folded)
                forms[folded] = max(0, forms[folded] - accented)
                if not forms[folded]:
                    del forms[folded]
        self.by_fold = dict(by_fold)

    def frequency(self, exact: str) -> int:
        return self.by_fold.get(fold(exact), {}).get(exact, 0)

    def best_exact(self, folded: str, tone: int | None = None) -> str | None:
        """The most frequent exact form of ``folded`` (with the given tone, when given)."""
        forms = self.by_fold.get(folded, {})
        if tone is not None:
            forms = {w: n for w, n in forms.items() if tone_of(w) == tone}
        return max(forms, key=lambda w: (forms[w], w)) if forms else None


def vocabulary_for(version, reader) -> Vocabulary:
    """The vocabulary of one index version, built once per process and kept."""
    with _lock:
        vocab = _cache.get(version)
        if vocab is None:
            _cache.clear()
            vocab = _cache[version] = Vocabulary(reader)
        return vocab
