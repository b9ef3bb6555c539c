"""The API imports google/type/date.proto from a vendored copy so buf works offline."""

from __future__ import annotations

from pathlib import Path

from google.type import date_pb2

VENDORED = Path(__file__).parents[2] / "api/third_party/googleapis/google/type/date.proto"


def test_the_vendored_date_is_the_one_whose_python_module_the_service_imports():
    shipped = Path(date_pb2.__file__).with_name("date.proto")
    assert VENDORED.read_text() == shipped.read_text()
