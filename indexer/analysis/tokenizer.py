"""The Whoosh tokenizer and analyzer of the index: every form a query may match, in one field."""

from __future__ import annotations

from whoosh.analysis import Composable, Token, Tokenizer

from .letters import fold
from .units import bigram_term, compound_term, next_words, normalise_word, split_units
from .words import segment_words

#: Which tokens BagTokenizer emits. Raise it with any change to them: an index built with
#: another version is rebuilt in full by the next reindex (indexer.build).
#: 1: before positions skipped one between title and body; 2: since; 3: the tone mark of a
#: string that is no syllable (``café``) kept where it was written; 4: bigrams across quotes,
#: brackets and dashes (``units.SOFT_SEPARATORS``).
BAG_VERSION = 4


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
        following = next_words(units)
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
            if (nxt := following[i]) is not None:
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
