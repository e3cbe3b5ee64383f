"""Plans in practice.yaml and ``plan:`` in a term: read by the term code, merged in order."""

from __future__ import annotations

import datetime
import textwrap
from decimal import Decimal as D
from pathlib import Path

from plugins.billing.contracts import load_contracts
from plugins.billing.model import UNLIMITED, RateCardExample

PRACTICE = """\
list_rates: {remote: 150, onsite: 175}
plans:
  essentials: {monthly_fee: 250, included_hours: {remote: 2}, rates: {remote: 120, onsite: 150}}
  business:
    per_device: {workstation: 55, server: 150}
    included_hours: {remote: unlimited, onsite: 2}
    rates: {onsite: 125}
    travel: {trip_fee: 40}
    costs: {monthly: 20}
rate_card_example: {devices: {workstation: 10, server: 1}, hours: {remote: 6, onsite: 4}, visits: 2}
"""


def _folder(tmp_path: Path, practice: str, **contracts: str) -> Path:
    (tmp_path / "practice.yaml").write_text(textwrap.dedent(practice), encoding="utf-8")
    for client, text in contracts.items():
        (tmp_path / f"{client}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_practice_reads_plans_list_rates_and_example(tmp_path: Path) -> None:
    found = load_contracts(_folder(tmp_path, PRACTICE))
    assert found.problems == []
    practice = found.practice
    assert practice.list_rates == {"remote": D(150), "onsite": D(175)}
    assert set(practice.plans) == {"essentials", "business"}
    business = practice.plans["business"].terms
    assert business.per_device == {"workstation": D(55), "server": D(150)}
    assert business.included_hours == {"remote": UNLIMITED, "onsite": D(2)}
    assert business.travel.trip_fee == D(40)
    assert practice.rate_card_example == RateCardExample(
        devices={"workstation": 10, "server": 1}, hours={"remote": D(6), "onsite": D(4)}, visits=2
    )


def test_plan_term_is_the_term_before_then_the_plan_then_its_own_keys(tmp_path: Path) -> None:
    contract = """\
        client: acme
        terms:
          - from: 2026-01-01
            monthly_fee: 900
            per_device: {workstation: 45, server: 10}
            devices: {workstation: 12, server: 1}
            included_hours: {remote: 5, onsite: 4}
            rates: {remote: 95, onsite: 110}
            after_hours_multiplier: 1.5
            travel: {per_km: 0.5, distance_km: 30}
            costs: {per_device: {workstation: 3}}
          - from: 2026-07-01
            plan: business
            devices: {workstation: 14}
            rates: {remote: 100}
        """
    found = load_contracts(_folder(tmp_path, PRACTICE, acme=contract))
    assert found.problems == []
    first, second = found.contracts["acme"].terms
    assert second.start == datetime.date(2026, 7, 1)
    # Scalars: the fee of the term before stands (the plan sets none); the multiplier too.
    assert second.monthly_fee == D(900)
    assert second.after_hours_multiplier == D("1.5")
    # Maps merge key by key at each step: plan prices over the old ones, own counts over those.
    assert second.per_device == {"workstation": D(55), "server": D(150)}
    assert second.devices == {"workstation": 14, "server": 1}
    assert second.included_hours == {"remote": UNLIMITED, "onsite": D(2)}
    # rates: remote 95 -> (plan sets none) -> own 100; onsite 110 -> plan 125.
    assert second.rates == {"remote": D(100), "onsite": D(125)}
    # travel merges: the plan's trip fee beside the term before's distance.
    assert (second.travel.trip_fee, second.travel.per_km, second.travel.distance_km) == (
        D(40),
        D("0.5"),
        D(30),
    )
    # costs merge too: the plan's monthly beside the old per-device cost.
    assert second.costs is not None and first.costs is not None
    assert (second.costs.monthly, second.costs.per_device) == (D(20), {"workstation": D(3)})


def test_an_unknown_plan_is_a_located_error_with_did_you_mean(tmp_path: Path) -> None:
    contract = """\
        client: acme
        terms:
          - from: 2026-01-01
            plan: busines
            devices: {workstation: 2, server: 1}
        """
    found = load_contracts(_folder(tmp_path, PRACTICE, acme=contract))
    [problem] = found.problems
    assert problem.where.filename.endswith("acme.yaml") and problem.where.lineno == 4
    assert "unknown plan 'busines' (did you mean 'business'?)" in problem.message
    assert "acme" not in found.contracts and "acme" in found.failed_clients


def test_a_plan_with_a_bad_key_is_refused_in_practice_yaml_like_a_term(tmp_path: Path) -> None:
    practice = """\
        plans:
          small: {monthly_fee: 200, rate: {remote: 100}}
          big: {monthly_fee: -5}
          odd: {from: 2026-01-01}
        list_rates: {remote: 150, phone: 10}
        rate_card_example: {hours: {remote: 2}, vists: 1}
        """
    found = load_contracts(_folder(tmp_path, practice))
    messages = [(p.where.lineno, p.message) for p in found.problems]
    assert all(p.kind == "PracticeError" for p in found.problems)
    assert any(
        line == 2 and "unknown key 'rate' in plans.small (did you mean 'rates'?)" in m for line, m in messages
    )
    assert any(line == 3 and "monthly_fee must not be negative" in m for line, m in messages)
    assert any(line == 4 and "unknown key 'from' in plans.odd" in m for line, m in messages)
    assert any(line == 5 and "list_rates: unknown kind 'phone'" in m for line, m in messages)
    assert any(
        line == 6 and "unknown key 'vists' in rate_card_example (did you mean 'visits'?)" in m
        for line, m in messages
    )
    assert found.practice.plans == {}  # every plan above is broken: none is offered
    assert len(messages) == 5


def test_a_plan_term_still_needs_device_counts(tmp_path: Path) -> None:
    contract = """\
        client: acme
        terms:
          - from: 2026-01-01
            plan: business
            devices: {workstation: 3}
        """
    found = load_contracts(_folder(tmp_path, PRACTICE, acme=contract))
    [problem] = found.problems
    assert "per_device.server has a price but no count" in problem.message


def test_plan_rollover_merges_key_by_key(tmp_path: Path) -> None:
    practice = "plans:\n  banked: {rollover: {max_hours: 6}, included_hours: {remote: 3}}\n"
    contract = """\
        client: acme
        terms:
          - from: 2026-01-01
            monthly_fee: 300
            included_hours: {remote: 2}
            rates: {remote: 90}
            rollover: {months: 2, max_hours: 10}
          - from: 2026-04-01
            plan: banked
        """
    found = load_contracts(_folder(tmp_path, practice, acme=contract))
    assert found.problems == []
    second = found.contracts["acme"].terms[1]
    assert second.rollover is not None
    # months 2 from the term before, max_hours 6 from the plan.
    assert (second.rollover.months, second.rollover.max_hours) == (2, D(6))
    assert second.included_hours == {"remote": D(3)} and second.monthly_fee == D(300)
