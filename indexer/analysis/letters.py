"""Vietnamese letters and tones: folding (``đ`` -> ``d``) and the one canonical tone placement.

The lossy and the lossless forms are kept apart, as in Meilisearch's charabia: ``fold``
removes every diacritic; ``canonical_tone`` only moves a tone mark to where the modern
rule puts it (``hòa`` -> ``hoà``), so the exact spelling is never lost.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

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


def toneless(text: str) -> str:
    """``text`` without its tone marks, its other diacritics kept: ``nghiệp`` -> ``nghiêp``."""
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFD", text) if c not in TONE_MARKS))


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


#: What may follow a syllable's vowels: none, or a final consonant. Any other string (``ycưu``,
#: a typo; ``cafe``) is no syllable, and its tone mark stays where it was typed.
_FINALS = frozenset(("", "c", "ch", "m", "n", "ng", "nh", "p", "t"))


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
    if not nucleus or any(c not in VOWELS and not c.isalpha() for c in bare) or bare[end:] not in _FINALS:
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


def with_tone(bare: str, tone: int) -> str:
    """Toneless lower-case syllable ``bare`` with tone ``tone`` (1-5, as in TONE_MARKS), canonically placed."""
    # Put the tone on the first vowel; canonical_tone then moves it where it belongs.
    for i, c in enumerate(bare):
        if c in VOWELS:
            return canonical_tone(bare[:i] + _TONE_JOIN[(c, tone)] + bare[i + 1:])
    return bare


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
    return {with_tone(s, tone) if tone else s for s in spellings for tone in range(6)}
