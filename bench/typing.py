"""Search as you type and typo tolerance, measured on queries cut from VietNews titles.

    python -m bench.typing --index bench/work/idx10k [--index DIR ...] [--cases 400] [--seed 18]

Cases come from the titles of the train split (../shared/data/vietnews/detok_train.jsonl.gz)
of the documents an index holds (its first ``doc_count`` train titles): fragments of 2-4
consecutive title syllables, half of them without diacritics. A prefix case cuts the last
syllable after 2 or more of its letters (``thi tot nghie``); a typo case applies one edit to
one syllable: a letter inserted, deleted, substituted or two swapped, or a tone changed,
removed or (without diacritics) added. For each index it prints:

- prefix top-1 agreement: the first hit of the cut query, as the page's as-you-type asks
  for it (``typing=1``), is the first hit of the whole fragment; and the same for the cut
  query run literally (``exact=1``: what searching it did before completion);
- typo top-1 agreement: the first hit of the mistyped query is the whole fragment's; and
  literally; exact correction: the correction shown (run, or suggested) is the title's
  fragment with its diacritics; false corrections: whole fragments that were "corrected";
- p50/p95 of as-you-type requests (``/?q=…&fragment=1&typing=1``) and of ``/api/suggest``,
  in-process through the web app's test client.

The last line per index is ``index=… docs=… prefix=0.xxx typo=0.xxx exact=0.xxx``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.analysis import fold, normalise_word, syllables
from indexer.analysis.letters import with_tone
from indexer.config import load_config
from indexer.store import open_index
from indexer.vocabulary import tone_of

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
TITLES = DATA / "vietnews" / "detok_train.jsonl.gz"
LETTER_EDITS = ("insert", "delete", "substitute", "transpose")


@dataclass(frozen=True)
class Case:
    whole: str  # the fragment as typed (with or without diacritics)
    intended: str  # the fragment with its diacritics, as in the title
    cut: str  # the fragment with its last syllable cut (prefix case)
    typo: str  # the fragment with one edit (typo case)
    edit: str


def read_titles(limit: int, path: Path = TITLES) -> list[str]:
    titles = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            titles.append(json.loads(line)["title"])
            if len(titles) >= limit:
                break
    return titles


def _edit_letters(word: str, rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(LETTER_EDITS)
    i = rng.randrange(len(word))
    letter = rng.choice("abcdeghiklmnopqrstuvxy")
    if kind == "insert":
        return word[:i] + letter + word[i:], kind
    if kind == "delete":
        return word[:i] + word[i + 1:], kind
    if kind == "substitute":
        return word[:i] + letter + word[i + 1:], kind
    i = min(i, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:], kind


def _edit_tone(word: str, rng: random.Random) -> tuple[str, str]:
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if c not in "\u0300\u0301\u0309\u0303\u0323")
    bare = unicodedata.normalize("NFC", bare)
    tones = [t for t in range(6) if t != tone_of(word)]
    return with_tone(bare, rng.choice(tones)), "tone"


def title_words(title: str) -> list[str]:
    """The syllables of a title in their exact search form (``normalise_word``), punctuation left out."""
    return [normalise_word(u.surface) for u in syllables(title)]


def make_cases(titles: list[str], n: int, seed: int) -> list[Case]:
    """``n`` cases from ``titles``: fragments of 2-4 syllables, every other one folded."""
    rng = random.Random(seed)
    cases: list[Case] = []
    while len(cases) < n:
        words = title_words(rng.choice(titles))
        size = rng.randint(2, 4)
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        fragment = words[start:start + size]
        if not all(w.isalpha() and fold(w).isascii() for w in fragment) or len(fragment[-1]) < 3:
            continue
        folded = len(cases) % 2 == 1
        typed = [fold(w) for w in fragment] if folded else fragment
        cut_at = rng.randint(2, len(typed[-1]) - 1)
        i = rng.randrange(size)
        if rng.random() < 0.25:
            edited, kind = _edit_tone(typed[i], rng)
        else:
            edited, kind = _edit_letters(typed[i], rng)
        if not edited or edited == typed[i] or not edited.isalpha():
            continue
        typo = typed[:i] + [edited] + typed[i + 1:]
        cases.append(Case(" ".join(typed), " ".join(fragment), " ".join(typed[:-1] + [typed[-1][:cut_at]]),
                          " ".join(typo), kind))
    return cases


def completion_ceiling(titles: list[str], cases: list[Case]) -> float:
    """The share of prefix cases whose last word is the likeliest completion of the cut
    among the cases' own population: every place in ``titles`` where the words typed before
    the cut stand (folded where the case was typed so) and a word beginning as the cut
    follows. About the best a rule picking one completion from what was typed can do."""
    wanted = {(c.whole == fold(c.whole), tuple(c.cut.split()[:-1])) for c in cases}
    followers: dict[tuple, dict[str, int]] = {}
    for title in titles:
        words = title_words(title)
        for folded, ws in ((True, [fold(w) for w in words]), (False, words)):
            for size in range(1, 4):
                for i in range(len(ws) - size):
                    key = (folded, tuple(ws[i:i + size]))
                    if key in wanted:
                        counts = followers.setdefault(key, {})
                        counts[ws[i + size]] = counts.get(ws[i + size], 0) + 1
    right = 0.0
    for case in cases:
        typed = case.cut.split()
        counts = followers.get((case.whole == fold(case.whole), tuple(typed[:-1])), {})
        fitting = {w: n for w, n in counts.items() if w.startswith(typed[-1])}
        most = max(fitting.values(), default=0)
        likeliest = [w for w, n in fitting.items() if n == most]
        # Among completions as likely as each other, a rule can only guess.
        right += (case.whole.split()[-1] in likeliest) / max(1, len(likeliest))
    return right / len(cases) if cases else 0.0


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def measure(index_dir: Path, cases: list[Case]) -> dict:
    """Agreement, correction rates and request latencies of one index over ``cases``."""
    from webapp.app import create_app

    config = replace(load_config(), index_dir=index_dir)
    client = create_app({"VNSEARCH_CONFIG": config, "INDEX_DIR": str(index_dir)}).test_client()

    def get(path: str, **params) -> tuple[dict, float]:
        started = time.perf_counter()
        response = client.get(path, query_string=params)
        ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return (response.get_json() if response.is_json else {}), ms

    def first(data: dict) -> str | None:
        return data["results"][0]["id"] if data.get("results") else None

    counts = dict.fromkeys(("cases", "prefix", "prefix_literal", "typo", "typo_literal", "exact",
                            "false_corrections"), 0)
    typing_ms: list[float] = []
    suggest_ms: list[float] = []
    for n, case in enumerate(cases, 1):
        whole, _ = get("/api/search", q=case.whole, per_page=1)
        target = first(whole)
        if target is None:
            continue
        counts["cases"] += 1
        counts["false_corrections"] += whole.get("corrected") is not None
        cut, _ = get("/api/search", q=case.cut, per_page=1, typing=1)
        counts["prefix"] += first(cut) == target
        literal, _ = get("/api/search", q=case.cut, per_page=1, exact=1)
        counts["prefix_literal"] += first(literal) == target
        typo, _ = get("/api/search", q=case.typo, per_page=1)
        counts["typo"] += first(typo) == target
        literal, _ = get("/api/search", q=case.typo, per_page=1, exact=1)
        counts["typo_literal"] += first(literal) == target
        shown = typo.get("corrected") or typo.get("suggestion") or literal.get("suggestion")
        counts["exact"] += shown == case.intended
        _, ms = get("/", q=case.cut, fragment=1, typing=1)
        typing_ms.append(ms)
        _, ms = get("/api/suggest", q=case.cut)
        suggest_ms.append(ms)
        if n % 25 == 0:
            print(f"  {n}/{len(cases)} cases", file=sys.stderr)
    total = max(1, counts["cases"])
    report = {k: (v if k == "cases" else round(v / total, 3)) for k, v in counts.items()}
    report.update(typing_p50=round(statistics.median(typing_ms), 1) if typing_ms else 0.0,
                  typing_p95=round(_percentile(typing_ms, 0.95), 1),
                  suggest_p50=round(statistics.median(suggest_ms), 1) if suggest_ms else 0.0,
                  suggest_p95=round(_percentile(suggest_ms, 0.95), 1))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", action="append", type=Path, required=True,
                        help="an index directory (a built index: never rebuilt); repeat for several sizes")
    parser.add_argument("--cases", type=int, default=400, help="cases per index")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--ceiling", action="store_true",
                        help="print only the prefix cases' completion ceiling (completion_ceiling), "
                             "no searches")
    args = parser.parse_args(argv)
    if not TITLES.exists():
        print(f"missing {TITLES}: the titles are read from {DATA} (../shared/data next to the project) "
              "and never copied into it", file=sys.stderr)
        return 2
    for index_dir in args.index:
        with open_index(index_dir).reader() as reader:
            docs = reader.doc_count()
        titles = read_titles(docs)
        cases = make_cases(titles, args.cases, args.seed)
        if args.ceiling:
            print(f"index={index_dir} docs={docs} cases={len(cases)} "
                  f"completion_ceiling={completion_ceiling(titles, cases):.3f}")
            continue
        report = measure(index_dir, cases)
        print(json.dumps({"index": str(index_dir), "docs": docs, **report}, ensure_ascii=False))
        print(f"index={index_dir} docs={docs} prefix={report['prefix']:.3f} typo={report['typo']:.3f} "
              f"exact={report['exact']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
