"""``retainer install-hook``: a real git repository refuses a commit of broken books."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from click.testing import CliRunner
from support import WriteBooks

from scripts.cli import main

CONTRACT = """\
client: acme
terms:
  - from: 2026-01-01
    monthly_fee: 500
    rates: {remote: 100}
"""


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=False)


def commits(folder: Path) -> int:
    return int(git(folder, "rev-list", "--count", "HEAD").stdout.strip() or 0)


def test_the_hook_blocks_a_broken_ledger_and_an_edited_closed_month(write_books: WriteBooks) -> None:
    books = write_books('2026-01-05 custom "time" "acme" "remote" 1.5\n', {"acme": CONTRACT})
    repo = books.path.parent.parent
    assert git(repo, "init", "-q").returncode == 0
    installed = CliRunner().invoke(main, ["install-hook", "--ledger", str(books.path)])
    assert installed.exit_code == 0, installed.output
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    again = CliRunner().invoke(main, ["install-hook", "--ledger", str(books.path)])
    assert again.exit_code == 0 and "already installed" in again.output

    assert CliRunner().invoke(main, ["close", "2026-01", "--ledger", str(books.path)]).exit_code == 0
    git(repo, "add", "-A")
    good = git(repo, "commit", "-qm", "books with January closed")
    assert good.returncode == 0, good.stderr
    assert commits(repo) == 1

    # An edited closed month: the hook refuses, the commit is not made.
    closed = books.path.parent / "closed" / "2026-01.beancount"
    closed.write_text(
        closed.read_text(encoding="utf-8").replace("500.00 USD", "450.00 USD"), encoding="utf-8"
    )
    git(repo, "add", "-A")
    refused = git(repo, "commit", "-qm", "edit a closed month")
    assert refused.returncode != 0
    assert "ClosedMonthError" in refused.stderr and "commit refused" in refused.stderr
    assert "\nledger/closed/2026-01.beancount:" in "\n" + refused.stderr  # named as in the repository
    assert commits(repo) == 1

    # What is checked is what is staged: the fix in the working tree alone is not enough.
    git(repo, "checkout", "--", ".")
    git(repo, "reset", "-q")
    with books.path.open("a", encoding="utf-8") as ledger:
        ledger.write("2026-02-01 * broken\n")
    git(repo, "add", "-A")
    books.path.write_text(books.path.read_text(encoding="utf-8").replace("2026-02-01 * broken\n", ""))
    staged_broken = git(repo, "commit", "-qm", "broken ledger staged")
    assert staged_broken.returncode != 0
    assert "ledger/main.beancount" in staged_broken.stderr
    assert commits(repo) == 1


def test_install_hook_leaves_a_different_hook_alone(write_books: WriteBooks) -> None:
    books = write_books("", {"acme": CONTRACT})
    repo = books.path.parent.parent
    git(repo, "init", "-q")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["install-hook", "--ledger", str(books.path)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\necho mine\n"
