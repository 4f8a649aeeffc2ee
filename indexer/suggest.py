"""What the user may have meant: a query typed in Telex/VNI without an IME, or a typo.

Both resolve each word to a spelling the index holds (``vocabulary.Vocabulary``). A typo
is corrected in context (``correct_query``): letters by ``spelling.best_correction``, the
candidates weighed by how likely the folded bigrams make them beside their neighbours, and
tones by how the documents holding the word beside its neighbours spell it; the whole phrase
is then shown with the diacritics a reader expects (``Vocabulary.spell_phrase``).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from itertools import islice

from .analysis import bigram_term, fold, has_diacritics, normalise_word, toneless
from .query import ParsedQuery
from .spelling import SYLLABLES, edit_candidates, edit_distance, ranked_corrections, typo_penalty
from .tones import PHRASE_EVIDENCE, retone
from .vocabulary import PHRASE_POSITIONS_READ, TITLE, TITLE_WEIGHT, Vocabulary, tone_of

#: Did-you-mean and corrections run for queries of at most this many words, correcting at most this many.
MAX_SUGGEST_WORDS = 6
MAX_CORRECTIONS = 2
#: A word the index has is respelt only when a syllable one edit away fits its neighbours
#: this much more likely (log10, ``_context``), and the documents holding the respelt
#: phrase outnumber those holding it as typed ``OUTNUMBER`` times over. Folded bigrams
#: cannot tell which spelling was typed, so a word typed with diacritics in a spelling the
#: index holds (``đòi tước còi``, not ``đòi được coi``) needs ``OUTWEIGH_SPELT``, or
#: ``OUTWEIGH_READ`` and its respelling read beside its neighbours as they were typed
#: (``_read_beside``: ``phiến tuân`` is ``phiến quân``; ``thấy gì`` is no ``thấy vì``,
#: though the folded ``thay_vi`` is ``thay vì`` everywhere).
#: Where no document holds the word as typed beside a neighbour typed with it,
#: ``OUTWEIGH_UNHELD`` and the reading suffice (``thịt lợi`` is ``thịt lợn``); where one
#: does, it was meant (``như trêu`` is no ``như trên``). The likeliest ``READ_CANDIDATES``
#: corrections are read in turn (``nhóm mối`` is ``nhóm đối``, though ``nối`` ranks first).
OUTWEIGH = 2.0
OUTWEIGH_READ = 2.5
OUTWEIGH_UNHELD = 1.0
OUTWEIGH_SPELT = 4.0
OUTNUMBER = 10
READ_CANDIDATES = 3
#: A word in at most this many documents (a typo some documents carry too) may be
#: respelt to any word of letters, not only to a Vietnamese syllable.
RARE_WORD = 2
#: P(b | a) counts this many documents more of ``a``, holding ``b`` as often as documents
#: do at large: a bigram never seen is unlikely, not impossible, and never seen among the
#: two documents of a rare word says little (Dirichlet smoothing).
PRIOR_DOCUMENTS = 1
#: A word's likeliest corrections, this many, are weighed again by the documents holding the
#: whole corrected phrase (all its folded bigrams): together the bigrams say what each alone
#: cannot (``mật v bữa`` is ``mật về bữa``, though ``mật và`` and ``và bữa`` are likelier).
#: Another candidate than the likeliest wins only with a phrase in at least
#: ``tones.PHRASE_EVIDENCE`` documents and ``OUTNUMBER`` times as many as hold the likeliest one's
#: phrase: one document against none is chance.
PHRASE_CANDIDATES = 3
#: A query is corrected only when the documents holding the correction outnumber those
#: holding the query as typed this many times over: a given typo is about this much rarer
#: than typing what one means, so a phrase the index holds in a hundredth as many documents
#: was meant (measured at 30, 100 and 1,000 and none: docs/benchmarks-log.md).
TYPED_ODDS = 100


@dataclass(frozen=True)
class Correction:
    """A query with its typos corrected: ``shown`` with the diacritics a reader expects,
    ``run`` as the search should run it (without diacritics when typed without them)."""

    shown: str
    run: str
    #: Whether a word was changed by a letter edit (not only a tone).
    respelt: bool


def plain_words(parsed: ParsedQuery) -> list[str] | None:
    """The words of a query of plain words only (no phrase, field, exclusion, OR or synonym)."""
    words = [slot[0].syllables[0] for slot in parsed.slots
             if len(slot) == 1 and not slot[0].is_phrase and not slot[0].title_only]
    if parsed.excluded or len(words) != len(parsed.slots) or len(parsed.word_sequences) != 1 \
            or list(parsed.word_sequences[0]) != words:
        return None
    return words


def _context(df, total: int, folds: list[str], i: int):
    """How likely a candidate for word ``i`` is among its neighbours, logged: P(c | left) and
    P(right | c), each the bigram's share of the first word's documents smoothed with the
    second word's own share of all documents (``PRIOR_DOCUMENTS``); P(c) where there is no
    left neighbour."""
    left = folds[i - 1] if i else None
    right = folds[i + 1] if i + 1 < len(folds) else None

    def share(word: str) -> float:
        return max(df(word), 0.5) / total

    def after(a: str, b: str) -> float:
        return (df(bigram_term(a, b)) + PRIOR_DOCUMENTS * share(b)) / (df(a) + PRIOR_DOCUMENTS)

    def fit(candidate: str) -> float:
        score = math.log10(after(left, candidate) if left else share(candidate))
        return score + math.log10(after(candidate, right)) if right else score

    return fit


def _bigrams_of(folds: list[str], i: int, word: str) -> list[str]:
    """The folded bigrams ``word`` forms at place ``i`` of ``folds`` with its neighbours."""
    left = folds[i - 1] if i else None
    right = folds[i + 1] if i + 1 < len(folds) else None
    return [bigram_term(a, b) for a, b in ((left, word), (word, right)) if a and b]


def _respell(vocab: Vocabulary, total: int, folds: list[str], keep: set[int], spelt: set[int],
             words: list[str]) -> tuple[set[int], dict[int, str]]:
    """Correct, in place in ``folds``, the letters of words the index lacks, then of at most
    one word it has: the one whose likeliest one-edit syllable fits its neighbours
    ``OUTWEIGH`` times (log10) better than the word typed (``gia ruot`` -> ``gai ruot``;
    ``cua ho`` is left alone, ``của họ`` being as likely as ``của hoa``). A word in at most
    ``RARE_WORD`` documents may also become any word of letters the index has (``trupm``
    -> ``trump``). Words at places ``spelt`` (typed with diacritics in a spelling the index
    holds) need ``OUTWEIGH_SPELT``, or ``OUTWEIGH_READ`` and their respelling read beside their
    neighbours as typed (``words``, ``_read_beside``). The likeliest corrections of a word
    the index lacks, or of one no syllable spells (``mật v bữa``), are weighed again by the
    whole phrase (``_in_phrase``). Returns the places changed (those in ``keep`` are left
    alone), and the spelling read for a word typed with diacritics, where one was."""
    df = vocab.doc_frequency
    changed: set[int] = set()
    for i, f in enumerate(folds):
        if i in keep or len(changed) == MAX_CORRECTIONS or df(f):
            continue
        fit = _context(df, total, folds, i)
        candidate = _in_phrase(vocab, ranked_corrections(df, f, fit), folds, i)
        support = [df(b) for b in _bigrams_of(folds, i, candidate)] if candidate else []
        if candidate is not None and (not support or max(support)):
            folds[i] = candidate
            changed.add(i)
    # (gain, place, candidates, the spelling read beside its neighbours or None)
    best: tuple[float, int, list[str], str | None] | None = None
    for i, f in enumerate(folds):
        if i in keep or i in changed or len(changed) == MAX_CORRECTIONS \
                or not _bigrams_of(folds, i, f):
            continue
        fit = _context(df, total, folds, i)
        typed = fit(f)
        # Fit is at most 0: no candidate can be so much likelier.
        if typed > -min(OUTWEIGH, OUTWEIGH_READ, OUTWEIGH_UNHELD):
            continue
        candidates = ranked_corrections(df, f, fit, syllables_only=df(f) > RARE_WORD)
        if i in spelt:
            found = _spelt_respelling(vocab, words, folds, i, candidates, fit, typed)
            if found is not None and (best is None or found[0] > best[0]):
                best = (found[0], i, [found[1]], found[2])
            continue
        gain = fit(candidates[0]) - typed if candidates else 0.0
        if gain < OUTWEIGH or (best is not None and gain <= best[0]):
            continue
        # A real syllable is respelt only to its likeliest correction: weighing more would
        # find, among many, one whose phrase outnumbers the typed one by chance.
        best = (gain, i, candidates[:1] if f in SYLLABLES else
                list(islice((c for c in candidates if fit(c) - typed >= OUTWEIGH), PHRASE_CANDIDATES)), None)
    if best is None:
        return changed, {}
    _, i, candidates, form = best
    folds[i] = _in_phrase(vocab, candidates, folds, i)
    changed.add(i)
    return changed, ({i: form} if form else {})


def _spelt_respelling(vocab: Vocabulary, words: list[str], folds: list[str], i: int,
                      candidates: list[str], fit, typed: float) -> tuple[float, str, str | None] | None:
    """(gain, syllable, spelling read or None) respelling word ``i``, typed with diacritics
    in a spelling the index holds: its likeliest correction where that is ``OUTWEIGH_SPELT``
    likelier; else the first of the likeliest ``READ_CANDIDATES`` likely enough to be read
    beside a neighbour as typed (``OUTWEIGH_READ``, or ``OUTWEIGH_UNHELD`` where no document
    holds the word so there) and read so (``_read_beside``)."""
    if candidates and (gain := fit(candidates[0]) - typed) >= OUTWEIGH_SPELT:
        return gain, candidates[0], None
    for candidate in candidates[:READ_CANDIDATES]:
        gain = fit(candidate) - typed
        if gain >= min(OUTWEIGH_READ, OUTWEIGH_UNHELD) and \
                (form := _read_beside(vocab, words, folds, i, candidate, unheld=gain < OUTWEIGH_READ)):
            return gain, candidate, form
    return None


def _read_beside(vocab: Vocabulary, words: list[str], folds: list[str], i: int, candidate: str,
                 unheld: bool) -> str | None:
    """The spelling of ``candidate`` with the tone typed, one letter from word ``i`` (typed
    with diacritics), that follows or precedes a neighbour, spelt as it was typed, at
    consecutive positions in ``OUTNUMBER`` times as many documents as the word as typed
    does there, and in at least ``OUTNUMBER``; with ``unheld``, only beside a neighbour no
    document holds the word as typed with. Else None. A neighbour respelt or completed is no
    evidence (``khổ btột`` is no ``chở bột``)."""
    typed = normalise_word(words[i])
    # Past this many, no count of the respelling read (at most PHRASE_POSITIONS_READ) outnumbers it.
    most = PHRASE_POSITIONS_READ // OUTNUMBER + 1
    for j in (i - 1, i + 1):
        if not 0 <= j < len(words) or folds[j] != fold(words[j]):
            continue
        plain = frozenset()
        if has_diacritics(words[j]):
            neighbour = normalise_word(words[j])
        else:
            neighbour, plain = folds[j], frozenset({0 if j < i else 1})
        pair = (lambda w: [neighbour, w]) if j < i else (lambda w: [w, neighbour])
        as_typed = vocab.stands_as_phrase(pair(typed), plain, enough=most)
        needed = OUTNUMBER * max(as_typed, 1)
        if as_typed >= most or (unheld and as_typed):
            continue
        # A letter slip keeps the tone typed: ``hận người`` is no ``thân người``.
        for form in (w for w in vocab.forms(candidate) if _one_letter_apart(typed, w)):
            if vocab.stands_as_phrase(pair(form), plain, enough=needed) >= needed:
                return form
    return None


def _in_phrase(vocab: Vocabulary, candidates: list[str], folds: list[str], i: int) -> str | None:
    """The first of ``candidates`` for word ``i`` (likeliest first), or the one of the first
    ``PHRASE_CANDIDATES`` whose phrase the most documents hold, when enough do (see
    ``PHRASE_EVIDENCE``). A phrase of one bigram says no more than ``_context`` has weighed."""
    if not candidates:
        return None
    top = candidates[:PHRASE_CANDIDATES]
    if len(folds) < 3 or len(top) == 1:
        return top[0]
    counts = {c: vocab.bigram_documents(folds[:i] + [c] + folds[i + 1:]) for c in top}
    most = max(top, key=lambda c: (counts[c], -top.index(c)))
    return most if counts[most] >= max(PHRASE_EVIDENCE, OUTNUMBER * counts[top[0]]) else top[0]


def _marks_apart(a: str, b: str) -> int:
    """How many diacritics two spellings of the same letters differ by (``ẫn``/``an``: 2)."""
    return edit_distance(unicodedata.normalize("NFD", a), unicodedata.normalize("NFD", b))


def _one_letter_apart(typed: str, form: str) -> bool:
    """Whether spelling ``form`` is one letter edit from ``typed``, the tone typed kept. Letters
    and tone are compared apart: where a syllable's tone mark sits follows from its letters, so
    two letters swapped (``hiạ`` for ``hại``, written ``hịa``) move it."""
    return tone_of(typed) == tone_of(form) and edit_distance(toneless(typed), toneless(form)) == 1


def _respell_accented(vocab: Vocabulary, df, total: int, words: list[str], folds: list[str],
                      keep: set[int]) -> dict[int, str]:
    """Correct, in place in ``folds``, the letters of words typed with diacritics in a
    spelling the index never holds (``kến``, ``cườn``): of the spellings it holds one letter
    edit away (``kiến``, ``cường``) and those of the same letters (``kén``), the likeliest
    typo in the most documents, the bigrams each forms with its neighbours counting too, and
    the whole phrase (``_in_phrase``). Marks typed wrong over the right letters are left to
    ``tones.retone``. Returns place -> spelling chosen."""
    chosen: dict[int, str] = {}
    for i, word in enumerate(words):
        if i in keep or not has_diacritics(word) or vocab.frequency(word) or len(chosen) == MAX_CORRECTIONS:
            continue
        fit = _context(df, total, folds, i)
        near = {form: n for c in edit_candidates(folds[i]) if c.isalpha() and df(c)
                for form, n in vocab.forms(c).items() if _one_letter_apart(word, form)}
        near |= vocab.forms(folds[i])
        if not near:
            continue

        def cost(form: str) -> tuple[float, str]:
            # One mark typed wrong over the right letters is the likeliest slip; each mark
            # more counts as ten times less likely, a letter as one mark more.
            if fold(form) == folds[i]:
                slip = _marks_apart(word, form) - 1
            else:
                slip = 1 + typo_penalty(folds[i], fold(form), 1)
            return slip - math.log10(near[form] / max(df(fold(form)), near[form])) - fit(fold(form)), form

        ranked = sorted(near, key=cost)
        # The likeliest few are weighed again by the whole phrase, as a word typed without
        # marks is (``việt tyên chiến với`` is ``tuyên``, though ``việt trên`` is commoner).
        spelt = _in_phrase(vocab, list(dict.fromkeys(fold(form) for form in ranked)), folds, i)
        best = next(form for form in ranked if fold(form) == spelt)
        if fold(best) != folds[i]:
            folds[i], chosen[i] = fold(best), best
    return chosen


def _outnumbers(vocab: Vocabulary, corrected: list[str], typed: list[str]) -> bool:
    """Whether the documents holding the corrected phrase (its folded bigrams) outnumber
    those holding it as typed ``OUTNUMBER`` times over: a real word typed for another."""
    found = vocab.bigram_documents(corrected)
    return found > 0 and found >= OUTNUMBER * vocab.bigram_documents(typed)


def _stands_as_typed(vocab: Vocabulary, typed: list[str], corrected: list[str]) -> bool:
    """Whether the index holds the query as typed, its words spelt so at consecutive
    positions, in at least 1/``TYPED_ODDS`` as many documents as hold the correction, folded,
    at consecutive positions (``Vocabulary.phrase_documents``): then it is a phrase of the
    index's own, not a typo (``vì mua bán`` beside the far more common ``hành vi mua bán``;
    ``làm lố, Trần``, whose comma no bigram spans; ``phủi trách nhiệm``, where ``phụ trách``
    and ``trách nhiệm`` are everywhere but never one after the other). Against a letter
    respelt, a title holding the phrase counts as ``TITLE_WEIGHT`` documents (``Quang Công``,
    a name in one title, beside ``cơ quan công an`` in a hundred times more)."""
    if len(typed) < 2:
        return False
    terms = [normalise_word(w) if has_diacritics(w) else fold(w) for w in typed]
    # Among words typed with diacritics, one typed without them is spelt so (``thinh`` is no
    # ``thịnh``); in a query typed without any, a word stands for all its spellings.
    plain = frozenset(i for i, w in enumerate(typed) if not has_diacritics(w)) \
        if any(map(has_diacritics, typed)) else frozenset()
    folds, corrected_folds = [fold(w) for w in typed], [fold(w) for w in corrected]
    needed = max(1, math.ceil(vocab.phrase_documents(corrected_folds) / TYPED_ODDS))
    if folds != corrected_folds:
        # Title bigrams are folded: they tell letters apart, not tones.
        in_titles = [bigram_term(a, b) for a, b in zip(folds, folds[1:])] \
            + [t for t in terms if has_diacritics(t)]
        needed -= TITLE_WEIGHT * vocab.documents_holding(in_titles, TITLE)
        if needed <= 0:
            return True
    return vocab.stands_as_phrase(terms, plain, enough=needed) >= needed


def _phrases_checked(words: list[str], out: list[str], keep_last: bool,
                     completed: str | None) -> list[tuple[list[str], list[str]]]:
    """The phrases, as typed and as corrected, that ``_stands_as_typed`` weighs: the whole
    query; while its last word is being typed, the words before it, and first those words
    followed by the likeliest completion (``phui trach nhiem`` stands as ``phủi trách
    nhiệm`` where ``phủi trách`` alone is outweighed by ``phụ trách``)."""
    if not keep_last:
        return [(words, out)]
    before = (words[:-1], out[:-1])
    return [(words[:-1] + [completed], out[:-1] + [completed]), before] if completed else [before]


def _stands_without(vocab: Vocabulary, folds: list[str], typed: list[str], real: set[int]) -> bool:
    """Whether the query with its real words at places ``real`` as typed, but a word the
    index lacks corrected, is a phrase of the index's own: at consecutive positions in at
    least 1/``TYPED_ODDS`` as many documents as the whole correction (``au tu taq nan`` is
    ``au tu tai nan``, as a title reads, not ``dau tu tai nan``). ``_outnumbers`` cannot
    tell: the query as typed, holding a word the index lacks, is in no document."""
    if all(f == t for i, (f, t) in enumerate(zip(folds, typed)) if i not in real):
        return False
    without = [t if i in real else f for i, (f, t) in enumerate(zip(folds, typed))]
    needed = max(1, math.ceil(vocab.phrase_documents(folds) / TYPED_ODDS))
    return vocab.stands_as_phrase(without, enough=needed) >= needed


def correct_query(searcher, parsed: ParsedQuery, vocab: Vocabulary, keep_last: bool = False,
                  completed: str | None = None) -> Correction | None:
    """The query with its typos corrected, or None when it has none (a word the index
    lacks, a real word far less likely beside its neighbours than one a typo away, or a
    tone typed wrong), or when the index holds it as typed often enough to be meant
    (``_stands_as_typed``).

    ``keep_last`` leaves the last word alone (it is being typed, and completed instead);
    ``completed``, its likeliest completion, stands for it as the other words' neighbour
    (``pu nó`` is ``pu nói``: ``pu`` is seen beside it, and stays).
    """
    words = plain_words(parsed)
    if not words or len(words) > MAX_SUGGEST_WORDS:
        return None
    df = vocab.doc_frequency
    folds = [fold(w) for w in words]
    keep = {len(words) - 1} if keep_last else set()
    if keep_last and completed:
        folds[-1] = fold(completed)
    total = max(searcher.doc_count_all(), 1)
    exact = _respell_accented(vocab, df, total, words, folds, keep)
    typed = list(folds)
    spelt = {i for i, w in enumerate(words) if has_diacritics(w) and vocab.frequency(w) > RARE_WORD}
    respelt, read = _respell(vocab, total, folds, keep | set(exact), spelt, words)
    respelt |= set(exact)
    real = {i for i in respelt if i not in exact and df(typed[i])}
    if real and (not _outnumbers(vocab, folds, typed) or _stands_without(vocab, folds, typed, real)):
        for i in real:
            folds[i] = typed[i]
        respelt -= real
    accented = [has_diacritics(w) for w in words]
    # A respelt word keeps the tone typed (``dụcc`` -> ``dục``), when the index has it so.
    out = [exact.get(i) or read.get(i) or (has_diacritics(w) and vocab.best_exact(folds[i], tone_of(w))) or folds[i]
           if i in respelt else w for i, w in enumerate(words)]
    if keep_last:
        folds[-1] = fold(words[-1])
    # Tones are judged beside whole words only: a completion's bigrams say nothing of how
    # the word before it is spelt (``ấm nh`` is not ``âm nhạc``).
    beside = folds[:-1] + [""] if keep_last else folds
    retoned = set()
    if any(accented):
        for i in range(len(words)):
            # While typing, beside folded neighbours only: a spelling's positions cost
            # tens of milliseconds to read the first time, on every keystroke.
            if i not in respelt and i not in keep \
                    and (tone := retone(vocab, words, beside, i, not keep_last)):
                out[i], retoned = tone, retoned | {i}
    if not respelt and not retoned:
        return None
    if any(_stands_as_typed(vocab, typed_words, corrected) for typed_words, corrected in
           _phrases_checked(words, out, keep_last, completed)):
        return None
    shown = vocab.spell_phrase(out)
    styled = any(a for i, a in enumerate(accented) if i not in retoned)
    # A spelling the index never holds is no real word, even where its folded form is one.
    return Correction(" ".join(shown), " ".join(shown if styled else folds), bool(respelt))
