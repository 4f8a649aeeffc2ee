"""Reading words typed in Telex or VNI without an input method: ``giaos`` -> ``giáo``."""

from __future__ import annotations

import re

from .letters import has_diacritics, with_tone

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
    result = with_tone(word, tone) if tone else word
    return result if has_diacritics(result) else None
