"""Abbreviations and their expansions (GD&ĐT <-> giáo dục và đào tạo), read from a text file.

Format: one group per line, forms separated by commas; ``#`` starts a comment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .analysis import fold, normalise_word, syllables
from .errors import ConfigError

Form = tuple[str, ...]


def parse_synonyms(text: str) -> list[tuple[Form, ...]]:
    """Groups of equivalent forms, each form a tuple of exact syllables."""
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        forms = []
        for raw in line.split(","):
            form = tuple(normalise_word(u.surface) for u in syllables(raw))
            if form and form not in forms:
                forms.append(form)
        if len(forms) > 1:
            groups.append(tuple(forms))
    return groups


@lru_cache(maxsize=8)
def load_synonyms(path: Path | None) -> tuple[tuple[Form, ...], ...]:
    if path is None:
        return ()
    try:
        return tuple(parse_synonyms(Path(path).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read the synonyms file {path}: {e}") from None


def expansions(words: list[str], groups) -> list[tuple[int, int, list[Form]]]:
    """Where a synonym form occurs in ``words``: ``(start, end, other forms)``, longest first,
    non-overlapping. Matching is on folded syllables, so ``gddt`` finds ``GDĐT``."""
    folded = [fold(w) for w in words]
    found: list[tuple[int, int, list[Form]]] = []
    taken: set[int] = set()
    candidates = sorted(
        ((form, group) for group in groups for form in group), key=lambda fg: -len(fg[0])
    )
    for form, group in candidates:
        key = [fold(s) for s in form]
        n = len(key)
        for i in range(len(folded) - n + 1):
            if folded[i:i + n] == key and not taken & set(range(i, i + n)):
                found.append((i, i + n, [f for f in group if f != form]))
                taken |= set(range(i, i + n))
    return sorted(found)
