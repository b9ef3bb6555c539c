"""Money code never touches binary floating point: no float call, annotation or literal."""

import ast
from pathlib import Path

import domain

DOMAIN = Path(domain.__file__).parent
MONEY_CODE = [
    DOMAIN / "money.py",
    DOMAIN / "unit_price.py",
    DOMAIN / "allocation.py",
    DOMAIN / "rate_card.py",
    *sorted((DOMAIN / "billing").glob("*.py")),
    *sorted((DOMAIN / "invoicing").glob("*.py")),
]


def floats_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "float":
            found.append(f"{path.name}:{node.lineno} float")
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"{path.name}:{node.lineno} {node.value!r}")
    return found


def test_no_float_appears_in_money_code():
    assert len(MONEY_CODE) > 10
    assert [hit for path in MONEY_CODE for hit in floats_in(path)] == []
