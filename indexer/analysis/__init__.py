"""Vietnamese text analysis: normalise, fold, segment, with offsets into the original text.

Text flows through one module per stage: ``units`` (NFC with offsets, syllable units,
exact forms and the index term spellings), ``letters`` (tone and letter tables, folding,
canonical tone placement), ``words`` (pyvi word segmentation, the only pyvi user), then
``tokenizer`` (the Whoosh tokenizer of the index). ``telex`` reads words typed without an
input method.

Two kinds of normalisation are kept apart, as in Meilisearch's charabia:
- lossless for search purposes: NFC, one tone placement, lower case (``exact`` form);
- lossy: diacritics removed and ``đ`` -> ``d`` (``folded`` form).
"""

from .letters import (
    TONE_MARKS,
    VIETNAMESE_MARKED_LETTERS,
    accent_variants,
    canonical_tone,
    fold,
    has_diacritics,
    toneless,
)
from .telex import typed_without_ime
from .tokenizer import BAG_VERSION, BagAnalyzer, BagTokenizer
from .units import (
    Unit,
    bigram_term,
    compound_term,
    next_words,
    normalise_word,
    split_units,
    syllable_bigrams,
    syllables,
)
from .words import segment_words

__all__ = [
    "BAG_VERSION",
    "TONE_MARKS",
    "VIETNAMESE_MARKED_LETTERS",
    "BagAnalyzer",
    "BagTokenizer",
    "Unit",
    "accent_variants",
    "bigram_term",
    "canonical_tone",
    "compound_term",
    "fold",
    "has_diacritics",
    "next_words",
    "normalise_word",
    "segment_words",
    "split_units",
    "syllable_bigrams",
    "syllables",
    "toneless",
    "typed_without_ime",
]
