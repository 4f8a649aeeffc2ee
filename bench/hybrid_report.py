"""The hybrid experiment's figures: fusion of the stored lexical top k with passage cosines.

Reads only what ``bench.hybrid`` stored (lexical hits, passage and query vectors); prints markdown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.hybrid import (
    FORMS, document_passages, judged_queries, lexical_path, load_documents, passage_store,
    query_key, query_store, query_texts,
)
from bench.beir import metrics
from indexer.semantic import fuse

#: The weights swept: the cosine's share for the scaled fusions, its factor for ``score``.
SHARES = tuple(round(a, 2) for a in np.arange(0, 1.0001, 0.05))
FACTORS = tuple(float(b) for b in range(0, 21))
DEPTHS = (3, 4, 5, 10, 20, 50)
#: score: the lexical rank_score (BM25 over the first hit's plus proximity) plus the weighted
#: cosine below the best; wsum: min-max scaled rank_score and cosine; wrank: the lexical rank
#: scaled to 1..0, and the min-max scaled cosine; rrf: weighted reciprocal-rank fusion.
FUSIONS = ("score", "wsum", "wrank", "rrf")


def alphas(fusion: str) -> tuple[float, ...]:
    return FACTORS if fusion == "score" else SHARES


#: No collection may lose more than this MRR@10 to the setting that ships.
MAX_LOSS = 0.005


def rerank(ids: list[str], lexical: np.ndarray, cosine: np.ndarray, depth: int, alpha: float,
           fusion: str) -> list[str]:
    """The ids with the top ``depth`` re-ordered by fused score; the rest keep their lexical order."""
    n = min(depth, len(ids))
    if not n or alpha == 0:
        return ids
    order = np.argsort(-fuse(lexical[:n], cosine[:n], alpha, fusion), kind="stable")  # ties: lexical order
    return [ids[i] for i in order] + ids[n:]


@dataclass
class Run:
    """One collection, query form and passage size: per query, the hits and their cosines."""

    qids: list[str]
    ids: list[list[str]]
    lexical: list[np.ndarray]
    cosines: dict[str, list[np.ndarray]]  # query vector kind -> per query
    qrels: dict
    depth: int  # how many top hits of every query have their cosines


def covered(keys_per_doc: list[list[bytes]], store) -> int:
    """How many of the top hits, from the first on, have all their passage vectors (every
    depth when all of them have: a query may have fewer hits than the depth)."""
    return next((i for i, keys in enumerate(keys_per_doc) if store.missing(keys)), max(DEPTHS))


def load_run(collection: str, form: str, size: int, work: Path, limit: int) -> Run | None:
    """The stored hits and the cosines of the top hits as deep as every query's are embedded
    (``Run.depth``), or None while that is less than the smallest depth measured."""
    queries, qrels = judged_queries(collection, limit)
    hits = json.loads(lexical_path(work, collection, form).read_text())
    docs = load_documents(collection)
    passages = document_passages(docs, size)
    pstore, qstore = passage_store(work), query_store(work)
    depth = min(covered([[k for k, _ in passages[d]] for d, *_ in hits[q][:max(DEPTHS)]], pstore)
                for q in queries)
    if depth < min(DEPTHS):
        return None
    texts = query_texts(collection, work, docs, limit)
    kinds = ("given",) if form == "given" else ("unaccented", "restored")
    run = Run([], [], [], {k: [] for k in kinds}, qrels, depth)
    for qid in queries:
        ranked = hits[qid]
        top = [doc_id for doc_id, *_ in ranked[:depth]]  # the hits whose cosines are known
        keys = [k for d in top for k, _ in passages[d]]
        owners = np.repeat(np.arange(len(top)), [len(passages[d]) for d in top])
        matrix = pstore.get(keys) if keys else np.zeros((0, pstore.dim), np.float32)
        run.qids.append(qid)
        run.ids.append([d for d, *_ in ranked])
        run.lexical.append(np.array([r or 0.0 for _, _, r in ranked], dtype=np.float64))
        for kind in kinds:
            sims = matrix @ qstore.get([query_key(texts[qid][kind])])[0]
            best = np.full(len(top), -1.0)
            np.maximum.at(best, owners, sims)
            run.cosines[kind].append(best)
    return run


def score(run: Run, kind: str, depth: int, alpha: float, fusion: str, rows=None) -> dict[str, float]:
    rows = range(len(run.qids)) if rows is None else rows
    totals = {"mrr10": 0.0, "ndcg10": 0.0, "r10": 0.0, "r100": 0.0}
    for i in rows:
        ranked = rerank(run.ids[i], run.lexical[i], run.cosines[kind][i], depth, alpha, fusion)
        for name, value in metrics(ranked, run.qrels[run.qids[i]]).items():
            totals[name] += value
    return {k: v / max(1, len(rows)) for k, v in totals.items()}


def cross_validated(run: Run, kind: str, depth: int, fusion: str) -> tuple[float, list[float]]:
    """Two-fold cross-validated MRR@10 (alpha chosen on the even queries for the odd, and back)
    and the two chosen alphas."""
    halves = [range(0, len(run.qids), 2), range(1, len(run.qids), 2)]
    total, chosen = 0.0, []
    for train, test in [(halves[0], halves[1]), (halves[1], halves[0])]:
        best = max(alphas(fusion), key=lambda a: score(run, kind, depth, a, fusion, train)["mrr10"])
        chosen.append(best)
        total += score(run, kind, depth, best, fusion, test)["mrr10"] * len(test)
    return total / len(run.qids), chosen


def _kinds(form: str) -> tuple[str, ...]:
    return ("given",) if form == "given" else ("unaccented", "restored")


def global_alpha(runs: dict, kind_of: dict, depth: int, fusion: str) -> tuple[float, list[tuple]]:
    """The one alpha that ships: best mean MRR@10 gain over every collection and form among the
    alphas that cost none of them more than MAX_LOSS; and the (alpha, mean, worst) of each."""
    base = {key: score(run, kind_of[key[1]], depth, 0, fusion)["mrr10"] for key, run in runs.items()}
    rows = []
    for alpha in alphas(fusion):
        deltas = [score(run, kind_of[key[1]], depth, alpha, fusion)["mrr10"] - base[key]
                  for key, run in runs.items()]
        rows.append((alpha, float(np.mean(deltas)), float(min(deltas))))
    allowed = [r for r in rows if r[2] >= -MAX_LOSS]
    return max(allowed, key=lambda r: r[1])[0], rows


def _fmt(scores: dict) -> str:
    return " / ".join(f"{scores[k]:.3f}" for k in ("mrr10", "ndcg10", "r10", "r100"))


def embedding_costs(work: Path) -> list[str]:
    path = work / "embed-costs.json"
    costs = json.loads(path.read_text()) if path.exists() else {}
    lines = ["| collection / passage size | documents | passages | passages per doc | s per passage | "
             "embedding s per 1,000 docs |", "|---|---|---|---|---|---|"]
    for key, c in sorted(costs.items()):
        if not c["embedded"]:
            continue
        per_passage = c["seconds"] / c["embedded"]
        per_doc = c["passages"] / max(1, c["docs"])
        lines.append(f"| {key} | {c['docs']} | {c['passages']} | {per_doc:.1f} | {per_passage:.3f} | "
                     f"{1000 * per_doc * per_passage:.0f} |")
    return lines


#: The weights of the per-collection sweep, per fusion.
SWEEP = {"score": (1.0, 2.0, 4.0, 6.0, 8.0, 12.0, 16.0), "wsum": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)}


def per_collection_sweep(runs: dict, depth: int) -> list[str]:
    """ΔMRR@10 of each collection and form at each weight, per fusion (unaccented restored)."""
    kind_of = {"given": "given", "unaccented": "restored"}
    out = [f"### ΔMRR@10 per collection by weight (k = {depth}, unaccented queries embedded restored)", ""]
    for fusion in FUSIONS:
        weights = SWEEP.get(fusion, SWEEP["wsum"])
        out += [f"{fusion}:", "", "| collection | form | " + " | ".join(f"{a:g}" for a in weights) + " |",
                "|---|---|" + "---|" * len(weights)]
        for (c, form), run in runs.items():
            base = score(run, kind_of[form], depth, 0, fusion)["mrr10"]
            cells = [f"{score(run, kind_of[form], depth, a, fusion)['mrr10'] - base:+.3f}" for a in weights]
            out.append(f"| {c} | {form} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def report(collections, sizes, work: Path, limit: int = 300) -> str:
    out = ["# Hybrid ranking: measured figures", ""]
    for size in sizes:
        runs = {(c, form): run for c in collections for form in FORMS
                if (run := load_run(c, form, size, work, limit)) is not None}
        if not runs:
            out += [f"Passage size {size}: no collection has every query's top {min(DEPTHS)} embedded yet.", ""]
            continue
        depths = [d for d in DEPTHS if d <= min(r.depth for r in runs.values())]
        measured = [d for d in DEPTHS if d <= max(r.depth for r in runs.values())]
        out += [f"## Passage size {size} syllables", "",
                "Collections measured (every query's top k embedded): " + ", ".join(
                    f"{c} {form} (k ≤ {r.depth}, {len(r.qids)} queries)" for (c, form), r in runs.items()), ""]
        out += ["### Ablation: two-fold cross-validated MRR@10 (α chosen per collection on the other half)", "",
                "| collection | form | query embedded | lexical | " + " | ".join(
                    f"{f} k={d}" for f in FUSIONS for d in measured) + " |",
                "|---|---|---|---|" + "---|" * (len(FUSIONS) * len(measured))]
        for (c, form), run in runs.items():
            for kind in _kinds(form):
                cells = []
                for fusion in FUSIONS:
                    for depth in measured:
                        if depth > run.depth:
                            cells.append("")
                            continue
                        cv, chosen = cross_validated(run, kind, depth, fusion)
                        cells.append(f"{cv:.3f} (α {chosen[0]:.2f}/{chosen[1]:.2f})")
                lexical = score(run, kind, 0, 0, "wrank")["mrr10"]
                out.append(f"| {c} | {form} | {kind} | {lexical:.3f} | " + " | ".join(cells) + " |")
        out += ["", "### One global α for all collections and both query forms "
                f"(no collection may lose more than {MAX_LOSS})", "",
                "| fusion | k | unaccented query embedded | α | mean ΔMRR@10 | worst ΔMRR@10 |",
                "|---|---|---|---|---|---|"]
        settings = []
        for kind_unaccented in ("unaccented", "restored"):
            kind_of = {"given": "given", "unaccented": kind_unaccented}
            for fusion in FUSIONS:
                for depth in depths:
                    alpha, rows = global_alpha(runs, kind_of, depth, fusion)
                    best = next(r for r in rows if r[0] == alpha)
                    settings.append((best[1], fusion, depth, kind_unaccented, alpha, rows))
                    out.append(f"| {fusion} | {depth} | {kind_unaccented} | {alpha:.2f} | {best[1]:+.4f} | "
                               f"{best[2]:+.4f} |")
        mean, fusion, depth, kind_unaccented, alpha, rows = max(settings, key=lambda t: t[0])
        kind_of = {"given": "given", "unaccented": kind_unaccented}
        out += ["", f"### Best global setting: {fusion}, k = {depth}, α = {alpha:.2f}, "
                f"unaccented queries embedded {kind_unaccented}", "",
                "| collection | form | lexical MRR@10 / nDCG@10 / R@10 / R@100 | hybrid | ΔMRR@10 |",
                "|---|---|---|---|---|"]
        for (c, form), run in runs.items():
            lexical = score(run, kind_of[form], depth, 0, fusion)
            hybrid = score(run, kind_of[form], depth, alpha, fusion)
            out.append(f"| {c} | {form} | {_fmt(lexical)} | {_fmt(hybrid)} | "
                       f"{hybrid['mrr10'] - lexical['mrr10']:+.3f} |")
        out += ["", "α sweep for that setting (mean and worst ΔMRR@10 over the collections and forms):", "",
                "| α | " + " | ".join(f"{a:.2f}" for a, _, _ in rows[::2]) + " |",
                "|---|" + "---|" * len(rows[::2]),
                "| mean | " + " | ".join(f"{m:+.3f}" for _, m, _ in rows[::2]) + " |",
                "| worst | " + " | ".join(f"{w:+.3f}" for _, _, w in rows[::2]) + " |", ""]
        out += per_collection_sweep(runs, max(depths))
    out += ["## Embedding cost (one thread, nice 10, on the shared machine)", "", *embedding_costs(work), ""]
    return "\n".join(out)
