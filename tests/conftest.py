from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.nats import embedded_or_missing, jetstream_problem, nats_url_under_test


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = nats_url_under_test()
    problem = jetstream_problem(url)
    if problem is None:
        yield url
        return
    with embedded_or_missing(tmp_path_factory.mktemp("nats"), f"{url}: {problem}") as server:
        yield server.url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "nats_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.nats)
        if "postgresql" in item.nodeid:
            item.add_marker(pytest.mark.postgres)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests ran on real PostgreSQL and NATS, and how many did not."""
    for marker, service in (("postgres", "PostgreSQL"), ("nats", "NATS JetStream")):
        tally = {
            outcome: sum(
                1
                for report in terminalreporter.stats.get(outcome, [])
                if marker in getattr(report, "keywords", {})
                and (outcome != "passed" or report.when == "call")
            )
            for outcome in ("passed", "failed", "skipped")
        }
        terminalreporter.write_line(
            f"on real {service}: {tally['passed']} passed, {tally['failed']} failed, "
            f"{tally['skipped']} skipped"
        )
