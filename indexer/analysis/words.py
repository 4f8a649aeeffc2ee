"""pyvi word segmentation over syllable units: the only module that imports pyvi.

pyvi's CRF features are computed here once per syllable (pyvi recomputes them per
feature); tests/test_pyvi_features.py holds them equal to pyvi's own, label for label.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from .letters import canonical_tone
from .units import Unit, normalise_word


class _SyllableFacts(NamedTuple):
    """What pyvi's CRF features say about the syllables of a sentence, each computed once.

    ``bigram[i]`` is whether syllables ``i, i+1`` (lower case) are one of pyvi's two-syllable
    words, ``trigram[i]`` whether syllables ``i, i+1, i+2`` are one of its three-syllable words.
    pyvi lower-cases the joined string instead; that is the same, since the space between
    syllables stops Python's only context-dependent lower-casing (final sigma).
    """

    lower: list[str]
    title: list[bool]
    upper: list[bool]
    digit: list[bool]
    bigram: list[bool]
    trigram: list[bool]


def _syllable_facts(sent: Sequence[str]) -> _SyllableFacts:
    """The facts about syllables ``sent`` that pyvi's features are made of."""
    from pyvi.ViTokenizer import ViTokenizer

    lower = [w.lower() for w in sent]
    return _SyllableFacts(
        lower,
        [w.istitle() for w in sent],
        [w.isupper() for w in sent],
        [w.isdigit() for w in sent],
        [a + " " + b in ViTokenizer.bi_grams for a, b in pairwise(lower)],
        [a + " " + b + " " + c in ViTokenizer.tri_grams for a, b, c in zip(lower, lower[1:], lower[2:])],
    )


def _pyvi_attributes(sent: Sequence[str]) -> list[list[str]]:
    """pyvi's CRF features for syllables ``sent`` (``ViTokenizer.sent2features(sent, False)``)
    as the crfsuite attributes python-crfsuite makes of them.

    A string feature ``{"word.lower()": "ba"}`` is attribute ``"word.lower():ba"`` (``:``, not
    the ``=`` of python-crfsuite's docs, is what it uses and what pyvi's model holds); a true
    or 1.0 feature is its key. False features are left out: their weight is 0, so they add
    nothing to any score, and the model tags exactly as it would with them. Order is kept.
    """
    facts = _syllable_facts(sent)
    lower, title, upper = facts.lower, facts.title, facts.upper
    n = len(sent)
    items: list[list[str]] = []
    for i in range(n):
        item = ["bias", "word.lower():" + lower[i]]
        if upper[i]:
            item.append("word.isupper()")
        if title[i]:
            item.append("word.istitle()")
        if facts.digit[i]:
            item.append("word.isdigit()")
        if i > 0:
            item.append("-1:word.lower():" + lower[i - 1])
            if title[i - 1]:
                item.append("-1:word.istitle()")
            if upper[i - 1]:
                item.append("-1:word.isupper()")
            if facts.bigram[i - 1]:
                item.append("-1:word.bi_gram()")
            if i > 1 and facts.trigram[i - 2]:
                item.append("-2:word.tri_gram()")
        if i < n - 1:
            item.append("+1:word.lower():" + lower[i + 1])
            if title[i + 1]:
                item.append("+1:word.istitle()")
            if upper[i + 1]:
                item.append("+1:word.isupper()")
            if facts.bigram[i]:
                item.append("+1:word.bi_gram()")
            if i < n - 2 and facts.trigram[i]:
                item.append("+2:word.tri_gram()")
        items.append(item)
    return items


def _pyvi_labels(surfaces: list[str]) -> list[str]:
    """pyvi's label for every syllable: ``B_W`` begins a word, ``I_W`` continues one."""
    from pyvi.ViTokenizer import ViTokenizer  # loaded on first use: the model takes ~1 s

    return ViTokenizer.model.tagger_.tag(_pyvi_attributes(surfaces))


def _joins(prev: str, cur: str, label: str) -> bool:
    """pyvi's rule for gluing syllable ``cur`` to the word before it (ViTokenizer.tokenize)."""
    return (
        label == "I_W"
        and prev[0].isalpha()
        and cur[0].isalpha()
        and not (cur[0].isupper() and not prev[0].isupper())
    )


#: pyvi labels whole texts at once; texts are split at this many units to bound memory.
_PYVI_CHUNK = 2000


def segment_words(units: tuple[Unit, ...] | list[Unit]) -> list[tuple[str, int, int]]:
    """pyvi word segmentation over ``units``: ``(word, start, end)`` for every word.

    The word is the exact forms of its syllables joined by ``_`` (``giáo_dục``); offsets
    span from the first syllable's start to the last one's end in the original text.
    pyvi sees canonical-tone syllables with their case, the input its model was trained on.
    """
    words: list[tuple[str, int, int]] = []
    for chunk_start in range(0, len(units), _PYVI_CHUNK):
        chunk = units[chunk_start : chunk_start + _PYVI_CHUNK]
        surfaces = [_canonical_case_kept(u.surface) for u in chunk]
        labels = _pyvi_labels(surfaces) if surfaces else []
        current: list[Unit] = []
        for i, unit in enumerate(chunk):
            if current and unit.is_word and current[-1].is_word and _joins(
                surfaces[i - 1], surfaces[i], labels[i]
            ):
                current.append(unit)
                continue
            if current and current[0].is_word:
                words.append(_word_of(current))
            current = [unit]
        if current and current[0].is_word:
            words.append(_word_of(current))
    return words


def _word_of(units: list[Unit]) -> tuple[str, int, int]:
    return ("_".join(normalise_word(u.surface) for u in units), units[0].start, units[-1].end)


@lru_cache(maxsize=200_000)
def _canonical_case_kept(surface: str) -> str:
    lower = surface.lower()
    canonical = canonical_tone(lower)
    if canonical == lower:
        return surface
    return "".join(c.upper() if o.isupper() else c for c, o in zip(canonical, surface))
