"""What spellings of a folded syllable an index holds: for did-you-mean and Telex/VNI queries.

Looked up on demand: every accented spelling of a folded syllable is generated (a few dozen
at most) and its document frequency read from the term index, so nothing has to be loaded
up front, however large the index.
"""

from __future__ import annotations

import unicodedata

from .analysis import TONE_MARKS, accent_variants, fold


def tone_of(word: str) -> int:
    """The tone of a syllable: 0 (none) to 5 (nặng)."""
    for c in unicodedata.normalize("NFD", word):
        if c in TONE_MARKS:
            return TONE_MARKS.index(c) + 1
    return 0


class Vocabulary:
    """Exact forms of folded syllables in one index, with document frequencies."""

    def __init__(self, reader, field: str = "text"):
        self.reader, self.field = reader, field
        self._forms: dict[str, dict[str, int]] = {}

    def forms(self, folded: str) -> dict[str, int]:
        """Spellings of ``folded`` found in the index -> document frequency.

        The field holds every folded syllable, plus the exact form of those with diacritics:
        a plain spelling's own count is what its accented forms leave over.
        """
        if folded not in self._forms:
            found = {w: self.reader.doc_frequency(self.field, w)
                     for w in accent_variants(folded) if w != folded}
            found = {w: n for w, n in found.items() if n}
            plain = self.reader.doc_frequency(self.field, folded) - sum(found.values())
            if plain > 0:
                found[folded] = plain
            self._forms[folded] = found
        return self._forms[folded]

    def frequency(self, exact: str) -> int:
        return self.forms(fold(exact)).get(exact, 0)

    def best_exact(self, folded: str, tone: int | None = None) -> str | None:
        """The most frequent spelling of ``folded`` (with the given tone, when given)."""
        forms = self.forms(folded)
        if tone is not None:
            forms = {w: n for w, n in forms.items() if tone_of(w) == tone}
        return max(forms, key=lambda w: (forms[w], w)) if forms else None
