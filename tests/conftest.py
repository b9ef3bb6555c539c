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
