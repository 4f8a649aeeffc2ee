"""What the user may have meant: a query typed in Telex/VNI without an IME, or a typo.

Both resolve each word to a spelling the index holds (``vocabulary.Vocabulary``). A typo
is corrected in context (``correct_query``): letters by ``spelling.best_correction``, the
candidates weighed by the folded bigrams they form with their neighbours, and tones by how
the documents holding those bigrams spell the word; the whole phrase is then shown with
the diacritics a reader expects (``Vocabulary.spell_phrase``).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from .analysis import bigram_term, fold, has_diacritics, toneless, typed_without_ime
from .query import ParsedQuery
from .spelling import best_correction, edit_candidates, edit_distance, typo_penalty
from .vocabulary import Vocabulary, tone_of

#: Did-you-mean and corrections run for queries of at most this many words, correcting at most this many.
MAX_SUGGEST_WORDS = 6
MAX_CORRECTIONS = 2
#: A tone is corrected when the documents holding a word's bigrams (at least this many
#: read) never spell it as typed, and one spelling holds at least ``TONE_SHARE`` of them.
TONE_EVIDENCE = 8
TONE_SHARE = 0.9
#: A word the index has is respelt only when it stands beside its neighbours in fewer documents than this.
RARE_BIGRAM = 1


@dataclass(frozen=True)
class Correction:
    """A query with its typos corrected: ``shown`` with the diacritics a reader expects,
    ``run`` as the search should run it (without diacritics when typed without them)."""

    shown: str
    run: str
    #: Whether a word was changed by a letter edit (not only a tone).
    respelt: bool
    #: Whether every word respelt is one the index has (a real word typed for another).
    real_words: bool = False


def plain_words(parsed: ParsedQuery) -> list[str] | None:
    """The words of a query of plain words only (no phrase, field, exclusion, OR or synonym)."""
    words = [slot[0].syllables[0] for slot in parsed.slots
             if len(slot) == 1 and not slot[0].is_phrase and not slot[0].title_only]
    if parsed.excluded or len(words) != len(parsed.slots) or len(parsed.word_sequences) != 1 \
            or list(parsed.word_sequences[0]) != words:
        return None
    return words


def _context(df, folds: list[str], i: int):
    """How well a candidate for word ``i`` fits its neighbours: its bigrams' frequencies, logged."""
    left = folds[i - 1] if i else None
    right = folds[i + 1] if i + 1 < len(folds) else None

    def fit(candidate: str) -> float:
        return sum(math.log10(1 + df(bigram_term(a, b))) for a, b in
                   ((left, candidate), (candidate, right)) if a and b)

    return fit


def _bigrams_of(folds: list[str], i: int, word: str) -> list[str]:
    """The folded bigrams ``word`` forms at place ``i`` of ``folds`` with its neighbours."""
    left = folds[i - 1] if i else None
    right = folds[i + 1] if i + 1 < len(folds) else None
    return [bigram_term(a, b) for a, b in ((left, word), (word, right)) if a and b]


def _respell(df, folds: list[str], keep: set[int]) -> set[int]:
    """Correct, in place in ``folds``, the letters of words the index lacks, and of words it
    has but never next to their neighbours when a one-edit syllable is found beside them (a
    real word typed for another that forms a phrase the index holds, ``cua ho`` for ``của
    hoa``, is left alone: a correctly typed query is never corrected). Returns the places
    changed; those in ``keep`` are left alone."""
    changed: set[int] = set()
    for i, f in enumerate(folds):
        if i in keep or len(changed) == MAX_CORRECTIONS:
            continue
        known = df(f) > 0
        typed_support = max((df(b) for b in _bigrams_of(folds, i, f)), default=None)
        if known and (typed_support is None or typed_support >= RARE_BIGRAM):
            continue
        fit = _context(df, folds, i)
        candidate = best_correction(df, f, fit, syllables_only=known)
        if candidate is None:
            continue
        support = max((df(b) for b in _bigrams_of(folds, i, candidate)), default=None)
        if support == 0:
            continue
        folds[i] = candidate
        changed.add(i)
    return changed


def _marks_apart(a: str, b: str) -> int:
    """How many diacritics two spellings of the same letters differ by (``ẫn``/``an``: 2)."""
    return edit_distance(unicodedata.normalize("NFD", a), unicodedata.normalize("NFD", b))


def _respell_accented(vocab: Vocabulary, df, words: list[str], folds: list[str], keep: set[int]) -> dict[int, str]:
    """Correct, in place in ``folds``, the letters of words typed with diacritics in a
    spelling the index never holds (``kến``, ``cườn``): of the spellings it holds one letter
    edit away (``kiến``, ``cường``) and those of the same letters (``kén``), the likeliest
    typo in the most documents, the bigrams each forms with its neighbours counting too.
    Marks typed wrong over the right letters are left to ``_retone``. Returns place ->
    spelling chosen."""
    chosen: dict[int, str] = {}
    for i, word in enumerate(words):
        if i in keep or not has_diacritics(word) or vocab.frequency(word) or len(chosen) == MAX_CORRECTIONS:
            continue
        fit = _context(df, folds, i)
        near = {form: n for c in edit_candidates(folds[i]) if c.isalpha() and df(c)
                for form, n in vocab.forms(c).items() if edit_distance(word, form) == 1}
        near |= vocab.forms(folds[i])
        if not near:
            continue

        def cost(form: str) -> tuple[float, str]:
            # One mark typed wrong over the right letters is the likeliest slip; each mark
            # more counts as much as ten times fewer documents, a letter as two marks more.
            if fold(form) == folds[i]:
                slip = _marks_apart(word, form) - 1
            else:
                slip = 2 + typo_penalty(folds[i], fold(form), 1)
            return slip - math.log10(near[form]) - fit(fold(form)), form

        best = min(near, key=cost)
        if fold(best) != folds[i]:
            folds[i], chosen[i] = fold(best), best
    return chosen


def _retone(vocab: Vocabulary, words: list[str], folds: list[str], i: int) -> str | None:
    """The spelling word ``i`` of an accented query should have, when its tone is a typo:
    a spelling the index never holds, or one the documents holding its bigrams never use."""
    word, f = words[i], folds[i]
    left = folds[i - 1] if i else None
    right = folds[i + 1] if i + 1 < len(folds) else None
    best = vocab.spell(f, left, right)
    if best is None or best == word:
        return None
    if has_diacritics(word) and not vocab.frequency(word):
        return best
    evidence = vocab.evidence(f, left, right)
    seen = sum(evidence.values())
    if seen >= TONE_EVIDENCE and not evidence.get(word) and evidence.get(best, 0) >= TONE_SHARE * seen:
        # ``ngàn cân`` beside ``đẹp``: the folded bigram is mostly ``ngăn cản``, but the
        # documents holding the whole phrase spell it as typed.
        whole = vocab.phrase_evidence(folds)
        return None if whole and whole[i].get(word) else best
    return None


def correct_query(searcher, parsed: ParsedQuery, vocab: Vocabulary, keep_last: bool = False,
                  completed: str | None = None) -> Correction | None:
    """The query with its typos corrected, or None when it has none (a word the index
    lacks, a word no neighbour is ever found beside, or a tone typed wrong).

    ``keep_last`` leaves the last word alone (it is being typed, and completed instead);
    ``completed``, its likeliest completion, stands for it as the other words' neighbour
    (``pu nó`` is ``pu nói``: ``pu`` is seen beside it, and stays).
    """
    words = plain_words(parsed)
    if not words or len(words) > MAX_SUGGEST_WORDS:
        return None
    cache: dict[str, int] = {}

    def df(term: str) -> int:
        if term not in cache:
            cache[term] = searcher.doc_frequency("text", term)
        return cache[term]

    folds = [fold(w) for w in words]
    keep = {len(words) - 1} if keep_last else set()
    if keep_last and completed:
        folds[-1] = fold(completed)
    exact = _respell_accented(vocab, df, words, folds, keep)
    respelt = _respell(df, folds, keep | set(exact)) | set(exact)
    accented = [has_diacritics(w) for w in words]
    # A respelt word keeps the tone typed (``dụcc`` -> ``dục``), when the index has it so.
    out = [exact.get(i) or (has_diacritics(w) and vocab.best_exact(folds[i], tone_of(w))) or folds[i]
           if i in respelt else w for i, w in enumerate(words)]
    if keep_last:
        folds[-1] = fold(words[-1])
    # Tones are judged beside whole words only: a completion's bigrams say nothing of how
    # the word before it is spelt (``ấm nh`` is not ``âm nhạc``).
    beside = folds[:-1] + [""] if keep_last else folds
    retoned = set()
    if any(accented):
        for i in range(len(words)):
            if i not in respelt and i not in keep and (tone := _retone(vocab, words, beside, i)):
                out[i], retoned = tone, retoned | {i}
    if not respelt and not retoned:
        return None
    shown = vocab.spell_phrase(out)
    styled = any(a for i, a in enumerate(accented) if i not in retoned)
    # A spelling the index never holds is no real word, even where its folded form is one.
    real_words = bool(respelt) and all(i not in exact and df(fold(words[i])) for i in respelt)
    return Correction(" ".join(shown), " ".join(shown if styled else folds), bool(respelt), real_words)


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
