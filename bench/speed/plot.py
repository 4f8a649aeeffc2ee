"""docs/speed-latency.png: p50 and p95 of the keyword queries (cold) against corpus size."""

from __future__ import annotations

from pathlib import Path

from bench.speed.load import percentile
from bench.speed.report import ENGINES

COLORS = {"vnsearch": "tab:red", "fts5-fair": "tab:blue", "tantivy-fair": "tab:green",
          "fts5": "tab:cyan", "tantivy": "tab:olive"}


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in results]
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    for engine, color in COLORS.items():
        if any(engine not in r["queries"]["keywords"] for r in results):
            continue  # a peer this run left out (--peers fair)
        for p, dash in ((50, "-"), (95, "--")):
            ys = [percentile(r["queries"]["keywords"][engine]["cold"], p) for r in results]
            ax.plot(sizes, ys, dash, marker="o", color=color, label=f"{ENGINES[engine]} p{p}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("documents (first N VietNews articles)")
    ax.set_ylabel("latency, ms (log scale)")
    ax.set_title("Keyword queries, cold, top 10 with snippets")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
