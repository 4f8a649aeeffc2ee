"""Reading what a user typed: web-search syntax, forgiving of everything else.

``"quoted phrase"``, ``-excluded``, ``OR`` between two terms and ``title:word`` are
understood; any other character is plain text. Parsing never fails: unbalanced quotes
and parentheses, stray operators or ``*`` are simply not operators.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .analysis import normalise_word, syllables


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a slot: a syllable, or a phrase of several, in exact form."""

    syllables: tuple[str, ...]
    title_only: bool = False
    #: Multiplier of its clauses' scores: below 1 for a less likely completion of a word typed half-way.
    weight: float = 1.0

    @property
    def is_phrase(self) -> bool:
        return len(self.syllables) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """Slots to satisfy (each a tuple of alternatives), exclusions, and word sequences.

    ``word_sequences`` are the sequences of adjacent plain (unquoted, unfielded) words, in
    order: the query plan builds bigrams and pyvi words from them.
    """

    slots: tuple[tuple[Alternative, ...], ...]
    excluded: tuple[Alternative, ...] = ()
    word_sequences: tuple[tuple[str, ...], ...] = ()
    #: The syllables a last word typed half-way was completed to, likeliest first (``completion``).
    completions: tuple[str, ...] = ()
    #: Whether the likeliest completion ends a synonym, so that the last slot holds the
    #: synonym's forms, as the whole word's would, instead of lesser completions.
    completed_as_synonym: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.slots

    @property
    def completes_last_slot(self) -> bool:
        """Whether the last slot holds the completions of a word typed half-way."""
        return bool(self.completions) and not self.completed_as_synonym

    def positive_syllables(self) -> list[str]:
        """Every syllable the query asks for, in order, without repeats (for highlighting)."""
        seen: dict[str, None] = {}
        for slot in self.slots:
            for alt in slot:
                for s in alt.syllables:
                    seen.setdefault(s, None)
        return list(seen)

    def highlight_terms(self) -> tuple[list[str], list[tuple[str, ...]]]:
        """What to highlight: syllables asked for one by one, and phrases (quoted, or a
        synonym's form) to highlight only where all their syllables follow each other."""
        words: dict[str, None] = {}
        phrases: dict[tuple[str, ...], None] = {}
        for slot in self.slots:
            for alt in slot:
                if alt.is_phrase:
                    phrases.setdefault(alt.syllables, None)
                else:
                    words.setdefault(alt.syllables[0], None)
        return list(words), list(phrases)


_TOKEN_RE = re.compile(
    r'(?P<neg>-)?(?P<field>title:)?"(?P<phrase>[^"]*)"'
    r"|(?P<or>\bOR\b)"
    r'|(?P<wneg>-)?(?P<wfield>title:)?(?P<word>[^\s"]+)'
)


def clean_query(text: str, max_chars: int) -> str:
    """NFC, control characters turned to spaces, cut to ``max_chars``."""
    text = unicodedata.normalize("NFC", text)[:max_chars]
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cs", "Cf") and c != "\u200d" else c
                   for c in text).strip()


def parse_query(text: str, max_chars: int = 500, max_terms: int = 32) -> ParsedQuery:
    """Parse a user's query; at most ``max_terms`` syllables are kept."""
    slots: list[list[Alternative]] = []
    excluded: list[Alternative] = []
    sequences: list[list[str]] = []
    pending_or = False
    budget = max_terms
    sequence_open = False
    for m in _TOKEN_RE.finditer(clean_query(text, max_chars)):
        if m.group("or"):
            pending_or = bool(slots)
            sequence_open = False
            continue
        phrase = m.group("phrase") is not None
        raw = m.group("phrase") if phrase else m.group("word")
        negated = bool(m.group("neg") or m.group("wneg"))
        title_only = bool(m.group("field") or m.group("wfield"))
        words = [normalise_word(u.surface) for u in syllables(raw)][:budget]
        if not words:
            continue
        budget -= len(words)
        if negated:
            excluded.append(Alternative(tuple(words), title_only))
            sequence_open = False
        else:
            alts = [Alternative(tuple(words), title_only)] if phrase else [
                Alternative((w,), title_only) for w in words]
            if pending_or:
                slots[-1].append(alts[0])
                alts = alts[1:]
            slots.extend([a] for a in alts)
            if not phrase and not title_only and not pending_or:
                if sequence_open:
                    sequences[-1].extend(words)
                else:
                    sequences.append(list(words))
                sequence_open = True
            else:
                sequence_open = False
        pending_or = False
        if budget <= 0:
            break
    return ParsedQuery(
        tuple(tuple(s) for s in slots), tuple(excluded), tuple(tuple(s) for s in sequences)
    )
