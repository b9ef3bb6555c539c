"""Structured logs: one JSON object a line in production, key=value for a human at a terminal;
whatever is bound in structlog's contextvars (the correlation id) is on every line."""

from __future__ import annotations

import logging
from typing import Any

import structlog

from entrypoints.settings import SettingError

FORMATS = ("json", "console")


def configure_logging(level: str, log_format: str = "json") -> None:
    if log_format not in FORMATS:
        raise SettingError(
            f"O2C_LOG_FORMAT must be one of {', '.join(FORMATS)}, got {log_format!r}"
        )
    logging.basicConfig(level=level, format="%(message)s")
    logging.getLogger("alembic").setLevel(max(logging.getLevelName(level), logging.WARNING))
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        processors=processors(log_format),
        cache_logger_on_first_use=False,
    )


def processors(log_format: str) -> list[Any]:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"])
    )
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        renderer,
    ]
