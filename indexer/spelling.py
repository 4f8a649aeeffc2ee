"""Did-you-mean for one folded syllable: nearby spellings the index has, best first.

Candidates are generated from the typed word and their document frequencies read from
the term index, one lookup each, so the cost depends on the word's length and never on
how many terms the index holds (walking the term list, as Whoosh's corrector does, takes
seconds on a large index whose field also holds bigrams and compound words).
"""

from __future__ import annotations

import bisect
import math
import string
from collections.abc import Callable
from functools import lru_cache

#: Document frequency of a term in the searched field.
DocFrequency = Callable[[str], int]
#: How well a candidate fits the words around it (e.g. its bigrams' document frequencies, logged).
Context = Callable[[str], float]

#: Most document-frequency lookups one correction may make (see ``best_correction``).
MAX_LOOKUPS = 3000
#: Longer words are not corrected: no syllable is near them, and one edit of them is many strings.
MAX_WORD_LENGTH = 20
#: Shorter words get one edit only: two edits of a three- or four-letter word is another word.
MIN_LENGTH_FOR_TWO_EDITS = 5

_LETTERS = string.ascii_lowercase
_ALPHANUMERIC = string.ascii_lowercase + string.digits

_INITIALS = "b c ch d g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split()
#: Every rhyme of a Vietnamese syllable with its diacritics removed (``ương`` -> ``uong``).
_RHYMES = (
    "a ac ach ai am an ang anh ao ap at au ay "
    "e ec ech em en eng enh eo ep et eu "
    "i ia ich iec iem ien ieng iep iet ieu im in inh ip it iu "
    "o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oen oeo oet oi om on ong ooc "
    "oong op ot "
    "u ua uan uang uanh uat uay uc ue uech uenh ui um un ung uo uoc uoi uom uon uong uop uot "
    "uou up ut uu uy uya uych uyen uyet uynh uyt uyu "
    "y yem yen yet yeu"
).split()


def _spelt_together(initial: str, rhyme: str) -> bool:
    """The spelling rules that pick an initial's letters by the vowel after it: ``ca``/``ke``,
    ``ga``/``ghe`` (but ``gì``), ``nga``/``nghe``; no ``u`` after ``qu``, no ``i`` after ``gi``."""
    front = rhyme[0] in "eiy"
    if initial in ("k", "gh", "ngh"):
        return front
    if initial in ("c", "ng"):
        return not front
    if initial == "g":
        return rhyme[0] not in "ey"
    return rhyme[0] != {"qu": "u", "gi": "i"}.get(initial)


#: Every folded Vietnamese syllable spelling (a few thousand; some are not words).
SYLLABLES = frozenset(
    i + r for i in ["", *_INITIALS] for r in _RHYMES if not i or _spelt_together(i, r)
)

_SORTED_SYLLABLES = tuple(sorted(SYLLABLES))


def syllables_with_prefix(prefix: str) -> tuple[str, ...]:
    """The folded syllable spellings (``SYLLABLES``) that begin ``prefix``, in order."""
    start = bisect.bisect_left(_SORTED_SYLLABLES, prefix)
    end = bisect.bisect_left(_SORTED_SYLLABLES, prefix + "\x7f", start)
    return _SORTED_SYLLABLES[start:end]


_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
#: Letters Vietnamese writers confuse by ear or by dialect: s/x, d/r/v, l/n, i/y, c/t, c/k.
_CONFUSED = {frozenset(pair) for pair in ("sx", "dr", "dv", "ln", "iy", "ct", "ck")}
#: Final consonants said alike in some dialects: an/ang/anh, ac/ach.
_CONFUSED_ENDINGS = {("n", "ng"), ("n", "nh"), ("c", "ch")}


def _neighbours() -> dict[str, set[str]]:
    near: dict[str, set[str]] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for c, key in enumerate(row):
            keys = near.setdefault(key, set())
            for rr, cols in ((r, (c - 1, c + 1)), (r - 1, (c, c + 1)), (r + 1, (c - 1, c))):
                if 0 <= rr < len(_KEYBOARD_ROWS):
                    keys.update(_KEYBOARD_ROWS[rr][k] for k in cols if 0 <= k < len(_KEYBOARD_ROWS[rr]))
    return near


#: Keys that touch each key on a QWERTY keyboard.
KEYBOARD_NEIGHBOURS = _neighbours()


def edit_candidates(word: str) -> set[str]:
    """Every string one edit from ``word``: a deletion, an adjacent transposition, or a
    substitution or insertion of a letter (or of a digit, when ``word`` has digits)."""
    alphabet = _ALPHANUMERIC if any(c.isdigit() for c in word) else _LETTERS
    out: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            out.add(head + tail[1:])
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])
            rest = tail[1:]
            out.update(head + c + rest for c in alphabet)
        out.update(head + c + tail for c in alphabet)
    out.discard(word)
    return out


def _likely_slip(typed: str, candidate: str) -> bool:
    """True when ``typed`` is ``candidate`` after a common slip: a letter left out, a key
    pressed twice or together with its neighbour, two keys swapped, a neighbouring key hit
    instead, or letters Vietnamese writers confuse (s/x, n/ng ...). Both are one edit apart."""
    if len(candidate) == len(typed) + 1:
        return True
    if len(typed) == len(candidate):
        diff = [i for i, (a, b) in enumerate(zip(typed, candidate)) if a != b]
        if len(diff) == 2:
            return True
        a, b = typed[diff[0]], candidate[diff[0]]
        return b in KEYBOARD_NEIGHBOURS.get(a, ()) or frozenset((a, b)) in _CONFUSED
    if any(typed.endswith(long) and candidate == typed[:-len(long)] + short
           for short, long in _CONFUSED_ENDINGS):
        return True
    for i, extra in enumerate(typed):
        if typed[:i] + typed[i + 1:] == candidate:
            beside = typed[i - 1:i] + typed[i + 1:i + 2]
            if any(c == extra or c in KEYBOARD_NEIGHBOURS.get(extra, ()) for c in beside):
                return True
    return False


def typo_penalty(typed: str, candidate: str, distance: int) -> int:
    """How unlikely a typo turns ``candidate`` into ``typed``: 0 for a common slip (one
    edit only), 1 for another edit keeping the first letter, 2 when the first letter changed."""
    if distance == 1 and _likely_slip(typed, candidate):
        return 0
    return 1 if typed[:1] == candidate[:1] else 2


def _ranked(typed: str, found: dict[str, int], distance: int, context: Context | None = None) -> list[str]:
    """``found`` (candidate -> document frequency), likeliest first: the likeliest word, by
    ``context`` (its log10 probability among the words around it) when given, else by its
    document frequency; each step of ``typo_penalty`` counts as ten times less likely."""

    def cost(c: str) -> tuple[float, str]:
        likely = context(c) if context else math.log10(found[c])
        return typo_penalty(typed, c, distance) - likely, c

    return sorted(found, key=cost)


def _deletions(word: str, most: int = 2) -> set[str]:
    """``word`` and every string made by deleting up to ``most`` of its letters."""
    out = frontier = {word}
    for _ in range(most):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out = out | frontier
    return out


@lru_cache(maxsize=1)
def _syllables_by_deletion() -> dict[str, tuple[str, ...]]:
    """Each string two deletions or fewer from some syllable -> those syllables.

    Two strings within two edits of each other (insertions, deletions, substitutions,
    transpositions) share a string reached by at most two deletions from each, so this
    finds every syllable near a word from the word's own few deletions.
    """
    index: dict[str, list[str]] = {}
    for syllable in sorted(SYLLABLES):
        for key in _deletions(syllable):
            index.setdefault(key, []).append(syllable)
    return {key: tuple(found) for key, found in index.items()}


def edit_distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (adjacent transpositions count one, each pair swapped once)."""
    before, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[-1]


def syllables_two_edits_away(word: str) -> list[str]:
    """Syllable spellings exactly two edits from ``word``, those keeping its first letter
    and its length first."""
    index = _syllables_by_deletion()
    near = {s for key in _deletions(word) for s in index.get(key, ())}
    found = [s for s in near if edit_distance(word, s) == 2]
    return sorted(found, key=lambda s: (s[:1] != word[:1], abs(len(s) - len(word)), s))


def ranked_corrections(df: DocFrequency, word: str, context: Context | None = None,
                       syllables_only: bool = False) -> list[str]:
    """The folded syllables the index has that ``word`` (folded, lower case) may misspell,
    the likeliest first (none: an empty list).

    Candidates one edit away come first, any word of letters the index has (a name, a
    foreign word). Only when the index has none of them, and the word has at least
    ``MIN_LENGTH_FOR_TWO_EDITS`` letters, are candidates two edits away tried, and then
    only Vietnamese syllable spellings (``SYLLABLES``): a few dozen of the tens of
    thousands of strings two edits away. Among candidates at the same distance the
    likeliest typo in the most documents wins (``_ranked``), ``context`` (how well it fits
    the words around it) counting too. Candidates are letters only: never a bigram (``_``),
    a compound word (``+``) or a number; with ``syllables_only`` (for a word the index has,
    whose neighbours say it is misspelt), only Vietnamese syllable spellings.

    Lookups are bounded by the word, not by the index. One edit of an n-letter word gives
    at most ``(2A + 2) n + A - 1`` strings over an alphabet of A characters (26 letters, 36
    with digits): at most 1,515 for the longest word corrected (``MAX_WORD_LENGTH``).
    Syllables two edits away are looked up only up to ``MAX_LOOKUPS`` in all. Each lookup
    reads the term table (some tens of microseconds), so a correction costs milliseconds
    whatever the size of the index.
    """
    if not word or len(word) > MAX_WORD_LENGTH or not word.isascii() or not word.isalnum():
        return []
    first = edit_candidates(word)
    if syllables_only:
        first = first & SYLLABLES
    found = {c: n for c in first if c.isalpha() and (n := df(c)) > 0}
    if found or len(word) < MIN_LENGTH_FOR_TWO_EDITS or syllables_only:
        return _ranked(word, found, 1, context)
    second = syllables_two_edits_away(word)[:MAX_LOOKUPS - len(first)]
    return _ranked(word, {c: n for c in second if (n := df(c)) > 0}, 2, context)


def best_correction(df: DocFrequency, word: str, context: Context | None = None,
                    syllables_only: bool = False) -> str | None:
    """The likeliest of ``ranked_corrections``, or None."""
    found = ranked_corrections(df, word, context, syllables_only)
    return found[0] if found else None
