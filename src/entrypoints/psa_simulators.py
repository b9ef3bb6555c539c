"""The embedded default's Kantata: simulated in-process on loopback when O2C_PSA=kantata names
no O2C_KANTATA_URL, with a bearer token made here. `start` answers the settings that point the
adapter at it."""

from __future__ import annotations

import secrets
from pathlib import Path

import structlog

from simulators.kantata import KantataSimulator

TOKEN_FILE = "kantata-token"

log = structlog.get_logger("o2c")


class EmbeddedKantata:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.simulator: KantataSimulator | None = None

    def start(self) -> dict[str, str]:
        token = secrets.token_urlsafe(24)
        self.directory.mkdir(parents=True, exist_ok=True)
        token_file = self.directory / TOKEN_FILE
        token_file.write_text(token, encoding="utf-8")
        token_file.chmod(0o600)
        self.simulator = KantataSimulator(token).start()
        log.info("kantata simulated", url=self.simulator.url)
        return {"O2C_KANTATA_URL": self.simulator.url, "O2C_KANTATA_TOKEN_FILE": str(token_file)}

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()
