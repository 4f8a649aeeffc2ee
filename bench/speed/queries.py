"""The two query sets (short keywords, ViNewsQA questions) and the forms the peers are given."""

from __future__ import annotations

import functools
import itertools
import json
import random
from pathlib import Path

from bench.speed.corpus import QUESTIONS, read_records
from indexer.analysis import fold, split_units

#: The keyword set is drawn with this seed, so every run asks the same queries.
SEED = 20240601


def keyword_queries(corpus: Path, n_docs: int, count: int) -> list[str]:
    """``count`` runs of 1-4 consecutive title words (fixed seed); every second one unaccented."""
    return keywords_from_titles([r["title"] for r in read_records(corpus, n_docs)], count)


def keywords_from_titles(titles: list[str], count: int) -> list[str]:
    """``keyword_queries`` drawn from ``titles``."""
    rng = random.Random(SEED)
    out: list[str] = []
    while len(out) < count:
        units = split_units(rng.choice(titles))
        length = rng.randint(1, 4)
        # Runs of words not broken by punctuation, so a query reads like something typed.
        runs = [list(g) for word, g in itertools.groupby(units, key=lambda u: u.is_word) if word]
        runs = [r for r in runs if len(r) >= length]
        if not runs:
            continue
        words = rng.choice(runs)
        start = rng.randrange(len(words) - length + 1)
        text = " ".join(u.surface for u in words[start:start + length])
        out.append(fold(text) if len(out) % 2 else text)
    return out


def question_queries(count: int) -> list[str]:
    """The first ``count`` ViNewsQA dev questions (10-25 words each)."""
    with open(QUESTIONS, encoding="utf-8") as f:
        texts = [r["text"] for r in map(json.loads, f) if r.get("text")]
    return texts[:count]


@functools.cache
def _text_analyzer():
    from indexer.schema import build_schema

    return build_schema()["text"].analyzer


def analyzer_tokens(text: str) -> list[str]:
    """The tokens vnsearch's ``text`` analyzer emits for ``text`` (syllables, bigrams, words)."""
    return [t.text for t in _text_analyzer()(text)]


def folded_syllables(text: str) -> list[str]:
    """The distinct syllables of ``text``, lower-cased and without diacritics (``đ`` -> ``d``):
    what a user's FTS5 or Tantivy setup matches on."""
    return list(dict.fromkeys(fold(u.surface).lower() for u in split_units(text) if u.is_word))
