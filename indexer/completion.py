"""Completing a query typed half-way: ``thi tot nghie`` also matches ``nghiệp``, likeliest first.

The last syllable of a query still being typed stands for the syllables it begins. They
are ranked by how often they follow the previous syllable (the folded bigram terms
``tot_nghiep`` the index holds) in the documents that also hold the query's earlier
bigrams (``thi_tot``), a title holding the phrase counting as ``TITLE_WEIGHT`` documents and
one holding all the words typed with the completion ``TITLE_PHRASE_WEIGHT`` more; else by
their own document frequency. A completion that follows the words typed as a phrase
comes before one that never does (``_held_first``). Every lookup is
bounded by the prefix: the bigram terms that begin ``tot_nghie``, the Vietnamese syllable
spellings that begin ``nghie`` (``spelling.syllables_with_prefix``), and at most
``MAX_SCANNED`` index terms that begin it, bigram and compound blocks skipped in one seek
each. The whole term list is never walked.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .analysis import bigram_term, fold, has_diacritics, normalise_word, syllables, toneless
from .config import Config, load_config
from .query import Alternative, ParsedQuery, clean_query
from .segments import in_all, segments
from .spelling import syllables_with_prefix
from .store import kept_reader
from .vocabulary import TITLE, TITLE_WEIGHT, Vocabulary, tone_of

#: A word typed half-way stands for at most this many completions in the query plan.
MAX_COMPLETIONS = 4
#: Completions less frequent than this share of the likeliest one are left out.
MIN_SHARE = 0.05
#: Most index terms one prefix scan visits (bigram blocks followed, syllable terms listed).
MAX_SCANNED = 600
#: With diacritics typed, the spellings of at most this many of the most frequent completions are read.
FITTED = 24
#: With diacritics typed, completions counted in the context of the earlier words need this
#: many documents' worth spelt as typed; else they are counted over the whole index.
SPELT_EVIDENCE = 0.5
#: Autocomplete lists at most this many phrases, for queries of at most this many words.
MAX_SUGGESTIONS = 8
MAX_SUGGEST_WORDS = 8
#: A title holding the words typed followed by a completion, as a phrase, counts as this many
#: documents more: readers type what titles say (where one title says ``Mỹ ở Thổ Nhĩ Kỳ`` and
#: forty bodies ``Mỹ ở Thái Lan``, ``my o th`` is ``thổ``; measured: docs/benchmarks-log.md).
TITLE_PHRASE_WEIGHT = 100
#: Completions counted in the context of the query's earlier words: the most frequent followers.
IN_CONTEXT = 16
#: At most this many of the query's earlier bigrams make that context (the nearest ones).
CONTEXT_BIGRAMS = 3
#: Where the likeliest completion never follows the words typed as a phrase, the likeliest
#: of this many that does comes first (``_held_first``).
HELD_CANDIDATES = 8
FIELD = "text"


def _is_syllable_term(term: str) -> bool:
    """A folded syllable (letters and digits only): not an exact form, bigram or compound."""
    return term.isascii() and term.isalnum()


def _prefix_terms(reader, prefix: str, limit: int = MAX_SCANNED) -> dict[str, int]:
    """Folded syllable terms of the index that begin ``prefix`` -> document frequency.

    The term list is sorted; each syllable is followed by its own compound (``+``) and bigram
    (``_``) blocks and its accented forms sort after the plain ones, so each such block is
    skipped with one seek past its end instead of being read.
    """
    found: dict[str, int] = {}
    head = prefix.encode("utf-8")
    start = head
    visited = 0
    while True:
        skip_to = None
        for btext, info in reader.iter_field(FIELD, start):
            visited += 1
            if not btext.startswith(head) or visited > limit:
                return found
            cut = next((i for i, b in enumerate(btext) if b in b"+_" or b >= 0x80), None)
            if cut is not None:
                after = b"\xf5" if btext[cut] >= 0x80 else bytes([btext[cut] + 1])
                skip_to = btext[:cut] + after
                break
            found[btext.decode("utf-8")] = info.doc_frequency()
        if skip_to is None:
            return found
        start = skip_to


def _followers(reader, previous: str, prefix: str, limit: int = MAX_SCANNED,
               field: str = FIELD) -> dict[str, int]:
    """Folded syllables beginning ``prefix`` that follow ``previous`` -> bigram document frequency."""
    head = bigram_term(previous, "")
    found: dict[str, int] = {}
    for visited, (btext, info) in enumerate(reader.iter_prefix(field, head + prefix)):
        if visited >= limit:
            break
        second = btext.decode("utf-8")[len(head):]
        if _is_syllable_term(second):
            found[second] = info.doc_frequency()
    return found


def _in_context(reader, field: str, context: list[str], terms: list[str]) -> dict[str, int]:
    """Each of ``terms`` -> how many documents hold it and every term of ``context``."""
    counts = dict.fromkeys(terms, 0)
    for seg in segments(reader):
        held = in_all([seg.postings(field, term)[0] for term in context])
        if not len(held):
            continue
        for term in terms:
            counts[term] += len(in_all([held, seg.postings(field, term)[0]]))
    return counts


def _phrase_counts(reader, previous: str, prefix: str, context: list[str]) -> dict[str, int]:
    """Folded syllables beginning ``prefix`` that follow ``previous`` -> how often, in the
    documents holding the ``context`` bigrams when any of them follows so: documents
    holding the bigram plus ``TITLE_WEIGHT`` for each title holding it."""
    body = _followers(reader, previous, prefix)
    titles = _followers(reader, previous, prefix, field=TITLE)
    counts = {c: body.get(c, 0) + TITLE_WEIGHT * titles.get(c, 0) for c in body.keys() | titles.keys()}
    if not context or not counts:
        return counts
    frequent = sorted(counts, key=lambda c: (-counts[c], c))[:IN_CONTEXT]
    bigrams = [bigram_term(previous, c) for c in frequent]
    in_body = _in_context(reader, FIELD, context, bigrams)
    in_titles = _in_context(reader, TITLE, context, bigrams)
    narrowed = {c: in_body[b] + TITLE_WEIGHT * in_titles[b] for c, b in zip(frequent, bigrams)}
    return {c: n for c, n in narrowed.items() if n} or counts


def _counts(reader, previous: str | None, prefix: str, context: list[str]) -> dict[str, int]:
    """Folded syllables beginning ``prefix`` -> how often they follow folded ``previous``
    (``_phrase_counts``), else, when none does or there is no previous word, their document
    frequencies."""
    counts = _phrase_counts(reader, previous, prefix, context) if previous else {}
    if not counts:
        counts = _prefix_terms(reader, prefix)
        for syllable in syllables_with_prefix(prefix):
            if syllable not in counts and (n := reader.doc_frequency(FIELD, syllable)):
                counts[syllable] = n
    return counts


def _with_title_phrases(vocab: Vocabulary, counts: dict[str, float], words: list[str],
                        spelt: list[str], typed: str) -> dict[str, float]:
    """``counts`` with ``TITLE_PHRASE_WEIGHT`` more for each title holding the folded ``words``
    (the last ``CONTEXT_BIGRAMS``) followed by the completion: every bigram of that phrase in
    one title, which also holds the words typed with diacritics as typed (``spelt``: ``phạt
    ng`` is not ``phát ngôn``) and, where ``typed`` has them, the completion in a spelling
    that begins so (``cả``: ``cản``, never ``cấm``). Only the ``IN_CONTEXT`` most frequent
    completions are looked up."""
    words = words[-CONTEXT_BIGRAMS:]
    out = dict(counts)
    for c in sorted(counts, key=lambda c: (-counts[c], c))[:IN_CONTEXT]:
        phrase = [*words, c]
        terms = [bigram_term(a, b) for a, b in zip(phrase, phrase[1:])] + spelt
        if has_diacritics(typed):
            held = sum(vocab.documents_holding([*terms, form], TITLE)
                       for form in vocab.forms(c) if _fits_typed(form, typed))
        else:
            held = vocab.documents_holding(terms, TITLE)
        out[c] += TITLE_PHRASE_WEIGHT * held
    return out


def _fits_typed(form: str, typed: str) -> bool:
    """Whether ``form`` can be what ``typed`` (with the diacritics typed so far) begins. A tone
    is often typed last (``nghiê`` before ``nghiệp``), so a prefix without one fits any tone."""
    if not has_diacritics(typed):
        return True
    bare = toneless(typed)
    return toneless(form).startswith(bare) and (bare == typed or tone_of(form) == tone_of(typed))


def _fitting_share(vocab: Vocabulary, folded: str, typed: str) -> float:
    """The share of the documents of syllable ``folded`` that spell it as ``typed`` begins."""
    forms = vocab.forms(folded)
    total = sum(forms.values())
    return sum(n for w, n in forms.items() if _fits_typed(w, typed)) / total if total else 0.0


def _spelt_as_typed(vocab: Vocabulary, counts: dict[str, float], typed: str) -> dict[str, float]:
    """``counts`` of the most frequent completions, each times the share of its documents
    spelt as ``typed`` (with diacritics) begins: ``cò`` is ``còn`` far more often than ``có``."""
    frequent = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FITTED]
    return {c: n * _fitting_share(vocab, c, typed) for c, n in frequent}


def completions(reader, vocab: Vocabulary, typed: str, previous: str | None = None,
                limit: int = MAX_COMPLETIONS, earlier: tuple[str, ...] = ()) -> list[tuple[str, float]]:
    """The likeliest folded syllables ``typed`` (a syllable typed half-way) begins, with weights.

    ``earlier``: the words typed before ``previous``, whose bigrams narrow the count to
    the documents holding them. Weights are frequencies relative to the likeliest (1.0 for
    it); completions below ``MIN_SHARE`` are left out. With diacritics typed (``nghiệ``),
    only syllables with a spelling that begins so count.
    """
    prefix = fold(typed)
    if not prefix or not _is_syllable_term(prefix):
        return []
    words = [fold(w) for w in (*earlier, previous)] if previous else []
    context = [bigram_term(a, b) for a, b in zip(words, words[1:])][-CONTEXT_BIGRAMS:]
    if previous and has_diacritics(previous):
        # Bigrams are folded: the documents holding the previous word as typed say which
        # ``am_nh…`` it is (``ấm nhỏ``, not ``âm nhạc``).
        context.append(previous.lower())
    left = fold(previous) if previous else None
    counts = vocab.remembered(("completions", left, prefix, *context),
                              lambda: _counts(reader, left, prefix, context))
    in_context = len(words) > 1
    if has_diacritics(typed):
        counts = _spelt_as_typed(vocab, counts, typed)
        if context and max(counts.values(), default=0) < SPELT_EVIDENCE:
            # The documents of the context spell next to nothing as typed (a typo one of them
            # carries, ``thuẩn`` for ``thủ``): the whole index says more.
            counts = _spelt_as_typed(vocab, vocab.remembered(
                ("completions", left, prefix), lambda: _counts(reader, left, prefix, [])), typed)
            in_context = False
    if words and counts:
        typed_words = (*earlier, previous)[-CONTEXT_BIGRAMS:]
        spelt = [normalise_word(w) for w in typed_words if has_diacritics(w)]
        counts = vocab.remembered(
            ("titled", typed if has_diacritics(typed) else prefix, *words, *context, *spelt),
            lambda: _with_title_phrases(vocab, counts, words, spelt, typed))
    ranked = [(c, n) for c, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if n > 0]
    ranked = ranked[:max(limit, HELD_CANDIDATES)]
    if not ranked:
        return []
    top = ranked[0][1]
    found = [(c, n / top) for c, n in ranked]
    if in_context:
        found = _held_first(vocab, words, found)
    return [(c, share) for c, share in found if share >= MIN_SHARE][:limit]


def _held_first(vocab: Vocabulary, words: list[str], found: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """``found`` (completions after the folded ``words``, likeliest first) with the likeliest
    that follows all of ``words`` at consecutive positions in some document first, where the
    likeliest follows none: the bigrams with the previous word and the earlier words in the
    same documents say a completion is likely, but only positions say the phrase exists
    (``tap cuoi van thu`` is ``thừa``, as a title reads, not ``thương``). The two trade shares."""
    held = next((i for i, (c, _) in enumerate(found) if vocab.stands_as_phrase([*words, c])), 0)
    if not held:
        return found
    (first, _), (chosen, share) = found[0], found[held]
    # The likeliest stays in the plan, weighed as a lesser completion.
    return [(chosen, 1.0), (first, max(share, MIN_SHARE)), *found[1:held], *found[held + 1:]]


def exact_form(vocab: Vocabulary, folded: str, typed: str, previous: str | None) -> str:
    """The spelling of completion ``folded`` a reader expects: the most frequent one that
    begins as typed when diacritics were typed (``nghiệ``), else the one documents use
    after ``previous`` (``Vocabulary.spell``)."""
    left = fold(previous) if previous else None
    if has_diacritics(typed):
        counts = vocab.forms(folded)
        fitting = [w for w in counts if _fits_typed(w, typed)]
        if not left or len(fitting) < 2:
            beside = {}
        elif has_diacritics(previous):
            beside = vocab.beside(folded, previous.lower(), 1)
        else:
            beside = vocab.evidence(folded, left)
        return max(fitting, key=lambda w: (beside.get(w, 0), counts[w], w)) if fitting else typed
    return vocab.spell(folded, left) or folded


def last_word_typed_halfway(text: str) -> bool:
    """Whether ``text`` (as typed, not stripped) ends inside a plain word: not after a space,
    a closing quote, an operator or an excluded word."""
    if not text or text[-1].isspace() or text.endswith('"'):
        return False
    tail = text.split()[-1]
    return not tail.startswith("-") and '"' not in tail and ":" not in tail and tail != "OR"


def complete_last_slot(parsed: ParsedQuery, reader, vocab: Vocabulary) -> ParsedQuery:
    """``parsed`` with its last slot (one plain syllable typed half-way) matching the likeliest
    syllables it begins, each weighted by its share; bigrams and words are scored with the
    likeliest. Unchanged when the slot is a phrase, a synonym or begins nothing the index holds."""
    if parsed.is_empty or len(parsed.slots[-1]) != 1 or parsed.slots[-1][0].is_phrase:
        return parsed
    alt = parsed.slots[-1][0]
    typed = alt.syllables[0]
    sequence = parsed.word_sequences[-1] if parsed.word_sequences else ()
    in_sequence = bool(sequence) and sequence[-1] == typed and not alt.title_only
    previous = sequence[-2] if in_sequence and len(sequence) > 1 else None
    found = completions(reader, vocab, typed, previous, earlier=tuple(sequence[:-2]) if previous else ())
    if not found:
        return parsed
    accented = any(has_diacritics(s) for slot in parsed.slots for a in slot for s in a.syllables)
    # Only the likeliest is spelt from its context: the others weigh a hundredth as much.
    forms = [exact_form(vocab, c, typed, previous if i == 0 else None) if accented else c
             for i, (c, _) in enumerate(found)]
    slot = tuple(Alternative((form,), alt.title_only, _weight(share)) for form, (_, share) in zip(forms, found))
    sequences = parsed.word_sequences
    if in_sequence:
        sequences = sequences[:-1] + (sequence[:-1] + (forms[0],),)
    return replace(parsed, slots=parsed.slots[:-1] + (slot,), word_sequences=sequences,
                   completions=tuple(forms))


def _weight(share: float) -> float:
    """A completion's weight in the plan: 1 for the likeliest, so that the documents the whole
    word would find come first; a hundredth or less for the others, which still match but
    never lift a document holding one of them above those the likeliest finds."""
    return 1.0 if share >= 1.0 else round(0.002 + 0.008 * share, 4)


# --- Autocomplete ------------------------------------------------------------------


def autocomplete(reader, vocab: Vocabulary, words: list[str], halfway: bool,
                 limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to ``limit`` completions of a typed query (its syllables), with diacritics.

    With the last syllable typed half-way, each is the query with that syllable completed
    (the likeliest first); after a space, the query followed by the syllables that most
    often follow its last one in the index.
    """
    if not words:
        return []
    if halfway:
        head, typed = words[:-1], words[-1]
        previous = head[-1] if head else None
        found = completions(reader, vocab, typed, previous, limit=limit, earlier=tuple(head[:-1]))
    else:
        head, typed = words, ""
        found = _next_syllables(reader, words[-1], limit)
    if not found:
        return []
    out: list[str] = []
    for folded, _ in found:
        last = exact_form(vocab, folded, typed, None) if has_diacritics(typed) else folded
        phrase = " ".join(vocab.spell_phrase([*head, last]))
        if phrase not in out:
            out.append(phrase)
    return out


def suggest_completions(q: str, *, index_dir=None, config: Config | None = None) -> list[str]:
    """Autocomplete for the text ``q`` as typed (a trailing space means its last word is done)."""
    config = config or load_config()
    words = [normalise_word(u.surface) for u in syllables(clean_query(q, config.max_query_chars))]
    if not words or len(words) > MAX_SUGGEST_WORDS or any(not fold(w).isalnum() for w in words):
        return []
    reader = kept_reader(Path(index_dir or config.index_dir))
    return autocomplete(reader, Vocabulary(reader), words, last_word_typed_halfway(q))


def _next_syllables(reader, previous: str, limit: int) -> list[tuple[str, float]]:
    """The syllables that most often follow ``previous``, as (folded, share of the first)."""
    counts = _followers(reader, fold(previous), "")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(c, n / ranked[0][1]) for c, n in ranked] if ranked else []
