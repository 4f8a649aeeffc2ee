"""Vietnamese text analysis: normalise, fold, segment, with offsets into the original text.

Pure functions first (they are what the tests and the query planner call), then the
Whoosh tokenizers and filters built from them. pyvi is imported only here.

Two kinds of normalisation are kept apart, as in Meilisearch's charabia:
- lossless for search purposes: NFC, one tone placement, lower case (``exact`` form);
- lossy: diacritics removed and ``đ`` -> ``d`` (``folded`` form).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from whoosh.analysis import Composable, Token, Tokenizer

# --- Letters ---------------------------------------------------------------

#: The five tone marks as combining characters: huyền, sắc, hỏi, ngã, nặng.
TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"
#: The twelve vowel letters, with their quality marks (ă â ê ô ơ ư) but no tone.
VOWELS = "aăâeêioôơuưy"
_QUALITY_VOWELS = set("ăâêôơư")


def _compose(base: str, tone: int) -> str:
    return unicodedata.normalize("NFC", base + TONE_MARKS[tone - 1]) if tone else base


# 'ồ' -> ('ô', 2): every lower-case toned vowel split into its toneless letter and tone (0 = none).
_TONE_SPLIT: dict[str, tuple[str, int]] = {
    _compose(v, t): (v, t) for v in VOWELS for t in range(6)
}
_TONE_JOIN: dict[tuple[str, int], str] = {value: key for key, value in _TONE_SPLIT.items()}

#: Every Vietnamese letter with a diacritic, both cases: 66 vowels + đ, times two = 134.
VIETNAMESE_MARKED_LETTERS = sorted(
    {c for c in _TONE_SPLIT if c not in "aeiouy"} | {"đ"}
    | {c.upper() for c in _TONE_SPLIT if c not in "aeiouy"} | {"Đ"}
)


def _plain(letter: str) -> str:
    if letter in "đĐ":
        return "d" if letter == "đ" else "D"
    stripped = "".join(c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c))
    return stripped


_FOLD_TABLE = str.maketrans({c: _plain(c) for c in VIETNAMESE_MARKED_LETTERS})


# --- Pure functions --------------------------------------------------------


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Remove every diacritic, ``đ``/``Đ`` included: ``"Đà Nẵng"`` -> ``"Da Nang"``.

    NFD alone would keep ``đ``, which has no decomposition.
    """
    folded = text.translate(_FOLD_TABLE)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFD", folded)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    ).translate(_FOLD_TABLE)


def has_diacritics(text: str) -> bool:
    """True when folding would change ``text``."""
    return fold(text) != text


def _initial_length(syllable: str) -> int:
    """Length of the initial consonant cluster, counting the ``u`` of ``qu`` and the ``i`` of ``gi``."""
    i = 0
    while i < len(syllable) and _TONE_SPLIT.get(syllable[i], (syllable[i],))[0] not in VOWELS:
        i += 1
    head = syllable[:i]
    rest = syllable[i:]
    bare_rest = "".join(_TONE_SPLIT.get(c, (c,))[0] for c in rest)
    if head == "q" and bare_rest.startswith("u") and len(bare_rest) > 1:
        return i + 1
    if head == "g" and bare_rest.startswith("i") and len(bare_rest) > 1 and bare_rest[1] in VOWELS:
        return i + 1
    return i


@lru_cache(maxsize=200_000)
def canonical_tone(syllable: str) -> str:
    """Place the tone mark of a lower-case syllable where the modern rule puts it.

    Old and new styles (``hòa``/``hoà``, ``thủy``/``thuỷ``, ``khỏe``/``khoẻ``) differ only for
    the open syllables ending in ``oa``, ``oe``, ``uy``; pyvi's dictionary uses the new style
    (``hoà``), so that is the canonical form. Non-Vietnamese strings come back unchanged.
    """
    if not syllable or not any(c in _TONE_SPLIT for c in syllable):
        return syllable
    parts = [_TONE_SPLIT.get(c, (c, 0)) for c in syllable]
    tones = [t for _, t in parts if t]
    if len(tones) != 1:
        return syllable
    tone = tones[0]
    bare = "".join(base for base, _ in parts)
    start = _initial_length(bare)
    end = start
    while end < len(bare) and bare[end] in VOWELS:
        end += 1
    nucleus = range(start, end)
    if not nucleus or any(c not in VOWELS and not c.isalpha() for c in bare):
        return syllable
    quality = [i for i in nucleus if bare[i] in _QUALITY_VOWELS]
    if quality:
        target = quality[-1]  # ươ -> ơ, iê -> ê, uô -> ô
    elif len(nucleus) == 1:
        target = start
    elif end < len(bare):
        target = end - 1  # closed syllable: toán, hoàng, huỳnh
    elif len(nucleus) == 3:
        target = start + 1  # ngoài, khuỷu
    elif bare[start:end] in ("oa", "oe", "uy"):
        target = start + 1  # new style: hoà, khoẻ, thuỷ
    else:
        target = start  # hài, táo, múa
    return "".join(
        _TONE_JOIN.get((bare[i], tone if i == target else 0), bare[i]) for i in range(len(bare))
    )


@lru_cache(maxsize=200_000)
def normalise_word(word: str) -> str:
    """The exact search form of a syllable: NFC, lower case, canonical tone placement."""
    return canonical_tone(unicodedata.normalize("NFC", word).lower())


def normalise_text(text: str) -> str:
    """NFC, lower case and canonical tones for a whole string, keeping everything else."""
    nfc = unicodedata.normalize("NFC", text).lower()
    return _WORD_RE.sub(lambda m: canonical_tone(m.group()), nfc)


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


def bigram_term(first: str, second: str) -> str:
    """The index term of two adjacent syllables: their folded forms joined by ``_``."""
    return fold(normalise_word(first)) + "_" + fold(normalise_word(second))


def compound_term(word: str) -> str:
    """The index term of a pyvi compound word (``giáo_dục``): syllables joined by ``+``,
    so that it can never equal a bigram term."""
    return word.replace("_", "+")


def syllable_bigrams(units: tuple[Unit, ...] | list[Unit]) -> list[tuple[str, int, int]]:
    """Folded bigrams of adjacent syllables not separated by punctuation: ``giao_duc``."""
    grams = []
    for a, b in zip(units, units[1:]):
        if a.is_word and b.is_word:
            grams.append((bigram_term(a.surface, b.surface), a.start, b.end))
    return grams


# --- Typing without an input method ----------------------------------------

_TELEX_TONES = {"s": 2, "f": 1, "r": 3, "x": 4, "j": 5}
_VNI_TONES = {"1": 2, "2": 1, "3": 3, "4": 4, "5": 5}
_TELEX_LETTERS = (("dd", "đ"), ("uow", "ươ"), ("aa", "â"), ("aw", "ă"), ("ee", "ê"), ("oo", "ô"),
                  ("ow", "ơ"), ("uw", "ư"), ("w", "ư"))
_VNI_LETTERS = (("d9", "đ"), ("a6", "â"), ("a8", "ă"), ("e6", "ê"), ("o6", "ô"),
                ("o7", "ơ"), ("u7", "ư"))
_SYLLABLE_SHAPE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ng|nh|ch|[cmnpt])?$"
)


def _apply_tone(bare: str, tone: int) -> str:
    # Put the tone on the first vowel; canonical_tone then moves it where it belongs.
    for i, c in enumerate(bare):
        if c in VOWELS:
            return canonical_tone(bare[:i] + _TONE_JOIN[(c, tone)] + bare[i + 1:])
    return bare


def typed_without_ime(word: str) -> str | None:
    """Read a word typed in Telex or VNI without an input method: ``giaos`` -> ``giáo``.

    Returns None unless the word contains Telex/VNI keys and spells a well-formed
    Vietnamese syllable once they are applied (``hoij`` -> ``họi``, ``ho6i`` -> ``hôi``).
    """
    word = word.lower()
    if not word.isascii() or not word.isalnum():
        return None
    vni = any(c.isdigit() for c in word)
    if vni:
        tone = 0
        digits = [c for c in word if c in _VNI_TONES]
        if len(digits) > 1:
            return None
        if digits:
            tone = _VNI_TONES[digits[0]]
            word = word.replace(digits[0], "")
        for key, letter in _VNI_LETTERS:
            word = word.replace(key, letter)
        if word == "d9":
            return None
    else:
        tone = 0
        if len(word) > 1 and word[-1] in _TELEX_TONES:
            tone = _TELEX_TONES[word[-1]]
            word = word[:-1]
        for key, letter in _TELEX_LETTERS:
            word = word.replace(key, letter)
    if any(c.isdigit() for c in word) or not _SYLLABLE_SHAPE.match(word):
        return None
    result = _apply_tone(word, tone) if tone else word
    return result if has_diacritics(result) else None


_LETTER_VARIANTS = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}


def accent_variants(folded: str, limit: int = 400) -> set[str]:
    """Every spelling with diacritics that folds to ``folded``, tones canonically placed.

    ``hoi`` -> {hoi, hỏi, hội, hơi, hồi, ...}. Empty when there would be more than ``limit``
    (only absurdly long "syllables" come near it).
    """
    if not folded.isascii() or not folded.isalpha():
        return set()
    choices = [_LETTER_VARIANTS.get(c, c) for c in folded]
    count = 1
    for options in choices:
        count *= len(options)
    if count * 6 > limit:
        return set()
    spellings = [""]
    for options in choices:
        spellings = [s + c for s in spellings for c in options]
    return {_apply_tone(s, tone) if tone else s for s in spellings for tone in range(6)}


# --- The Whoosh tokenizer -----------------------------------------------------


#: Which tokens BagTokenizer emits. Raise it with any change to them: an index built with
#: another version is rebuilt in full by the next reindex (indexer.build).
#: 1: before positions skipped one between title and body; 2: since.
BAG_VERSION = 2


class BagTokenizer(Tokenizer):
    """Everything a query may match, in one field: folded syllables, their exact forms
    (when they carry diacritics), folded bigrams and, optionally, pyvi compound words.

    The forms never collide: an exact form with diacritics differs from every folded
    form, bigrams join with ``_`` and words with ``+``. One field means one BM25 length
    normalisation over all signals, which measured better than a field per signal.
    Syllable ``i`` and the tokens derived from it share position ``i``, so phrase queries
    over folded syllables still see consecutive positions. After the first ``field_break``
    (the title/body separator) positions skip one, so no phrase spans the two.
    """

    # Class defaults, so that tokenizers pickled in older indexes load and say what they are.
    field_break: str | None = None
    version: int = 1

    def __init__(self, words: bool = False, field_break: str | None = None):
        self.words = words
        self.field_break = field_break
        self.version = BAG_VERSION

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        units = split_units(value)
        pos = start_pos - 1
        position_of: dict[int, int] = {}
        gap_after = value.find(self.field_break) if self.field_break else -1
        for i, unit in enumerate(units):
            if not unit.is_word:
                continue
            pos += 1
            if 0 <= gap_after < unit.start:
                pos += 1
                gap_after = -1
            position_of[unit.start] = pos
            exact = normalise_word(unit.surface)
            folded = fold(exact)
            forms = [(folded, unit.start, unit.end)]
            if folded != exact:
                forms.append((exact, unit.start, unit.end))
            nxt = units[i + 1] if i + 1 < len(units) else None
            if nxt is not None and nxt.is_word:
                forms.append((bigram_term(unit.surface, nxt.surface), unit.start, nxt.end))
            for text, start, end in forms:
                yield _fill(token, text, pos, start_char + start, start_char + end, positions, chars)
        if self.words:
            for text, start, end in segment_words(units):
                if "_" in text:
                    yield _fill(token, compound_term(text), position_of.get(start, pos),
                                start_char + start, start_char + end, positions, chars)


def _fill(token: Token, text: str, pos: int, start: int, end: int, positions: bool, chars: bool) -> Token:
    token.text = text
    token.boost = 1.0
    token.stopped = False
    if positions:
        token.pos = pos
    if chars:
        token.startchar = start
        token.endchar = end
    return token


def BagAnalyzer(words: bool = False, field_break: str | None = None) -> Composable:
    """Folded syllables + exact syllables + folded bigrams (+ pyvi words) in one field."""
    return BagTokenizer(words=words, field_break=field_break)
