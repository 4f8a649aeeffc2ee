"""Syllable units with offsets into the ORIGINAL text, their exact form, and the index term spellings.

Text is NFC-normalised cluster by cluster so that every unit keeps the span of the
original (possibly NFD) characters it came from: highlights slice the original with it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from .letters import canonical_tone, fold


def nfc_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """NFC-normalise ``text`` and map every output character back to the original.

    Returns ``(nfc, starts, ends)``: character ``i`` of ``nfc`` came from
    ``text[starts[i]:ends[i]]``. Each base character and the combining marks that follow
    it are normalised together, so an NFD ``e + ◌̂ + ◌́`` becomes one ``ế`` spanning three
    original characters.
    """
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        n = len(text)
        return text, list(range(n)), list(range(1, n + 1))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        out.append(cluster)
        spans = _cluster_spans(text, i, j, cluster)
        starts.extend(start for start, _ in spans)
        ends.extend(end for _, end in spans)
        i = j
    return "".join(out), starts, ends


def _cluster_spans(text: str, i: int, j: int, cluster: str) -> list[tuple[int, int]]:
    """Where each character of ``cluster`` (the NFC of ``text[i:j]``) came from.

    The first character spans the base and every mark composed into it; a mark NFC could
    not compose keeps its own one-character span, so a unit ending before it stops there.
    When NFC changed a mark it kept (``◌̈́`` splits in two), every character spans the cluster.
    """
    spans: list[tuple[int, int]] = []
    end = j
    for c in reversed(cluster[1:]):
        k = text.rfind(c, i + 1, end)
        if k < 0:
            return [(i, j)] * len(cluster)
        spans.append((k, k + 1))
        end = k
    return [(i, end)] + spans[::-1]


class Unit(NamedTuple):
    """One unit of text: a syllable (or number, abbreviation) or a punctuation mark.

    ``surface`` is the NFC text as written (case kept); ``start``/``end`` index the original.
    """

    surface: str
    start: int
    end: int
    is_word: bool


# A word is a run of letters/digits (combining marks allowed, for text NFC cannot compose);
# "GD&ĐT"-style abbreviations stay whole. Underscores split (snake_case -> snake, case).
_WORD_RE = re.compile(r"[A-ZĐ]{1,8}&[A-ZĐ]{1,8}(?![^\W_])|[^\W_](?:[^\W_]|[\u0300-\u036f])*")
_UNIT_RE = re.compile(_WORD_RE.pattern + r"|[^\w\s]")


@lru_cache(maxsize=8)
def split_units(text: str) -> tuple[Unit, ...]:
    """Split text into syllables and punctuation, with offsets in the ORIGINAL ``text``.

    Cached for the last few texts: one body feeds several fields' analyzers in turn.
    """
    nfc, starts, ends = nfc_with_offsets(text)
    units: list[Unit] = []
    for match in _UNIT_RE.finditer(nfc):
        surface = match.group()
        start, end = starts[match.start()], ends[match.end() - 1]
        if units and start < units[-1].end:  # one original character NFC made two (U+0344)
            last = units.pop()
            units.append(last._replace(surface=last.surface + surface, end=max(end, last.end)))
            continue
        units.append(Unit(surface, start, end, surface[0].isalnum()))
    return tuple(units)


def syllables(text: str) -> list[Unit]:
    """The word units of ``text`` (punctuation dropped)."""
    return [u for u in split_units(text) if u.is_word]


@lru_cache(maxsize=200_000)
def normalise_word(word: str) -> str:
    """The exact search form of a syllable: NFC, lower case, canonical tone placement."""
    return canonical_tone(unicodedata.normalize("NFC", word).lower())


def bigram_term(first: str, second: str) -> str:
    """The index term of two adjacent syllables: their folded forms joined by ``_``."""
    return fold(normalise_word(first)) + "_" + fold(normalise_word(second))


def compound_term(word: str) -> str:
    """The index term of a pyvi compound word (``giáo_dục``): syllables joined by ``+``,
    so that it can never equal a bigram term."""
    return word.replace("_", "+")


#: Marks a phrase runs on across: quotes, brackets, dashes and slashes (``tố “đạo văn”``,
#: ``Kim Jong - nam``), the soft separators of Meilisearch's tokenizer. Every other mark
#: (``, . : ; ! ? …``) ends a clause, and no bigram spans it.
SOFT_SEPARATORS = frozenset("\"'“”‘’„«»‹›()[]{}-‐‑–—/")


def next_words(units: tuple[Unit, ...] | list[Unit]) -> list[Unit | None]:
    """For each unit, the word a bigram joins it to: the next word unit, when only soft
    separators stand between; None for punctuation and for a word that ends a clause."""
    out: list[Unit | None] = [None] * len(units)
    last = None
    for i in range(len(units) - 1, -1, -1):
        unit = units[i]
        if unit.is_word:
            out[i], last = last, unit
        elif unit.surface not in SOFT_SEPARATORS:
            last = None
    return out


def syllable_bigrams(units: tuple[Unit, ...] | list[Unit]) -> list[tuple[str, int, int]]:
    """Folded bigrams of adjacent syllables not separated by punctuation: ``giao_duc`` (the
    simple baseline of ``bench.peers``; the index's bigrams also span quotes: ``next_words``)."""
    grams = []
    for a, b in zip(units, units[1:]):
        if a.is_word and b.is_word:
            grams.append((bigram_term(a.surface, b.surface), a.start, b.end))
    return grams
