"""`make bench` in miniature: the whole harness on tiny sizes, checked for what it reports and
for correctness (every event staged once, every engagement invoiced once), never for speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.databases import POSTGRES_URL

REPO = Path(__file__).resolve().parents[2]
FIGURES = (
    "unary approval, 8 threads",
    "unary approval p50, 8 threads",
    "unary approval p99, 8 threads",
    "unary approval p99 at half load",
    "durable saga steps (provisioning, 8 threads)",
    "baseline: JetStream async publish",
)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> dict:
    out = tmp_path_factory.mktemp("bench")
    env = {
        **os.environ,
        "BENCH_SCALE": "smoke",
        "BENCH_OUT": str(out),
        "BENCH_NATS_URL": nats_url,
        "BENCH_POSTGRES_URL": POSTGRES_URL,
    }
    run = subprocess.run(
        [sys.executable, "-m", "bench"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| figure | o2c | baseline (same run) | ratio | target |" in run.stdout
    assert (out / "throughput-latency.png").read_bytes().startswith(b"\x89PNG")
    return json.loads((out / "results.json").read_text())


pytestmark = pytest.mark.timeout(300)


def test_the_bench_on_postgresql_reports_every_figure_with_a_ratio_or_why_not(results):
    figures = {figure["name"]: figure for figure in results["figures"]}
    assert set(FIGURES) <= set(figures)
    assert any(name.startswith("bulk approval (ApproveBillableEvents") for name in figures)
    assert sum(name.startswith("billing cycle, ") for name in figures) == 6
    assert any(name.startswith("ERP postings: busy slots") for name in figures)
    for figure in figures.values():
        measured = figure["value"] is not None
        assert (measured and figure["ratio"] > 0) or (not measured and figure["absent"])


def test_the_bench_records_the_machine_and_a_curve_over_client_threads(results):
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["postgresql"] and machine["nats"]
    for curve in (results["echo"], results["unary"]):
        assert [load["threads"] for load in curve["by_threads"]] == [1, 2, 4, 8, 16]
        assert curve["half_load"]["calls"] > 0


def test_the_bench_approves_every_event_once_and_invoices_every_engagement_once(results):
    assert all(load["errors"] == 0 for load in results["unary"]["by_threads"])
    assert results["bulk"]["staged"] == results["bulk"]["events"]
    for cycle in results["billing_cycles"]:
        assert cycle["loading"]["staged"] == cycle["loading"]["events"]
        assert cycle["invoices"] == cycle["engagements"]
    posted = results["postings"]
    assert posted["posted"] == posted["invoices"] > 0 and posted["unposted"] == 0
