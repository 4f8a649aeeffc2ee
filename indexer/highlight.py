"""Snippets and highlighting: ``<mark>`` around matched words in the ORIGINAL text.

A hit's spans come from the character offsets stored in its postings (``text_spans``);
a short title or a whole document's body is tokenized again (``spans_by_tokenizing``).
Everything that is not a ``<mark>`` tag is HTML-escaped, so a document or a query
containing markup is shown as text, never run.
"""

from __future__ import annotations

import html
import re

from .analysis import bigram_term, fold, has_diacritics, next_words, normalise_word, split_units
from .postings import postings_values
from .schema import body_offset

Span = tuple[int, int]

_ELLIPSIS = " … "
_SPACE_RE = re.compile(r"\s+")


def select_spans(text: str, spans: list[Span], wanted: list[str]) -> list[Span]:
    """Keep the folded-match spans that agree with the diacritics the user typed.

    A query word typed with diacritics (``hồ``) highlights only its exact form when the
    text has it; otherwise (and for unaccented query words) every folded match shows.
    """
    accented = {fold(w): w for w in wanted if has_diacritics(w)}
    if not accented:
        return spans
    by_fold: dict[str, list[tuple[Span, bool]]] = {}
    for span in spans:
        exact = normalise_word(text[span[0]:span[1]])
        by_fold.setdefault(fold(exact), []).append((span, exact == accented.get(fold(exact))))
    kept = []
    for folded, items in by_fold.items():
        if folded in accented and any(is_exact for _, is_exact in items):
            kept.extend(span for span, is_exact in items if is_exact)
        else:
            kept.extend(span for span, _ in items)
    return sorted(kept)


def phrase_bigrams(phrase: tuple[str, ...]) -> list[str]:
    """The folded bigrams (index terms ``a_b``) that spell ``phrase``, in order."""
    return [bigram_term(a, b) for a, b in zip(phrase, phrase[1:])]


def phrase_spans(occurrences: dict[str, list[tuple[int, int, int]]], phrases: list[tuple[str, ...]]) -> list[Span]:
    """Spans where a whole phrase occurs, from its bigrams' ``(position, start, end)``
    occurrences: bigram ``i`` of the phrase must sit at position ``p + i``."""
    spans = []
    for phrase in phrases:
        grams = phrase_bigrams(phrase)
        if not grams:
            continue
        at = [{pos: (start, end) for pos, start, end in occurrences.get(g, ())} for g in grams]
        for pos, (start, _) in at[0].items():
            if all(pos + i in at[i] for i in range(1, len(grams))):
                spans.append((start, at[-1][pos + len(grams) - 1][1]))
    return sorted(spans)


def spans_by_tokenizing(text: str, words: list[str], phrases: list[tuple[str, ...]] = ()) -> list[Span]:
    """Spans of the syllables of ``text`` whose folded form is wanted, and of the phrases it
    contains, syllable after syllable with at most quotes, brackets or dashes between (for
    short texts)."""
    if not words and not phrases:
        return []
    folds = {fold(w) for w in words}
    units = split_units(text)
    spans = [(u.start, u.end) for u in units if u.is_word and fold(normalise_word(u.surface)) in folds]
    occurrences: dict[str, list[tuple[int, int, int]]] = {}
    # Positions count words, as the index's do: a bigram spans a quote (``units.next_words``).
    words_in_order = [(u, b) for u, b in zip(units, next_words(units)) if u.is_word] if phrases else []
    for pos, (a, b) in enumerate(words_in_order):
        if b is not None:
            occurrences.setdefault(bigram_term(a.surface, b.surface), []).append((pos, a.start, b.end))
    return sorted(select_spans(text, spans, words) + phrase_spans(occurrences, list(phrases)))


def text_spans(reader, docnums: list[int], words: list[str], phrases: list[tuple[str, ...]]
               ) -> dict[int, tuple[list[Span], list[Span]]]:
    """Character spans in each document's ``text`` field, from its postings: of the query's
    words (by their folded form), and of its phrases (by their bigrams, consecutive)."""
    folds = sorted({fold(w) for w in words})
    grams = sorted({g for phrase in phrases for g in phrase_bigrams(phrase)} - set(folds))
    chars = postings_values(reader, docnums, folds + grams, "characters")
    return {d: ([(s, e) for t in folds for _, s, e in by_term.get(t, ())], phrase_spans(by_term, phrases))
            for d, by_term in chars.items()}


def merge_spans(text: str, spans: list[Span]) -> list[Span]:
    """Join spans separated only by spaces, so a compound shows as one ``<mark>``."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def mark(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> str:
    """HTML of ``text[start:end]`` with ``<mark>`` around each span inside it."""
    end = len(text) if end is None else end
    out = []
    pos = start
    for s, e in merge_spans(text, spans):
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return _SPACE_RE.sub(" ", "".join(out))


def _word_start(text: str, i: int) -> int:
    """Move ``i`` left to the start of the word it falls in."""
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    """Move ``i`` right to the end of the word it falls in."""
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


#: A fragment's score: distinct query words × this, plus the matches (fewer than this).
_DISTINCT = 100


def _windows(text: str, spans: list[Span], size: int) -> list[tuple[int, int, int]]:
    """Candidate fragments ``(score, start, end)``: one per span, centred on the spans it covers."""
    candidates = []
    for i, (s, _) in enumerate(spans):
        covered = [sp for sp in spans[i:] if sp[1] - s <= size]
        last_end = covered[-1][1]
        slack = max(0, size - (last_end - s)) // 2
        want = max(0, s - min(slack, 60))
        start = _word_start(text, want)
        if want - start > size // 4:  # inside one very long "word" (a URL): cut it
            start = want
        end = _word_end(text, min(len(text), max(last_end, start + size)))
        if end - start > size * 1.3:  # one very long "word": cut it anyway
            end = max(last_end, start + size)
        distinct = len({normalise_word(text[a:b]) for a, b in covered})
        candidates.append((distinct * _DISTINCT + len(covered), start, end))
    return candidates


def make_snippet(text: str, spans: list[Span], size: int = 200, fragments: int = 3,
                 prefer: tuple[int, int] | None = None) -> str:
    """One to ``fragments`` fragments of about ``size`` characters around the best matches.

    With ``prefer`` (start, end), fragments around matches inside it come first when they
    hold at least half as many distinct query words as the best fragment: a passage that
    means the query still has to show its words.
    """
    if not text:
        return ""
    spans = sorted(spans)
    if not spans:
        end = _word_end(text, min(len(text), size)) if len(text) > size else len(text)
        return mark(text, [], 0, end) + ("…" if end < len(text) else "")
    windows = _windows(text, spans, size)
    inside = [(a, b) for a, b in spans if prefer and prefer[0] <= a and b <= prefer[1]]
    enough = (max(score for score, _, _ in windows) // _DISTINCT + 1) // 2

    def order(candidate):
        score, start, end = candidate
        preferred = score // _DISTINCT >= enough and any(start <= a and b <= end for a, b in inside)
        return not preferred, -score, start

    chosen: list[tuple[int, int]] = []
    for _, start, end in sorted(windows, key=order):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
        if len(chosen) == fragments:
            break
    chosen.sort()
    parts = [mark(text, spans, s, e).strip() for s, e in chosen]
    prefix = "…" if chosen[0][0] > 0 else ""
    suffix = "…" if chosen[-1][1] < len(text) else ""
    return prefix + _ELLIPSIS.join(parts) + suffix


def snippet_html(title: str, body: str, spans: tuple[list[Span], list[Span]], words: list[str],
                 size: int, fragments: int, prefer: tuple[int, int] | None = None) -> str:
    """A hit's snippet from its ``text_spans`` (word spans, phrase spans) in title + body.

    Only the spans inside the body count; word spans keep to the diacritics typed. Matches
    inside ``prefer`` (the body's best passage by meaning) come first.
    """
    shift = body_offset(title)
    word_spans, phrase_spans_in_body = ([(s - shift, e - shift) for s, e in part if s >= shift] for part in spans)
    return make_snippet(body, sorted(select_spans(body, word_spans, words) + phrase_spans_in_body), size, fragments,
                        prefer)


def title_html(title: str, words: list[str], phrases: list[tuple[str, ...]]) -> str:
    """A title with the query's words and phrases marked."""
    return mark(title, spans_by_tokenizing(title, words, phrases))


def paragraphs_html(body: str, spans: list[Span]) -> str:
    """The body as ``<p>`` paragraphs (split at blank lines), with the spans marked."""
    paragraphs = []
    offset = 0
    for para in body.split("\n\n"):
        start = body.index(para, offset) if para else offset
        offset = start + len(para)
        if para.strip():
            paragraphs.append("<p>" + mark(body, spans, start, start + len(para)).strip() + "</p>")
    return "\n".join(paragraphs)
