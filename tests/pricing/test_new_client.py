"""``retainer new-client``: a contract on a plan that loads clean, never over another one."""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner
from support import copy_demo

from plugins.billing.contracts import load_contracts
from plugins.billing.model import UNLIMITED
from scripts.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _bean_check(ledger: Path) -> subprocess.CompletedProcess[str]:
    bean_check = Path(sys.executable).parent / "bean-check"
    return subprocess.run([str(bean_check), str(ledger)], capture_output=True, text=True, check=False)


def test_new_client_on_a_plan_loads_clean_and_bean_checks(tmp_path: Path) -> None:
    ledger = copy_demo(tmp_path)
    code, output = run(
        "new-client", "corner-cafe", "--ledger", str(ledger), "--plan", "business",
        "--name", 'Corner Café "Downtown"', "--from", "2026-10-01", "--devices", "workstation=4,server=1",
    )  # fmt: skip
    assert code == 0, output
    written = tmp_path / "contracts" / "corner-cafe.yaml"
    assert written.is_file()
    found = load_contracts(tmp_path / "contracts")
    assert found.problems == []
    contract = found.contracts["corner-cafe"]
    assert contract.name == 'Corner Café "Downtown"'
    [terms] = contract.terms
    # The demo's business plan: 55 a workstation, 150 a server -> 4 × 55 + 150 = 370 a month.
    assert terms.start == datetime.date(2026, 10, 1)
    assert terms.monthly_retainer == D(370)
    assert terms.included_hours == {"remote": UNLIMITED, "onsite": D(2)}
    check = _bean_check(ledger)
    assert check.returncode == 0, check.stdout + check.stderr
    # The books bill it: October 2026 (the demo accrues through 2026-10) at 370.00.
    code, output = run("margin", "--ledger", str(ledger), "--client", "corner-cafe", "--format", "csv")
    assert code == 0 and ",370.00," in output


def test_new_client_refuses_to_overwrite_and_bad_options(tmp_path: Path) -> None:
    ledger = copy_demo(tmp_path)
    contracts = tmp_path / "contracts"
    before = (contracts / "bayview-dental.yaml").read_bytes()
    code, output = run("new-client", "bayview-dental", "--ledger", str(ledger), "--plan", "essentials")
    assert code == 1 and "already exists: nothing written" in output
    assert (contracts / "bayview-dental.yaml").read_bytes() == before
    code, output = run("new-client", "new-co", "--ledger", str(ledger), "--plan", "gold")
    assert (
        code == 1
        and "--plan 'gold': unknown plan; practice.yaml's plans: essentials, business, premium" in output
    )
    # The business plan prices servers: without a server count the contract would not load.
    code, output = run("new-client", "new-co", "--ledger", str(ledger), "--plan", "business", "--devices",
                       "workstation=3")  # fmt: skip
    assert code == 1 and "per_device.server has a price but no count" in output
    code, output = run("new-client", "New Co", "--ledger", str(ledger), "--plan", "business")
    assert code == 1 and "lowercase letters" in output
    code, output = run(
        "new-client", "new-co", "--ledger", str(ledger), "--plan", "essentials", "--devices", "pc"
    )
    assert code == 1 and "write TYPE=N" in output
    assert not (contracts / "new-co.yaml").exists()
