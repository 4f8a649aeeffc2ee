"""A tone typed wrong or left out, set beside its neighbours: ``triểu tiên`` is ``triều
tiên``, ``bờ bien`` is ``bờ biển``.

A word of a query typed with diacritics takes the spelling the documents holding it beside
its neighbours use, where they agree and the spelling typed is one they hardly use
(``retone``); where they are split or few, the spelling of the documents holding the whole
phrase decides (``_phrase_tone``).
"""

from __future__ import annotations

from .analysis import has_diacritics
from .vocabulary import CONTEXT_DOCS, Vocabulary

#: A tone is corrected when of the documents holding a word beside its neighbours (at
#: least this many read) one spelling holds at least ``TONE_SHARE`` and the spelling typed
#: at most the rest (a typo some documents carry too).
TONE_EVIDENCE = 8
TONE_SHARE = 0.9
#: A spelling typed with diacritics in under 1/``RARE_FORM`` of the documents of the one its
#: neighbours call for is taken for a tone typo (``triểu`` for ``triều``: a typo some
#: documents carry too).
RARE_FORM = 1000
#: Fewer documents holding a phrase than this say little: one document against none is chance.
PHRASE_EVIDENCE = 3


def _spelt_beside(vocab: Vocabulary, words: list[str], folds: list[str], i: int,
                  as_spelt: bool = True) -> dict[str, int]:
    """Spellings of word ``i`` -> sampled documents spelling it so beside its neighbours:
    beside a neighbour typed with diacritics, after or before that very spelling (``bờ biển``,
    where ``bo bien`` is also ``bộ biến``), with ``as_spelt``; else beside its folded bigram."""
    counts: dict[str, int] = {}
    for j, side in ((i - 1, 1), (i + 1, 0)):
        if not 0 <= j < len(folds) or not folds[j]:
            continue
        if as_spelt and has_diacritics(words[j]):
            found = vocab.beside(folds[i], words[j].lower(), side)
        else:
            found = vocab.evidence(folds[i], folds[j]) if side else vocab.evidence(folds[i], None, folds[j])
        for w, n in found.items():
            counts[w] = counts.get(w, 0) + n
    return counts


def retone(vocab: Vocabulary, words: list[str], folds: list[str], i: int,
            as_spelt: bool = True) -> str | None:
    """The spelling word ``i`` of an accented query should have, when its tone is a typo:
    a spelling the index hardly holds, or one the documents holding it beside its
    neighbours hardly use and those holding the whole phrase never do."""
    word, f = words[i], folds[i]
    evidence = _spelt_beside(vocab, words, folds, i, as_spelt)
    best = vocab.likeliest(f, evidence)
    if best is None or best == word:
        return None
    if has_diacritics(word) and vocab.frequency(word) * RARE_FORM < vocab.frequency(best):
        return best
    seen = sum(evidence.values())
    if evidence.get(word, 0) > (1 - TONE_SHARE) * seen:
        return None
    decisive = seen >= TONE_EVIDENCE and evidence.get(best, 0) >= TONE_SHARE * seen
    phrase = [g for g in folds if g]  # as typed so far: a word being typed is left out
    if decisive:
        # ``ngàn cân`` beside ``đẹp``: the folded bigram is mostly ``ngăn cản``, but the
        # documents holding the whole phrase (its words typed whole) spell it as typed.
        whole = vocab.phrase_evidence(phrase)
        if whole is None:
            # No document holds the phrase: its neighbours still give a word typed bare
            # among accented ones its tone, but nothing overrules a tone typed on a real
            # word (``lý lịch “đen”`` stands across a quote, which no bigram spans; ``lịch
            # đến`` is only another phrase).
            return None if has_diacritics(word) else best
        return None if whole[i].get(word) else best
    # Its neighbours are split between spellings or too few to say (``đẩu phải``: ``đâu
    # phải`` 17 documents, ``đầu phải`` 3).
    return _phrase_tone(vocab, words, phrase, i)


def _phrase_tone(vocab: Vocabulary, words: list[str], phrase: list[str], i: int) -> str | None:
    """The spelling of word ``i`` that the documents holding the folded ``phrase`` use, its
    other accented words spelt as typed (``cử giá`` is not ``cụ già``), when none of them
    spells it as typed (``đẩu phải có danh`` -> ``đầu``); else None."""
    word = words[i]
    typed = {j: w.lower() for j, w in enumerate(words[:len(phrase)]) if j != i and has_diacritics(w)}
    whole = vocab.phrase_evidence(phrase, {i}, typed)
    read = sum(whole[i].values()) if whole else 0
    if not read or whole[i].get(word):
        return None
    phrased = vocab.likeliest(phrase[i], whole[i])
    # Fewer documents than ``PHRASE_EVIDENCE`` say little: they count only when they are
    # all there are (a sample may miss the few spelling it as typed: ``cử giá`` among the
    # many ``cụ già``), and against a spelling rarer than theirs (``thân đẹp`` is no typo
    # for the one ``thần đẹp``).
    if read < PHRASE_EVIDENCE and (vocab.bigram_documents(phrase) > CONTEXT_DOCS
                                   or vocab.frequency(word) >= vocab.frequency(phrased)):
        return None
    return phrased if phrased != word else None
