"""The request a saga answers, kept as JSON beside it (or null for a saga no request started)."""

from __future__ import annotations

from typing import Any

import attrs
from sqlalchemy import JSON, Dialect
from sqlalchemy.types import TypeDecorator

from domain.requests import RequestKey


class RequestKeyJson(TypeDecorator[RequestKey]):
    impl = JSON(none_as_null=True)
    cache_ok = True

    def process_bind_param(self, value: RequestKey | None, dialect: Dialect) -> Any:
        return None if value is None else attrs.asdict(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> RequestKey | None:
        return None if value is None else RequestKey(**value)
