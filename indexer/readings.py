"""Other readings of a query than its typo correction (``suggest``): the query typed as Telex
or VNI keys without an input method, and did-you-mean for words the index lacks."""

from __future__ import annotations

from .analysis import fold, has_diacritics, typed_without_ime
from .query import ParsedQuery
from .spelling import best_correction
from .suggest import MAX_CORRECTIONS, MAX_SUGGEST_WORDS
from .vocabulary import Vocabulary, tone_of


def telex_reading(text: str, vocab: Vocabulary) -> str | None:
    """The query read as Telex/VNI, each word resolved to a form the index has; or None."""
    changed = False
    out = []
    for word in text.split():
        converted = typed_without_ime(word)
        if converted is None:
            out.append(word)
            continue
        if not vocab.frequency(converted):
            converted = vocab.best_exact(fold(converted), tone_of(converted))
        if converted is None:
            return None
        out.append(converted)
        changed = True
    return " ".join(out) if changed else None


def did_you_mean(searcher, parsed: ParsedQuery, vocab: Vocabulary) -> str | None:
    """A corrected query, with diacritics, when some word is found nowhere in the index."""
    words = [alt.syllables[0] for slot in parsed.slots for alt in slot[:1] if not alt.is_phrase]
    # Keep to short queries, where a typo matters most, and to a few unknown words: each
    # correction looks up a few hundred terms.
    if not words or len(words) > MAX_SUGGEST_WORDS:
        return None
    budget = MAX_CORRECTIONS
    out, changed = [], False
    for word in words:
        folded = fold(word)
        if searcher.doc_frequency("text", folded):
            best = word if has_diacritics(word) else vocab.best_exact(folded) or word
            out.append(best)
            continue
        if budget == 0:
            out.append(word)
            continue
        budget -= 1
        correction = best_correction(lambda term: searcher.doc_frequency("text", term), folded)
        if correction is None:
            out.append(word)
            continue
        changed = True
        typed_tone = vocab.best_exact(correction, tone_of(word)) if has_diacritics(word) else None
        out.append(typed_tone or vocab.best_exact(correction) or correction)
    return " ".join(out) if changed else None
