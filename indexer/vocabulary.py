"""What spellings of a folded syllable an index holds: for did-you-mean and Telex/VNI queries.

Looked up on demand: every accented spelling of a folded syllable is generated (a few dozen
at most) and its document frequency read from the term index, so nothing has to be loaded
up front, however large the index.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import Counter, OrderedDict
from functools import reduce
from itertools import chain

import numpy as np

from .analysis import TONE_MARKS, accent_variants, bigram_term, fold, has_diacritics, normalise_word, syllables
from .postings import postings_values
from .schema import indexed_text
from .segment_arrays import UnknownPostingsFormat, deleted, segment_key
from .segments import by_segment, in_all, segments
from .vectorised import in_sequence

#: Documents of a bigram's (or phrase's) postings read to see how its syllables are spelt
#: there, spread evenly over all that hold it.
CONTEXT_DOCS = 24
#: Most documents holding every bigram of a phrase looked at to find those holding the phrase.
PHRASE_SCAN_DOCS = 200
#: The most documents whose positions are read to count one phrase: each costs a block of
#: every term's postings, and at 150,704 documents 2,048 scattered ones cost up to 370 ms
#: cold, 128 up to 140 (docs/benchmarks-log.md).
PHRASE_POSITIONS_READ = 128
#: ... read in this many runs of neighbouring documents, which share postings blocks: 128 in
#: eight runs cost up to 50 ms cold at 150,704 documents.
PHRASE_RUNS = 8
#: Spellings, sampled contexts and document frequencies are kept for this many index states
#: (sets of segments), shared by every search of the process: one syllable's spellings cost
#: some hundreds of term lookups. Past ``ENTRIES_KEPT`` entries a state's tables start again
#: empty.
STATES_KEPT = 2
ENTRIES_KEPT = 200_000
#: A title holding a phrase counts as this many documents holding it: a title says what a
#: document is about, and readers type what they look for (measured: docs/benchmarks-log.md).
TITLE_WEIGHT = 20
TITLE = "title"
_STATES: OrderedDict[tuple, tuple[dict, dict, dict, dict]] = OrderedDict()
_STATES_LOCK = threading.Lock()


def tone_of(word: str) -> int:
    """The tone of a syllable: 0 (none) to 5 (nặng)."""
    for c in unicodedata.normalize("NFD", word):
        if c in TONE_MARKS:
            return TONE_MARKS.index(c) + 1
    return 0


def _tables(reader, field: str) -> tuple[dict, dict, dict, dict]:
    """The spellings, contexts, document frequencies and derived values of ``reader``'s index
    state: shared with earlier searches of the same segments, new (and the oldest state
    dropped) for another."""
    try:
        key = (field, *(segment_key(r) for r, _ in reader.leaf_readers()))
    except UnknownPostingsFormat:
        return {}, {}, {}, {}
    with _STATES_LOCK:
        tables = _STATES.get(key)
        if tables is None or sum(len(t) for t in tables) > ENTRIES_KEPT:
            tables = _STATES[key] = ({}, {}, {}, {})
            while len(_STATES) > STATES_KEPT:
                _STATES.popitem(last=False)
        _STATES.move_to_end(key)
        return tables


def _spread(ids: np.ndarray, most: int, runs: int | None = None) -> np.ndarray:
    """At most ``most`` of ``ids``, spread evenly over them (the first ones would be those
    indexed first, which change with the order a corpus is indexed in); with ``runs``, in
    that many runs of consecutive ones: neighbouring documents share their terms' postings
    blocks, so a run costs about one block a term where as many scattered documents cost
    one each."""
    if len(ids) <= most:
        return ids
    if most <= 0:
        return ids[:0]
    length = max(1, most // (runs or most))
    starts = np.linspace(0, len(ids) - length, max(1, most // length)).astype(np.int64)
    return ids[np.unique((starts[:, None] + np.arange(length)).ravel())]


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, np.int64)


def _phrase_candidates(ids: np.ndarray, bigram_ids: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Of the documents ``ids`` holding a phrase's words, those that may hold the phrase: the
    ones holding every folded bigram of it, and those holding all but one, where a clause
    mark parts it (``làm lố, Trần``; of two words, any)."""
    adjacent = in_all([ids, *bigram_ids])
    parted = [in_all([ids, *bigram_ids[:j], *bigram_ids[j + 1:]]) for j in range(len(bigram_ids))]
    return adjacent, np.setdiff1d(reduce(np.union1d, parted), adjacent, assume_unique=True)


def _documents_spelling(spellings_per_document) -> dict[str, int]:
    """Spelling -> how many documents use it, from each document's set of spellings."""
    return dict(Counter(chain.from_iterable(spellings_per_document)))


class Vocabulary:
    """Exact forms of folded syllables in one index, with document frequencies; the
    spelling of a whole phrase (``cong an`` -> ``công an``)."""

    def __init__(self, reader, field: str = "text"):
        self.reader, self.field = reader, field
        self._forms, self._context, self._frequencies, self._derived = _tables(reader, field)

    def remembered(self, key: tuple, compute):
        """``compute()``, a value that depends on this index state alone, worked out once per
        state (the completions of a half-typed word: the page asks for results and for
        autocomplete at each keystroke, and a reader deleting a letter asks again). Read-only."""
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = compute()
        return found

    def doc_frequency(self, term: str) -> int:
        """The document frequency of ``term`` in the field (kept for the index state: a
        correction looks up hundreds of syllables and bigrams, most of them again and again)."""
        found = self._frequencies.get(term)
        if found is None:
            found = self._frequencies[term] = self.reader.doc_frequency(self.field, term)
        return found

    def forms(self, folded: str) -> dict[str, int]:
        """Spellings of ``folded`` found in the index -> document frequency.

        The field holds every folded syllable, plus the exact form of those with diacritics,
        so a plain spelling has no count of its own. Its occurrences are exactly what its
        accented forms leave over of the folded syllable's; its documents, which overlap
        theirs (a document holds ``năm`` and ``Nam``), are counted in proportion, and at
        least as many as the accented forms' documents leave over.
        """
        if folded not in self._forms:
            reader, field = self.reader, self.field
            found = {w: (n, reader.frequency(field, w)) for w in accent_variants(folded)
                     if w != folded and (n := reader.doc_frequency(field, w))}
            documents, occurrences = reader.doc_frequency(field, folded), reader.frequency(field, folded)
            plain = occurrences - sum(o for _, o in found.values())
            counts = {w: n for w, (n, _) in found.items()}
            if plain > 0:
                counts[folded] = max(documents - sum(counts.values()), round(documents * plain / occurrences), 1)
            self._forms[folded] = counts
        return self._forms[folded]

    def frequency(self, exact: str) -> int:
        return self.forms(fold(exact)).get(exact, 0)

    def best_exact(self, folded: str, tone: int | None = None) -> str | None:
        """The most frequent spelling of ``folded`` (with the given tone, when given)."""
        forms = self.forms(folded)
        if tone is not None:
            forms = {w: n for w, n in forms.items() if tone_of(w) == tone}
        return max(forms, key=lambda w: (forms[w], w)) if forms else None

    def in_context(self, bigram: str, side: int) -> dict[str, int]:
        """How the sampled documents holding folded ``bigram`` spell its syllable ``side``
        (0 first, 1 second): spelling -> documents.

        Read from a few documents' own text where the bigram stands: ``thi_tot`` says
        that ``thi tốt`` is spelt ``thi``, not ``thị``, which a syllable's own frequency cannot.
        """
        key = (bigram, side)
        if key not in self._context:
            found = {}
            if (self.field, bigram) in self.reader:
                spelt = self._spelt_where([bigram], self._holding_all([bigram], CONTEXT_DOCS))
                found = _documents_spelling({words[side] for words in spots} for spots in spelt.values())
            self._context[key] = found
        return self._context[key]

    def evidence(self, folded: str, left: str | None = None, right: str | None = None) -> dict[str, int]:
        """Spellings of syllable ``folded`` -> sampled documents spelling it so beside its
        folded neighbours ``left`` and ``right`` (``in_context`` of both bigrams)."""
        counts: dict[str, int] = {}
        sides = ([(f"{left}_{folded}", 1)] if left else []) + ([(f"{folded}_{right}", 0)] if right else [])
        for bigram, side in sides:
            for w, n in self.in_context(bigram, side).items():
                counts[w] = counts.get(w, 0) + n
        return counts

    def beside(self, folded: str, neighbour: str, side: int) -> dict[str, int]:
        """Spellings of syllable ``folded`` -> how many of a few documents holding it right
        after (``side`` 1) or before (0) ``neighbour``, spelt exactly so, spell it so
        (``triều`` + ``tien``: ``tiên``, where the folded bigram ``trieu_tien`` is mostly
        ``triệu tiền``)."""
        bigram = f"{fold(neighbour)}_{folded}" if side else f"{folded}_{fold(neighbour)}"
        if (self.field, bigram) not in self.reader or (self.field, neighbour) not in self.reader:
            return {}
        spelt = self._spelt_where([bigram], self._holding_all([bigram, neighbour], CONTEXT_DOCS))
        return _documents_spelling({words[side] for words in spots if words[1 - side] == neighbour}
                                   for spots in spelt.values())

    def spell(self, folded: str, left: str | None = None, right: str | None = None) -> str | None:
        """The spelling of syllable ``folded`` between folded neighbours ``left`` and ``right``
        a reader expects: the one the documents holding those bigrams use most, else the
        most frequent one."""
        return self.likeliest(folded, self.evidence(folded, left, right))

    def spell_in_context(self, folded: str, left: str | None = None, right: str | None = None) -> str | None:
        """The spelling of syllable ``folded`` the documents holding it beside its folded
        neighbours use most; None when none of those sampled holds it so."""
        evidence = self.evidence(folded, left, right)
        return self.likeliest(folded, evidence) if evidence else None

    def likeliest(self, folded: str, evidence: dict[str, int]) -> str | None:
        """The spelling of ``folded`` the ``evidence`` (spelling -> documents) holds most,
        else the most frequent one; None if the index has none."""
        forms = {**dict.fromkeys(evidence, 0), **self.forms(folded)}
        if not forms:
            return None
        return max(forms, key=lambda w: (evidence.get(w, 0), forms[w], w))

    def phrase_evidence(self, folds: list[str], places: set[int] | None = None,
                        spelt_as: dict[int, str] | None = None) -> list[dict[str, int]] | None:
        """For each word of the folded phrase ``folds`` (those at ``places`` only, if given:
        the others get none), its spellings -> how many of a few documents holding the whole
        phrase spell it so; None when no document holds it. With ``spelt_as`` (place ->
        spelling), only where the phrase's words at those places are spelt so.

        Read from the documents' own text: the phrase's bigrams one after another give where
        it stands (character offsets), and the text there how it is spelt. ``thi tot nghiep``
        is spelt ``thi tốt nghiệp`` where ``thi tot`` alone is more often ``thì tốt``.
        """
        if len(folds) < 2:
            return None
        bigrams = [f"{a}_{b}" for a, b in zip(folds, folds[1:])]
        if any((self.field, b) not in self.reader for b in bigrams):
            return None
        spelt = self._phrase_spellings(bigrams)
        if not spelt:
            return None
        if spelt_as:
            spelt = {doc: kept for doc, spots in spelt.items()
                     if (kept := [words for words in spots
                                  if all(words[j] == w for j, w in spelt_as.items())])}
        return [_documents_spelling({words[i] for words in spots} for spots in spelt.values())
                if places is None or i in places else {} for i in range(len(folds))]

    def _phrase_spellings(self, bigrams: list[str]) -> dict[int, list[list[str]]]:
        """Up to ``CONTEXT_DOCS`` documents holding the phrase whose folded bigrams are
        ``bigrams`` one after another (looked for in ``PHRASE_SCAN_DOCS`` documents spread
        over those holding every bigram) -> the phrase's words as spelt at each place it stands there."""
        candidates = self._holding_all(bigrams, PHRASE_SCAN_DOCS)
        found: dict[int, list[list[str]]] = {}
        for chunk in range(0, len(candidates), CONTEXT_DOCS):
            for doc, spots in self._spelt_where(bigrams, candidates[chunk:chunk + CONTEXT_DOCS]).items():
                found[doc] = spots
                if len(found) >= CONTEXT_DOCS:
                    return found
        return found

    def _spelt_where(self, bigrams: list[str], docs: list[int]) -> dict[int, list[list[str]]]:
        """Each of the sorted ``docs`` holding the folded phrase of ``bigrams`` (one after
        another) -> its words as the document's text spells them (``normalise_word``), at
        each place the phrase stands: the bigrams' character offsets, then the stored text."""
        values = postings_values(self.reader, docs, bigrams, "characters")
        last = len(bigrams) - 1
        folds = [b.split("_")[0] for b in bigrams] + [bigrams[-1].split("_")[1]]
        out: dict[int, list[list[str]]] = {}
        for doc in docs:
            # Bigram j of the phrase stands at the phrase's position + j.
            at = [{p - j: (start, end) for p, start, end in values[doc].get(b, ())} for j, b in enumerate(bigrams)]
            starts = sorted(set(at[0]).intersection(*at[1:]))
            if not starts:
                continue
            stored = self.reader.stored_fields(doc)
            text = indexed_text(stored.get("title") or "", stored.get("body") or "")
            places = []
            for p in starts:
                words = [normalise_word(u.surface) for u in syllables(text[at[0][p][0]:at[last][p][1]])]
                if [fold(w) for w in words] == folds:
                    places.append(words)
            if places:
                out[doc] = places
        return out

    def documents_holding(self, terms: list[str], field: str | None = None) -> int:
        """How many live documents hold every one of ``terms`` (a phrase's folded bigrams:
        about the documents holding the phrase; none given: 0) in ``field`` (this vocabulary's
        own unless given: ``TITLE`` counts titles), from the segments' posting arrays."""
        field = field or self.field
        if not terms or any((field, t) not in self.reader for t in terms):
            return 0
        return sum(len(ids) for _, ids in self._live_holding(terms, field))

    def stands_as_phrase(self, terms: list[str], plain: frozenset[int] = frozenset(), enough: int = 1) -> int:
        """How many live documents hold ``terms`` (folded syllables, or exact forms) at
        consecutive positions, counted up to ``enough``; the folded syllables at places
        ``plain`` only where they are spelt without diacritics. Positions run on across
        clause marks, which no bigram spans (``làm lố, Trần``), and an exact form is the
        spelling itself (``vì mua bán``, where the folded bigrams are mostly ``hành vi mua bán``).

        Bounded for a search typed letter by letter: only documents where at most one
        clause mark parts the phrase are read (``_phrase_candidates``), at most
        ``PHRASE_POSITIONS_READ`` of them over all segments, those holding every bigram first."""
        if len(terms) < 2 or any((self.field, t) not in self.reader for t in terms):
            return 0
        return self.remembered(("phrase", enough, plain, *terms),
                               lambda: self._count_in_sequence(terms, plain, enough))

    def bigram_documents(self, folds: list[str]) -> int:
        """How many live documents hold every folded bigram of the phrase ``folds``."""
        return self.documents_holding([bigram_term(a, b) for a, b in zip(folds, folds[1:])])

    def phrase_documents(self, folds: list[str]) -> int:
        """About how many live documents hold the folded syllables ``folds`` at consecutive
        positions: of more than two, the documents holding every folded bigram of them, times
        the share of a bounded sample of those that hold them so (``phụ trách`` and ``trách
        nhiệm`` are everywhere, ``phụ trách nhiệm`` nearly nowhere); of two, those holding their bigram."""
        if len(folds) < 2 or any((self.field, t) not in self.reader for t in folds):
            return 0
        if len(folds) == 2:
            return self.documents_holding([bigram_term(*folds)])
        return self.remembered(("phrase documents", *folds), lambda: self._estimate_in_sequence(folds))

    def _estimate_in_sequence(self, folds: list[str]) -> int:
        segs, adjacent, _ = self._candidates(folds)
        holding = _joined(adjacent)
        chosen = _spread(holding, PHRASE_POSITIONS_READ, PHRASE_RUNS)
        if not len(chosen):
            return 0
        found = self._read_in_sequence(segs, chosen, folds, {}, len(chosen))
        return round(len(holding) * found / len(chosen))

    def _candidates(self, terms: list[str]) -> tuple[list, list[np.ndarray], list[np.ndarray]]:
        """The segments holding every one of ``terms``, and in each (as global numbers) the
        live documents that may hold them as a phrase (``_phrase_candidates``)."""
        bigrams = [bigram_term(a, b) for a, b in zip(terms, terms[1:])]
        segs, adjacent, parted = [], [], []
        for seg, ids in self._live_holding(terms):
            whole, once = _phrase_candidates(ids, [seg.postings(self.field, b)[0] for b in bigrams])
            segs.append(seg)
            adjacent.append(whole + seg.offset)
            parted.append(once + seg.offset)
        return segs, adjacent, parted

    def _count_in_sequence(self, terms: list[str], plain: frozenset[int], enough: int) -> int:
        accented = {i: [w for w in self.forms(terms[i]) if w != terms[i]] for i in plain}
        segs, adjacent, parted = self._candidates(terms)
        # Every segment's, those holding every bigram first, each kind spread over all of them.
        first = _spread(_joined(adjacent), PHRASE_POSITIONS_READ, PHRASE_RUNS)
        chosen = np.concatenate([first, _spread(_joined(parted), PHRASE_POSITIONS_READ - len(first),
                                                        PHRASE_RUNS)])
        return self._read_in_sequence(segs, chosen, terms, accented, enough)

    def _read_in_sequence(self, segs: list, chosen: np.ndarray, terms: list[str],
                          accented: dict[int, list[str]], enough: int) -> int:
        """How many of the documents ``chosen`` (global numbers) hold ``terms`` at consecutive
        positions, counted up to ``enough``; the term at each place of ``accented`` only where
        none of the spellings given for it stands."""
        found = 0
        for seg, local in by_segment(segs, chosen):
            positions = [seg.values(self.field, t, local, "positions") for t in terms]
            for i, forms in accented.items():
                spelt = [seg.values(self.field, w, local, "positions") for w in forms]
                positions[i] = {d: set(p).difference(*(s.get(d, ()) for s in spelt))
                                for d, p in positions[i].items()}
            found += sum(in_sequence([p[d] for p in positions]) for d in local.tolist())
            if found >= enough:
                break
        return found

    def _holding_all(self, terms: list[str], most: int) -> list[int]:
        """At most ``most`` live documents holding every one of ``terms``, spread evenly over
        all of them (``_spread``), from the segments' posting arrays."""
        return _spread(_joined([ids + seg.offset for seg, ids in self._live_holding(terms)]), most).tolist()

    def _live_holding(self, terms: list[str], field: str | None = None):
        """Each segment with the numbers (its own) of its live documents holding every term."""
        for seg in segments(self.reader):
            ids = in_all([seg.postings(field or self.field, t)[0] for t in terms])
            gone = deleted(seg.reader)
            yield seg, ids if gone is None else ids[~gone[ids]]

    def spell_phrase(self, words: list[str]) -> list[str]:
        """``words`` with the diacritics a reader expects (``cong an`` -> ``công an``): each
        word typed without them spelt as the documents holding the whole phrase spell it
        (``phrase_evidence``), else as those holding it beside its neighbours (``spell``);
        words typed with diacritics are kept."""
        folds = [fold(w) for w in words]
        whole = self.phrase_evidence(folds, {i for i, w in enumerate(words) if not has_diacritics(w)})
        out = []
        for i, word in enumerate(words):
            if has_diacritics(word):
                out.append(word)
            elif whole and whole[i]:
                out.append(max(whole[i], key=lambda w: (whole[i][w], self.forms(folds[i]).get(w, 0), w)))
            else:
                left = folds[i - 1] if i else None
                right = folds[i + 1] if i + 1 < len(folds) else None
                out.append(self.spell(folds[i], left, right) or word)
        return out
