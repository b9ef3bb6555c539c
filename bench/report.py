"""The figures as a table with their ratios, results.json, and the chart of throughput and
latency against client threads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

Figure = dict[str, Any]


def figure(
    name: str,
    value: float | None,
    unit: str,
    baseline_name: str,
    baseline: float | None,
    target: str,
    absent: str = "",
) -> Figure:
    ratio = value / baseline if value is not None and baseline else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline_name": baseline_name,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "absent": absent,
    }


def table(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"o2c bench, {results['date']}, scale {results['scale']}: {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['memory_gb']} GB, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']}, NATS {machine['nats']}",
        "",
        "| figure | o2c | baseline (same run) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for row in results["figures"]:
        lines.append(
            f"| {row['name']} | {_value(row)} | {row['baseline_name']}: "
            f"{_number(row['baseline'])} | {_ratio(row)} | {row['target']} |"
        )
    return "\n".join(lines)


def _value(row: Figure) -> str:
    if row["value"] is None:
        return f"not measured: {row['absent']}"
    return f"{_number(row['value'])} {row['unit']}"


def _ratio(row: Figure) -> str:
    return "—" if row["ratio"] is None else f"{row['ratio']:.3f}"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def write_json(results: dict[str, Any], directory: Path) -> Path:
    path = directory / "results.json"
    path.write_text(json.dumps(results, indent=2, sort_keys=False))
    return path


def chart(results: dict[str, Any], directory: Path) -> Path:
    curves = {"gRPC echo": results["echo"], "o2c ApproveBillableEvent": results["unary"]}
    fig, (throughput, latency) = plt.subplots(1, 2, figsize=(11, 4.2))
    for (label, curve), colour in zip(curves.items(), ("tab:blue", "tab:orange"), strict=True):
        loads = curve["by_threads"]
        threads = [load["threads"] for load in loads]
        throughput.plot(
            threads, [load["rps"] for load in loads], marker="o", color=colour, label=label
        )
        latency.plot(
            threads,
            [load["p50_ms"] for load in loads],
            marker="o",
            color=colour,
            label=f"{label} p50",
        )
        latency.plot(
            threads,
            [load["p99_ms"] for load in loads],
            marker="x",
            ls="--",
            color=colour,
            label=f"{label} p99",
        )
    throughput.set(xscale="log", yscale="log", xlabel="client threads", ylabel="calls/s")
    latency.set(xscale="log", yscale="log", xlabel="client threads", ylabel="latency (ms)")
    for axes in (throughput, latency):
        axes.set_xticks([1, 2, 4, 8, 16], labels=["1", "2", "4", "8", "16"])
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7)
    fig.suptitle(f"o2c bench {results['date']} ({results['machine']['cores']} cores)")
    fig.tight_layout()
    path = directory / "throughput-latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
