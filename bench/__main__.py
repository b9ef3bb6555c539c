"""`python -m bench`: baselines and o2c measured in one run; the table printed, results.json
and the chart written."""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import baselines, figures, postings, profile, report
from bench.echo import __name__ as echo_module
from bench.machine import machine
from bench.processes import python_module, server_process
from bench.scales import Scale, chosen
from bench.scratch import NATS_URL, run_tag, scratch_database
from bench.service import Service, running_o2c

LOADING_BATCH = 250  # the events a billing cycle bills, approved before it is timed


def main() -> int:
    scale = chosen()
    out = Path(os.environ.get("BENCH_OUT", "var/bench"))
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": scale.name,
        "machine": machine(),
    }
    with tempfile.TemporaryDirectory(prefix="o2c-bench-") as scratch:
        results["baselines"] = measure_baselines(scale, Path(scratch))
        results["echo"] = results["baselines"].pop("echo")
        results.update(measure_o2c(scale, out))
    results["figures"] = summary(results)
    report.write_json(results, out)
    chart = report.chart(results, out)
    print(report.table(results))
    print(f"\nresults: {out / 'results.json'}; chart: {chart}")
    return 0


def measure_baselines(scale: Scale, scratch: Path) -> dict[str, Any]:
    print("baselines: gRPC echo, COPY, one-row commits, JetStream publish", file=sys.stderr)
    echo = python_module(echo_module)
    with server_process(echo, {}, scratch / "echo.log") as (_process, port):
        echo_curve = figures.echo_curve(port, scale.seconds_per_load)
    with scratch_database(run_tag()) as url:
        copy = baselines.copy_rows_per_second(url, scale.copy_rows)
        commits = baselines.commits_per_second(url, scale.commit_seconds)
    return {
        "echo": echo_curve.as_dict(),
        "copy_rows_per_second": copy,
        "commits_per_second": commits,
        "jetstream_publish_per_second": baselines.jetstream_publish_per_second(
            NATS_URL, scale.published
        ),
    }


def measure_o2c(scale: Scale, out: Path) -> dict[str, Any]:
    """o2c's figures; a part that fails is recorded with its error (the server's log is
    var/bench/o2c/o2c.log) and the others are still measured."""
    profiling = os.environ.get("BENCH_PROFILE", "").strip() not in ("", "0", "false")
    with running_o2c(out / "o2c") as (service, pid):
        print(f"o2c serving on {service.address} (pid {pid})", file=sys.stderr)
        engagement_ids = figures.engagements(service, "UNARY", 16)
        unary_seconds = scale.seconds_per_load * (len(figures.THREADS) + 1) + 1
        if profiling:
            with profile.sampled(pid, out, "unary-profile", unary_seconds):
                unary = figures.unary_curve(service, engagement_ids, scale.seconds_per_load)
        else:
            unary = figures.unary_curve(service, engagement_ids, scale.seconds_per_load)
        print("o2c: bulk approval, streaming import, saga steps", file=sys.stderr)
        bulk = attempt(
            figures.approve_in_batches,
            service,
            "BULK",
            engagement_ids,
            scale.bulk_events,
            scale.batch,
            threads=2,
        )
        streamed = attempt(
            figures.streaming_import,
            service,
            "STREAM",
            engagement_ids,
            scale.bulk_events,
            scale.batch,
        )
        sagas = attempt(figures.saga_steps_per_second, service, 8, scale.saga_seconds)
        cycles = [
            {"size": size, **attempt(billing_cycle, service, scale, size)}
            for size in scale.cycle_sizes
        ]
    # On a server of its own: the sagas of the parts above would queue ahead of its postings.
    print(f"o2c: {scale.postings} invoices posted to NetSuite's simulator", file=sys.stderr)
    with running_o2c(out / "o2c-postings") as (service, _pid):
        posted = attempt(postings.postings, service, scale.postings, 60 + scale.postings / 2)
    return {
        "unary": unary.as_dict(),
        "bulk": bulk,
        "streaming_import": streamed,
        "saga_steps": sagas,
        "billing_cycles": cycles,
        "postings": posted,
    }


def attempt(measure: Callable[..., dict[str, Any] | None], *args: Any, **kwargs: Any) -> Any:
    try:
        return measure(*args, **kwargs)
    except Exception as error:
        print(f"{measure.__name__} failed: {error!r}"[:2000], file=sys.stderr)
        return {"error": f"{type(error).__name__}: {_details(error)}"[:500], "args": repr(args[1:])}


def _details(error: Exception) -> str:
    details = getattr(error, "details", None)
    return str(details()) if callable(details) else str(error)


def failed(part: dict[str, Any] | None) -> str:
    return str(part["error"]) if part and "error" in part else ""


def billing_cycle(service: Service, scale: Scale, events: int) -> dict[str, Any]:
    print(f"o2c: billing cycle over {events:,} events", file=sys.stderr)
    key = f"CYCLE{events}"
    engagement_ids = figures.engagements(
        service, key, max(1, events // scale.events_per_engagement)
    )
    loaded = figures.approve_in_batches(
        service, key, engagement_ids, events, LOADING_BATCH, threads=2
    )
    cycle = figures.billing_cycle(service, key, engagement_ids)
    seconds = cycle["seconds"]
    return {
        **cycle,
        "events": loaded["staged"],
        "loading": loaded,
        "per_second": loaded["staged"] / seconds if seconds else None,
        "ms_per_event": 1000 * seconds / loaded["staged"] if loaded["staged"] else None,
    }


def summary(results: dict[str, Any]) -> list[report.Figure]:
    base = results["baselines"]
    echo, unary = results["echo"], results["unary"]
    at8 = next(load for load in unary["by_threads"] if load["threads"] == 8)
    echo8 = next(load for load in echo["by_threads"] if load["threads"] == 8)
    copy = base["copy_rows_per_second"]
    rows = [
        report.figure(
            "unary approval, 8 threads", at8["rps"], "RPS", "echo RPS", echo8["rps"], "≥ 0.20"
        ),
        report.figure(
            "unary approval p50, 8 threads", at8["p50_ms"], "ms", "echo p50", echo8["p50_ms"], ""
        ),
        report.figure(
            "unary approval p99, 8 threads", at8["p99_ms"], "ms", "echo p99", echo8["p99_ms"], ""
        ),
        report.figure(
            "unary approval p99 at half load",
            unary["half_load"]["p99_ms"],
            "ms",
            "echo p99 half load",
            echo["half_load"]["p99_ms"],
            "≤ 20 ms",
        ),
        part_figure(
            "bulk approval (ApproveBillableEvents, 1000/call at most)",
            results["bulk"],
            "events/s",
            "COPY rows/s",
            copy,
            "≥ 50,000/s and ≥ 0.20",
        ),
        streaming_figure(results["streaming_import"], copy),
        part_figure(
            "durable saga steps (provisioning, 8 threads)",
            results["saga_steps"],
            "steps/s",
            "one-row commits/s",
            base["commits_per_second"],
            "≥ 1,000/s",
        ),
        postings_figure(results["postings"]),
    ]
    rows += cycle_figures(results["billing_cycles"], copy)
    rows += [
        report.figure(
            "baseline: JetStream async publish",
            base["jetstream_publish_per_second"],
            "msg/s",
            "itself",
            base["jetstream_publish_per_second"],
            "",
        ),
    ]
    return rows


def part_figure(
    name: str, part: dict[str, Any], unit: str, baseline_name: str, baseline: float, target: str
) -> report.Figure:
    if failed(part):
        return report.figure(name, None, unit, baseline_name, baseline, target, failed(part))
    return report.figure(name, part["per_second"], unit, baseline_name, baseline, target)


def postings_figure(posted: dict[str, Any]) -> report.Figure:
    if failed(posted):
        return report.figure(
            "ERP postings: busy slots", None, "", "limit N", None, "≥ 0.90", failed(posted)
        )
    return report.figure(
        f"ERP postings: busy slots ({posted['invoices']} invoices, "
        f"{posted['throttled_429']} x 429, {posted['unposted']} unposted)",
        posted["average_busy"] * posted["limit"],
        "of N busy",
        "limit N",
        posted["limit"],
        "≥ 0.90, no 429 unhandled",
    )


def streaming_figure(streamed: dict[str, Any] | None, copy: float) -> report.Figure:
    name = "bulk approval (client-streaming import)"
    if streamed is None or failed(streamed):
        return report.figure(
            name,
            None,
            "events/s",
            "COPY rows/s",
            copy,
            "≥ 50,000/s and ≥ 0.20",
            absent=failed(streamed) or "BillingService has no client-streaming import yet",
        )
    return report.figure(
        f"bulk approval ({streamed['rpc']}, streamed)",
        streamed["per_second"],
        "events/s",
        "COPY rows/s",
        copy,
        "≥ 50,000/s and ≥ 0.20",
    )


def cycle_figures(cycles: list[dict[str, Any]], copy: float) -> list[report.Figure]:
    """Each size's events/s beside COPY, and its time per event beside the smallest size's."""
    first = next((cycle["ms_per_event"] for cycle in cycles if not failed(cycle)), None)
    first_size = cycles[0]["size"]
    rows = []
    for cycle in cycles:
        name, why = f"billing cycle, {cycle['size']:,} events", failed(cycle)
        rate, per_event = (None, None) if why else (cycle["per_second"], cycle["ms_per_event"])
        rows.append(report.figure(name, rate, "events/s", "COPY rows/s", copy, "", why))
        rows.append(
            report.figure(
                f"{name}: time per event",
                per_event,
                "ms",
                f"at {first_size:,}",
                first,
                "≤ 1.3",
                why,
            )
        )
    return rows


if __name__ == "__main__":
    sys.exit(main())
