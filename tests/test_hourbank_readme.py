"""The README's hour-bank example is a contract the loader accepts, with the meaning it says."""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

from plugins.billing.contracts import load_contract
from plugins.billing.model import Practice

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_hour_bank_example_loads(tmp_path: Path) -> None:
    section = README.read_text(encoding="utf-8").split("## Hour banks, tool costs and travel time", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert example is not None
    path = tmp_path / "kestrel-auto.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    contract, problems = load_contract(path, Practice())
    assert problems == [] and contract is not None
    first, later = contract.terms
    # 45 + 40 / 60 x 60 = 85.00 a visit; 25 + 3.50 x 10 = 60.00 of tools a month
    assert first.travel.per_visit == D(85) and first.tool_costs == D(60)
    assert later.rollover is not None and (later.rollover.months, later.rollover.max_hours) == (0, D(10))
    assert [(b.hours, b.price, b.kinds) for b in contract.blocks] == [(D(20), D("1800.00"), ("onsite",))]
