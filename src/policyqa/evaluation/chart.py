"""The evaluation report's chart: policyqa against its baselines, metric by metric."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI
import matplotlib.pyplot as plt  # noqa: E402

METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")


def retrieval_chart(report: dict, path: Path, slice_name: str = "overall") -> Path:
    systems = list(report["systems"])
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    width = 0.8 / max(len(systems), 1)
    for panel, name in ((axes[0], slice_name), (axes[1], "cross-lingual")):
        for i, system in enumerate(systems):
            values = report["systems"][system]["slices"].get(name, {})
            heights = [values.get(m, 0.0) for m in METRICS]
            bars = panel.bar([x + i * width for x in range(len(METRICS))], heights, width, label=system)
            panel.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
        panel.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(METRICS))], METRICS)
        panel.set_ylim(0, 1.2)
        n = next(iter(report["systems"].values()))["slices"].get(name, {}).get("n", 0)
        panel.set_title(f"{name} ({n} questions)")
        panel.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="upper center", ncol=len(systems), fontsize=8, frameon=False)
    fig.suptitle(f"policyqa retrieval against baselines — {report['answerable']} answerable questions")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def risk_coverage_chart(points: list[dict], path: Path) -> Path:
    """Citation precision against the share of answerable questions answered, as the decline
    threshold moves (evaluation/metrics.risk_coverage)."""
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot([p["coverage"] for p in points], [p["precision"] for p in points], marker=".", linewidth=1)
    ax.set_xlabel("answerable questions answered (coverage)")
    ax.set_ylabel("answers citing evidence (precision)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title("Risk and coverage of the decline threshold")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
